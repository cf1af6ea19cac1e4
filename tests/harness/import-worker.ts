/**
 * A separate process that imports one IMAP mailbox into the playground Strapi on a given SQLite file, until the
 * mailbox has nothing new. The crash test SIGKILLs it at random points and starts it again.
 *
 *   node --import tsx tests/harness/import-worker.ts <sqlite file> <imap port> <imap user> <imap password>
 *
 * Prints one line per phase: READY, IMPORTING, RESULT <json>, DONE (RESULT busy while a killed worker's lease lasts). Environment: IMPORT_WORKER_SMTP_PORT gives the
 * mailbox SMTP settings; IMPORT_WORKER_SEND=true also drains the outbox after each run (OUTBOX <n>).
 */
import { bootStrapi } from './strapi';

async function main() {
  const [databaseFile, port, user, password] = process.argv.slice(2);
  if (!databaseFile || !port || !user || !password)
    throw new Error('usage: import-worker <db> <port> <user> <password>');
  // A short importer lease: the previous worker, SIGKILLed, leaves its lease behind, and the next one waits it out.
  const app = await bootStrapi({ databaseFile, pluginConfig: { importerLeaseSeconds: 3 } });
  const { strapi } = app;
  const mailboxes = strapi.plugin('email-piping').service('mailboxes');
  let mailbox = (await mailboxes.list()).find((m: { username: string }) => m.username === user);
  if (!mailbox) {
    // With IMPORT_WORKER_SMTP_PORT the mailbox also sends notifications (the outbox crash test).
    const smtpPort = process.env.IMPORT_WORKER_SMTP_PORT;
    mailbox = await mailboxes.create({
      name: 'Crash test',
      host: '127.0.0.1',
      port: Number(port),
      security: 'none',
      username: user,
      password,
      ...(smtpPort
        ? { address: user, smtpHost: '127.0.0.1', smtpPort: Number(smtpPort), smtpSecurity: 'none' }
        : {}),
    });
  }
  // A SIGKILLed predecessor leaves its lease behind: wait it out before IMPORTING, so a kill lands in an import.
  const leaseRows = strapi.db.query('plugin::email-piping.importer-lease' as never);
  for (;;) {
    const lease = (await leaseRows.findOne({ where: { mailboxId: mailbox.id } })) as {
      owner: string | null;
      expiresAt: string | null;
    } | null;
    if (!lease?.owner || !lease.expiresAt || new Date(lease.expiresAt).getTime() <= Date.now()) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log('READY');
  const importer = strapi.plugin('email-piping').service('importer');
  for (let attempt = 0; attempt < 20; attempt += 1) {
    console.log('IMPORTING');
    const result = await importer.runMailbox(mailbox.id, { manual: true });
    console.log(`RESULT ${JSON.stringify(result)}`);
    if (result.status === 'busy') {
      // The killed worker's lease, until it expires: not an attempt.
      attempt -= 1;
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    if (process.env.IMPORT_WORKER_SEND === 'true') {
      console.log('SENDING');
      console.log(`OUTBOX ${await strapi.plugin('email-piping').service('outbox').drain()}`);
    }
    if (result.status === 'imported' && result.summary.listed === 0) break;
    if (result.status === 'failed') await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await app.stop();
  console.log('DONE');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  }
);
