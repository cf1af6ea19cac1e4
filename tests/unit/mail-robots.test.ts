/**
 * The loop-test robots (tests/harness/mail-robots.ts) against hand-made mails shaped like the plugin's own: each
 * answer must parse with the project's parseMail and be classified as what it pretends to be — except the naive
 * responder's, which must look like a person's mail, because that is the case only outbound limits can stop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBounce } from '../../src/mail/bounce/parse-bounce';
import { classifyParsedMail } from '../../src/policy/classify/classify-inbound';
import type { OwnMailIdentity } from '../../src/policy/classify/inbound-flags';
import { removeSpooledAttachments } from '../../src/mail/parse/attachment-spool';
import { parseMail } from '../../src/mail/parse/parse-mail';
import { regexSafety } from '../../src/regex/regex-safety';
import type { ParsedMail } from '../../src/mail/types';
import {
  ROBOT_PATTERNS,
  bouncingMta,
  capturedMailOf,
  createExchangeOutOfOffice,
  createNaiveResponder,
  createRfcVacationResponder,
  naiveResponder,
  nonStandardBounce,
  robotAnswerTo,
  type MailRobot,
} from '../harness/mail-robots';
import type { CapturedMail } from '../harness/smtp-sink';

const ROBOT = 'jane@robot.test';
const VERP_TOKEN = '0123456789abcdef01234567';
const ENVELOPE_FROM = `support+b${VERP_TOKEN}@example.test`;
const REPLY_TO = 'support+t12.abcdefghijklmnop@example.test';
const ORIGINAL_ID = 'ep.t12.abcdefghijklmnop.0f0f0f@example.test';
const OWN: OwnMailIdentity = { instanceId: 'inst-1', addresses: ['support@example.test'] };

/** Headers of an automatic mail of the plugin (see outbound/headers.ts). */
const AUTOMATIC = [
  'Auto-Submitted: auto-replied',
  'X-Auto-Response-Suppress: All',
  'Precedence: bulk',
  'X-Email-Piping-Loop: inst-1',
];

