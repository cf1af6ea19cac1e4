/**
 * Internal notes: an agent writes a note on a ticket from the admin. It lands in the thread as a `system` message by
 * the agent, is never mailed to anyone, and needs the reply permission.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DovecotServer } from '../harness/dovecot';
import { appendMessages } from '../harness/imap';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import {
  bootStrapi,
  createRoleWithActions,
  loginAdmin,
  type AdminSession,
  type TestStrapi,
} from '../harness/strapi';

const CRLF = '\r\n';
const AGENT = 'agent@example.test';
const OUTBOX = 'plugin::email-piping.outbox-message';

function mail(headers: Record<string, string>, body: string): string {
  const id = headers['Message-ID'] ?? `<${crypto.randomBytes(6).toString('hex')}@customer.test>`;
  return [...Object.entries({ ...headers, 'Message-ID': id }).map(([k, v]) => `${k}: ${v}`), '', body].join(
    CRLF
  );
}

describe('internal notes', () => {
  let app: TestStrapi;
  let admin: AdminSession;
  let dovecot: DovecotServer;
  let smtp: SmtpSink;
  let ticketId: number;

  async function outboxIdle() {
    const deadline = Date.now() + 15_000;
    const outbox = app.strapi.db.query(OUTBOX as never);
    while ((await outbox.count({ where: { status: 'queued' } })) > 0) {
      if (Date.now() > deadline) throw new Error('the outbox did not empty');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function thread(id: number) {
    const response = await admin.request<{
      data: { status: string; lastMessageAt: string; messages: Array<Record<string, unknown>> };
    }>('GET', `/email-piping/tickets/${id}`);
    expect(response.status).toBe(200);
    return response.body.data;
  }

  beforeAll(async () => {
    dovecot = inject('dovecot') as unknown as DovecotServer;
    smtp = await startSmtpSink();
    app = await bootStrapi({
      listen: true,
      pluginConfig: { outboxPollMs: 100, outboxRetryBaseSeconds: 1, outboxRetryMaxSeconds: 2 },
    });
    admin = await loginAdmin(app);

    const address = `support-${crypto.randomBytes(4).toString('hex')}@example.test`;
    const created = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
      name: 'Support',
      address,
      fromName: 'Example Support',
      host: dovecot.host,
      port: dovecot.port,
      security: 'none',
      username: address,
      password: dovecot.password,
      smtpHost: smtp.host,
      smtpPort: smtp.port,
      smtpSecurity: 'none',
      agentAddresses: [AGENT],
      schedule: '0 0 1 1 *',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await appendMessages(dovecot, address, [
      mail({ From: 'Jane <jane@customer.test>', To: address, Subject: 'Printer jammed' }, 'Paper stuck.'),
    ]);
    const run = await admin.request<{ data: { status: string } }>(
      'POST',
      `/email-piping/mailboxes/${created.body.data.id}/run?wait=true`
    );
    expect(run.body.data.status, JSON.stringify(run.body)).toBe('imported');
    const list = await admin.request<{ data: { results: Array<{ id: number }> } }>(
      'GET',
      `/email-piping/tickets?mailbox=${created.body.data.id}`
    );
    expect(list.body.data.results).toHaveLength(1);
    ticketId = list.body.data.results[0].id;
    // The acknowledgement and the agent notification leave first: the note must add nothing to them.
    await outboxIdle();
  });

  afterAll(async () => {
    await app?.stop();
    await smtp?.stop();
  });

  it('stores a note in the thread as a system message by the agent, and mails nobody', async () => {
    const before = await thread(ticketId);
    const outboxBefore = await app.strapi.db.query(OUTBOX as never).count({ where: { ticketId } });
    smtp.clear();

    const response = await admin.request<{ data: { messageId: number } }>(
      'POST',
      `/email-piping/tickets/${ticketId}/notes`,
      { text: '  Customer called: it is the tray.\r\nCheck the rollers.  ' }
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.data.messageId).toEqual(expect.any(Number));

    const after = await thread(ticketId);
    expect(after.messages).toHaveLength(before.messages.length + 1);
    const note = after.messages[after.messages.length - 1];
    expect(note).toMatchObject({
      id: response.body.data.messageId,
      direction: 'system',
      author: 'agent',
      fromName: 'Test Admin',
      textBody: 'Customer called: it is the tray.\nCheck the rollers.',
    });
    expect(note.adminUserId).toEqual(expect.any(Number));
    // A note changes neither the status nor the ticket's last mail.
    expect(after.status).toBe(before.status);
    expect(after.lastMessageAt).toBe(before.lastMessageAt);

    await new Promise((resolve) => setTimeout(resolve, 500)); // the outbox polls every 100 ms here
    expect(await app.strapi.db.query(OUTBOX as never).count({ where: { ticketId } })).toBe(outboxBefore);
    expect(smtp.mails).toHaveLength(0);
  });

  it('refuses an empty or oversized note with a message, and an unknown ticket', async () => {
    for (const body of [{}, { text: '' }, { text: '   \n ' }, { text: 42 }]) {
      const response = await admin.request<{ error: { message: string } }>(
        'POST',
        `/email-piping/tickets/${ticketId}/notes`,
        body
      );
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.message).toBe('text: is required');
    }
    const tooLong = await admin.request<{ error: { message: string } }>(
      'POST',
      `/email-piping/tickets/${ticketId}/notes`,
      { text: 'x'.repeat(100_001) }
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/at most/);
    const missing = await admin.request('POST', '/email-piping/tickets/999999/notes', { text: 'hello' });
    expect(missing.status).toBe(404);
  });

  it('needs the reply permission', async () => {
    const anonymous = await fetch(`${app.baseUrl}/email-piping/tickets/${ticketId}/notes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(anonymous.status).toBe(401);

    const reader = await loginAdmin(app, {
      roleId: await createRoleWithActions(app, ['plugin::email-piping.tickets.read']),
    });
    const refused = await reader.request('POST', `/email-piping/tickets/${ticketId}/notes`, {
      text: 'hello',
    });
    expect(refused.status).toBe(403);
    const count = (await thread(ticketId)).messages.filter((m) => m.textBody === 'hello').length;
    expect(count).toBe(0);
  });
});
