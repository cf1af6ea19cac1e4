/**
 * Throwaway MariaDB (or MySQL) server for tests, from Debian's `mariadb-server` package, started the way the
 * PostgreSQL and Dovecot harnesses start theirs: its own temp dir (data, socket, log), a free loopback port, never the
 * system service.
 *
 *   const my = await startMysql();
 *   const name = await my.createDatabase();        // a fresh utf8mb4 database, e.g. one per test file
 *   ...DATABASE_CLIENT=mysql DATABASE_HOST=my.host DATABASE_PORT=my.port DATABASE_NAME=name DATABASE_USERNAME=my.user...
 *   await my.stop();                                // kills the server and removes its dir
 *
 * The data dir is made by `mariadb-install-db` with the historical root account (`root@127.0.0.1`, no password), so
 * clients log in over TCP as root, with the grant tables in force. As root the server runs as the `mysql` system user
 * (which the package creates), as any other user as that user. The server's character set is utf8mb4 and its
 * collation the server's default (case- and accent-insensitive, as on most real sites), so the tests meet what a site
 * meets. No vitest imports: the worker scripts use it too.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './dovecot';
import { chownToSystemUser, tailOf, type ServerAddress, type ThrowawayServer } from './throwaway-server';

export type MysqlServer = ThrowawayServer;
/** What child processes and other test files need to reach a running server (see `EMAIL_PIPING_TEST_MYSQL`). */
export type MysqlAddress = ServerAddress;

const SYSTEM_USER = 'mysql';
const SUPERUSER = 'root';

function firstExisting(candidates: string[]): string | undefined {
  return candidates.find((candidate) => fs.existsSync(candidate));
}

/** The server binary and the data-dir installer (MariaDB's names first, MySQL's old ones second), or undefined. */
export function mysqlBinaries(): { server: string; installDb: string } | undefined {
  const server = firstExisting(['/usr/sbin/mariadbd', '/usr/sbin/mysqld']);
  const installDb = firstExisting(['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db']);
  return server && installDb ? { server, installDb } : undefined;
}

export function mysqlAvailable(): boolean {
  return mysqlBinaries() !== undefined;
}

export const MYSQL_MISSING_MESSAGE =
  'MariaDB is not installed (no /usr/sbin/mariadbd and /usr/bin/mariadb-install-db). Install it with ' +
  '`apt-get install -y mariadb-server` (Debian/Ubuntu); CI does (see .ci/run).';

const isRoot = () => process.getuid?.() === 0;

/**
 * Where the server's files go: memory (/dev/shm) when the machine has it, else the temp dir. Strapi's first boot on
 * an empty database is some 350 DDL statements, and MariaDB syncs files on each: on disk that boot takes 25 s, in
 * memory 10 s. A test server loses nothing worth keeping.
 */
function scratchRoot(): string {
  const shm = '/dev/shm';
  try {
    fs.accessSync(shm, fs.constants.W_OK);
    return shm;
  } catch {
    return os.tmpdir();
  }
}

interface MysqlConnection {
  query(statement: string): Promise<unknown>;
  end(): Promise<void>;
}

function connect(address: MysqlAddress, database?: string): Promise<MysqlConnection> {
  // The driver Strapi uses for client `mysql`; a dependency of the playground.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2/promise') as {
    createConnection(config: Record<string, unknown>): Promise<MysqlConnection>;
  };
  return mysql.createConnection({
    host: address.host,
    port: address.port,
    user: address.user,
    database,
    charset: 'utf8mb4',
  });
}

