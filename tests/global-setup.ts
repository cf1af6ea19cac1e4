/**
 * One real Dovecot for the whole test run, on a free loopback port; every test file logs in as its own user, so
 * files never see each other's mail. Unit tests do not need it, but starting it costs well under a second.
 */
import type { TestProject } from 'vitest/node';
import { compilePlayground } from './harness/strapi';
import {
  DOVECOT_MISSING_MESSAGE,
  dovecotAvailable,
  startDovecot,
  type DovecotServer,
} from './harness/dovecot';

let server: DovecotServer | undefined;

export default async function setup(project: TestProject) {
  if (!dovecotAvailable()) {
    throw new Error(DOVECOT_MISSING_MESSAGE);
  }
  await compilePlayground();
  server = await startDovecot();
  project.provide('dovecot', {
    host: server.host,
    port: server.port,
    password: server.password,
    dir: server.dir,
  });
  return async () => {
    await server?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dovecot: { host: '127.0.0.1'; port: number; password: string; dir: string };
  }
}
