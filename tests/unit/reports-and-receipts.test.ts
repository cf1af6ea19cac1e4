/**
 * Daemon reports whatever their report-type, and read receipts (RFC 8098) as their own class: realistic .eml
 * fixtures (tests/fixtures/mail) through the real parser, classifier, bounce reader and decision.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decideInbound,
  mailClassOf,
  type InboundSettings,
  type OutboundMatch,
} from '../../src/policy/decide-inbound';
import { parseBounce } from '../../src/mail/bounce/parse-bounce';
import { compileBlockRules } from '../../src/mail/block';
import { classifyParsedMail } from '../../src/policy/classify/classify-inbound';
import { NO_IDENTITY } from '../../src/policy/classify/inbound-flags';
import { removeSpooledAttachments } from '../../src/mail/parse/attachment-spool';
import { parseMail } from '../../src/mail/parse/parse-mail';
import { parseReadReceipt } from '../../src/mail/read-receipt';
import { compileRules } from '../../src/policy/rules/compile-rules';
import type { ParsedMail } from '../../src/mail/types';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'mail');
const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reports-test-'));
const parsed: ParsedMail[] = [];
afterAll(async () => {
  for (const mail of parsed) await removeSpooledAttachments(mail);
  fs.rmSync(spoolDir, { recursive: true, force: true });
});

function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

async function parse(source: string): Promise<ParsedMail> {
  const mail = await parseMail(Buffer.from(source), { spoolDir });
  parsed.push(mail);
  return mail;
}

const OUR_MAIL = 'ep.t1.abcdefghijklmnop.1@example.test';
const DAEMON_REPORT = fixture('daemon-report-without-type.eml');
const READ_RECEIPT = fixture('read-receipt-thunderbird.eml');

describe('daemon reports without a usable report-type', () => {
  it('"Mail Delivery System" with "Delivery status notification" and "failed permanently" is a bounce', async () => {
    const mail = await parse(DAEMON_REPORT);
    const flags = classifyParsedMail(mail, NO_IDENTITY);
    expect(flags).toMatchObject({ bounce: true, readReceipt: false, automatic: true, reportType: 'unknown' });
    expect(mailClassOf(flags)).toBe('bounce');
    const report = await parseBounce(mail);
    expect(report?.originalMessageId).toBe(OUR_MAIL);
    expect(report?.recipients).toEqual([
      expect.objectContaining({
        recipient: 'nobody-here@customer.example',
        status: '5.1.1',
        permanent: true,
      }),
    ]);
  });

  it('is a bounce on each signal pair alone: daemon display name, daemon local part, report shape', async () => {
    const withoutReturnPath = DAEMON_REPORT.replace('Return-Path: <>\r\n', '');
    const variants = {
      'display name only': withoutReturnPath.replace(
        'Mail.Delivery.System@relay.example',
        'reports-7f3a2@relay.example'
      ),
      'local part only': withoutReturnPath.replace('Mail Delivery System <', '<'),
      'report shape only': withoutReturnPath.replace(
        'Mail Delivery System <Mail.Delivery.System@relay.example>',
        'Relay <reports@relay.example>'
      ),
      'report shape and wording, subject elsewhere': withoutReturnPath
        .replace('Mail Delivery System <Mail.Delivery.System@relay.example>', 'Relay <reports@relay.example>')
        .replace('Subject: Delivery status notification', 'Subject: Your message'),
      'daemon name and subject in German': withoutReturnPath
        .replace('Mail.Delivery.System@relay.example', 'reports@relay.example')
        .replace('Subject: Delivery status notification', 'Subject: Zustellung fehlgeschlagen'),
    };
    for (const [name, source] of Object.entries(variants)) {
      const flags = classifyParsedMail(await parse(source), NO_IDENTITY);
      expect(flags.bounce, `${name}: ${flags.reasons.join('; ')}`).toBe(true);
    }
  });

  it('is not a bounce when a person writes the same words in an ordinary mail', async () => {
    const person = [
      'From: Jane Customer <jane@customer.example>',
      'To: support@example.test',
      'Subject: Delivery status notification keeps coming',
      'Message-ID: <p1@customer.example>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Every time I write to you I get "Delivery to the following recipients failed permanently". Why?',
      '',
    ].join('\r\n');
    const flags = classifyParsedMail(await parse(person), NO_IDENTITY);
    expect(flags).toMatchObject({ bounce: false, readReceipt: false, automatic: false });
    // A shop's parcel notice from a no-reply robot is automatic, not a bounce.
    const parcel = person
      .replace('Jane Customer <jane@customer.example>', 'Parcel Service <noreply@parcels.example>')
      .replace('Subject: Delivery status notification keeps coming', 'Subject: Delivery notification')
      .replace(/Every time[^\r]*/, 'Your parcel could not be delivered today. We will try again tomorrow.');
    const parcelFlags = classifyParsedMail(await parse(parcel), NO_IDENTITY);
    expect(parcelFlags).toMatchObject({ bounce: false, automatic: true });
  });
});