/** A plain `mysql2` connection (the driver Strapi uses), closed after `work`. */
export async function withConnection<T>(
  address: MysqlAddress,
  database: string | undefined,
  work: (connection: MysqlConnection) => Promise<T>
): Promise<T> {
  const connection = await connect(address, database);
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

export async function runSql(address: MysqlAddress, statement: string, database?: string): Promise<void> {
  await withConnection(address, database, (connection) => connection.query(statement));
}

const quoteName = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** Creates a utf8mb4 database (a fresh random name unless given; nothing if it exists) and answers its name. */
export async function createDatabase(
  address: MysqlAddress,
  name = `t_${crypto.randomBytes(6).toString('hex')}`
): Promise<string> {
  await runSql(address, `CREATE DATABASE IF NOT EXISTS ${quoteName(name)} CHARACTER SET utf8mb4`);
  return name;
}

export async function dropDatabase(address: MysqlAddress, name: string): Promise<void> {
  await runSql(address, `DROP DATABASE IF EXISTS ${quoteName(name)}`);
}

async function waitUntilReady(address: MysqlAddress, exited: () => string | undefined, log: () => string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exit = exited();
    if (exit) throw new Error(`mariadbd exited (${exit}) before accepting connections:\n${log()}`);
    try {
      await runSql(address, 'SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`mariadbd did not accept connections within 60 s (${String(error)}):\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function startMysql(): Promise<MysqlServer> {
  const binaries = mysqlBinaries();
  if (!binaries) throw new Error(MYSQL_MISSING_MESSAGE);
  const dir = fs.mkdtempSync(path.join(scratchRoot(), 'email-piping-mysql-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'error.log');
  const asUser = isRoot() ? [`--user=${SYSTEM_USER}`] : [];
  chownToSystemUser(dir, SYSTEM_USER);
  const install = spawnSync(
    binaries.installDb,
    [
      '--no-defaults',
      ...asUser,
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-name-resolve',
      '--skip-test-db',
    ],
    { encoding: 'utf8', timeout: 120_000 }
  );
  if (install.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `mariadb-install-db failed (${install.status ?? install.signal}): ${install.stderr || install.stdout}`
    );
  }
  const port = await findFreePort();
  // A test server need not survive a power cut: no syncs (the log is written at each commit, never flushed), no
  // binary log, no doublewrite, one tablespace instead of a file per table. utf8mb4 as every real site should have.
  const child = spawn(
    binaries.server,
    [
      '--no-defaults',
      ...asUser,
      `--datadir=${dataDir}`,
      `--socket=${path.join(dir, 'mysqld.sock')}`,
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      `--tmpdir=${dir}`,
      `--log-error=${logFile}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-flush-log-at-trx-commit=2',
      '--innodb-doublewrite=0',
      '--innodb-flush-method=nosync',
      '--innodb-file-per-table=0',
      '--character-set-server=utf8mb4',
      '--innodb-log-file-size=48M',
      '--max-connections=300',
    ],
    { stdio: 'ignore', detached: true }
  );
  child.unref();
  let exit: string | undefined;
  child.on('exit', (code, signal) => {
    exit = String(code ?? signal);
  });
  // A test run that exits without its teardown must not leave a server (or its files in memory) behind.
  const killOnExit = () => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);
  const logTail = (lines?: number) => tailOf(logFile, lines);
  const address: MysqlAddress = { host: '127.0.0.1', port, user: SUPERUSER };
  try {
    await waitUntilReady(address, () => exit, logTail);
  } catch (error) {
    process.off('exit', killOnExit);
    killOnExit();
    throw error;
  }

  let stopped = false;
  return {
    ...address,
    dir,
    sql: (statement, database) => runSql(address, statement, database),
    createDatabase: (name) => createDatabase(address, name),
    dropDatabase: (name) => dropDatabase(address, name),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', killOnExit);
      if (exit === undefined) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        // Unreferenced since the start: without this a teardown's last await would let Node exit before the exit
        // event, and the dir would stay.
        child.ref();
        child.kill('SIGKILL');
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
    logTail,
  };
}

/**
 * The server the test run shares (global-setup starts it when `EMAIL_PIPING_TEST_DB=mysql` and announces it in
 * `EMAIL_PIPING_TEST_MYSQL`), or undefined.
 */
export function sharedMysql(): MysqlAddress | undefined {
  const value = process.env.EMAIL_PIPING_TEST_MYSQL;
  return value ? (JSON.parse(value) as MysqlAddress) : undefined;
}

/**
 * A server for a test file that needs MariaDB whatever the suite runs on: the shared one when there is one, otherwise
 * its own, stopped by `release`.
 */
export async function useMysql(): Promise<{ address: MysqlAddress; release(): Promise<void> }> {
  const shared = sharedMysql();
  if (shared) return { address: shared, release: async () => undefined };
  const own = await startMysql();
  return { address: own, release: () => own.stop() };
}
