import path from 'path';

type Env = (name: string, fallback?: string) => string;

// SQLite only: the playground is the demo and the integration-test app. DATABASE_FILENAME lets each test run use
// its own throwaway file (an absolute path, or one relative to the playground folder).
export default ({ env }: { env: Env }) => ({
  connection: {
    client: 'sqlite',
    connection: {
      filename: path.resolve(__dirname, '..', '..', env('DATABASE_FILENAME', '.tmp/data.db')),
    },
    useNullAsDefault: true,
    pool: {
      // Write-ahead logging with NORMAL sync: readers never block the importer and each commit costs one sync of
      // the log instead of two of the database (still crash-safe: a committed transaction survives a process kill).
      // Recommended for any SQLite site running the plugin; see the README.
      afterCreate(
        connection: { pragma(statement: string): unknown },
        done: (error: Error | null, connection: unknown) => void
      ) {
        connection.pragma('journal_mode = WAL');
        connection.pragma('synchronous = NORMAL');
        done(null, connection);
      },
    },
  },
});
