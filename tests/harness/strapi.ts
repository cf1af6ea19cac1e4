/**
 * Boots the real playground Strapi app on a throwaway database (a SQLite file by default, or a fresh PostgreSQL or
 * MariaDB/MySQL database: `database: 'postgres' | 'mysql'` or `EMAIL_PIPING_TEST_DB=postgres|mysql`), with the plugin
 * loaded from this repository's build, an HTTP server on a free loopback port, and a super admin logged in. No vitest
 * imports: the crash test's child process and the benchmark use it too.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Core } from '@strapi/strapi';
import { tableResolver } from '../../src/mail/authenticate';
import {
  serverDatabase,
  testDatabaseClient,
  type ServerDatabase,
  type TestDatabaseClient,
} from './server-database';
import type { MysqlAddress } from './mysql';
import type { PostgresAddress } from './postgres';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const playgroundDir = path.join(repoRoot, 'playground');
export const playgroundDistDir = path.join(playgroundDir, 'dist');

/**
 * The playground is a TypeScript Strapi app: its config is compiled to `playground/dist` (about 3 s, incremental).
 * The test run compiles once up front; a lone script compiles when nothing is there yet.
 */
export async function compilePlayground(options: { onlyIfMissing?: boolean } = {}): Promise<void> {
  if (options.onlyIfMissing && fs.existsSync(path.join(playgroundDistDir, 'config', 'plugins.js'))) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compileStrapi } = require('@strapi/strapi') as typeof import('@strapi/strapi');
  await compileStrapi({ appDir: playgroundDir });
}

// Which database the suite runs on is decided next to the servers; re-exported for the tests that ask.
export { TEST_DATABASE_CLIENTS, testDatabaseClient, type TestDatabaseClient } from './server-database';

export interface StrapiBootOptions {
  /** Default: `EMAIL_PIPING_TEST_DB`, else sqlite. */
  database?: TestDatabaseClient;
  /**
   * Existing database to reuse (the crash test restarts on the same one); a fresh one otherwise. A SQLite file; on
   * PostgreSQL and MySQL the path names a database (created on first use), so tests that restart on "the same file"
   * work on all three.
   */
  databaseFile?: string;
  /** PostgreSQL: the cluster (default: the run's shared one, `EMAIL_PIPING_TEST_PG`). */
  postgres?: PostgresAddress;
  /** MySQL/MariaDB: the server (default: the run's shared one, `EMAIL_PIPING_TEST_MYSQL`). */
  mysql?: MysqlAddress;
  /** PostgreSQL/MySQL: an existing database to use as it is (e.g. one a test prepared with its own settings). */
  databaseName?: string;
  /** Plugin settings on top of the playground's. */
  pluginConfig?: Record<string, unknown>;
  /** Start the HTTP server (admin API tests); off for pure import runs. */
  listen?: boolean;
  /** Quiet Strapi's logger (default true). */
  quiet?: boolean;
  /** Serve the built admin panel (`playground/dist/build`, see admin-build.ts) at `/admin`: browser tests. */
  serveAdminPanel?: boolean;
}

export interface TestStrapi {
  strapi: Core.Strapi;
  /** The SQLite file, or on PostgreSQL/MySQL the key given as `databaseFile` (else ''). */
  databaseFile: string;
  database: { client: TestDatabaseClient; name: string };
  workDir: string;
  baseUrl: string;
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

export const TEST_ENCRYPTION_KEY = crypto.createHash('sha256').update('email-piping tests').digest('base64');

export async function bootStrapi(options: StrapiBootOptions = {}): Promise<TestStrapi> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-strapi-'));
  const client = options.database ?? testDatabaseClient();
  const databaseFile = options.databaseFile ?? (client === 'sqlite' ? path.join(workDir, 'test.db') : '');
  fs.mkdirSync(path.join(playgroundDir, 'public', 'uploads'), { recursive: true });

  process.env.DATABASE_CLIENT = client;
  let server: ServerDatabase | undefined;
  if (client === 'sqlite') {
    process.env.DATABASE_FILENAME = databaseFile;
  } else {
    server = await serverDatabase(client, options);
    Object.assign(process.env, server.env);
  }
  const databaseName = server?.name ?? databaseFile;
  process.env.EMAIL_PIPING_ENCRYPTION_KEY ??= TEST_ENCRYPTION_KEY;
  process.env.EMAIL_PIPING_AUTOSTART ??= 'false';
  process.env.STRAPI_TELEMETRY_DISABLED = 'true';
  process.env.BROWSER = 'none';
  process.env.NODE_ENV ??= 'test';
  process.env.PORT = '0';

