import path from 'path';

type Env = (name: string, fallback?: string) => string;

/**
 * MySQL: how long a statement waits for another connection's lock before error 1205 (seconds, both for row locks and
 * table locks; the servers' defaults are 50 s and a year). Only when DATABASE_LOCK_WAIT_TIMEOUT is set: the database
 * retry test shortens it to see the plugin's own retries, as DATABASE_BUSY_TIMEOUT_MS does on SQLite.
 */
function mysqlLockWait(env: Env) {
  const seconds = env('DATABASE_LOCK_WAIT_TIMEOUT', '');
  if (!seconds) return {};
  return {
    afterCreate(
      connection: { query(sql: string, done: (error: Error | null) => void): void },
      done: (error: Error | null, connection: unknown) => void
    ) {
      const value = Number(seconds);
      connection.query(
        `SET SESSION innodb_lock_wait_timeout = ${value}, SESSION lock_wait_timeout = ${value}`,
        (error) => done(error, connection)
      );
    },
  };
}

// SQLite by default: the playground is the demo and the integration-test app. DATABASE_FILENAME lets each test run
// use its own throwaway file (an absolute path, or one relative to the playground folder). DATABASE_CLIENT=postgres
// or mysql (MySQL and MariaDB) points it at a server instead, with the variables a Strapi app reads: DATABASE_URL
// (PostgreSQL) or DATABASE_HOST / PORT / NAME / USERNAME / PASSWORD, DATABASE_SCHEMA (PostgreSQL), DATABASE_SSL,
// DATABASE_POOL_MIN / MAX, DATABASE_CONNECTION_TIMEOUT. The tests run on both that way (EMAIL_PIPING_TEST_DB).
export default ({ env }: { env: Env }) => {
  const client = env('DATABASE_CLIENT', 'sqlite');
  if (client === 'postgres' || client === 'mysql') {
    const url = env('DATABASE_URL', '');
    return {
      connection: {
        client,
        connection: {
          ...(url && client === 'postgres' ? { connectionString: url } : {}),
          host: env('DATABASE_HOST', '127.0.0.1'),
          port: Number(env('DATABASE_PORT', client === 'postgres' ? '5432' : '3306')),
          database: env('DATABASE_NAME', 'strapi'),
          user: env('DATABASE_USERNAME', 'strapi'),
          password: env('DATABASE_PASSWORD', ''),
          // PostgreSQL: which schema. MySQL: utf8mb4 on the connection, or mail in any script outside the Basic
          // Multilingual Plane (emoji, many CJK names) cannot be stored; the tables need it too (see the README).
          ...(client === 'postgres' ? { schema: env('DATABASE_SCHEMA', 'public') } : { charset: 'utf8mb4' }),
          ssl: env('DATABASE_SSL', 'false') === 'true' ? { rejectUnauthorized: true } : false,
        },
        pool: {
          min: Number(env('DATABASE_POOL_MIN', '0')),
          max: Number(env('DATABASE_POOL_MAX', '10')),
          ...(client === 'mysql' ? mysqlLockWait(env) : {}),
        },
        acquireConnectionTimeout: Number(env('DATABASE_CONNECTION_TIMEOUT', '60000')),
      },
    };
  }
  if (client !== 'sqlite')
    throw new Error(`DATABASE_CLIENT must be sqlite, postgres or mysql, not "${client}"`);
  const busyTimeoutMs = env('DATABASE_BUSY_TIMEOUT_MS', '');
  return {
    connection: {
      client: 'sqlite',
      connection: {
        filename: path.resolve(__dirname, '..', '..', env('DATABASE_FILENAME', '.tmp/data.db')),
      },
      useNullAsDefault: true,
      pool: {
        // Write-ahead logging with NORMAL sync: readers never block the importer and each commit costs one sync of
        // the log instead of two of the database (still crash-safe: a committed transaction survives a process
        // kill). Recommended for any SQLite site running the plugin; see the README.
        afterCreate(
          connection: { pragma(statement: string): unknown },
          done: (error: Error | null, connection: unknown) => void
        ) {
          connection.pragma('journal_mode = WAL');
          connection.pragma('synchronous = NORMAL');
          // How long a writer waits for another process's lock before SQLite says "database is locked" (the
          // driver's default is 5 s; the database retry test shortens it to see the plugin's own retries).
          if (busyTimeoutMs) connection.pragma(`busy_timeout = ${Number(busyTimeoutMs)}`);
          done(null, connection);
        },
      },
    },
  };
};