describe('read receipts', () => {
  it('are their own class, automatic and never a bounce', async () => {
    const mail = await parse(READ_RECEIPT);
    const flags = classifyParsedMail(mail, NO_IDENTITY);
    expect(flags).toMatchObject({
      readReceipt: true,
      bounce: false,
      automatic: true,
      reportType: 'disposition-notification',
    });
    expect(mailClassOf(flags)).toBe('read-receipt');
  });

  it('name the mail they are about, the recipient and what happened', async () => {
    const report = await parseReadReceipt(await parse(READ_RECEIPT));
    expect(report).toEqual({
      candidateIds: [OUR_MAIL, 'first@customer.example'],
      disposition: 'displayed',
      finalRecipient: 'jane@customer.example',
    });
  });

  it('stay receipts with a daemon-like subject or inside another container, unless a delivery-status says bounce', async () => {
    const nested = READ_RECEIPT.replace(
      'Subject: Read: [#1] We received your request: Printer on fire',
      'Subject: Delivery notification: read'
    ).replace('multipart/report; report-type=disposition-notification;', 'multipart/mixed;');
    const flags = classifyParsedMail(await parse(nested), NO_IDENTITY);
    expect(flags).toMatchObject({ readReceipt: true, bounce: false });

    const dsn = DAEMON_REPORT.replace(
      'Content-Type: multipart/report; boundary="=_report_7F3A2"',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="=_report_7F3A2"'
    );
    expect(classifyParsedMail(await parse(dsn), NO_IDENTITY)).toMatchObject({
      bounce: true,
      readReceipt: false,
    });
  });

  describe('decideInbound', () => {
    const settings: InboundSettings = {
      closedTicketReplies: 'reopen',
      allowedMail: 'all',
      allowedSenders: { mode: 'anyone' },
      ccImport: true,
      forwardingAddresses: [],
      agents: [],
      ownAddresses: ['support@example.test'],
      rules: compileRules([]),
      blockRules: compileBlockRules([]),
      replySecret: null,
      instanceId: 'test-instance',
      unmonitored: false,
    } as unknown as InboundSettings;
    const lookups = {
      ticketByNumber: async () => ({ id: 7, number: 1, status: 'open' }),
      ticketByMessageIds: async () => null,
      isParticipant: async () => true,
    };
    const ours: OutboundMatch = {
      outboxId: 3,
      ticketId: 7,
      recipient: 'jane@customer.example',
      via: 'message-id',
    };
    const asked: string[] = [];
    const outbound = (known: Record<string, OutboundMatch>) => ({
      isOwnMessageId: async () => false,
      findByVerpToken: async () => null,
      findByMessageId: async (id: string) => {
        asked.push(id);
        return known[id] ?? null;
      },
    });

    it('ties a receipt to the mail of ours it names, never opening a ticket', async () => {
      const decision = await decideInbound({
        mail: await parse(READ_RECEIPT),
        settings,
        lookups: lookups as never,
        outbound: outbound({ [OUR_MAIL]: ours }),
        authentication: null,
        senderIsRegistered: async () => false,
      });
      expect(decision).toMatchObject({ kind: 'read-receipt', match: ours });
      expect(decision.kind === 'read-receipt' && decision.reason).toBe(
        'read receipt (displayed) for mail #3 to jane@customer.example'
      );
    });

    it('records an unmatched receipt as such (and looks up only our own ids)', async () => {
      asked.length = 0;
      const decision = await decideInbound({
        mail: await parse(READ_RECEIPT),
        settings,
        lookups: lookups as never,
        outbound: outbound({}),
        authentication: null,
        senderIsRegistered: async () => false,
      });
      expect(decision).toMatchObject({ kind: 'read-receipt', match: null });
      expect(asked).toEqual([OUR_MAIL]);
    });
  });
});
