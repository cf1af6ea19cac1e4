import path from 'path';

type Env = (name: string, fallback?: string) => string;

// SQLite by default: the playground is the demo and the integration-test app. DATABASE_FILENAME lets each test run
// use its own throwaway file (an absolute path, or one relative to the playground folder). DATABASE_CLIENT=postgres
// (or mysql) points it at a server instead, with the usual DATABASE_HOST / PORT / NAME / USERNAME / PASSWORD /
// SCHEMA / SSL variables: the tests run on PostgreSQL that way (EMAIL_PIPING_TEST_DB=postgres).
export default ({ env }: { env: Env }) => {
  const client = env('DATABASE_CLIENT', 'sqlite');
  if (client === 'postgres' || client === 'mysql') {
    return {
      connection: {
        client,
        connection: {
          host: env('DATABASE_HOST', '127.0.0.1'),
          port: Number(env('DATABASE_PORT', client === 'postgres' ? '5432' : '3306')),
          database: env('DATABASE_NAME', 'strapi'),
          user: env('DATABASE_USERNAME', 'strapi'),
          password: env('DATABASE_PASSWORD', ''),
          ...(client === 'postgres' ? { schema: env('DATABASE_SCHEMA', 'public') } : {}),
          ssl: env('DATABASE_SSL', 'false') === 'true' ? { rejectUnauthorized: true } : false,
        },
        pool: { min: 0, max: Number(env('DATABASE_POOL_MAX', '10')) },
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