/** A mail as nodemailer writes the plugin's: an agent's reply (no automatic headers) unless `extra` adds them. */
function pluginMail(
  options: {
    extra?: readonly string[];
    from?: string;
    replyTo?: string | null;
    to?: string;
    subject?: string;
    text?: string;
  } = {}
): string {
  return [
    `From: Example Support <${options.from ?? 'support@example.test'}>`,
    `To: ${options.to ?? ROBOT}`,
    ...(options.replyTo === null ? [] : [`Reply-To: ${options.replyTo ?? REPLY_TO}`]),
    `Subject: ${options.subject ?? '[#12] Printer on fire'}`,
    `Message-ID: <${ORIGINAL_ID}>`,
    'In-Reply-To: <first@robot.test>',
    'References: <root@robot.test> <first@robot.test>',
    'Date: Wed, 15 Jan 2025 12:00:00 +0000',
    ...(options.extra ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    options.text ?? '##- Please type your reply above this line -##\r\n\r\nWe replaced the toner.\r\n\r\nSam',
    '',
  ].join('\r\n');
}

function captured(raw: string, envelopeFrom = ENVELOPE_FROM): Promise<CapturedMail> {
  return capturedMailOf(raw, { from: envelopeFrom, to: [ROBOT] });
}

let spoolRoot: string;
const parsedMails: ParsedMail[] = [];

beforeAll(() => {
  spoolRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-robots-'));
});

afterAll(async () => {
  for (const mail of parsedMails) await removeSpooledAttachments(mail);
  fs.rmSync(spoolRoot, { recursive: true, force: true });
});

/** The answer as the plugin would read it. */
async function read(raw: string): Promise<ParsedMail> {
  const mail = await parseMail(raw, { spoolDir: fs.mkdtempSync(path.join(spoolRoot, 'spool-')) });
  parsedMails.push(mail);
  return mail;
}

function answer(robot: MailRobot, mail: CapturedMail): string {
  const raw = robot(mail, ROBOT);
  if (raw === null) throw new Error('expected an answer');
  return raw;
}

/** What every answer must be: CRLF only, lines within RFC 5322's limit, a fresh Message-ID, a Date, From the robot. */
async function expectWellFormed(raw: string, from = ROBOT): Promise<ParsedMail> {
  expect(raw).not.toMatch(/(?<!\r)\n/);
  expect(raw).not.toMatch(/\r(?!\n)/);
  for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  const mail = await read(raw);
  expect(mail.messageId).toMatch(/@/);
  expect(mail.messageId).not.toBe(ORIGINAL_ID);
  expect(mail.date).toBeInstanceOf(Date);
  expect(Math.abs(mail.date!.getTime() - Date.now())).toBeLessThan(60_000);
  expect(mail.from?.address).toBe(from);
  expect(mail.warnings).toEqual([]);
  return mail;
}

describe('robotAnswerTo', () => {
  it('is the Reply-To address, else the From address', async () => {
    expect(robotAnswerTo(await captured(pluginMail()))).toBe(REPLY_TO);
    expect(robotAnswerTo(await captured(pluginMail({ replyTo: null })))).toBe('support@example.test');
    expect(robotAnswerTo(await captured(pluginMail({ replyTo: 'Team <Team@Example.test>' })))).toBe(
      'team@example.test'
    );
  });
});

describe('createRfcVacationResponder', () => {
  it('answers a person’s mail once, as an RFC 3834 auto-reply threaded under it', async () => {
    const vacation = createRfcVacationResponder();
    const mail = await captured(pluginMail());
    const raw = answer(vacation, mail);
    const parsed = await expectWellFormed(raw);
    expect(parsed.to.map((a) => a.address)).toEqual([REPLY_TO]);
    expect(parsed.subject).toBe('Auto: [#12] Printer on fire');
    expect(parsed.headers['auto-submitted']).toBe('auto-replied');
    expect(parsed.inReplyTo).toEqual([ORIGINAL_ID]);
    expect(parsed.references).toEqual(['root@robot.test', 'first@robot.test', ORIGINAL_ID]);
    expect(raw).toMatch(/^Return-Path: <>\r\n/);

    const flags = classifyParsedMail(parsed, OWN);
    expect(flags).toMatchObject({ autoReply: true, automatic: true, bounce: false, ownMail: false });

    // Once per sender: the second mail from the same address gets nothing; another sender does get an answer.
    expect(vacation(mail, ROBOT)).toBeNull();
    expect(vacation(await captured(pluginMail({ replyTo: 'sales@example.test' })), ROBOT)).not.toBeNull();
    expect([...vacation.answered]).toEqual([REPLY_TO, 'sales@example.test']);
    // A fresh responder has forgotten.
    expect(createRfcVacationResponder()(mail, ROBOT)).not.toBeNull();
  });

  it.each([
    ['the plugin’s automatic mail (Auto-Submitted)', { extra: AUTOMATIC }],
    ['Auto-Submitted: auto-generated', { extra: ['Auto-Submitted: auto-generated'] }],
    ['Precedence: bulk alone', { extra: ['Precedence: bulk'] }],
    ['Precedence: list', { extra: ['Precedence: list'] }],
    ['Precedence: junk', { extra: ['Precedence: junk'] }],
    ['a List-Id', { extra: ['List-Id: <users.lists.example.test>'] }],
    ['a List-Unsubscribe', { extra: ['List-Unsubscribe: <mailto:leave@lists.example.test>'] }],
    ['a noreply sender', { from: 'noreply@example.test', replyTo: null }],
    ['a no-reply Reply-To', { replyTo: 'no-reply@example.test' }],
    ['MAILER-DAEMON', { from: 'MAILER-DAEMON@example.test', replyTo: null }],
    ['a list’s -request address', { replyTo: 'users-request@lists.example.test' }],
    ['mail not addressed to it (Bcc or a list)', { to: 'someone-else@robot.test' }],
  ] as const)('stays silent for %s', async (_label, options) => {
    const vacation = createRfcVacationResponder();
    expect(vacation(await captured(pluginMail(options)), ROBOT)).toBeNull();
    expect(vacation.answered.size).toBe(0);
  });

  it('answers Auto-Submitted: no, and stays silent for a null envelope sender', async () => {
    expect(
      createRfcVacationResponder()(await captured(pluginMail({ extra: ['Auto-Submitted: no'] })), ROBOT)
    ).not.toBeNull();
    expect(createRfcVacationResponder()(await captured(pluginMail(), ''), ROBOT)).toBeNull();
  });

  it('encodes a non-ASCII subject', async () => {
    const raw = answer(
      createRfcVacationResponder(),
      await captured(
        pluginMail({
          subject:
            '=?UTF-8?B?' +
            Buffer.from('[#12] Zgłoszenie przyjęte: drukarka płonie — pilne!!', 'utf8').toString('base64') +
            '?=',
        })
      )
    );
    expect(raw).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    const parsed = await expectWellFormed(raw);
    expect(parsed.subject).toBe('Auto: [#12] Zgłoszenie przyjęte: drukarka płonie — pilne!!');
  });
});

describe('naiveResponder', () => {
  it('answers everything, every time, and looks like a person (not automatic)', async () => {
    for (const extra of [[], AUTOMATIC]) {
      const mail = await captured(pluginMail({ extra }));
      const first = answer(naiveResponder, mail);
      const second = answer(naiveResponder, mail);
      const parsed = await expectWellFormed(first);
      const again = await expectWellFormed(second);
      expect(again.messageId).not.toBe(parsed.messageId);
      expect(parsed.to.map((a) => a.address)).toEqual([REPLY_TO]);
      expect(parsed.subject).toBe('Re: [#12] Printer on fire');
      expect(parsed.inReplyTo).toEqual([ORIGINAL_ID]);
      expect(parsed.references).toEqual([]);
      for (const name of [
        'auto-submitted',
        'precedence',
        'x-auto-response-suppress',
        'x-email-piping-loop',
      ]) {
        expect(parsed.headers[name], name).toBeUndefined();
      }
      expect(parsed.text).toContain('> We replaced the toner.');
      expect(parsed.text).toMatch(/On .+, "?Example Support"? <support@example\.test> wrote:/);

      const flags = classifyParsedMail(parsed, OWN);
      expect(flags, flags.reasons.join('; ')).toMatchObject({
        automatic: false,
        autoReply: false,
        outOfOffice: false,
        bounce: false,
        ownMail: false,
      });
    }
  });

  it('can thank instead, and quotes non-ASCII text intact', async () => {
    const thanks = createNaiveResponder({ subject: 'thanks' });
    const mail = await captured(pluginMail({ text: 'Dzień dobry, zgłoszenie #12 przyjęte.' }));
    const parsed = await expectWellFormed(answer(thanks, mail));
    expect(parsed.subject).toBe('Thanks! [#12] Printer on fire');
    expect(parsed.text).toContain('> Dzień dobry, zgłoszenie #12 przyjęte.');
    expect(classifyParsedMail(parsed, OWN).automatic).toBe(false);
  });
});

describe('createExchangeOutOfOffice', () => {
  it('answers a person’s mail once, recognised as an out-of-office by its header pair alone', async () => {
    const exchange = createExchangeOutOfOffice();
    const mail = await captured(pluginMail());
    const raw = answer(exchange, mail);
    const parsed = await expectWellFormed(raw);
    expect(parsed.to.map((a) => a.address)).toEqual([REPLY_TO]);
    expect(parsed.subject).toBe('Automatic reply: [#12] Printer on fire');
    expect(parsed.headers['x-auto-response-suppress']).toBe('All');
    expect(parsed.headers['x-ms-exchange-inbox-rules-loop']).toBe(ROBOT);
    expect(parsed.headers['thread-topic']).toBe('[#12] Printer on fire');
    expect(parsed.headers['auto-submitted']).toBeUndefined();
    expect(parsed.inReplyTo).toEqual([ORIGINAL_ID]);

    const flags = classifyParsedMail(parsed, OWN);
    expect(flags).toMatchObject({ outOfOffice: true, autoReply: true, automatic: true, bounce: false });
    expect(flags.reasons).toContain(
      'Exchange out-of-office (X-Auto-Response-Suppress with X-MS-Exchange-Inbox-Rules-Loop)'
    );

    expect(exchange(mail, ROBOT)).toBeNull();
    expect([...exchange.answered]).toEqual([REPLY_TO]);
  });

  it('is still an out-of-office without the subject prefix (the headers decide)', async () => {
    const raw = answer(createExchangeOutOfOffice(), await captured(pluginMail()));
    const parsed = await read(raw.replace(/^Subject: Automatic reply: /m, 'Subject: '));
    expect(classifyParsedMail(parsed, OWN).outOfOffice).toBe(true);
  });

  it('honours X-Auto-Response-Suppress (All, OOF) and a null sender, like Exchange', async () => {
    for (const value of ['All', 'OOF', 'DR, OOF, AutoReply']) {
      const exchange = createExchangeOutOfOffice();
      expect(
        exchange(await captured(pluginMail({ extra: [`X-Auto-Response-Suppress: ${value}`] })), ROBOT)
      ).toBeNull();
    }
    expect(createExchangeOutOfOffice()(await captured(pluginMail({ extra: AUTOMATIC })), ROBOT)).toBeNull();
    expect(createExchangeOutOfOffice()(await captured(pluginMail(), ''), ROBOT)).toBeNull();
    // DR alone (no delivery receipts) does not stop an out-of-office.
    expect(
      createExchangeOutOfOffice()(
        await captured(pluginMail({ extra: ['X-Auto-Response-Suppress: DR'] })),
        ROBOT
      )
    ).not.toBeNull();
  });

  it('can add the Auto-Submitted header of newer versions', async () => {
    const parsed = await expectWellFormed(
      answer(createExchangeOutOfOffice({ autoSubmitted: true }), await captured(pluginMail()))
    );
    expect(parsed.headers['auto-submitted']).toBe('auto-generated');
    expect(classifyParsedMail(parsed, OWN)).toMatchObject({ outOfOffice: true, autoReply: true });
  });
});

describe('bouncingMta', () => {
  it('writes a Postfix DSN to the envelope sender that parseBounce reads fully', async () => {
    const mail = await captured(pluginMail({ extra: AUTOMATIC }));
    const raw = answer(bouncingMta, mail);
    const parsed = await expectWellFormed(raw, 'mailer-daemon@mx.robot.test');
    expect(raw).toMatch(/^Return-Path: <>\r\n/);
    expect(parsed.to.map((a) => a.address)).toEqual([ENVELOPE_FROM]);
    expect(parsed.headers['content-type']).toMatch(/^multipart\/report; report-type=delivery-status;/);
    expect(parsed.attachments.map((a) => a.contentType)).toEqual([
      'message/delivery-status',
      'text/rfc822-headers',
    ]);
    expect(parsed.text).toContain('could not\nbe delivered');

    const flags = classifyParsedMail(parsed, OWN);
    expect(flags).toMatchObject({ bounce: true, automatic: true, outOfOffice: false, ownMail: false });
    expect(flags.reportType).toBe('delivery-status');

    const report = await parseBounce(parsed);
    expect(report).not.toBeNull();
    expect(report!.standard).toBe(true);
    expect(report!.recipients).toEqual([
      {
        recipient: ROBOT,
        originalRecipient: ROBOT,
        action: 'failed',
        status: '5.1.1',
        permanent: true,
        diagnostic: `550 5.1.1 <${ROBOT}>: Recipient address rejected: User unknown in local recipient table`,
      },
    ]);
    expect(report!.originalMessageId).toBe(ORIGINAL_ID);
    expect(report!.originalRecipients).toEqual([ROBOT]);
    expect(report!.reportingMta).toBe('mx.robot.test');
    expect(report!.verpToken).toBe(VERP_TOKEN);
  });

  it('never bounces a mail with a null envelope sender', async () => {
    expect(bouncingMta(await captured(pluginMail(), ''), ROBOT)).toBeNull();
  });
});

describe('nonStandardBounce', () => {
  it('writes qmail’s failure notice, classified as a bounce and read from its text', async () => {
    const mail = await captured(pluginMail({ extra: AUTOMATIC }));
    const raw = answer(nonStandardBounce, mail);
    const parsed = await expectWellFormed(raw, 'mailer-daemon@mx.robot.test');
    expect(parsed.to.map((a) => a.address)).toEqual([ENVELOPE_FROM]);
    expect(parsed.subject).toBe('failure notice');
    expect(parsed.attachments).toEqual([]);
    expect(parsed.text).toContain(`Message-ID: <${ORIGINAL_ID}>`);

    const flags = classifyParsedMail(parsed, OWN);
    expect(flags).toMatchObject({ bounce: true, automatic: true, outOfOffice: false, reportType: null });

    const report = await parseBounce(parsed);
    expect(report).toMatchObject({
      standard: false,
      originalMessageId: ORIGINAL_ID,
      verpToken: VERP_TOKEN,
    });
    expect(report!.recipients).toHaveLength(1);
    expect(report!.recipients[0]).toMatchObject({
      recipient: ROBOT,
      status: '5.1.1',
      permanent: true,
      action: 'failed',
    });
  });

  it('never bounces a mail with a null envelope sender', async () => {
    expect(nonStandardBounce(await captured(pluginMail(), ''), ROBOT)).toBeNull();
  });
});

describe('robot answers to robot answers', () => {
  it('the RFC responder never answers another robot’s automatic answer; the naive one does', async () => {
    // Each answer is fed to a robot sitting at the address it was sent to (a null envelope sender, as delivered).
    const vacationAnswer = answer(createRfcVacationResponder(), await captured(pluginMail()));
    const bounce = answer(bouncingMta, await captured(pluginMail()));
    const exchangeAnswer = answer(createExchangeOutOfOffice(), await captured(pluginMail()));
    const at = async (raw: string, address: string) => ({
      mail: await capturedMailOf(raw, { from: '', to: [address] }),
      address,
    });
    for (const { mail, address } of [
      await at(vacationAnswer, REPLY_TO),
      await at(bounce, ENVELOPE_FROM),
      await at(exchangeAnswer, REPLY_TO),
    ]) {
      expect(createRfcVacationResponder()(mail, address)).toBeNull();
      expect(createExchangeOutOfOffice()(mail, address)).toBeNull();
      expect(naiveResponder(mail, address)).not.toBeNull();
    }
    // Even with an envelope sender, the RFC responder reads the answer's own headers and stays silent.
    const withSender = await capturedMailOf(vacationAnswer, { from: ROBOT, to: [REPLY_TO] });
    expect(createRfcVacationResponder()(withSender, REPLY_TO)).toBeNull();
  });
});

describe('patterns', () => {
  it('are linear', () => {
    for (const pattern of ROBOT_PATTERNS) expect(regexSafety(pattern.source, pattern.flags)).toBe('safe');
  });
});
