/**
 * Sender authentication with real servers (Dovecot in, a real SMTP server out, the playground Strapi between) and
 * DKIM keys made here, published through the plugin's `dnsResolver`: a forged agent reply never reaches the
 * customer, however it is dressed; a genuine one (the agent's token + an aligned DKIM pass) still does; and a sender
 * whose domain fails DMARC gets no acknowledgement.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestDns } from '../harness/dkim';
import type { DovecotServer } from '../harness/dovecot';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { createSupportMailbox, deliverAndImport, type SupportMailbox } from '../harness/support-mailbox';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';

const CRLF = '\r\n';
const AGENT = 'agent@example.test';
const CUSTOMER = 'jane@customer.test';
const OUR_MX = 'mx.desk.test';

function mail(headers: Record<string, string>, body: string): string {
  const id = `<${crypto.randomBytes(6).toString('hex')}@sender.test>`;
  return [...Object.entries({ 'Message-ID': id, ...headers }).map(([k, v]) => `${k}: ${v}`), '', body].join(
    CRLF
  );
}

describe('sender authentication', () => {
  const dns = new TestDns();
  const agentDomain = dns.signingDomain('example.test', 'v=DMARC1; p=reject');
  const otherDomain = dns.signingDomain('other.test');
  dns.dmarc('spoofed.test', 'v=DMARC1; p=quarantine');
  let app: TestStrapi;
  let admin: AdminSession;
  let dovecot: DovecotServer;
  let smtp: SmtpSink;

  beforeAll(async () => {
    dovecot = inject('dovecot') as unknown as DovecotServer;
    smtp = await startSmtpSink();
    app = await bootStrapi({
      listen: true,
      pluginConfig: { outboxPollMs: 100, dnsResolver: dns.resolver },
    });
    admin = await loginAdmin(app);
  });
  afterAll(async () => {
    await app?.stop();
    await smtp?.stop();
  });

  const supportMailbox = (extra: Record<string, unknown> = {}) =>
    createSupportMailbox(
      { admin, dovecot, smtp },
      { agentAddresses: [AGENT], trustedAuthservIds: [OUR_MX], ...extra }
    );
  const deliver = (box: SupportMailbox, messages: string[]) =>
    deliverAndImport({ admin, dovecot }, box, messages);

  async function receipts(box: { id: number }) {
    const response = await admin.request<{
      data: { results: Array<Record<string, unknown> & { authentication: Record<string, unknown> | null }> };
    }>('GET', `/email-piping/receipts?mailbox=${box.id}&pageSize=100`);
    return response.body.data.results.sort((a, b) => Number(a.id) - Number(b.id));
  }

  async function ticketView(ticketId: number) {
    const response = await admin.request<{
      data: {
        messages: Array<Record<string, unknown> & { authentication: Record<string, unknown> | null }>;
        outbox: Array<Record<string, unknown>>;
      };
    }>('GET', `/email-piping/tickets/${ticketId}`);
    return response.body.data;
  }

  /** Lets the outbox send whatever it has; afterwards the sink holds every mail that was going to go out. */
  async function drainOutbox() {
    await app.strapi.plugin('email-piping').service('outbox').drain();
  }

  it('keeps every forged agent reply off the customer; the genuine one goes out', async () => {
    const box = await supportMailbox();
    await deliver(box, [mail({ From: `Jane <${CUSTOMER}>`, To: box.address, Subject: 'Refund?' }, 'Can I?')]);
    const [receipt] = await receipts(box);
    const ticketId = Number(receipt.ticketId);
    // customer.test publishes no DMARC: not authenticated, yet answered as usual.
    expect(receipt.authentication).toMatchObject({ result: 'none' });
    await smtp.waitFor(() => smtp.to(CUSTOMER).length === 1 && smtp.to(AGENT).length === 1);
    const notice = smtp.to(AGENT)[0];
    const agentToken = notice.parsed.replyTo!.value[0].address!;
    const number = /\[#(\d+)\]/.exec(notice.parsed.subject!)![1];
    smtp.clear();

    const forged = (headers: Record<string, string> = {}) =>
      mail(
        { From: `Alex Agent <${AGENT}>`, To: box.address, Subject: `Re: [#${number}] Refund?`, ...headers },
        'Please confirm your card number here: https://evil.test/pay'
      );
    const attempts = {
      'failing Authentication-Results from our MX': forged({
        'Authentication-Results': `${OUR_MX}; spf=fail smtp.mailfrom=example.test; dkim=none; dmarc=fail header.from=example.test`,
      }),
      'no authentication at all': forged(),
      'a valid DKIM signature of another domain': await otherDomain.sign(forged()),
      "the agent's own token but no authentication": forged({
        To: agentToken,
        'In-Reply-To': notice.parsed.messageId!,
      }),
      // What a sender may write itself: a pass from our MX's id, below the header our MX adds.
      'a forged pass below our MX header': forged({
        'Authentication-Results': `${OUR_MX}; dkim=none; dmarc=fail header.from=example.test`,
        'X-Note': 'x',
        'Authentication-Results ': `${OUR_MX}; dmarc=pass header.from=example.test`,
      }).replace('Authentication-Results : ', 'Authentication-Results: '),
    };
    for (const raw of Object.values(attempts)) await deliver(box, [raw]);
    await drainOutbox();
    expect(smtp.to(CUSTOMER), 'a forged agent reply reached the customer').toHaveLength(0);

    const forgedReceipts = (await receipts(box)).slice(1);
    expect(forgedReceipts).toHaveLength(Object.keys(attempts).length);
    const view = await ticketView(ticketId);
    Object.keys(attempts).forEach((name, index) => {
      const row = forgedReceipts[index];
      expect(row.outcome, name).toBe('reply-added');
      expect(String(row.reason), name).toContain('unverified agent mail, not sent to anyone');
      expect(row.authentication?.result, name).not.toBe('pass');
      const note = view.messages.find((message) => message.id === row.ticketMessageId)!;
      expect(note, name).toMatchObject({ direction: 'system', author: 'agent', fromAddress: AGENT });
      expect(String(note.textBody), name).toMatch(/^Unverified agent mail: .*NOT sent to the customer/);
    });
    expect(String(forgedReceipts[0].reason)).toContain(`${OUR_MX} reports dmarc=fail`);
    expect(forgedReceipts[0].authentication).toMatchObject({ result: 'fail', via: 'authentication-results' });
    expect(String(forgedReceipts[1].reason)).toContain('joined by subject-token');
    expect(String(forgedReceipts[2].reason)).toContain('signed by other.test, which is not the From domain');
    expect(String(forgedReceipts[3].reason)).not.toContain('joined by');
    expect(String(forgedReceipts[3].reason)).toContain('the sender is not authenticated');
    expect(forgedReceipts[4].authentication).toMatchObject({ result: 'fail', authservId: OUR_MX });
    // Nothing was queued for anyone by the forged mails.
    expect(view.outbox.filter((row) => row.event === 'agent-reply')).toHaveLength(0);

    // The agent's real reply: their token, signed by their domain.
    await deliver(box, [
      await agentDomain.sign(
        mail(
          {
            From: `Alex Agent <${AGENT}>`,
            To: agentToken,
            Subject: `Re: ${notice.parsed.subject}`,
            'In-Reply-To': notice.parsed.messageId!,
          },
          'Yes, refunded today.'
        )
      ),
    ]);
    await smtp.waitFor(() => smtp.to(CUSTOMER).length === 1);
    expect(smtp.to(CUSTOMER)[0].parsed.text).toContain('Yes, refunded today.');
    const genuine = (await receipts(box)).at(-1)!;
    expect(genuine.authentication).toMatchObject({ result: 'pass', via: 'dkim' });
    const after = await ticketView(ticketId);
    expect(after.messages.at(-1)).toMatchObject({ direction: 'outbound', author: 'agent' });
  });

  it('sends no acknowledgement to a sender whose domain fails DMARC, and says why', async () => {
    const box = await supportMailbox();
    smtp.clear();
    await deliver(box, [
      mail({ From: 'CEO <ceo@spoofed.test>', To: box.address, Subject: 'Wire transfer' }, 'Urgent.'),
    ]);
    await drainOutbox();
    const [receipt] = await receipts(box);
    expect(receipt.outcome).toBe('ticket-created');
    expect(receipt.authentication).toMatchObject({ result: 'fail' });
    expect(String(receipt.reason)).toContain('acknowledgement suppressed: sender not authenticated');
    const view = await ticketView(Number(receipt.ticketId));
    expect(view.outbox.find((row) => row.event === 'ticket-acknowledgement')).toMatchObject({
      status: 'suppressed',
      lastResponse: 'suppressed: sender not authenticated',
    });
    expect(smtp.to('ceo@spoofed.test')).toHaveLength(0);
  });

  it('with "rate-limit hard", a DMARC-failing sender gets one acknowledgement a day', async () => {
    const box = await supportMailbox({ unauthenticatedAnswers: 'rate-limit-hard' });
    smtp.clear();
    await deliver(box, [
      mail({ From: 'ceo@spoofed.test', To: box.address, Subject: 'First' }, 'One.'),
      mail({ From: 'ceo@spoofed.test', To: box.address, Subject: 'Second' }, 'Two.'),
    ]);
    await drainOutbox();
    await smtp.waitFor(() => smtp.to('ceo@spoofed.test').length === 1);
    const [, second] = await receipts(box);
    const view = await ticketView(Number(second.ticketId));
    expect(view.outbox.find((row) => row.event === 'ticket-acknowledgement')).toMatchObject({
      status: 'suppressed',
      lastResponse: expect.stringContaining('rate limit: 1 automatic mails to ceo@spoofed.test'),
    });
    expect(smtp.to('ceo@spoofed.test')).toHaveLength(1);
  });
});
