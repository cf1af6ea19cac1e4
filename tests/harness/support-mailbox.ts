/**
 * A support mailbox on the test Dovecot that sends through the SMTP sink, created through the admin API, and the
 * "deliver and import now" step: the two things every mail-road test starts with.
 */
import crypto from 'node:crypto';
import { expect } from 'vitest';
import { imapSettingsFor, type DovecotServer } from './dovecot';
import { appendMessages } from './imap';
import type { SmtpSink } from './smtp-sink';
import type { AdminSession } from './strapi';

export interface SupportMailbox {
  id: number;
  address: string;
}

export async function createSupportMailbox(
  servers: { admin: AdminSession; dovecot: DovecotServer; smtp: SmtpSink },
  settings: Record<string, unknown> = {}
): Promise<SupportMailbox> {
  const { admin, dovecot, smtp } = servers;
  const address = `support-${crypto.randomBytes(4).toString('hex')}@example.test`;
  const response = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
    name: 'Support',
    address,
    ...imapSettingsFor(dovecot, address),
    smtpHost: smtp.host,
    smtpPort: smtp.port,
    smtpSecurity: 'none',
    schedule: '0 0 1 1 *',
    ...settings,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { id: response.body.data.id, address };
}

/** Appends the messages to the mailbox and imports them at once; answers the run's counts. */
export async function deliverAndImport(
  servers: { admin: AdminSession; dovecot: DovecotServer },
  box: SupportMailbox,
  messages: string[]
): Promise<Record<string, number>> {
  await appendMessages(servers.dovecot, box.address, messages);
  const run = await servers.admin.request<{ data: { status: string; summary: Record<string, number> } }>(
    'POST',
    `/email-piping/mailboxes/${box.id}/run?wait=true`
  );
  expect(run.body.data.status, JSON.stringify(run.body)).toBe('imported');
  return run.body.data.summary;
}
