/**
 * Loop and bounce classification against the shared real-world corpus (../shared/corpus, MANIFEST.tsv), plus the
 * pure helpers of bounce.ts. Every message is parsed once with parseMail, classified, and (when it is a bounce or
 * filed as one) read with parseBounce; the spooled parts are removed before the assertions run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BounceReport } from '../../src/mail/bounce/bounce-report';
import { BOUNCE_PATTERNS } from '../../src/mail/bounce/bounce-patterns';
import { parseDeliveryStatus } from '../../src/mail/bounce/delivery-status-fields';
import { parseBounce } from '../../src/mail/bounce/parse-bounce';
import { isPermanentStatus } from '../../src/mail/bounce/status-codes';
import { createVerpToken, verpAddress, verpTokenOf } from '../../src/mail/bounce/verp';
import { classifyParsedMail } from '../../src/policy/classify/classify-inbound';
import type { InboundFlags, OwnMailIdentity } from '../../src/policy/classify/inbound-flags';
import { removeSpooledAttachments } from '../../src/mail/parse/attachment-spool';
import { parseMail } from '../../src/mail/parse/parse-mail';
import { regexSafety } from '../../src/regex/regex-safety';
import { tokenFromAddress } from '../../src/mail/tokens';
import type { ParsedMail } from '../../src/mail/types';
import { corpusFile, readManifest, type ManifestRow } from '../harness/corpus';

const OWN: OwnMailIdentity = { instanceId: 'corpus-test-instance', addresses: ['support@help.example.com'] };

/**
 * Bounce-category files that cannot come out as bounces, each read by hand:
 * - sisimai/mac/lhost-postfix-01.eml has bare-CR line endings (classic Mac OS). No IMAP server hands out such a
 *   message and parseMail reads the whole file as one header line, so there is nothing to classify.
 * - sisimai/bsd/lhost-apachejames-01.eml: its nested multipart's `boundary=` parameter sits on a line of its own
 *   (not folded into Content-Type), so the part has no boundary and parseMail finds no text; what remains is a
 *   `post_master@` sender and the subject "Re:Test message". It is classified automatic (machine sender), and with
 *   its body readable it would be a bounce (see "a daemon with an unhelpful subject" in classify.test.ts).
 * - sisimai/bsd/lhost-fml-02.eml is an fml list server's "you are not a member" notice from `neko-admin@`, with
 *   List-Subscribe and Mailing-List headers: a list robot's reply, not a delivery report. Classified list + automatic.
 */
const NOT_CLASSIFIABLE_AS_BOUNCE: ReadonlyMap<string, ((flags: InboundFlags) => void) | null> = new Map([
  ['sisimai/mac/lhost-postfix-01.eml', null],
  ['sisimai/bsd/lhost-apachejames-01.eml', (flags: InboundFlags) => expect(flags.automatic).toBe(true)],
  [
    'sisimai/bsd/lhost-fml-02.eml',
    (flags: InboundFlags) => expect(flags).toMatchObject({ automatic: true, list: true }),
  ],
]);

const PERSON_CATEGORIES = new Set(['plain', 'reply-quoted', 'attachment', 'charset', 'html', 'forwarded']);

interface Classified {
  row: ManifestRow;
  flags: InboundFlags;
  /** Content types of the attachments, to know which bounces carried a delivery-status part. */
  partTypes: string[];
  report: BounceReport | null;
}

const manifest = readManifest();
const results = new Map<string, Classified>();
let spoolRoot: string;

beforeAll(async () => {
  spoolRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-bounce-test-'));
  for (const row of manifest) {
    let mail: ParsedMail;
    try {
      mail = await parseMail(fs.createReadStream(corpusFile(row.localPath)), { spoolDir: spoolRoot });
    } catch {
      continue; // unparsable malformed fixtures are parse.test.ts's business
    }
    try {
      const flags = classifyParsedMail(mail, OWN);
      const report = flags.bounce || row.category === 'bounce' ? await parseBounce(mail) : null;
      results.set(row.localPath, {
        row,
        flags,
        partTypes: mail.attachments.map((a) => a.contentType),
        report,
      });
    } finally {
      await removeSpooledAttachments(mail);
    }
  }
});