  await compilePlayground({ onlyIfMissing: true });
  const listenersBeforeStrapi = process
    .eventNames()
    .map((name) => [name, process.rawListeners(name)] as const);
  // Required lazily so a test that only needs Dovecot does not pay for loading Strapi.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createStrapi } = require('@strapi/strapi') as typeof import('@strapi/strapi');
  const app = createStrapi({
    appDir: playgroundDir,
    distDir: playgroundDistDir,
    autoReload: false,
    serveAdminPanel: options.serveAdminPanel ?? false,
  });
  if (options.quiet !== false) {
    app.log.level = 'error';
  }
  // `load()` is `register()` + `bootstrap()`, and `register()` reads the app's config file into the plugin's config:
  // overrides set before it are overwritten, set after `load()` they come too late for what bootstrap reads (e.g.
  // `outboxAutoStart`). So the two halves run apart and the overrides go in between.
  await app.register();
  // Sender authentication never asks the machine's DNS in a test: results would depend on the network and on the
  // real domains in the corpus. A test that signs mail passes its own table (tests/harness/dkim.ts).
  const current = (app.config.get('plugin::email-piping') ?? {}) as Record<string, unknown>;
  app.config.set('plugin::email-piping', {
    ...current,
    dnsResolver: tableResolver({}),
    ...options.pluginConfig,
  });
  if (server) await server.oneAtATime(() => app.bootstrap());
  else await app.bootstrap();
  (app as unknown as { isLoaded: boolean }).isLoaded = true;
  let baseUrl = '';
  if (options.listen) {
    app.server.mount();
    await new Promise<void>((resolve) => app.server.httpServer.listen(0, '127.0.0.1', () => resolve()));
    const address = app.server.httpServer.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${address.port}`;
  }
  return {
    strapi: app,
    databaseFile,
    database: { client, name: databaseName },
    workDir,
    baseUrl,
    async stop(stopOptions = {}) {
      await app.destroy();
      // Strapi's destroy() calls process.removeAllListeners(), which also cuts the test runner's IPC channel to
      // this worker ("Channel closed"). Put back the listeners that were there before Strapi was created.
      for (const [name, listeners] of listenersBeforeStrapi) {
        const present = new Set(process.rawListeners(name));
        for (const listener of listeners) {
          if (!present.has(listener))
            process.on(name as NodeJS.Signals, listener as (...args: unknown[]) => void);
        }
      }
      if (!stopOptions.keepFiles) {
        fs.rmSync(workDir, { recursive: true, force: true });
        await server?.dropIfFresh();
      }
    },
  };
}

export interface AdminSession {
  token: string;
  email: string;
  password: string;
  request<T = unknown>(
    method: string,
    url: string,
    body?: unknown
  ): Promise<{ status: number; body: T; headers: Headers }>;
}

/** Creates an admin role holding exactly `actions` (e.g. `plugin::email-piping.tickets.read`); answers its id. */
export async function createRoleWithActions(instance: TestStrapi, actions: string[]): Promise<number> {
  const roles = instance.strapi.service('admin::role');
  const role = await roles.create({
    name: `role-${crypto.randomBytes(4).toString('hex')}`,
    description: 'test',
  });
  await roles.assignPermissions(
    role.id,
    actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] }))
  );
  return role.id;
}

/** Creates an admin user (a super admin unless a role id is given) and logs in through the real login route. */
export async function loginAdmin(
  instance: TestStrapi,
  options: { roleId?: number; email?: string } = {}
): Promise<AdminSession> {
  const { strapi } = instance;
  const email = options.email ?? `admin-${crypto.randomBytes(4).toString('hex')}@example.test`;
  const password = 'Test-password-1';
  let roleId = options.roleId;
  if (roleId === undefined) {
    const superAdmin = await strapi.service('admin::role').getSuperAdmin();
    roleId =
      superAdmin?.id ??
      (await strapi.service('admin::role').createDefaultRoles(),
      (await strapi.service('admin::role').getSuperAdmin()).id);
  }
  await strapi.service('admin::user').create({
    email,
    firstname: 'Test',
    lastname: 'Admin',
    password,
    isActive: true,
    roles: [roleId],
  });
  const login = await fetch(`${instance.baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const loginBody = (await login.json()) as { data?: { token?: string; accessToken?: string } };
  const token = loginBody.data?.token ?? loginBody.data?.accessToken;
  if (!token) throw new Error(`admin login failed: ${login.status} ${JSON.stringify(loginBody)}`);
  return {
    token,
    email,
    password,
    async request(method, url, body) {
      const response = await fetch(`${instance.baseUrl}${url}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON (e.g. a raw .eml download)
      }
      return { status: response.status, body: parsed as never, headers: response.headers };
    },
  };
}
