/**
 * Piping rules, block rules, allowed mail and senders, content preference, CC import and forwarding addresses,
 * through the real importer (Dovecot → Strapi) and the admin API, plus the rule simulator.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
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

function mail(headers: Record<string, string>, body = 'hello'): string {
  const id = `<${crypto.randomBytes(6).toString('hex')}@customer.test>`;
  return [...Object.entries({ 'Message-ID': id, ...headers }).map(([k, v]) => `${k}: ${v}`), '', body].join(
    CRLF
  );
}

type Ticket = Record<string, unknown> & { id: number; number: number; subject: string };

describe('piping rules, block rules and admission settings', () => {
  let app: TestStrapi;
  let admin: AdminSession;
  let dovecot: DovecotServer;
  let smtp: SmtpSink;

  beforeAll(async () => {
    dovecot = inject('dovecot') as unknown as DovecotServer;
    smtp = await startSmtpSink();
    app = await bootStrapi({ listen: true, pluginConfig: { outboxPollMs: 100 } });
    admin = await loginAdmin(app);
  });
  afterAll(async () => {
    await app?.stop();
    await smtp?.stop();
  });

  beforeEach(async () => {
    // Rules are global unless scoped: each test starts without piping rules.
    const rules = await admin.request<{ data: Array<{ id: number }> }>('GET', '/email-piping/piping-rules');
    for (const rule of rules.body.data)
      await admin.request('DELETE', `/email-piping/piping-rules/${rule.id}`);
    smtp.clear();
  });

  async function mailbox(extra: Record<string, unknown> = {}) {
    const address = `support-${crypto.randomBytes(4).toString('hex')}@example.test`;
    const response = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
      name: 'Rules',
      address,
      host: dovecot.host,
      port: dovecot.port,
      security: 'none',
      username: address,
      password: dovecot.password,
      smtpHost: smtp.host,
      smtpPort: smtp.port,
      smtpSecurity: 'none',
      schedule: '0 0 1 1 *',
      ...extra,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return { id: response.body.data.id, address };
  }

  async function rule(body: Record<string, unknown>) {
    const response = await admin.request<{ data: { id: number }; error?: { message: string } }>(
      'POST',
      '/email-piping/piping-rules',
      body
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data.id;
  }

  async function deliver(box: { id: number; address: string }, messages: string[]) {
    await appendMessages(dovecot, box.address, messages);
    const run = await admin.request<{ data: { status: string; summary: Record<string, number> } }>(
      'POST',
      `/email-piping/mailboxes/${box.id}/run?wait=true`
    );
    expect(run.body.data.status, JSON.stringify(run.body)).toBe('imported');
    return run.body.data.summary;
  }

  async function tickets(box: { id: number }): Promise<Ticket[]> {
    const response = await admin.request<{ data: { results: Ticket[] } }>(
      'GET',
      `/email-piping/tickets?mailbox=${box.id}&sort=number:asc&pageSize=100`
    );
    return response.body.data.results;
  }

  async function receipts(box: { id: number }) {
    const response = await admin.request<{ data: { results: Array<Record<string, unknown>> } }>(
      'GET',
      `/email-piping/receipts?mailbox=${box.id}&pageSize=100`
    );
    return response.body.data.results;
  }

  it('matches every condition field by exact value, wildcard and regex, and applies every action', async () => {
    const agent = await app.strapi.service('admin::user').create({
      email: `assignee-${crypto.randomBytes(3).toString('hex')}@example.test`,
      firstname: 'Asha',
      lastname: 'Signee',
      password: 'Assignee-pass-1',
      isActive: true,
      // Only someone who may read tickets can be assigned them, by a rule as by hand.
      roles: [await createRoleWithActions(app, ['plugin::email-piping.tickets.read'])],
    });
    const box = await mailbox({ forwardingAddresses: ['sales@example.test'], ccImport: true });
    const ids = {
      urgent: await rule({
        name: 'Urgent or Pilne',
        match: 'any',
        conditions: [
          { field: 'subject', mode: 'wildcard', pattern: '*urgent*' },
          { field: 'body', mode: 'regex', pattern: 'pilne' },
        ],
        actions: [{ type: 'setPriority', value: 'high' }],
      }),
      vip: await rule({
        name: 'VIP sender',
        match: 'all',
        conditions: [{ field: 'sender', mode: 'exact', pattern: 'VIP@customer.test' }],
        actions: [
          { type: 'addTags', value: ['vip'] },
          { type: 'assign', adminUserId: agent.id },
          { type: 'setStatus', value: 'pending' },
        ],
      }),
      sales: await rule({
        name: 'Came through sales@',
        match: 'all',
        conditions: [{ field: 'forwardingAddress', mode: 'exact', pattern: 'sales@example.test' }],
        actions: [
          { type: 'setCategory', value: 'sales' },
          { type: 'addRecipients', value: ['sales-lead@example.test'] },
        ],
      }),
      partner: await rule({
        name: 'Partner recipients',
        match: 'all',
        conditions: [
          { field: 'to', mode: 'wildcard', pattern: '*@partners.test' },
          { field: 'cc', mode: 'regex', pattern: '^boss@' },
        ],
        actions: [{ type: 'addTags', value: ['partner'] }],
      }),
      anyRecipient: await rule({
        name: 'Any recipient at partners',
        match: 'all',
        conditions: [{ field: 'recipients', mode: 'regex', pattern: '@partners\\.test$' }],
        actions: [{ type: 'addTags', value: ['recipients'] }],
      }),
      gold: await rule({
        name: 'Gold tier stops here',
        match: 'all',
        conditions: [{ field: 'header', header: 'X-Customer-Tier', mode: 'exact', pattern: 'gold' }],
        actions: [
          { type: 'setPriority', value: 'urgent' },
          { type: 'skipNotifications' },
          { type: 'stopProcessing' },
        ],
      }),
      never: await rule({
        name: 'After stop',
        match: 'all',
        conditions: [{ field: 'subject', mode: 'regex', pattern: '.' }],
        actions: [{ type: 'setPriority', value: 'low' }],
      }),
      caseSensitive: await rule({
        name: 'Case-sensitive SHOUT',
        match: 'all',
        conditions: [{ field: 'subject', mode: 'wildcard', pattern: '*SHOUT*', caseSensitive: true }],
        actions: [{ type: 'addTags', value: ['shout'] }],
      }),
    };

    await deliver(box, [
      mail({ From: 'a@customer.test', To: box.address, Subject: 'This is URGENT please' }),
      mail({ From: 'b@customer.test', To: box.address, Subject: 'Faktura' }, 'Pilne: nie dotarła'),
      mail({ From: 'vip@customer.test', To: box.address, Subject: 'Hello from a VIP' }),
      mail({
        From: 'c@customer.test',
        'Delivered-To': 'sales@example.test',
        To: 'sales@example.test',
        Subject: 'Quote',
      }),
      mail({
        From: 'd@customer.test',
        To: `x@partners.test, ${box.address}`,
        Cc: 'boss@customer.test',
        Subject: 'Deal',
      }),
      mail({ From: 'e@customer.test', To: box.address, Subject: 'Gold', 'X-Customer-Tier': 'gold' }),
      mail({ From: 'f@customer.test', To: box.address, Subject: 'quiet shout' }),
    ]);
    const [urgent, pilne, vip, sales, partner, gold, shout] = await tickets(box);
    expect(urgent).toMatchObject({ priority: 'low' }); // 'After stop' applies to everything not stopped
    expect(pilne.priority).toBe('low');
    expect(vip).toMatchObject({ tags: ['vip'], assigneeId: agent.id, status: 'pending' });
    expect(sales).toMatchObject({ category: 'sales', forwardingAddress: 'sales@example.test' });
    expect((sales.cc as Array<{ address: string }>).map((c) => c.address)).toContain(
      'sales-lead@example.test'
    );
    expect(partner.tags).toEqual(['partner', 'recipients']);
    expect((partner.cc as Array<{ address: string }>).map((c) => c.address).sort()).toEqual([
      'boss@customer.test',
      'x@partners.test',
    ]);
    expect(gold).toMatchObject({ priority: 'urgent' });
    expect(shout.tags ?? []).toEqual([]);

    // The gold ticket skipped its notifications; the others were acknowledged.
    await smtp.waitFor(() => smtp.to('a@customer.test').length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.to('e@customer.test')).toHaveLength(0);
    // The sales ticket answers from the forwarding address.
    await smtp.waitFor(() => smtp.to('c@customer.test').length === 1);
    expect(smtp.to('c@customer.test')[0].parsed.from?.value[0].address).toBe('sales@example.test');

    const stored = await admin.request<{
      data: Array<{ id: number; hitCount: number; lastHitAt: string | null }>;
    }>('GET', '/email-piping/piping-rules');
    const hits = Object.fromEntries(stored.body.data.map((r) => [r.id, r.hitCount]));
    expect(hits[ids.urgent]).toBe(2);
    expect(hits[ids.vip]).toBe(1);
    expect(hits[ids.gold]).toBe(1);
    expect(hits[ids.never]).toBe(6);
    expect(hits[ids.caseSensitive]).toBe(0);
    expect(hits[ids.anyRecipient]).toBe(1);
    expect(stored.body.data.find((r) => r.id === ids.gold)?.lastHitAt).toBeTruthy();
  });

  it('applies a rule scoped to one mailbox there only, and global rules everywhere', async () => {
    const sales = await mailbox();
    const support = await mailbox();
    await rule({
      name: 'Sales leads',
      mailboxId: sales.id,
      match: 'all',
      conditions: [{ field: 'subject', mode: 'wildcard', pattern: '*quote*' }],
      actions: [{ type: 'setCategory', value: 'Sales' }],
    });
    await rule({
      name: 'Everywhere',
      match: 'all',
      conditions: [{ field: 'subject', mode: 'wildcard', pattern: '*quote*' }],
      actions: [{ type: 'addTags', value: ['quote'] }],
    });
    for (const box of [sales, support]) {
      await deliver(box, [mail({ From: 'buyer@customer.test', To: box.address, Subject: 'Need a quote' })]);
    }
    const [lead] = await tickets(sales);
    const [question] = await tickets(support);
    expect(lead).toMatchObject({ category: 'Sales', tags: ['quote'] });
    expect(question).toMatchObject({ category: null, tags: ['quote'] });
  });

  it('blocks mail by the default and custom block rules: recorded, no ticket, nothing sent', async () => {
    const box = await mailbox();
    const defaults = await admin.request<{ data: Array<{ pattern: string }> }>(
      'GET',
      '/email-piping/block-rules'
    );
    expect(defaults.body.data.map((r) => r.pattern)).toEqual(
      expect.arrayContaining(['mailer-daemon@*', 'postmaster@*', 'noreply@*', 'no-reply@*'])
    );
    const custom = await admin.request<{ data: { id: number } }>('POST', '/email-piping/block-rules', {
      field: 'subject',
      mode: 'regex',
      pattern: '^\\[SPAM\\]',
    });
    expect(custom.status).toBe(201);
    const summary = await deliver(box, [
      mail({ From: 'noreply@shop.test', To: box.address, Subject: 'Your order' }),
      mail({ From: 'x@customer.test', To: box.address, Subject: '[SPAM] cheap' }),
      mail({ From: 'ok@customer.test', To: box.address, Subject: 'Real question' }),
    ]);
    expect(summary).toMatchObject({ ticketsCreated: 1, blocked: 2 });
    const blocked = (await receipts(box)).filter((r) => r.outcome === 'blocked');
    expect(blocked.map((r) => r.reason).join('\n')).toMatch(/noreply@\*/);
    expect(blocked.map((r) => r.reason).join('\n')).toMatch(/SPAM/);
    await smtp.waitFor(() => smtp.to('ok@customer.test').length === 1);
    expect(smtp.to('noreply@shop.test')).toHaveLength(0);
    expect(smtp.to('x@customer.test')).toHaveLength(0);
    await admin.request('DELETE', `/email-piping/block-rules/${custom.body.data.id}`);
  });

  it('takes new tickets only, replies only, or mail from listed or registered senders only', async () => {
    const repliesOnly = await mailbox({ allowedMail: 'replies-only' });
    expect(
      await deliver(repliesOnly, [
        mail({ From: 'new@customer.test', To: repliesOnly.address, Subject: 'New' }),
      ])
    ).toMatchObject({
      refused: 1,
      ticketsCreated: 0,
    });
    expect((await receipts(repliesOnly))[0].reason).toMatch(/replies only/);

    const newOnly = await mailbox({ allowedMail: 'new-only', agentAddresses: [] });
    const firstId = `<first-${crypto.randomBytes(3).toString('hex')}@customer.test>`;
    await deliver(newOnly, [
      mail({ From: 'g@customer.test', To: newOnly.address, Subject: 'First', 'Message-ID': firstId }),
    ]);
    expect(
      await deliver(newOnly, [
        mail({ From: 'g@customer.test', To: newOnly.address, Subject: 'Re: First', 'In-Reply-To': firstId }),
      ])
    ).toMatchObject({ refused: 1, repliesAdded: 0 });

    const listed = await mailbox({
      allowedSenders: { mode: 'listed', addresses: ['one@else.test'], domains: ['customer.test'] },
    });
    expect(
      await deliver(listed, [
        mail({ From: 'h@customer.test', To: listed.address, Subject: 'Domain listed' }),
        mail({ From: 'one@else.test', To: listed.address, Subject: 'Address listed' }),
        mail({ From: 'stranger@else.test', To: listed.address, Subject: 'Not listed' }),
      ])
    ).toMatchObject({ ticketsCreated: 2, refused: 1 });

    await app.strapi.db.query('plugin::users-permissions.user' as never).create({
      data: {
        username: 'member',
        email: 'member@site.test',
        provider: 'local',
        confirmed: true,
        blocked: false,
      },
    });
    const registered = await mailbox({ allowedSenders: { mode: 'registered' } });
    expect(
      await deliver(registered, [
        mail({ From: 'Member <MEMBER@site.test>', To: registered.address, Subject: 'From a member' }),
        mail({ From: 'guest@site.test', To: registered.address, Subject: 'From a guest' }),
      ])
    ).toMatchObject({ ticketsCreated: 1, refused: 1 });
  });

  it('answers refused mail once per sender when asked, and never automatic mail', async () => {
    const box = await mailbox({
      allowedMail: 'replies-only',
      notifications: { refusedMail: true },
      agentAddresses: [],
    });
    await deliver(box, [
      mail({
        From: 'Pat <pat@customer.test>',
        To: box.address,
        Subject: 'First try',
        'Content-Language': 'fr',
      }),
      mail({ From: 'pat@customer.test', To: box.address, Subject: 'Second try' }),
      mail({
        From: 'robot@customer.test',
        To: box.address,
        Subject: 'Away',
        'Auto-Submitted': 'auto-replied',
      }),
    ]);
    await smtp.waitFor(() => smtp.to('pat@customer.test').length === 1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(smtp.to('pat@customer.test')).toHaveLength(1);
    expect(smtp.to('robot@customer.test')).toHaveLength(0);
    const answer = smtp.to('pat@customer.test')[0];
    expect(answer.header('auto-submitted')).toBe('auto-replied');
    expect(answer.parsed.subject).toMatch(/n’a pas été accepté/);
    expect(answer.parsed.replyTo?.value[0].address).toBe(box.address);
    expect((await receipts(box)).every((r) => r.outcome === 'refused')).toBe(true);
    expect(await tickets(box)).toEqual([]);
  });

  it('stores plain text only when the mailbox prefers it, and imports CC only when asked', async () => {
    const textOnly = await mailbox({ contentPreference: 'text', ccImport: false });
    await deliver(textOnly, [
      [
        'From: html@customer.test',
        `To: ${textOnly.address}, other@customer.test`,
        'Cc: colleague@customer.test',
        'Subject: HTML mail',
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'plain version',
        '--b',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>html <b>version</b></p>',
        '--b--',
        '',
      ].join(CRLF),
    ]);
    const [ticket] = await tickets(textOnly);
    expect(ticket.cc).toEqual([]);
    const view = await admin.request<{
      data: { messages: Array<{ textBody: string; htmlBody: string | null }> };
    }>('GET', `/email-piping/tickets/${ticket.id}`);
    expect(view.body.data.messages[0].htmlBody).toBeNull();
    expect(view.body.data.messages[0].textBody).toContain('plain version');
  });

  it('refuses invalid and dangerous rules with a message naming the field', async () => {
    const cannotRead = await app.strapi.service('admin::user').create({
      email: `no-tickets-${crypto.randomBytes(3).toString('hex')}@example.test`,
      firstname: 'No',
      lastname: 'Tickets',
      password: 'No-tickets-pass-1',
      isActive: true,
      roles: [await createRoleWithActions(app, [])],
    });
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        {
          name: 'x',
          match: 'all',
          conditions: [{ field: 'subject', mode: 'regex', pattern: '(' }],
          actions: [{ type: 'setPriority', value: 'high' }],
        },
        /conditions\[0\]\.pattern/,
      ],
      [
        {
          name: 'x',
          match: 'all',
          conditions: [{ field: 'subject', mode: 'regex', pattern: '(a+)+$' }],
          actions: [{ type: 'setPriority', value: 'high' }],
        },
        /conditions\[0\]\.pattern: .*(exponential|backtrack)/i,
      ],
      [
        {
          name: 'x',
          match: 'all',
          conditions: [{ field: 'colour', mode: 'exact', pattern: 'red' }],
          actions: [{ type: 'setPriority', value: 'high' }],
        },
        /conditions\[0\]\.field/,
      ],
      [
        {
          name: 'x',
          match: 'all',
          conditions: [{ field: 'subject', mode: 'exact', pattern: '' }],
          actions: [{ type: 'setPriority', value: 'high' }],
        },
        /conditions\[0\]\.pattern/,
      ],
      [
        {
          name: 'x',
          match: 'all',
          conditions: [{ field: 'subject', mode: 'exact', pattern: 'a' }],
          actions: [{ type: 'setPriority', value: 'extreme' }],
        },
        /actions\[0\]/,
      ],
      [
        {
          name: 'x',
          match: 'all',
          conditions: [{ field: 'subject', mode: 'exact', pattern: 'a' }],
          actions: [{ type: 'assign', adminUserId: 987654 }],
        },
        /actions\[0\]\.adminUserId: admin user #987654 does not exist/,
      ],
      [
        {
          name: 'x',
          match: 'all',
          conditions: [{ field: 'subject', mode: 'exact', pattern: 'a' }],
          actions: [{ type: 'assign', adminUserId: cannotRead.id }],
        },
        /actions\[0\]\.adminUserId: .*may not read tickets/,
      ],
    ];
    for (const [body, message] of cases) {
      const response = await admin.request<{ error: { message: string } }>(
        'POST',
        '/email-piping/piping-rules',
        body
      );
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.message).toMatch(message);
    }
    const badBlock = await admin.request<{ error: { message: string } }>(
      'POST',
      '/email-piping/block-rules',
      {
        field: 'sender',
        mode: 'regex',
        pattern: '(x+x+)+y',
      }
    );
    expect(badBlock.status).toBe(400);
    expect(badBlock.body.error.message).toMatch(/pattern/);
  });

  it('simulates a raw .eml with the importer’s own decisions, storing nothing', async () => {
    const box = await mailbox({ forwardingAddresses: ['billing@example.test'] });
    await rule({
      name: 'Urgent',
      match: 'any',
      conditions: [{ field: 'subject', mode: 'wildcard', pattern: '*urgent*' }],
      actions: [{ type: 'setPriority', value: 'high' }],
    });
    const before = await app.strapi.db.query('plugin::email-piping.ticket' as never).count({});
    const receiptsBefore = await app.strapi.db
      .query('plugin::email-piping.inbound-receipt' as never)
      .count({});
    const simulated = await admin.request<{
      data: {
        outcome: string;
        rules: { priority: string; trace: string[] };
        forwardingAddress: string;
        notifications: string[];
      };
    }>('POST', '/email-piping/simulate', {
      mailboxId: box.id,
      eml: mail({
        From: 'sim@customer.test',
        To: 'billing@example.test',
        'Delivered-To': 'billing@example.test',
        Subject: 'Urgent: invoice',
      }),
    });
    expect(simulated.status, JSON.stringify(simulated.body)).toBe(200);
    expect(simulated.body.data).toMatchObject({
      outcome: 'ticket-created',
      forwardingAddress: 'billing@example.test',
      rules: { priority: 'high' },
      notifications: ['ticket-acknowledgement', 'agent-new-ticket'],
    });
    expect(simulated.body.data.rules.trace.join('\n')).toMatch(/Urgent/);
    const blocked = await admin.request<{ data: { outcome: string; reason: string } }>(
      'POST',
      '/email-piping/simulate',
      {
        mailboxId: box.id,
        eml: mail({ From: 'no-reply@shop.test', To: box.address, Subject: 'Receipt' }),
      }
    );
    expect(blocked.body.data).toMatchObject({ outcome: 'blocked' });
    // A bounce is recognised before any block rule (the defaults block mailer-daemon@), and says why.
    const bounce = await admin.request<{
      data: { outcome: string; reason: string; flags: { mailClass: string; reasons: string[] } };
    }>('POST', '/email-piping/simulate', {
      mailboxId: box.id,
      eml: mail(
        {
          From: 'Mail Delivery System <MAILER-DAEMON@mx.customer.test>',
          To: box.address,
          'Return-Path': '<>',
          Subject: 'Undelivered Mail Returned to Sender',
        },
        '<gone@customer.test>: host mx.customer.test said: 550 5.1.1 User unknown'
      ),
    });
    expect(bounce.body.data).toMatchObject({ outcome: 'bounce', flags: { mailClass: 'bounce' } });
    expect(bounce.body.data.reason).toMatch(/not tied to any mail we sent: gone@customer\.test 5\.1\.1/);
    expect(await app.strapi.db.query('plugin::email-piping.ticket' as never).count({})).toBe(before);
    expect(await app.strapi.db.query('plugin::email-piping.inbound-receipt' as never).count({})).toBe(
      receiptsBefore
    );
  });
});
