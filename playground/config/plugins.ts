import path from 'path';

type Env = {
  (name: string, fallback?: string): string | undefined;
  bool(name: string, fallback?: boolean): boolean;
};

// Loads the plugin straight from this repository (its built `dist/`, see the root package.json exports). An absolute
// path: Strapi resolves a relative `resolve` from its own install folder, not from the app. This file runs from
// playground/dist/config once compiled, hence three levels up.
export default ({ env }: { env: Env }) => ({
  'users-permissions': {
    config: { jwtSecret: env('JWT_SECRET', 'playground-users-permissions-jwt-secret') },
  },
  'email-piping': {
    enabled: true,
    resolve: path.resolve(__dirname, '..', '..', '..'),
    config: {
      encryptionKey: env('EMAIL_PIPING_ENCRYPTION_KEY'),
      autoStart: env.bool('EMAIL_PIPING_AUTOSTART', true),
      outboxAutoStart: env.bool('EMAIL_PIPING_OUTBOX_AUTOSTART', true),
      outboxLeaseSeconds: Number(env('EMAIL_PIPING_OUTBOX_LEASE_SECONDS', '120')),
    },
  },
});
