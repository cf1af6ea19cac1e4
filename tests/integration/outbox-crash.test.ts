/**
 * The outbox under crashes: a mail committed with its ticket is sent exactly once, whether the process dies right
 * after the commit (before any sending) or in the middle of the SMTP conversation (before the server said OK).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DovecotServer } from '../harness/dovecot';
import { appendMessages } from '../harness/imap';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { bootStrapi } from '../harness/strapi';
import { startImportWorker } from '../harness/worker';

describe('outbox exactly once across crashes', () => {
  let smtp: SmtpSink;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-outbox-crash-'));

  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(async () => {
    await smtp?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  async function sendAfterRestart(databaseFile: string, recipient: string): Promise<void> {
    const before = smtp.to(recipient).length;
    const app = await bootStrapi({
      databaseFile,
      pluginConfig: { outboxAutoStart: false, outboxLeaseSeconds: 1 },
    });
    try {
      // The sender is off, so nothing goes out until this test drains: a sender started at boot would send (or
      // race the drain below) and the exactly-once count would no longer say which of them did it.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(smtp.to(recipient).length).toBe(before);
      await app.strapi.plugin('email-piping').service('outbox').drain();
    } finally {
      await app.stop();
    }
  }

  it('sends a mail committed just before a crash exactly once after the restart', async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const user = `outbox-${crypto.randomBytes(4).toString('hex')}@example.test`;
    const databaseFile = path.join(workDir, 'commit-crash.db');
    await appendMessages(dovecot, user, ['From: henry@customer.test\r\nSubject: Crash me\r\n\r\nhello']);
    smtp.clear();

    // The import commits the ticket and its acknowledgement row; the process dies before anything is sent.
    const worker = startImportWorker({
      databaseFile,
      dovecot,
      user,
      env: { IMPORT_WORKER_SMTP_PORT: String(smtp.port), EMAIL_PIPING_OUTBOX_AUTOSTART: 'false' },
    });
    await worker.waitFor('RESULT', 120_000);
    worker.kill();
    await worker.exited;
    const lines = worker.output;
    expect(lines.some((line) => line.startsWith('RESULT') && line.includes('"ticketsCreated":1'))).toBe(true);
    expect(smtp.mails).toHaveLength(0);

    await sendAfterRestart(databaseFile, 'henry@customer.test');
    expect(smtp.to('henry@customer.test')).toHaveLength(1);
    // Another restart finds nothing left to send.
    await sendAfterRestart(databaseFile, 'henry@customer.test');
    expect(smtp.to('henry@customer.test')).toHaveLength(1);
  });

  it('resends a mail whose sender died before the SMTP server said OK, exactly once', async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const user = `outbox-${crypto.randomBytes(4).toString('hex')}@example.test`;
    const databaseFile = path.join(workDir, 'smtp-crash.db');
    await appendMessages(dovecot, user, ['From: ivy@customer.test\r\nSubject: Crash mid-SMTP\r\n\r\nhello']);
    smtp.clear();
    const held = smtp.holdNext();
    const worker = startImportWorker({
      databaseFile,
      dovecot,
      user,
      env: {
        IMPORT_WORKER_SMTP_PORT: String(smtp.port),
        EMAIL_PIPING_OUTBOX_AUTOSTART: 'false',
        EMAIL_PIPING_OUTBOX_LEASE_SECONDS: '1',
        IMPORT_WORKER_SEND: 'true',
      },
    });
    // The whole message reached the server, which has not answered yet: kill the sender now.
    await held.received;
    worker.kill();
    await worker.exited;
    // Let the server notice the dead connection before it would answer.
    await new Promise((resolve) => setTimeout(resolve, 500));
    held.release();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(smtp.to('ivy@customer.test')).toHaveLength(0);

    await sendAfterRestart(databaseFile, 'ivy@customer.test');
    expect(smtp.to('ivy@customer.test')).toHaveLength(1);
    await sendAfterRestart(databaseFile, 'ivy@customer.test');
    expect(smtp.to('ivy@customer.test')).toHaveLength(1);
  });
});
