/**
 * Conversations by email with real servers: Dovecot for inbound mail, a real SMTP server capturing outbound mail,
 * the real playground Strapi in between. Customers and agents hold the whole conversation by email, and no stranger
 * gets into someone else's ticket.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { DovecotServer } from '../harness/dovecot';
import { TestDns } from '../harness/dkim';
import { appendMessages } from '../harness/imap';
import { startSmtpSink, type CapturedMail, type SmtpSink } from '../harness/smtp-sink';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';

const CRLF = '\r\n';
const AGENT = 'agent@example.test';

function mail(headers: Record<string, string>, body: string): string {
  const id = headers['Message-ID'] ?? `<${crypto.randomBytes(6).toString('hex')}@customer.test>`;
  return [...Object.entries({ ...headers, 'Message-ID': id }).map(([k, v]) => `${k}: ${v}`), '', body].join(
    CRLF
  );
}

describe('conversations by email', () => {
  // Agents' mail is trusted only when authenticated: their domain signs it with a key this DNS table publishes.
  const dns = new TestDns();
  const agentDomain = dns.signingDomain('example.test', 'v=DMARC1; p=reject');
  let app: TestStrapi;
  let admin: AdminSession;
  let dovecot: DovecotServer;
  let smtp: SmtpSink;

  beforeAll(async () => {
    dovecot = inject('dovecot') as unknown as DovecotServer;
    smtp = await startSmtpSink();
    app = await bootStrapi({
      listen: true,
      pluginConfig: {
        outboxPollMs: 100,
        outboxRetryBaseSeconds: 1,
        outboxRetryMaxSeconds: 2,
        siteName: 'Example Shop',
        dnsResolver: dns.resolver,
      },
    });
    admin = await loginAdmin(app);
  });
  afterAll(async () => {
    await app?.stop();
    await smtp?.stop();
  });

  // Each test starts once the mails of the one before have left: a late mail must not eat a test's refusals.
  beforeEach(async () => {
    const deadline = Date.now() + 15_000;
    const outbox = app.strapi.db.query('plugin::email-piping.outbox-message' as never);
    while ((await outbox.count({ where: { status: 'queued' } })) > 0) {
      if (Date.now() > deadline) throw new Error('the outbox did not empty between tests');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    smtp.clear();
  });

  async function supportMailbox(extra: Record<string, unknown> = {}) {
    const address = `support-${crypto.randomBytes(4).toString('hex')}@example.test`;
    const response = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
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
      ...extra,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return { id: response.body.data.id, address };
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

  async function tickets(box: { id: number }) {
    const response = await admin.request<{
      data: { results: Array<Record<string, unknown> & { id: number; number: number }> };
    }>('GET', `/email-piping/tickets?mailbox=${box.id}&sort=number:asc`);
    return response.body.data.results;
  }

  async function thread(ticketId: number) {
    const response = await admin.request<{
      data: {
        status: string;
        messages: Array<Record<string, unknown>>;
        outbox: Array<Record<string, unknown>>;
      };
    }>('GET', `/email-piping/tickets/${ticketId}`);
    return response.body.data;
  }

  function latestTo(address: string): CapturedMail {
    const mails = smtp.to(address);
    expect(mails.length, `no mail captured for ${address}`).toBeGreaterThan(0);
    return mails[mails.length - 1];
  }

  it('holds a whole conversation by email: acknowledgement, replies both ways, CC, threading headers', async () => {
    const box = await supportMailbox();
    smtp.clear();
    const firstId = `<first-${crypto.randomBytes(4).toString('hex')}@customer.test>`;
    await deliver(box, [
      mail(
        {
          From: 'Jane Customer <jane@customer.test>',
          To: box.address,
          Cc: 'Bob Boss <bob@customer.test>',
          Subject: 'Printer on fire',
          'Message-ID': firstId,
          'Content-Language': 'fr',
        },
        'It is really on fire.'
      ),
    ]);
    const [ticket] = await tickets(box);
    expect(ticket.language).toBe('fr');

    // Acknowledgement to the requester and to CC, each with its own token; a notification to the agent.
    await smtp.waitFor(
      () =>
        smtp.to('jane@customer.test').length === 1 &&
        smtp.to('bob@customer.test').length === 1 &&
        smtp.to(AGENT).length === 1
    );
    const ack = latestTo('jane@customer.test');
    expect(ack.parsed.subject).toContain(`[#${ticket.number}]`);
    expect(ack.header('auto-submitted')).toBe('auto-replied');
    expect(ack.header('x-auto-response-suppress')).toBe('All');
    expect(ack.header('precedence')).toBe('bulk');
    expect(ack.parsed.inReplyTo).toBe(firstId);
    expect(ack.parsed.messageId).toMatch(
      new RegExp(`^<ep\\.t${ticket.number}\\.[a-z2-7]{16}\\.[0-9a-f]+@example\\.test>$`)
    );
    const janeReplyTo = ack.parsed.replyTo!.value[0].address!;
    expect(janeReplyTo).toMatch(
      new RegExp(`^support-[0-9a-f]+\\+t${ticket.number}\\.[a-z2-7]{16}@example\\.test$`)
    );
    expect(ack.parsed.text).toContain('##- Please type your reply above this line -##');
    expect(ack.parsed.html).toContain('lang="fr"');
    const bobReplyTo = latestTo('bob@customer.test').parsed.replyTo!.value[0].address!;
    expect(bobReplyTo).not.toBe(janeReplyTo);
    expect(latestTo(AGENT).header('auto-submitted')).toBe('auto-generated');

    // The customer answers the acknowledgement: same ticket, the agent hears of it.
    smtp.clear();
    await deliver(box, [
      mail(
        {
          From: 'jane@customer.test',
          To: janeReplyTo,
          Subject: `Re: ${ack.parsed.subject}`,
          'In-Reply-To': ack.parsed.messageId!,
          References: `${firstId} ${ack.parsed.messageId}`,
        },
        'Now it is smoking.\n\n##- Please type your reply above this line -##\n> old stuff'
      ),
    ]);
    expect(await tickets(box)).toHaveLength(1);
    let view = await thread(ticket.id);
    expect(view.messages).toHaveLength(2);
    expect(view.messages[1]).toMatchObject({ direction: 'inbound', author: 'customer' });
    expect(String(view.messages[1].textBody).trim()).toBe('Now it is smoking.');
    expect(String(view.messages[1].quotedText)).toContain('old stuff');
    await smtp.waitFor(() => smtp.to(AGENT).length === 1);
    expect(smtp.to('jane@customer.test')).toHaveLength(0);

    // An agent replies from the admin: requester and CC get it, as a person's mail (no auto headers).
    smtp.clear();
    const reply = await admin.request<{ data: { queued: number; status: string } }>(
      'POST',
      `/email-piping/tickets/${ticket.id}/reply`,
      { text: 'Please unplug it. We are sending a technician.' }
    );
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body.data).toMatchObject({ queued: 2, status: 'pending' });
    await smtp.waitFor(
      () => smtp.to('jane@customer.test').length === 1 && smtp.to('bob@customer.test').length === 1
    );
    const agentMail = latestTo('jane@customer.test');
    expect(agentMail.parsed.text).toContain('Please unplug it.');
    expect(agentMail.header('auto-submitted')).toBeUndefined();
    expect(agentMail.header('precedence')).toBeUndefined();
    expect(agentMail.parsed.inReplyTo).toBeTruthy();
    expect(agentMail.parsed.references).toContain(firstId);
    expect(smtp.to(AGENT)).toHaveLength(0);

    // The customer answers the agent: same ticket again, back to open.
    await deliver(box, [
      mail(
        {
          From: 'jane@customer.test',
          To: agentMail.parsed.replyTo!.value[0].address!,
          Subject: `Re: ${agentMail.parsed.subject}`,
          'In-Reply-To': agentMail.parsed.messageId!,
        },
        'Thanks, unplugged.'
      ),
    ]);
    view = await thread(ticket.id);
    expect(view.status).toBe('open');
    expect(view.messages.map((m) => m.author)).toEqual(['customer', 'customer', 'agent', 'customer']);
    await smtp.waitFor(() => smtp.to(AGENT).length === 1);
    const deadline = Date.now() + 5000;
    while (!(await thread(ticket.id)).outbox.every((row) => row.status === 'sent') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await thread(ticket.id)).outbox.map((row) => row.status)).toEqual(Array(7).fill('sent'));
  });

  it('passes an agent’s emailed reply on to the requester', async () => {
    const box = await supportMailbox();
    smtp.clear();
    await deliver(box, [
      mail({ From: 'carol@customer.test', To: box.address, Subject: 'Refund?' }, 'Can I get a refund?'),
    ]);
    const [ticket] = await tickets(box);
    await smtp.waitFor(() => smtp.to(AGENT).length === 1);
    const notice = latestTo(AGENT);
    smtp.clear();
    await deliver(box, [
      await agentDomain.sign(
        mail(
          {
            From: `Alex Agent <${AGENT}>`,
            To: notice.parsed.replyTo!.value[0].address!,
            Subject: `Re: ${notice.parsed.subject}`,
            'In-Reply-To': notice.parsed.messageId!,
          },
          'Yes, refunded today.'
        )
      ),
    ]);
    const view = await thread(ticket.id);
    const receipts = await admin.request<{ data: { results: unknown[] } }>(
      'GET',
      `/email-piping/receipts?mailbox=${box.id}`
    );
    expect(view.messages[1], JSON.stringify(receipts.body.data.results)).toMatchObject({
      direction: 'outbound',
      author: 'agent',
      fromAddress: AGENT,
    });
    await smtp.waitFor(() => smtp.to('carol@customer.test').length === 1);
    expect(latestTo('carol@customer.test').parsed.text).toContain('Yes, refunded today.');
    expect(smtp.to(AGENT)).toHaveLength(0);
  });

  it('never lets a stranger into someone else’s ticket', async () => {
    const box = await supportMailbox();
    smtp.clear();
    await deliver(box, [
      mail({ From: 'dave@customer.test', To: box.address, Subject: 'My invoice' }, 'private'),
    ]);
    const [victim] = await tickets(box);
    await smtp.waitFor(() => smtp.to('dave@customer.test').length === 1);
    const ack = latestTo('dave@customer.test');
    const daveToken = ack.parsed.replyTo!.value[0].address!;
    const tampered = daveToken.replace(/\.([a-z2-7])/, (_m, c: string) => `.${c === 'a' ? 'b' : 'a'}`);
    smtp.clear();

    const attempts = [
      // A forged subject with the ticket number.
      mail(
        { From: 'mallory@evil.test', To: box.address, Subject: `Re: [#${victim.number}] My invoice` },
        'let me in'
      ),
      // A forwarded notification, answered by the person it was forwarded to.
      mail(
        {
          From: 'mallory@evil.test',
          To: box.address,
          Subject: `Fwd: ${ack.parsed.subject}`,
          'In-Reply-To': ack.parsed.messageId!,
          References: ack.parsed.messageId!,
        },
        'forwarded to me'
      ),
      // A reply address issued to somebody else.
      mail({ From: 'mallory@evil.test', To: daveToken, Subject: 'Re: My invoice' }, 'stolen token'),
      // A tampered token.
      mail({ From: 'mallory@evil.test', To: tampered, Subject: 'Re: My invoice' }, 'tampered token'),
      // A guessed token.
      mail(
        {
          From: 'dave@customer.test',
          To: box.address.replace('@', `+t${victim.number}.aaaaaaaaaaaaaaaa@`),
          Subject: 'guess',
        },
        'x'
      ),
    ];
    const summary = await deliver(box, attempts);
    // The forged-From "dave" with a guessed token is dave: a participant with a bad token is refused by token but
    // his own mail without a valid link still opens a ticket of its own (no subject token, no references).
    expect(summary).toMatchObject({ ticketsCreated: 5, repliesAdded: 0 });
    const view = await thread(victim.id);
    expect(view.messages).toHaveLength(1);
    const receipts = await admin.request<{
      data: { results: Array<{ reason: string | null; outcome: string }> };
    }>('GET', `/email-piping/receipts?mailbox=${box.id}&pageSize=10`);
    const reasons = receipts.body.data.results.map((r) => r.reason ?? '').join('\n');
    expect(reasons).toContain(
      `subject names ticket #${victim.number}, in which mallory@evil.test takes no part`
    );
    expect(reasons).toContain(
      `answers a notification of ticket #${victim.number} that was not sent to mallory@evil.test`
    );
    expect(reasons).toContain(
      `reply address for ticket #${victim.number} was not issued to mallory@evil.test`
    );
    // Nobody on the victim's ticket is mailed about any of it.
    await smtp.waitFor(() => smtp.to('mallory@evil.test').length === 4);
    expect(
      smtp.to('dave@customer.test').every((m) => !m.parsed.subject?.includes(`[#${victim.number}]`))
    ).toBe(true);
  });

  it('reopens a closed ticket, or opens a linked follow-up, as the mailbox says', async () => {
    for (const policy of ['reopen', 'new-ticket'] as const) {
      const box = await supportMailbox({ closedTicketReplies: policy });
      smtp.clear();
      await deliver(box, [
        mail({ From: 'erin@customer.test', To: box.address, Subject: `Closed ${policy}` }, 'hi'),
      ]);
      const [ticket] = await tickets(box);
      await smtp.waitFor(() => smtp.to('erin@customer.test').length === 1);
      const closed = await admin.request('PUT', `/email-piping/tickets/${ticket.id}`, { status: 'closed' });
      expect(closed.status).toBe(200);
      await smtp.waitFor(() => smtp.to('erin@customer.test').length === 2);
      const closedMail = latestTo('erin@customer.test');
      expect(closedMail.header('auto-submitted')).toBe('auto-generated');
      await deliver(box, [
        mail(
          {
            From: 'erin@customer.test',
            To: closedMail.parsed.replyTo!.value[0].address!,
            Subject: `Re: ${closedMail.parsed.subject}`,
            'In-Reply-To': closedMail.parsed.messageId!,
          },
          'It broke again.'
        ),
      ]);
      const all = await tickets(box);
      if (policy === 'reopen') {
        expect(all).toHaveLength(1);
        expect((await thread(ticket.id)).status).toBe('open');
      } else {
        expect(all).toHaveLength(2);
        expect((await thread(ticket.id)).status).toBe('closed');
        const followUp = (await app.strapi.db.query('plugin::email-piping.ticket' as never).findOne({
          where: { id: all[1].id },
          populate: { previousTicket: { select: ['id'] } },
        })) as { previousTicket: { id: number } | null };
        expect(followUp.previousTicket?.id).toBe(ticket.id);
      }
    }
  });

  it('retries when the SMTP server refuses, and sends once it accepts', async () => {
    const box = await supportMailbox({ agentAddresses: [] });
    smtp.clear();
    smtp.refuseNext(2, 451, '4.3.0 Try again later');
    await deliver(box, [mail({ From: 'frank@customer.test', To: box.address, Subject: 'Retry me' }, 'x')]);
    const [ticket] = await tickets(box);
    await smtp.waitFor(() => smtp.to('frank@customer.test').length === 1, 20_000);
    const view = await thread(ticket.id);
    expect(view.outbox).toHaveLength(1);
    expect(view.outbox[0]).toMatchObject({ status: 'sent', attempts: 3 });
    // Give the sender time for a stray second delivery: there must be none.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(smtp.to('frank@customer.test')).toHaveLength(1);
  });

  it('marks a mail failed at once when the SMTP server refuses it for good', async () => {
    const box = await supportMailbox({ agentAddresses: [] });
    smtp.clear();
    smtp.refuseNext(1, 550, '5.1.1 No such user');
    await deliver(box, [mail({ From: 'gone@customer.test', To: box.address, Subject: 'Bounce me' }, 'x')]);
    const [ticket] = await tickets(box);
    const deadline = Date.now() + 10_000;
    let row: Record<string, unknown> | undefined;
    while (Date.now() < deadline) {
      row = (await thread(ticket.id)).outbox[0];
      if (row?.status !== 'queued') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(String(row?.lastResponse)).toMatch(/550|No such user/);
  });

  it('sends nothing automatic in answer to automatic mail', async () => {
    const box = await supportMailbox();
    smtp.clear();
    await deliver(box, [
      mail(
        {
          From: 'vacation@customer.test',
          To: box.address,
          Subject: 'Out of office',
          'Auto-Submitted': 'auto-replied',
        },
        'away'
      ),
      mail(
        { From: 'list@lists.test', To: box.address, Subject: 'Newsletter', 'List-Id': '<news.lists.test>' },
        'news'
      ),
    ]);
    expect(await tickets(box)).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.mails).toHaveLength(0);
  });
  it('notifies admin users of an agent role, and honours per-mailbox notification switches', async () => {
    const roles = app.strapi.service('admin::role');
    const role = await roles.create({
      name: `agents-${crypto.randomBytes(3).toString('hex')}`,
      description: 'support agents',
    });
    const agentEmail = `role-agent-${crypto.randomBytes(3).toString('hex')}@example.test`;
    await app.strapi.service('admin::user').create({
      email: agentEmail,
      firstname: 'Role',
      lastname: 'Agent',
      password: 'Role-agent-1',
      isActive: true,
      roles: [role.id],
    });
    const box = await supportMailbox({
      agentAddresses: [],
      agentRoleIds: [role.id],
      notifications: { ticketAcknowledgement: false },
    });
    await deliver(box, [
      mail({ From: 'kim@customer.test', To: box.address, Subject: 'Role based' }, 'hello'),
    ]);
    await smtp.waitFor(() => smtp.to(agentEmail).length === 1);
    expect(latestTo(agentEmail).parsed.subject).toContain('Role based');
    // The acknowledgement is switched off for this mailbox: the customer gets nothing.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(smtp.to('kim@customer.test')).toHaveLength(0);
  });

  it('lets a site owner edit, validate and preview templates, and uses them', async () => {
    const bad = await admin.request<{ error: { message: string } }>('PUT', '/email-piping/templates', {
      event: 'ticket-acknowledgement',
      language: 'en',
      subject: 'Got it: {{ticket.subjet}}',
      body: 'Hi',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/ticket\.subjet/);

    const preview = await admin.request<{ data: { subject: string; html: string; direction: string } }>(
      'POST',
      '/email-piping/templates/preview',
      {
        event: 'ticket-acknowledgement',
        language: 'he',
        subject: 'קיבלנו: {{ticket.subject}}',
        body: 'שלום {{requester.name}}',
      }
    );
    expect(preview.status).toBe(200);
    expect(preview.body.data.direction).toBe('rtl');
    expect(preview.body.data.html).toContain('dir="rtl"');
    expect(preview.body.data.subject).toContain('[#1234]');

    const saved = await admin.request('PUT', '/email-piping/templates', {
      event: 'ticket-acknowledgement',
      language: 'en',
      subject: 'We have your message about {{ticket.subject}}',
      body: 'Dear {{requester.name}}, ticket {{ticket.number}} is open.',
    });
    expect(saved.status).toBe(200);
    const box = await supportMailbox({ agentAddresses: [] });
    await deliver(box, [
      mail({ From: 'Lee <lee@customer.test>', To: box.address, Subject: 'Custom words' }, 'x'),
    ]);
    await smtp.waitFor(() => smtp.to('lee@customer.test').length === 1);
    const ack = latestTo('lee@customer.test');
    expect(ack.parsed.subject).toMatch(/We have your message about Custom words/);
    expect(ack.parsed.text).toMatch(/Dear Lee, ticket \d+ is open\./);
    const list = await admin.request<{ data: { templates: Array<{ id: number }> } }>(
      'GET',
      '/email-piping/templates'
    );
    for (const template of list.body.data.templates) {
      expect((await admin.request('DELETE', `/email-piping/templates/${template.id}`)).status).toBe(200);
    }
  });
});
