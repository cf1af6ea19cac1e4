/**
 * The demo: the playground Strapi on SQLite, a local Dovecot with a support mailbox, sample mail imported into
 * tickets on the mailbox's schedule, and a new customer mail every little while so the import can be watched live.
 * Run through `npm run demo` (which installs and builds first). Ctrl-C stops everything.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startDovecot, type DovecotServer } from '../tests/harness/dovecot';
import { appendMessages } from '../tests/harness/imap';
import { startSmtpSink } from '../tests/harness/smtp-sink';
import { playgroundDir, playgroundDistDir } from '../tests/harness/strapi';
import { sampleMail, liveCustomerMail } from './demo-mail';

const SUPPORT_USER = 'support@example.test';
const ADMIN_EMAIL = 'admin@example.test';
const LIVE_MAIL_EVERY_MS = 45_000;
const LIVE_MAIL_COUNT = 20;

async function main() {
  const port = Number(process.env.PORT ?? 1337);
  const databaseFile = path.join(playgroundDir, '.tmp', 'demo.db');
  fs.mkdirSync(path.dirname(databaseFile), { recursive: true });
  fs.rmSync(databaseFile, { force: true });
  fs.mkdirSync(path.join(playgroundDir, 'public', 'uploads'), { recursive: true });

  const dovecot: DovecotServer = await startDovecot();
  // Outbound mail goes to a local SMTP catcher that prints what the plugin sends (acknowledgements, agent replies).
  const smtp = await startSmtpSink();
  let printed = 0;
  setInterval(() => {
    for (const mail of smtp.mails.slice(printed)) {
      console.log(
        `demo: mail sent to ${mail.envelopeTo.join(', ')}: "${mail.parsed.subject}" (Reply-To ${mail.parsed.replyTo?.text ?? '-'})`
      );
    }
    printed = smtp.mails.length;
  }, 1000).unref();
  process.env.DATABASE_FILENAME = databaseFile;
  process.env.PORT = String(port);
  process.env.HOST ??= '127.0.0.1';
  // A key for this throwaway demo only; a real site sets its own secret (see the README).
  process.env.EMAIL_PIPING_ENCRYPTION_KEY ??= crypto.randomBytes(32).toString('base64');
  process.env.EMAIL_PIPING_AUTOSTART = 'true';
  process.env.STRAPI_TELEMETRY_DISABLED = 'true';

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createStrapi } = require('@strapi/strapi') as typeof import('@strapi/strapi');
  const strapi = createStrapi({ appDir: playgroundDir, distDir: playgroundDistDir });
  await strapi.start();

  const password = `Demo-${crypto.randomBytes(6).toString('base64url')}1`;
  const superAdmin = await strapi.service('admin::role').getSuperAdmin();
  await strapi.service('admin::user').create({
    email: ADMIN_EMAIL,
    firstname: 'Demo',
    lastname: 'Admin',
    password,
    isActive: true,
    roles: [superAdmin.id],
  });

  await appendMessages(dovecot, SUPPORT_USER, sampleMail());
  await strapi
    .plugin('email-piping')
    .service('mailboxes')
    .create({
      name: 'Demo support',
      host: dovecot.host,
      port: dovecot.port,
      security: 'none',
      username: SUPPORT_USER,
      password: dovecot.password,
      schedule: '*/10 * * * * *',
      address: SUPPORT_USER,
      fromName: 'Demo Support',
      smtpHost: smtp.host,
      smtpPort: smtp.port,
      smtpSecurity: 'none',
      agentAddresses: [ADMIN_EMAIL],
    });

  // The classic piping rule: "Pilne" or "Urgent" in the subject or body raises the priority.
  await strapi
    .plugin('email-piping')
    .service('rules')
    .createPiping({
      name: 'Urgent or Pilne → high priority',
      match: 'any',
      conditions: [
        { field: 'subject', mode: 'regex', pattern: 'urgent|pilne' },
        { field: 'body', mode: 'regex', pattern: 'urgent|pilne' },
      ],
      actions: [{ type: 'setPriority', value: 'high' }],
    });

  let sent = 0;
  const live = setInterval(() => {
    sent += 1;
    if (sent > LIVE_MAIL_COUNT) return clearInterval(live);
    appendMessages(dovecot, SUPPORT_USER, [liveCustomerMail(sent)]).catch((error: Error) =>
      console.error(`demo: could not append live mail: ${error.message}`)
    );
  }, LIVE_MAIL_EVERY_MS);

  const url = `http://${process.env.HOST}:${port}/admin`;
  console.log(
    [
      '',
      '==================== email-piping demo ====================',
      `Admin:     ${url}`,
      `Login:     ${ADMIN_EMAIL}`,
      `Password:  ${password}`,
      '',
      `Mailbox "Demo support" imports every 10 seconds from a local Dovecot:`,
      `  IMAP ${dovecot.host}:${dovecot.port}  user ${SUPPORT_USER}  password ${dovecot.password}`,
      '  (append your own mail there with any IMAP client; a new customer mail also arrives every 45 s)',
      `Outbound mail (acknowledgements, agent replies) goes to a local SMTP catcher on port ${smtp.port}; each is`,
      '  printed here as it is sent. Reply to a ticket with POST /email-piping/tickets/:id/reply.',
      '',
      'Tickets: the "Tickets" entry in the admin menu, or GET /email-piping/tickets with an admin token.',
      'Ctrl-C stops Strapi and Dovecot.',
      '==========================================================',
      '',
    ].join('\n')
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(live);
    await strapi.destroy().catch(() => undefined);
    await dovecot.stop().catch(() => undefined);
    await smtp.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
