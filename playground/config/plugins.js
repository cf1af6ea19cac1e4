const path = require('path');

// Loads the plugin straight from this repository (its built `dist/`, see the root package.json exports). An absolute
// path: Strapi resolves a relative `resolve` from its own install folder, not from the app.
module.exports = ({ env }) => ({
  'users-permissions': {
    config: { jwtSecret: env('JWT_SECRET', 'playground-users-permissions-jwt-secret') },
  },
  'email-piping': {
    enabled: true,
    resolve: path.resolve(__dirname, '..', '..'),
    config: {
      encryptionKey: env('EMAIL_PIPING_ENCRYPTION_KEY'),
      autoStart: env.bool('EMAIL_PIPING_AUTOSTART', true),
    },
  },
});
