const path = require('path');

// SQLite only: the playground is the demo and the integration-test app. DATABASE_FILENAME lets each test run use
// its own throwaway file.
module.exports = ({ env }) => ({
  connection: {
    client: 'sqlite',
    connection: {
      filename: path.resolve(__dirname, '..', env('DATABASE_FILENAME', '.tmp/data.db')),
    },
    useNullAsDefault: true,
  },
});
