/**
 * The database a Strapi boot uses on a database server (PostgreSQL or MySQL/MariaDB), so `bootStrapi` treats both
 * alike: which server (given, or the run's shared one), which database (fresh, named by a test's "file" key so a
 * restart finds it again, or given as it is), the playground's DATABASE_* variables for it, boots one at a time, and
 * the drop of a fresh one afterwards; and a way for a test to count rows in "its file" on whichever database the suite
 * runs. No vitest imports: child processes use it too.
 */
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import * as mysql from './mysql';
import * as postgres from './postgres';

/** The databases the harness can boot on (Strapi's client names: `mysql` covers MariaDB). */
export const TEST_DATABASE_CLIENTS = ['sqlite', 'postgres', 'mysql'] as const;
export type TestDatabaseClient = (typeof TEST_DATABASE_CLIENTS)[number];

/** The suite's database: `EMAIL_PIPING_TEST_DB` (sqlite unless set). */
export function testDatabaseClient(): TestDatabaseClient {
  const value = process.env.EMAIL_PIPING_TEST_DB || 'sqlite';
  if (!(TEST_DATABASE_CLIENTS as readonly string[]).includes(value))
    throw new Error(
      `EMAIL_PIPING_TEST_DB must be one of ${TEST_DATABASE_CLIENTS.join(', ')}, not "${value}"`
    );
  return value as TestDatabaseClient;
}

export interface ServerDatabase {
  name: string;
  /** What the playground's config/database.ts reads. */
  env: Record<string, string>;
  /** Runs `boot` while no other boot on this database runs, in any process. */
  oneAtATime(boot: () => Promise<unknown>): Promise<void>;
  /** Drops the database when this boot created it fresh; nothing for a reused one. */
  dropIfFresh(): Promise<void>;
}

export interface ServerDatabaseOptions {
  databaseFile?: string;
  databaseName?: string;
  postgres?: postgres.PostgresAddress;
  mysql?: mysql.MysqlAddress;
}

const lockKey = (databaseName: string) =>
  crypto.createHash('sha256').update(`email-piping boot ${databaseName}`).digest();

/**
 * Strapi's schema sync is not safe for two instances at once on one database (on an empty PostgreSQL one: `duplicate
 * key … pg_type_typname_nsp_index`; on MySQL two processes create the same tables): boots on the same database wait
 * for each other, across processes, through a lock held on a connection of its own — an advisory lock on
 * PostgreSQL, a named lock (GET_LOCK) on MySQL.
 */
async function postgresOneAtATime(
  address: postgres.PostgresAddress,
  databaseName: string,
  boot: () => Promise<unknown>
): Promise<void> {
  await postgres.withClient(address, databaseName, async (lock) => {
    const key = lockKey(databaseName).readInt32BE(0);
    await lock.query(`SELECT pg_advisory_lock(${key})`);
    try {
      await boot();
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(${key})`);
    }
  });
}

async function mysqlOneAtATime(
  address: mysql.MysqlAddress,
  databaseName: string,
  boot: () => Promise<unknown>
): Promise<void> {
  await mysql.withConnection(address, undefined, async (lock) => {
    // Lock names are per server, at most 64 characters.
    const name = `email-piping-boot-${lockKey(databaseName).toString('hex').slice(0, 32)}`;
    await lock.query(`SELECT GET_LOCK('${name}', 600)`);
    try {
      await boot();
    } finally {
      await lock.query(`SELECT RELEASE_LOCK('${name}')`);
    }
  });
}

export async function serverDatabase(
  client: 'postgres' | 'mysql',
  options: ServerDatabaseOptions
): Promise<ServerDatabase> {
  const driver =
    client === 'postgres'
      ? {
          address: options.postgres ?? postgres.sharedPostgres(),
          create: postgres.createDatabase,
          drop: postgres.dropDatabase,
          oneAtATime: postgresOneAtATime,
          label: 'PostgreSQL',
          option: 'postgres',
        }
      : {
          address: options.mysql ?? mysql.sharedMysql(),
          create: mysql.createDatabase,
          drop: mysql.dropDatabase,
          oneAtATime: mysqlOneAtATime,
          label: 'MySQL/MariaDB',
          option: 'mysql',
        };
  const address = driver.address;
  if (!address)
    throw new Error(
      `bootStrapi: ${driver.label} asked for but no server given: pass \`${driver.option}\` (see tests/harness/${driver.option}.ts) or run with EMAIL_PIPING_TEST_DB=${client}`
    );
  const reused =
    options.databaseName ??
    (options.databaseFile ? postgres.databaseNameFor(options.databaseFile) : undefined);
  const name = await driver.create(address, reused);
  return {
    name,
    env: {
      DATABASE_HOST: address.host,
      DATABASE_PORT: String(address.port),
      DATABASE_NAME: name,
      DATABASE_USERNAME: address.user,
      DATABASE_PASSWORD: '',
    },
    oneAtATime: (boot) => driver.oneAtATime(address, name, boot),
    dropIfFresh: async () => {
      if (reused === undefined) await driver.drop(address, name);
    },
  };
}

/**
 * The number `sql` answers (one row, one column named `n`, e.g. `select count(*) as n from …`) in the database a
 * test's "file" names, on the suite's database: the SQLite file itself, or the database `bootStrapi` made for that
 * key on the run's shared server. Tests that check rows from outside the app (the crash test) use it.
 */
export async function selectNumber(databaseFile: string, sql: string): Promise<number> {
  const client = testDatabaseClient();
  if (client === 'sqlite') {
    const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
    try {
      return Number((db.prepare(sql).get() as { n: number }).n);
    } finally {
      db.close();
    }
  }
  const name = postgres.databaseNameFor(databaseFile);
  const missing = () =>
    new Error(`selectNumber: no shared ${client} server (EMAIL_PIPING_TEST_DB=${client})`);
  if (client === 'postgres') {
    const address = postgres.sharedPostgres();
    if (!address) throw missing();
    const result = (await postgres.withClient(address, name, (c) => c.query(sql))) as {
      rows: Array<{ n: unknown }>;
    };
    return Number(result.rows[0].n);
  }
  const address = mysql.sharedMysql();
  if (!address) throw missing();
  const [rows] = (await mysql.withConnection(address, name, (c) => c.query(sql))) as [Array<{ n: unknown }>];
  return Number(rows[0].n);
}
