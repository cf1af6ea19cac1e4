import path from 'path';

// SQLite only: the playground is the demo and the integration-test app. DATABASE_FILENAME lets each test run use
// its own throwaway file (an absolute path, or one relative to the playground folder).
export default ({ env }: { env: (name: string, fallback?: string) => string }) => ({
  connection: {
    client: 'sqlite',
    connection: {
      filename: path.resolve(__dirname, '..', '..', env('DATABASE_FILENAME', '.tmp/data.db')),
    },
    useNullAsDefault: true,
  },
});