afterAll(() => {
  fs.rmSync(spoolRoot, { recursive: true, force: true });
});

function inCategory(category: string): Classified[] {
  return [...results.values()].filter((result) => result.row.category === category);
}

function resultFor(localPath: string): Classified {
  const result = results.get(localPath);
  expect(result, `${localPath} is in the manifest and parses`).toBeDefined();
  return result!;
}

const hasDeliveryStatusPart = (result: Classified): boolean =>
  result.partTypes.some(
    (type) => type === 'message/delivery-status' || type === 'message/global-delivery-status'
  );

describe('corpus: bounces', () => {
  it('parses every bounce in the manifest', () => {
    const bounces = manifest.filter((row) => row.category === 'bounce');
    expect(bounces.length).toBeGreaterThan(50);
    expect(bounces.filter((row) => !results.has(row.localPath)).map((row) => row.localPath)).toEqual([]);
  });

  it('classifies every bounce as a bounce, automatic (never a customer mail), never as out-of-office only', () => {
    const wrong: string[] = [];
    for (const { row, flags } of inCategory('bounce')) {
      const exclusion = NOT_CLASSIFIABLE_AS_BOUNCE.get(row.localPath);
      if (exclusion !== undefined) {
        exclusion?.(flags);
        continue;
      }
      if (!flags.bounce || !flags.automatic || flags.outOfOffice) {
        wrong.push(`${row.localPath}: ${JSON.stringify(flags)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('reads at least one recipient with an address and a status from every delivery-status part', () => {
    const withPart = inCategory('bounce').filter(hasDeliveryStatusPart);
    expect(withPart.length).toBeGreaterThan(35);
    const missing = withPart
      .filter(
        ({ report }) =>
          !report?.standard || !report.recipients.some((r) => r.recipient.includes('@') && r.status)
      )
      .map(({ row, report }) => `${row.localPath}: ${JSON.stringify(report)}`);
    expect(missing).toEqual([]);
  });

  it('prints a summary', () => {
    const bounces = inCategory('bounce');
    const withStatus = bounces.filter(({ report }) =>
      report?.recipients.some((r) => r.recipient.includes('@') && r.status !== null)
    );
    const withRecipient = bounces.filter(({ report }) => (report?.recipients.length ?? 0) > 0);
    const withOriginal = bounces.filter(({ report }) => report?.originalMessageId);
    console.log(
      `bounce corpus: ${bounces.length} bounces, ${bounces.filter((b) => b.flags.bounce).length} classified as bounce, ` +
        `${bounces.filter(hasDeliveryStatusPart).length} with a delivery-status part, ` +
        `${withRecipient.length} with a recipient, ${withStatus.length} with recipient + status, ` +
        `${withOriginal.length} with the original Message-ID; ` +
        `list: ${inCategory('list').filter((l) => l.flags.list).length} of ${inCategory('list').length} flagged list`
    );
    expect(withStatus.length).toBeGreaterThan(50);
  });

  it('discourse/bounced_email.eml: Postfix, 5.1.1 for linux-admin@b-s-c.co.jp', () => {
    const { report, flags } = resultFor('discourse/bounced_email.eml');
    expect(flags.reportType).toBe('delivery-status');
    expect(report).toMatchObject({
      standard: true,
      recipients: [
        {
          recipient: 'linux-admin@b-s-c.co.jp',
          originalRecipient: 'linux-admin@b-s-c.co.jp',
          action: 'failed',
          status: '5.1.1',
          permanent: true,
          diagnostic: 'unknown user: "linux-admin"',
        },
      ],
      // The returned message has no Message-ID header, and the text quotes none.
      originalMessageId: null,
    });
  });

  it('discourse/bounced_email_multiple_status_codes.eml: two recipient blocks', () => {
    const { report } = resultFor('discourse/bounced_email_multiple_status_codes.eml');
    expect(report?.recipients.map((r) => [r.recipient, r.status, r.permanent])).toEqual([
      ['linux-admin@b-s-c.co.jp', '5.1.1', true],
      ['foo@b-s-c.co.jp', '5.1.1', true],
    ]);
  });

  it('mikel-mail report_422.eml: a delay warning with text/rfc822-headers', () => {
    const { report } = resultFor('mikel-mail/multipart_report_emails/report_422.eml');
    expect(report).toMatchObject({
      standard: true,
      recipients: [
        {
          recipient: 'fraser@oooooooo.com.au',
          action: 'delayed',
          status: '4.2.2',
          permanent: false,
        },
      ],
      originalMessageId: '15655788.13.1200472642578.javamail.administrator@mail.ttttt.com.au',
    });
    expect(report?.recipients[0].diagnostic).toMatch(/^452 4\.2\.2 <fraser@oooooooo\.com\.au>/);
  });

  it('flanker/bounce/delayed.eml: gave up after 5 days on a temporary error (4.0.0), not permanent', () => {
    // The fixture is named "delayed" but its report says "Action: failed" with a class 4 status: the MTA stopped
    // retrying a temporary failure. The address may work tomorrow, so it must not count as permanent.
    const { report } = resultFor('flanker/bounce/delayed.eml');
    expect(report?.recipients).toEqual([
      {
        recipient: 'foo@example.com',
        originalRecipient: 'foo@example.com',
        action: 'failed',
        status: '4.0.0',
        permanent: false,
        diagnostic: '426 connection timed out',
      },
    ]);
  });

  it('flanker/bounce/no-mx.eml: Action delayed', () => {
    const { report } = resultFor('flanker/bounce/no-mx.eml');
    expect(report?.recipients[0]).toMatchObject({
      recipient: 'user@example.com',
      action: 'delayed',
      status: '4.4.4',
      permanent: false,
    });
  });

  it('zammad mail033: finds the original Message-ID of the returned Zammad notification', () => {
    const { report } = resultFor('zammad/mail033-undelivered-mail-returned-to-sender-notification.box');
    expect(report).toMatchObject({
      standard: true,
      originalMessageId:
        'notification.20150830145600.1.4.5f4fd063-f69b-4e64-a92d-5e7128bd6682@127.0.0.1:3000',
      originalRecipients: ['not_existing@znuny.com'],
      recipients: [
        { recipient: 'not_existing@znuny.com', action: 'failed', status: '5.1.1', permanent: true },
      ],
    });
  });

  it('reads what it can from non-standard bounces', () => {
    expect(resultFor('sisimai/bsd/lhost-qmail-01.eml').report).toMatchObject({
      standard: false,
      recipients: [{ recipient: 'kijitora@example.ne.jp', status: '5.5.0', permanent: true }],
      originalMessageId: '000000000.9999999999999.javamail.postmaster@mailhub',
    });
    expect(resultFor('sisimai/bsd/lhost-yahoo-01.eml').report?.recipients).toMatchObject([
      { recipient: 'kijitora@example.org', action: 'failed', status: '5.1.1', permanent: true },
    ]);
    // Fields pasted into the text (Amazon WorkMail).
    expect(resultFor('sisimai/bsd/lhost-amazonworkmail-01.eml').report).toMatchObject({
      standard: false,
      recipients: [{ recipient: 'kijitora@example.jp', action: 'failed', status: '5.1.1' }],
    });
    // Exchange 2003 names the recipient but no code: nothing permanent on a guess.
    expect(resultFor('sisimai/bsd/lhost-exchange2003-01.eml').report?.recipients).toEqual([
      expect.objectContaining({ recipient: 'kijitora@example.jp', status: null, permanent: false }),
    ]);
    // A carrier's no-reply robot with the returned message attached.
    expect(resultFor('sisimai/bsd/lhost-kddi-01.eml').report).toMatchObject({
      recipients: [{ recipient: 'kijitora@x0000000000000.dion.ne.jp' }],
      originalMessageId: '2013000000000000@example.jp',
    });
  });
});

describe('corpus: auto-replies, lists and people', () => {
  it('classifies every auto-reply as automatic, and as auto-reply or out-of-office', () => {
    const replies = inCategory('auto-reply');
    expect(replies.length).toBeGreaterThan(5);
    const wrong = replies
      .filter(({ flags }) => !flags.automatic || !(flags.autoReply || flags.outOfOffice) || flags.bounce)
      .map(({ row, flags }) => `${row.localPath}: ${JSON.stringify(flags)}`);
    expect(wrong).toEqual([]);
  });

  it('recognises the out-of-office replies among them', () => {
    expect(resultFor('sisimai/bsd/rfc3834-04.eml').flags.outOfOffice).toBe(true); // Exchange, "Automatic reply:"
    expect(resultFor('sisimai/bsd/rfc3834-03.eml').flags.outOfOffice).toBe(true); // iCloud vacation
  });

  it('flags the mailing-list posts that still carry their list headers', () => {
    // Some notmuch archive copies had their list headers stripped, so only these two are asserted.
    expect(resultFor('discourse/mailinglist.eml').flags).toMatchObject({
      list: true,
      automatic: true,
      bounce: false,
    });
    expect(resultFor('discourse/bottom_reply.eml').flags).toMatchObject({
      list: true,
      automatic: true,
      bounce: false,
    });
  });

  it('never takes a person’s mail for a bounce', () => {
    const people = [...results.values()].filter(({ row }) => PERSON_CATEGORIES.has(row.category));
    expect(people.length).toBeGreaterThan(200);
    const wrong = people
      .filter(({ flags }) => flags.bounce)
      .map(({ row, flags }) => `${row.localPath}: ${flags.reasons.join('; ')}`);
    expect(wrong).toEqual([]);
  });

  it('reads abuse reports as automatic, not as bounces', () => {
    for (const localPath of [
      'postal-mime/arf.eml',
      'sisimai/bsd/arf-01.eml',
      'flanker/complaints/yahoo.eml',
    ]) {
      expect(resultFor(localPath).flags, localPath).toMatchObject({
        bounce: false,
        automatic: true,
        reportType: 'feedback-report',
      });
    }
  });
});

describe('bounce helpers', () => {
  it('isPermanentStatus: class 5 only', () => {
    expect(isPermanentStatus('5.1.1')).toBe(true);
    expect(isPermanentStatus(' 5.7.606 ')).toBe(true);
    expect(isPermanentStatus('4.2.2')).toBe(false);
    expect(isPermanentStatus('2.0.0')).toBe(false);
    expect(isPermanentStatus('550')).toBe(false);
    expect(isPermanentStatus('5.1')).toBe(false);
    expect(isPermanentStatus(null)).toBe(false);
    expect(isPermanentStatus(undefined)).toBe(false);
  });

  it('parseDeliveryStatus: per-message block, recipient blocks, folding, case, type prefixes', () => {
    const status = parseDeliveryStatus(
      [
        'reporting-mta: dns; mx.example.net',
        'Original-Envelope-Id: ENV-42',
        '',
        'FINAL-RECIPIENT: RFC822; <Jane@Example.COM>',
        'Action: Failed',
        'Status: 5.1.1 (bad destination mailbox address)',
        'Diagnostic-Code: smtp; 550 5.1.1 <jane@example.com>:',
        '    Recipient address rejected: User unknown',
        '',
        'Original-Recipient: rfc822;bob+tag@example.org',
        'Final-Recipient: rfc822;bob@example.org',
        'Action: delayed',
        'Status: 4.4.1',
        '',
        'Final-Recipient: rfc822; carol@example.org',
        'Action: failed',
        '',
        'Final-Recipient: utf-8; j\\x{00F6}rg@example.de',
        'Action: delivered',
        'Status: 2.0.0',
      ].join('\r\n')
    );
    expect(status).toEqual({
      reportingMta: 'mx.example.net',
      originalEnvelopeId: 'ENV-42',
      recipients: [
        {
          recipient: 'jane@example.com',
          originalRecipient: null,
          action: 'failed',
          status: '5.1.1',
          permanent: true,
          diagnostic: '550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown',
        },
        {
          recipient: 'bob@example.org',
          originalRecipient: 'bob+tag@example.org',
          action: 'delayed',
          status: '4.4.1',
          permanent: false,
          diagnostic: null,
        },
        // Failed without a status: permanent, as RFC 3464 "failed" means the MTA gave up.
        {
          recipient: 'carol@example.org',
          originalRecipient: null,
          action: 'failed',
          status: null,
          permanent: true,
          diagnostic: null,
        },
        {
          recipient: 'jörg@example.de',
          originalRecipient: null,
          action: 'delivered',
          status: '2.0.0',
          permanent: false,
          diagnostic: null,
        },
      ],
    });
  });

  it('parseDeliveryStatus: a status only in the diagnostic, an unknown action', () => {
    expect(
      parseDeliveryStatus(
        'Final-Recipient: rfc822; a@b.example\nAction: bounced\nDiagnostic-Code: smtp; 550 5.2.2 full'
      ).recipients
    ).toEqual([
      {
        recipient: 'a@b.example',
        originalRecipient: null,
        action: null,
        status: '5.2.2',
        permanent: true,
        diagnostic: '550 5.2.2 full',
      },
    ]);
  });

  it('VERP addresses carry a token that verpTokenOf finds again', () => {
    const token = createVerpToken();
    expect(token).toMatch(/^[0-9a-f]{24}$/);
    const address = verpAddress('bounces', 'Help.Example.com', token);
    expect(address).toBe(`bounces+b${token}@help.example.com`);
    expect(verpTokenOf([address])).toBe(token);
    expect(verpTokenOf(['jane@customer.example', `"Bounces" <${address.toUpperCase()}>`])).toBe(token);
    expect(verpTokenOf(['jane@customer.example', 'support@help.example.com'])).toBeNull();
    // The local part's own +tag is replaced, not kept.
    expect(verpAddress('bounces+old', 'example.com', token)).toBe(`bounces+b${token}@example.com`);
    expect(() => verpAddress('bounces', 'example.com', 'short')).toThrow();
    expect(() => verpAddress('bounces', 'example.com', token.toUpperCase())).toThrow();
    expect(() => verpAddress('', 'example.com', token)).toThrow();
  });

  it('VERP tokens and reply tokens never pass for each other', () => {
    const replyTokenAddress = 'support+t1234.k3j9x2m4q8w7r5t6@example.com';
    expect(verpTokenOf([replyTokenAddress])).toBeNull();
    expect(tokenFromAddress(verpAddress('support', 'example.com', createVerpToken()))).toBeNull();
  });

  it('parseBounce finds the VERP token in the envelope headers', async () => {
    const token = createVerpToken();
    const mail: ParsedMail = {
      messageId: 'x@mx.example.net',
      inReplyTo: [],
      references: [],
      from: { address: 'mailer-daemon@mx.example.net', name: '' },
      replyTo: [],
      to: [{ address: 'bounces@help.example.com', name: '' }],
      cc: [],
      subject: 'failure notice',
      date: null,
      headers: { 'delivered-to': `bounces+b${token}@help.example.com`, to: 'bounces@help.example.com' },
      text: 'Hi. This is the qmail-send program.\n\n<gone@customer.example>:\n550 5.1.1 mailbox unavailable\n',
      html: null,
      attachments: [],
      warnings: [],
    };
    expect(await parseBounce(mail)).toEqual({
      standard: false,
      recipients: [
        {
          recipient: 'gone@customer.example',
          originalRecipient: null,
          action: 'failed',
          status: '5.1.1',
          permanent: true,
          diagnostic: '550 5.1.1 mailbox unavailable',
        },
      ],
      originalMessageId: null,
      originalRecipients: [],
      originalEnvelopeId: null,
      reportingMta: null,
      verpToken: token,
    });
    expect(await parseBounce({ ...mail, headers: {}, text: 'Hello there' })).toBeNull();
  });

  it('every pattern passes the rule engine’s linearity check', () => {
    for (const pattern of BOUNCE_PATTERNS) {
      expect(regexSafety(pattern.source, pattern.flags), pattern.source.slice(0, 60)).toBe('safe');
    }
  });

  it('stays fast on a hostile delivery-status body', () => {
    const started = performance.now();
    parseDeliveryStatus(
      ('Final-Recipient: rfc822; ' + 'a'.repeat(3000) + '\n ' + ' '.repeat(3000) + '\n\n').repeat(80)
    );
    parseDeliveryStatus('X'.repeat(200_000) + ':' + ' '.repeat(50_000));
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
