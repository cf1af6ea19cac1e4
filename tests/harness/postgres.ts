/**
 * Throwaway PostgreSQL cluster for tests, from Debian's `postgresql` package, started the way the Dovecot harness
 * starts its server: its own temp dir (data, socket, log), a free loopback port, never the system service.
 *
 *   const pg = await startPostgres();
 *   const name = await pg.createDatabase();        // a fresh database, e.g. one per test file
 *   ...DATABASE_HOST=pg.host DATABASE_PORT=pg.port DATABASE_NAME=name DATABASE_USERNAME=pg.user...
 *   await pg.stop();                                // stops the cluster and removes its dir
 *
 * PostgreSQL refuses to run as root, so as root initdb and the server run as the `postgres` system user (which the
 * package creates) through runuser; as any other user they run as that user. Authentication is `trust` on
 * 127.0.0.1 only. No vitest imports: the worker scripts use it too.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './dovecot';
import { chownToSystemUser, tailOf, type ServerAddress, type ThrowawayServer } from './throwaway-server';

export type PostgresServer = ThrowawayServer;
/** What child processes and other test files need to reach a running cluster (see `EMAIL_PIPING_TEST_PG`). */
export type PostgresAddress = ServerAddress;

const BIN_ROOT = '/usr/lib/postgresql';
const SYSTEM_USER = 'postgres';
const SUPERUSER = 'postgres';

/** The newest installed server's bin dir (e.g. /usr/lib/postgresql/15/bin), or undefined. */
export function postgresBinDir(): string | undefined {
  let versions: string[];
  try {
    versions = fs.readdirSync(BIN_ROOT);
  } catch {
    return undefined;
  }
  const found = versions
    .filter((version) => fs.existsSync(path.join(BIN_ROOT, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return found.length > 0 ? path.join(BIN_ROOT, found[0], 'bin') : undefined;
}

export function postgresAvailable(): boolean {
  return postgresBinDir() !== undefined;
}

export const POSTGRES_MISSING_MESSAGE =
  `PostgreSQL is not installed (no ${BIN_ROOT}/<version>/bin/initdb). Install it with ` +
  '`apt-get install -y postgresql` (Debian/Ubuntu); CI does (see .ci/run).';

const isRoot = () => process.getuid?.() === 0;

/** Runs a server binary, as the postgres system user when we are root. */
function runAsOwner(binary: string, args: string[]): string {
  const [command, commandArgs] = isRoot()
    ? ['runuser', ['-u', SYSTEM_USER, '--', binary, ...args]]
    : [binary, args];
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(binary)} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`
    );
  }
  return result.stdout;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(POSTGRES_MISSING_MESSAGE);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  chownToSystemUser(dir, SYSTEM_USER);
  runAsOwner(path.join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    SUPERUSER,
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const port = await findFreePort();
  // fsync off: a test cluster need not survive a power cut, and syncs are most of a small commit's cost.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  runAsOwner(path.join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-l',
    logFile,
    '-o',
    serverOptions,
    '-w',
    '-t',
    '30',
    'start',
  ]);

  let stopped = false;
  const server: PostgresServer = {
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    dir,
    sql: (statement, database) => runSql(server, statement, database),
    createDatabase: (name) => createDatabase(server, name),
    dropDatabase: (name) => dropDatabase(server, name),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        runAsOwner(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    logTail: (lines) => tailOf(logFile, lines),
  };
  return server;
}

interface PgClient {
  connect(): Promise<void>;
  query(statement: string): Promise<unknown>;
  end(): Promise<void>;
}

/** A plain `pg` connection (the driver Strapi uses), closed after `work`. */
export async function withClient<T>(
  address: PostgresAddress,
  database: string,
  work: (client: PgClient) => Promise<T>
): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as { Client: new (config: Record<string, unknown>) => PgClient };
  const client = new Client({ host: address.host, port: address.port, user: address.user, database });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs one SQL statement as the superuser on `database` (default `postgres`). */
export async function runSql(
  address: PostgresAddress,
  statement: string,
  database = 'postgres'
): Promise<void> {
  await withClient(address, database, (client) => client.query(statement));
}

/** Creates a database (a fresh random name unless given; nothing if it exists) and answers its name. */
export async function createDatabase(
  address: PostgresAddress,
  name = `t_${crypto.randomBytes(6).toString('hex')}`
): Promise<string> {
  await withClient(address, 'postgres', async (client) => {
    const found = (await client.query(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)) as {
      rowCount: number;
    };
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  });
  return name;
}

export async function dropDatabase(address: PostgresAddress, name: string): Promise<void> {
  await runSql(address, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/**
 * The cluster the test run shares (global-setup starts it when `EMAIL_PIPING_TEST_DB=postgres` and announces it in
 * `EMAIL_PIPING_TEST_PG`), or undefined.
 */
export function sharedPostgres(): PostgresAddress | undefined {
  const value = process.env.EMAIL_PIPING_TEST_PG;
  return value ? (JSON.parse(value) as PostgresAddress) : undefined;
}

/** Database names a test file can recompute: the crash test reopens "the same database" from a path, as on SQLite. */
export function databaseNameFor(key: string): string {
  return `t_${crypto.createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/**
 * A cluster for a test file that needs PostgreSQL whatever the suite runs on: the shared one when there is one,
 * otherwise its own, stopped by `release`.
 */
export async function usePostgres(): Promise<{ address: PostgresAddress; release(): Promise<void> }> {
  const shared = sharedPostgres();
  if (shared) return { address: shared, release: async () => undefined };
  const own = await startPostgres();
  return { address: own, release: () => own.stop() };
}
