/**
 * A second, independent instance of the plugin (its own Strapi process, SQLite file and reply secret, hence its own
 * loop-header value) for the loop test: two help desks that mail each other must not loop either.
 *
 *   node --import tsx tests/harness/peer-instance.ts <sqlite file> <imap port> <imap user> <imap password> <smtp port>
 *
 * Reads commands on stdin, one per line, and answers on stdout:
 *   RUN  → imports its mailbox and sends what is queued; prints `RAN <summary json>`
 *   STOP → prints `STOPPED` and exits
 * Prints `READY <mailbox address>` once booted.
 */
import readline from 'node:readline';
import { bootStrapi } from './strapi';

async function main() {
  const [databaseFile, port, user, password, smtpPort] = process.argv.slice(2);
  if (!databaseFile || !port || !user || !password || !smtpPort)
    throw new Error('usage: peer-instance <db> <imap port> <imap user> <imap password> <smtp port>');
  const app = await bootStrapi({
    databaseFile,
    pluginConfig: {
      replySecret: 'peer-instance-secret-peer-instance-secret-0123456789',
      outboxAutoStart: false,
    },
  });
  const { strapi } = app;
  const mailbox = await strapi
    .plugin('email-piping')
    .service('mailboxes')
    .create({
      name: 'Peer help desk',
      address: user,
      host: '127.0.0.1',
      port: Number(port),
      security: 'none',
      username: user,
      password,
      smtpHost: '127.0.0.1',
      smtpPort: Number(smtpPort),
      smtpSecurity: 'none',
      schedule: '0 0 1 1 *',
    });
  console.log(`READY ${user}`);
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const command = line.trim();
    if (command === 'RUN') {
      const summary = await strapi
        .plugin('email-piping')
        .service('importer')
        .runMailbox(mailbox.id, { manual: true });
      await strapi.plugin('email-piping').service('outbox').drain();
      console.log(`RAN ${JSON.stringify(summary)}`);
    } else if (command === 'STOP') {
      await app.stop();
      console.log('STOPPED');
      process.exit(0);
    }
  }
}

main().catch((error: unknown) => {
  console.error(`FAILED ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
