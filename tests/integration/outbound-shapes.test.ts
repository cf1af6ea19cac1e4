/**
 * What our mail looks like when the mail it answers is unusual, with real servers: Dovecot for inbound mail, a real
 * SMTP server capturing outbound mail, the real playground Strapi in between.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { DovecotServer } from '../harness/dovecot';
import { createSupportMailbox, deliverAndImport, type SupportMailbox } from '../harness/support-mailbox';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';

const CRLF = '\r\n';

function mail(headers: Record<string, string>, body: string): string {
  const id = headers['Message-ID'] ?? `<${crypto.randomBytes(6).toString('hex')}@customer.test>`;
  return [...Object.entries({ ...headers, 'Message-ID': id }).map(([k, v]) => `${k}: ${v}`), '', body].join(
    CRLF
  );
}

/** The header lines of a raw message as they are on the wire (folded lines count one by one). */
function headerLines(raw: string): string[] {
  const end = raw.indexOf('\r\n\r\n');
  return raw.slice(0, end === -1 ? raw.length : end).split('\r\n');
}

describe('outbound mail shapes', () => {
  let app: TestStrapi;
  let admin: AdminSession;
  let dovecot: DovecotServer;
  let smtp: SmtpSink;

  beforeAll(async () => {
    dovecot = inject('dovecot') as unknown as DovecotServer;
    smtp = await startSmtpSink();
    app = await bootStrapi({
      listen: true,
      pluginConfig: { outboxPollMs: 100, outboxRetryBaseSeconds: 1, outboxRetryMaxSeconds: 2 },
    });
    admin = await loginAdmin(app);
  });
  afterAll(async () => {
    await app?.stop();
    await smtp?.stop();
  });
  beforeEach(() => smtp.clear());

  const supportMailbox = () =>
    createSupportMailbox(
      { admin, dovecot, smtp },
      { fromName: 'Example Support', agentAddresses: ['agent@example.test'] }
    );
  const deliver = (box: SupportMailbox, messages: string[]) =>
    deliverAndImport({ admin, dovecot }, box, messages);

  async function tickets(box: { id: number }) {
    const response = await admin.request<{
      data: { results: Array<Record<string, unknown> & { id: number; number: number }> };
    }>('GET', `/email-piping/tickets?mailbox=${box.id}&sort=number:asc`);
    return response.body.data.results;
  }

  it('answers a 200,000-character subject with an acknowledgement whose every header line is at most 998', async () => {
    const box = await supportMailbox();
    const customer = `long-${crypto.randomBytes(3).toString('hex')}@customer.test`;
    const longId = `${'m'.repeat(1200)}@customer.test`;
    await deliver(box, [
      mail(
        {
          From: `${'Very Long Name '.repeat(40).trim()} <${customer}>`,
          To: box.address,
          Subject: 'S'.repeat(200_000),
          References: Array.from({ length: 60 }, (_, i) => `<r${i}.${'x'.repeat(200)}@customer.test>`).join(
            ' '
          ),
          'Message-ID': `<${longId}>`,
        },
        'A subject as long as a novel.'
      ),
    ]);
    const [ticket] = await tickets(box);
    expect(ticket, 'the mail became a ticket').toBeDefined();

    // The acknowledgement and the agents' notification both quote the subject.
    await smtp.waitFor(() => smtp.to(customer).length === 1 && smtp.to('agent@example.test').length === 1);
    const [ack] = smtp.to(customer);
    for (const sent of [ack, ...smtp.to('agent@example.test')]) {
      const lines = headerLines(sent.raw);
      const longest = Math.max(...lines.map((line) => line.length));
      expect(longest, lines.find((line) => line.length > 998)?.slice(0, 120)).toBeLessThanOrEqual(998);
    }
    expect(ack.parsed.subject).toMatch(new RegExp(`^\\[#${ticket.number}\\] .*: SSS`));
    expect([...ack.parsed.subject!].length).toBeLessThanOrEqual(250);
    expect(ack.parsed.subject!.endsWith('…')).toBe(true);
    // The chain is bounded and its newest ids kept; an id too long for a header line cannot be referenced.
    const references = ([] as string[]).concat(ack.parsed.references ?? []);
    expect(references.length).toBeGreaterThan(0);
    expect(references.length).toBeLessThanOrEqual(20);
    expect(references).toContain(`<r59.${'x'.repeat(200)}@customer.test>`);
    expect(references.join(' ')).not.toContain(longId);
  });

  async function receiptsOf(box: { id: number }, mailClass: string) {
    const response = await admin.request<{
      data: {
        results: Array<{ outcome: string; mailClass: string; ticketId: number | null; reason: string }>;
      };
    }>('GET', `/email-piping/receipts?mailbox=${box.id}&mailClass=${mailClass}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.data.results;
  }

  function readReceipt(from: string, to: string, originalId: string | null, subject: string): string {
    const boundary = `mdn-${crypto.randomBytes(4).toString('hex')}`;
    return [
      `From: ${from}`,
      `To: ${to}`,
      `Subject: Read: ${subject}`,
      `Message-ID: <${crypto.randomBytes(6).toString('hex')}@customer.test>`,
      ...(originalId ? [`In-Reply-To: ${originalId}`] : []),
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=disposition-notification; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'This is a Return Receipt for the mail that you sent. It only acknowledges that the message was displayed.',
      '',
      `--${boundary}`,
      'Content-Type: message/disposition-notification',
      '',
      'Reporting-UA: customer.test; Mozilla Thunderbird',
      `Final-Recipient: rfc822;${from.replace(/^.*<|>$/g, '')}`,
      ...(originalId ? [`Original-Message-ID: ${originalId}`] : []),
      'Disposition: manual-action/MDN-sent-manually; displayed',
      '',
      `--${boundary}--`,
      '',
    ].join(CRLF);
  }

  it('puts a read receipt for our acknowledgement on its ticket as a system event, and opens no ticket', async () => {
    const box = await supportMailbox();
    const customer = `reader-${crypto.randomBytes(3).toString('hex')}@customer.test`;
    await deliver(box, [
      mail(
        { From: `Rita Reader <${customer}>`, To: box.address, Subject: 'Where is my order?' },
        'Order 77.'
      ),
    ]);
    await smtp.waitFor(() => smtp.to(customer).length === 1);
    const [ack] = smtp.to(customer);
    const before = await tickets(box);
    expect(before).toHaveLength(1);

    const summary = await deliver(box, [
      readReceipt(`Rita Reader <${customer}>`, box.address, ack.parsed.messageId!, ack.parsed.subject!),
      // A receipt for mail we never sent: recorded, dropped.
      readReceipt(`Rita Reader <${customer}>`, box.address, '<unknown-1@elsewhere.test>', 'Something else'),
    ]);
    expect(summary.ticketsCreated).toBe(0);
    expect(summary.repliesAdded).toBe(0);
    expect(await tickets(box)).toHaveLength(1);

    const detail = await admin.request<{
      data: {
        messages: Array<{ direction: string; mailClass: string | null; textBody: string }>;
        outbox: Array<{ status: string; recipient: string }>;
      };
    }>('GET', `/email-piping/tickets/${before[0].id}`);
    const system = detail.body.data.messages.filter((m) => m.direction === 'system');
    expect(system).toHaveLength(1);
    expect(system[0].mailClass).toBe('read-receipt');
    expect(system[0].textBody).toBe(`Read receipt from ${customer}: our mail to ${customer} was displayed.`);
    // Never a bounce: the acknowledgement stays sent, the address is not suppressed.
    expect(detail.body.data.outbox.find((row) => row.recipient === customer)?.status).toBe('sent');
    const suppressions = await admin.request<{ data: { results: Array<{ address: string }> } | unknown[] }>(
      'GET',
      '/email-piping/suppressions'
    );
    expect(JSON.stringify(suppressions.body)).not.toContain(customer);

    const receipts = await receiptsOf(box, 'read-receipt');
    expect(receipts.map((r) => [r.outcome, r.ticketId])).toEqual(
      expect.arrayContaining([
        ['read-receipt', before[0].id],
        ['read-receipt', null],
      ])
    );
    expect(receipts).toHaveLength(2);
    // Nothing automatic answers a receipt.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.to(customer)).toHaveLength(1);
  });

  function arabicMail(from: string, to: string, headers: Record<string, string> = {}): string {
    const subject = 'لم يصل طلبي';
    const body =
      'مرحبا، طلبت سماعات قبل أسبوعين ولم يصل الطلب حتى الآن. هل يمكنكم التحقق من حالته؟\r\nشكرا لكم';
    return mail(
      {
        From: from,
        To: to,
        Subject: `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
        'MIME-Version': '1.0',
        'Content-Type': 'text/plain; charset="UTF-8"',
        'Content-Transfer-Encoding': 'base64',
        ...headers,
      },
      Buffer.from(body).toString('base64')
    );
  }

  it('answers an Arabic mail without any language header with the Arabic right-to-left acknowledgement', async () => {
    const box = await supportMailbox();
    const plain = `arabic-${crypto.randomBytes(3).toString('hex')}@customer.test`;
    const tagged = `arabic-cl-${crypto.randomBytes(3).toString('hex')}@customer.test`;
    await deliver(box, [
      arabicMail(`Sara <${plain}>`, box.address),
      arabicMail(`Omar <${tagged}>`, box.address, { 'Content-Language': 'ar' }),
    ]);
    const created = await tickets(box);
    expect(created.map((ticket) => ticket.language)).toEqual(['ar', 'ar']);

    await smtp.waitFor(() => smtp.to(plain).length === 1 && smtp.to(tagged).length === 1);
    for (const address of [plain, tagged]) {
      const [ack] = smtp.to(address);
      expect(ack.parsed.html).toContain('<html lang="ar" dir="rtl">');
      expect(ack.parsed.html).toContain('<body dir="rtl"');
      expect(ack.parsed.subject).toMatch(/^\[#\d+\] تلقّينا طلبك: لم يصل طلبي$/);
      expect(ack.parsed.text).toContain('شكرًا لتواصلك مع');
    }
  });
});
