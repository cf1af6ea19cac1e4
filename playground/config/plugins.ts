import fs from 'fs';
import path from 'path';

type Env = {
  (name: string, fallback?: string): string | undefined;
  bool(name: string, fallback?: boolean): boolean;
};

// Loads the plugin straight from this repository (its built `dist/`, see the root package.json exports). An absolute
// path: Strapi resolves a relative `resolve` from its own install folder, not from the app. The server runs this file
// compiled (playground/dist/config) but `strapi build` reads the source (playground/config), so the repository root is
// found by walking up to the folder that holds the playground, not by a fixed number of levels.
function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'playground', 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`email-piping: no repository root above ${__dirname}`);
  }
}

export default ({ env }: { env: Env }) => ({
  'users-permissions': {
    config: { jwtSecret: env('JWT_SECRET', 'playground-users-permissions-jwt-secret') },
  },
  'email-piping': {
    enabled: true,
    resolve: repositoryRoot(),
    config: {
      encryptionKey: env('EMAIL_PIPING_ENCRYPTION_KEY'),
      autoStart: env.bool('EMAIL_PIPING_AUTOSTART', true),
      outboxAutoStart: env.bool('EMAIL_PIPING_OUTBOX_AUTOSTART', true),
      outboxLeaseSeconds: Number(env('EMAIL_PIPING_OUTBOX_LEASE_SECONDS', '120')),
    },
  },
});
