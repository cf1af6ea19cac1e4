export default ({
  env,
}: {
  env: {
    (name: string, fallback?: string): string;
    int(name: string, fallback?: number): number;
    array(name: string, fallback?: string[]): string[];
  };
}) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  app: {
    keys: env.array('APP_KEYS', ['playgroundKeyA', 'playgroundKeyB']),
  },
});
