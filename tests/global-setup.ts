/**
 * One real Dovecot for the whole test run, on a free loopback port; every test file logs in as its own user, so
 * files never see each other's mail. Unit tests do not need it, but starting it costs well under a second.
 */
import type { TestProject } from 'vitest/node';
import { compilePlayground, testDatabaseClient } from './harness/strapi';
import {
  POSTGRES_MISSING_MESSAGE,
  postgresAvailable,
  startPostgres,
  type PostgresServer,
} from './harness/postgres';
import { MYSQL_MISSING_MESSAGE, mysqlAvailable, startMysql, type MysqlServer } from './harness/mysql';
import {
  DOVECOT_MISSING_MESSAGE,
  dovecotAvailable,
  startDovecot,
  type DovecotServer,
} from './harness/dovecot';

let server: DovecotServer | undefined;
let postgres: PostgresServer | undefined;
let mysql: MysqlServer | undefined;

export default async function setup(project: TestProject) {
  if (!dovecotAvailable()) {
    throw new Error(DOVECOT_MISSING_MESSAGE);
  }
  await compilePlayground();
  server = await startDovecot();
  // EMAIL_PIPING_TEST_DB=postgres|mysql: one server for the run, each Strapi boot on a database of its own. Workers
  // (and their child processes) find it through the environment.
  const client = testDatabaseClient();
  if (client === 'postgres') {
    if (!postgresAvailable()) throw new Error(POSTGRES_MISSING_MESSAGE);
    postgres = await startPostgres();
    process.env.EMAIL_PIPING_TEST_PG = JSON.stringify({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
    });
  }
  if (client === 'mysql') {
    if (!mysqlAvailable()) throw new Error(MYSQL_MISSING_MESSAGE);
    mysql = await startMysql();
    process.env.EMAIL_PIPING_TEST_MYSQL = JSON.stringify({
      host: mysql.host,
      port: mysql.port,
      user: mysql.user,
    });
  }
  project.provide('dovecot', {
    host: server.host,
    port: server.port,
    password: server.password,
    dir: server.dir,
  });
  return async () => {
    await server?.stop();
    await postgres?.stop();
    await mysql?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dovecot: { host: '127.0.0.1'; port: number; password: string; dir: string };
  }
}
