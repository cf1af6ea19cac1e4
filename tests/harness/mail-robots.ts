/**
 * Scripted mail robots for loop tests: each reads one mail the plugin sent (as the SMTP sink captured it) and returns
 * the raw RFC 5322 text (CRLF line ends) of its answer, or null when it stays silent. The loop test delivers the
 * answer back into the plugin's mailbox and counts what the plugin sends next.
 *
 * The robots span the range of what a help desk meets in the wild, from the well-behaved to the worst case:
 * - {@link createRfcVacationResponder}: RFC 3834 / RFC 5230 (Sieve vacation), honours every "do not answer" sign;
 * - {@link createExchangeOutOfOffice}: what Exchange sends (headers as in sisimai's rfc3834-04.eml, an Exchange 2010
 *   reply: no Auto-Submitted, only X-Auto-Response-Suppress with X-MS-Exchange-Inbox-Rules-Loop);
 * - {@link naiveResponder}: answers everything and marks nothing — only the plugin's own counting can stop it;
 * - {@link bouncingMta} and {@link nonStandardBounce}: a Postfix DSN and a qmail "failure notice".
 *
 * Answers go to the mail's Reply-To (else From), where a person's client would send them; bounces go to the envelope
 * sender, where an MTA sends them (that is where VERP tokens live). The answers carry the Return-Path the final MTA
 * would add (`<>` for automatic answers sent with a null sender), so what lands in the mailbox is what a server stores.
 *
 * No vitest imports: scripts can use it too.
 */
import crypto from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { CapturedMail } from './smtp-sink';

/** A robot: the raw answer to `mail`, written as `robotAddress`, or null when it stays silent. */
export type MailRobot = (mail: CapturedMail, robotAddress: string) => string | null;

/* ------------------------------------------------------------------------------------------------ */
/* Reading the captured mail                                                                        */
/* ------------------------------------------------------------------------------------------------ */

function firstAddress(value: AddressObject | AddressObject[] | undefined): string | null {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  for (const object of objects) {
    for (const entry of object.value) {
      if (entry.address) return entry.address.toLowerCase();
    }
  }
  return null;
}

function allAddresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return objects.flatMap((object) =>
    object.value.flatMap((entry) => (entry.address ? [entry.address.toLowerCase()] : []))
  );
}

/** Where a person's answer to `mail` goes: the Reply-To address, else the From address; null when it has neither. */
export function robotAnswerTo(mail: CapturedMail): string | null {
  return firstAddress(mail.parsed.replyTo) ?? firstAddress(mail.parsed.from);
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** `<id@host>` of the captured mail, or null. */
function messageIdOf(mail: CapturedMail): string | null {
  const id = mail.parsed.messageId?.trim();
  if (!id) return null;
  return id.startsWith('<') ? id : `<${id}>`;
}

function referencesOf(mail: CapturedMail): string[] {
  const value = mail.parsed.references;
  const list = value === undefined ? [] : Array.isArray(value) ? value : value.split(/\s+/);
  return list.filter((id) => id !== '').map((id) => (id.startsWith('<') ? id : `<${id}>`));
}

/** The header section of the raw mail, as sent (CRLF), without the blank line that ends it. */
function rawHeaderSection(raw: string): string {
  const normalised = raw.replace(/\r?\n/g, '\r\n');
  const end = normalised.indexOf('\r\n\r\n');
  return end === -1 ? normalised : normalised.slice(0, end);
}

/* ------------------------------------------------------------------------------------------------ */
/* Writing the answer                                                                               */
/* ------------------------------------------------------------------------------------------------ */

type Header = [name: string, value: string | null | undefined];

/** RFC 5322 date in UTC, e.g. `Wed, 15 Jan 2025 12:00:00 +0000`. */
function rfc5322Date(date = new Date()): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

function freshMessageId(domain: string): string {
  return `<${crypto.randomUUID()}@${domain}>`;
}

/** Non-ASCII header text as RFC 2047 encoded words of at most 75 characters each, never splitting a character. */
function encodeWords(value: string): string {
  // Printable ASCII and tab stay as they are.
  if (/^[\x20-\x7e\t]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const character of value) {
    if (Buffer.byteLength(chunk + character, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += character;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
}

/**
 * `Name: value`, folded at blanks so no line runs past 78 characters where that is possible; never right after the
 * colon, which some parsers read as a value starting with a blank.
 */
function headerLine(name: string, value: string): string {
  const words = `${name}: ${value}`.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const [index, word] of words.entries()) {
    if (index > 1 && line.length + 1 + word.length > 78) {
      lines.push(line);
      line = ` ${word}`;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join('\r\n');
}

function headerBlock(headers: Header[]): string {
  return headers
    .filter((header): header is [string, string] => header[1] !== null && header[1] !== undefined)
    .map(([name, value]) => headerLine(name, value))
    .join('\r\n');
}

/** A text/plain body: 7bit when it is short-lined ASCII, else base64 of UTF-8 (quoted text may be anything). */
function textPart(text: string): { headers: Header[]; body: string } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  // eslint-disable-next-line no-control-regex -- ASCII without NUL, line ends handled above
  if (lines.every((line) => line.length <= 900 && /^[\x01-\x7f]*$/.test(line))) {
    return {
      headers: [
        ['Content-Type', 'text/plain; charset=us-ascii'],
        ['Content-Transfer-Encoding', '7bit'],
      ],
      body: lines.join('\r\n'),
    };
  }
  const base64 = Buffer.from(lines.join('\r\n'), 'utf8').toString('base64');
  return {
    headers: [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Content-Transfer-Encoding', 'base64'],
    ],
    body: (base64.match(/.{1,76}/g) ?? []).join('\r\n'),
  };
}

function message(headers: Header[], body: string): string {
  return `${headerBlock(headers)}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}\r\n`;
}

/** An answer threaded under `mail` (RFC 5322 §3.6.4): In-Reply-To its Message-ID, References extended by it. */
function threading(mail: CapturedMail): Header[] {
  const id = messageIdOf(mail);
  const references = id ? [...referencesOf(mail), id] : referencesOf(mail);
  return [
    ['In-Reply-To', id],
    ['References', references.length > 0 ? references.join(' ') : null],
  ];
}

function subjectOf(mail: CapturedMail): string {
  return (mail.parsed.subject ?? '').trim();
}

/* ------------------------------------------------------------------------------------------------ */
/* RFC 3834 / RFC 5230 vacation responder                                                           */
/* ------------------------------------------------------------------------------------------------ */

/** Senders RFC 5230 §4.5 names as never to be answered, and the no-reply robots. Linear: prefix, then `[^@]*@`. */
const ROBOT_SENDER =
  /^(?:mailer[-_]?daemon|post[-_]?master|no[-_.]?reply|do[-_.]?not[-_.]?reply|listserv|majordomo|owner-|bounce)[^@]*@|^[^@]*-request@/i;

/** Any `List-*` header (RFC 2369, RFC 2919) at the start of a header line. */
const LIST_HEADER = /^list-[a-z0-9-]*[ \t]*:/im;

/**
 * A Sieve `vacation` action as RFC 5230 and RFC 3834 ask for: silent for automatic mail (Auto-Submitted other than
 * `no`), Precedence bulk/list/junk, mailing-list mail (any `List-*` header), robot senders, a null envelope sender and
 * mail not addressed to it in To or Cc; otherwise one answer per sender for the responder's lifetime (Sieve's
 * `:days`, with a period longer than any test). Its answer is `Auto-Submitted: auto-replied`, subject
 * `Auto: <subject>`, threaded under the mail.
 */
export function createRfcVacationResponder(
  options: { body?: string } = {}
): MailRobot & { answered: ReadonlySet<string> } {
  const answered = new Set<string>();
  const robot = (mail: CapturedMail, robotAddress: string): string | null => {
    const to = robotAnswerTo(mail);
    if (to === null) return null;
    const autoSubmitted = mail.header('auto-submitted');
    if (autoSubmitted !== undefined && !/^\s*no\b/i.test(autoSubmitted)) return null;
    const precedence = mail.header('precedence')?.trim().toLowerCase();
    if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk') return null;
    // From the raw header section: mailparser folds List-* headers into one structured `list` entry.
    if (LIST_HEADER.test(rawHeaderSection(mail.raw))) return null;
    // RFC 3834 §2: never answer a null envelope sender (a bounce or another automatic answer).
    if (mail.envelopeFrom.trim() === '') return null;
    const senders = [to, firstAddress(mail.parsed.from), mail.envelopeFrom.toLowerCase()];
    if (senders.some((sender) => sender !== null && ROBOT_SENDER.test(sender))) return null;
    // RFC 5230 §4.5: only mail that names the user in To or Cc (not Bcc, not a list it reached through).
    const me = robotAddress.toLowerCase();
    if (![...allAddresses(mail.parsed.to), ...allAddresses(mail.parsed.cc)].includes(me)) return null;
    if (answered.has(to)) return null;
    answered.add(to);

    const text = textPart(
      options.body ??
        'I am away until next month and will read your message when I am back.\n\n' +
          'This is an automatic answer; you will get it only once.'
    );
    return message(
      [
        ['Return-Path', '<>'],
        ['Date', rfc5322Date()],
        ['From', robotAddress],
        ['To', to],
        ['Subject', encodeWords(`Auto: ${subjectOf(mail)}`)],
        ['Message-ID', freshMessageId(domainOf(robotAddress))],
        ...threading(mail),
        ['Auto-Submitted', 'auto-replied'],
        ['MIME-Version', '1.0'],
        ...text.headers,
      ],
      text.body
    );
  };
  return Object.assign(robot, { answered: answered as ReadonlySet<string> });
}

/* ------------------------------------------------------------------------------------------------ */
/* Naive responder                                                                                  */
/* ------------------------------------------------------------------------------------------------ */

/**
 * The worst case: answers every mail, automatic or not, every time; sets no automatic header at all; rewrites the
 * subject; quotes the original; keeps In-Reply-To (and nothing else of the thread). Nothing on the inbound side can
 * tell it from a person, so it is exactly the robot the plugin's rate limits and breaker exist for.
 */
export function createNaiveResponder(
  options: {
    /** `re`: "Re: <subject>"; `thanks`: "Thanks! <subject>"; `own`: a fixed subject of its own (no ticket token survives). */
    subject?: 're' | 'thanks' | 'own';
    /**
     * `from`: answer the From address and drop In-Reply-To, as a broken autoresponder that copies nothing of the
     * thread does. Each answer then reaches the help desk as a fresh mail: the loop only counting can stop.
     */
    answer?: 'reply-to' | 'from';
  } = {}
): MailRobot {
  return (mail, robotAddress) => {
    const keepThread = options.answer !== 'from';
    const to = keepThread ? robotAnswerTo(mail) : firstAddress(mail.parsed.from);
    if (to === null) return null;
    const original = subjectOf(mail);
    const subject =
      options.subject === 'own'
        ? 'Thank you for contacting Acme'
        : options.subject === 'thanks'
          ? `Thanks! ${original}`
          : `Re: ${original}`;
    const from = mail.parsed.from?.text || to;
    const date = mail.parsed.date ? rfc5322Date(mail.parsed.date) : 'an earlier date';
    const quoted = (mail.parsed.text ?? '')
      .replace(/\r\n?/g, '\n')
      .replace(/\n+$/, '')
      .split('\n')
      .map((line) => (line === '' ? '>' : `> ${line}`))
      .join('\n');
    const text = textPart(`Thank you, noted!\n\nOn ${date}, ${from} wrote:\n${quoted}`);
    return message(
      [
        ['Return-Path', `<${robotAddress}>`],
        ['Date', rfc5322Date()],
        ['From', robotAddress],
        ['To', to],
        ['Subject', encodeWords(subject)],
        ['Message-ID', freshMessageId(domainOf(robotAddress))],
        ['In-Reply-To', keepThread ? messageIdOf(mail) : null],
        ['MIME-Version', '1.0'],
        ...text.headers,
      ],
      text.body
    );
  };
}

/** {@link createNaiveResponder} with `Re: <subject>`. Stateless: it answers every mail, every time. */
export const naiveResponder: MailRobot = createNaiveResponder();

/* ------------------------------------------------------------------------------------------------ */
/* Exchange out of office                                                                           */
/* ------------------------------------------------------------------------------------------------ */

/**
 * An Exchange out-of-office reply. By default the headers of the Exchange 2010 reply in the shared corpus
 * (sisimai/bsd/rfc3834-04.eml): subject `Automatic reply: <subject>`, `X-Auto-Response-Suppress: All`,
 * `X-MS-Exchange-Inbox-Rules-Loop: <the mailbox>`, empty `X-MS-Has-Attach` / `X-MS-TNEF-Correlator`, and no
 * Auto-Submitted — so only that header pair gives it away. `autoSubmitted: true` adds `Auto-Submitted: auto-generated`,
 * which newer Exchange Online replies are reported to carry (not in the corpus; unverified).
 *
 * Like Exchange, it answers each sender once while the reply is switched on (per factory), and stays silent when the
 * mail asks for no out-of-office answer (X-Auto-Response-Suppress All or OOF, MS-OXCMAIL) or has a null sender.
 */
export function createExchangeOutOfOffice(
  options: { autoSubmitted?: boolean; body?: string } = {}
): MailRobot & { answered: ReadonlySet<string> } {
  const answered = new Set<string>();
  const robot = (mail: CapturedMail, robotAddress: string): string | null => {
    const to = robotAnswerTo(mail);
    if (to === null) return null;
    const suppress = mail.header('x-auto-response-suppress') ?? '';
    if (/\b(?:all|oof)\b/i.test(suppress)) return null;
    if (mail.envelopeFrom.trim() === '') return null;
    if (answered.has(to)) return null;
    answered.add(to);

    const original = subjectOf(mail);
    const text = textPart(
      options.body ??
        'I am out of the office with limited access to email. I will respond to your message when I return.'
    );
    return message(
      [
        ['Return-Path', '<>'],
        ['From', robotAddress],
        ['To', to],
        ['Subject', encodeWords(`Automatic reply: ${original}`)],
        ['Thread-Topic', original === '' ? null : encodeWords(original)],
        ['Date', rfc5322Date()],
        ['Message-ID', freshMessageId(domainOf(robotAddress))],
        ...threading(mail),
        ['Auto-Submitted', options.autoSubmitted ? 'auto-generated' : null],
        ['X-MS-Has-Attach', ''],
        ['X-Auto-Response-Suppress', 'All'],
        ['X-MS-Exchange-Inbox-Rules-Loop', robotAddress],
        ['X-MS-TNEF-Correlator', ''],
        ['MIME-Version', '1.0'],
        ...text.headers,
      ],
      text.body
    );
  };
  return Object.assign(robot, { answered: answered as ReadonlySet<string> });
}

/* ------------------------------------------------------------------------------------------------ */
/* Bounces                                                                                          */
/* ------------------------------------------------------------------------------------------------ */

const DIAGNOSTIC = (recipient: string) =>
  `550 5.1.1 <${recipient}>: Recipient address rejected: User unknown in local recipient table`;

/**
 * A Postfix delivery status notification (RFC 3464 / RFC 6522) saying `robotAddress` does not exist: from
 * MAILER-DAEMON at the robot's domain, `Return-Path: <>`, to the mail's envelope sender (with its VERP token),
 * `multipart/report; report-type=delivery-status` with a text part, a `message/delivery-status` part (Final-Recipient,
 * Action failed, Status 5.1.1, Diagnostic-Code) and the original headers as `text/rfc822-headers`. Silent for a null
 * envelope sender: an MTA never bounces a bounce.
 */
export const bouncingMta: MailRobot = (mail, robotAddress) => {
  const returnTo = mail.envelopeFrom.trim();
  if (returnTo === '') return null;
  const domain = domainOf(robotAddress);
  const host = `mx.${domain}`;
  const queueId = crypto.randomBytes(5).toString('hex').toUpperCase();
  const boundary = `${queueId}.${Date.now()}/${host}`;
  const now = rfc5322Date();
  const parts = [
    [
      'Content-Description: Notification',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      `This is the mail system at host ${host}.`,
      '',
      "I'm sorry to have to inform you that your message could not",
      "be delivered to one or more recipients. It's attached below.",
      '',
      'For further assistance, please send mail to <postmaster>',
      '',
      'If you do so, please include this problem report. You can',
      'delete your own text from the attached returned message.',
      '',
      '                   The mail system',
      '',
      `<${robotAddress}>: host ${host}[192.0.2.25] said: ${DIAGNOSTIC(robotAddress)}`,
      '    (in reply to RCPT TO command)',
    ].join('\r\n'),
    [
      'Content-Description: Delivery report',
      'Content-Type: message/delivery-status',
      '',
      `Reporting-MTA: dns; ${host}`,
      `X-Postfix-Queue-ID: ${queueId}`,
      `X-Postfix-Sender: rfc822; ${returnTo}`,
      `Arrival-Date: ${now}`,
      '',
      `Final-Recipient: rfc822; ${robotAddress}`,
      `Original-Recipient: rfc822;${robotAddress}`,
      'Action: failed',
      'Status: 5.1.1',
      `Remote-MTA: dns; ${host}`,
      `Diagnostic-Code: smtp; ${DIAGNOSTIC(robotAddress)}`,
    ].join('\r\n'),
    [
      'Content-Description: Undelivered Message Headers',
      'Content-Type: text/rfc822-headers',
      '',
      rawHeaderSection(mail.raw),
    ].join('\r\n'),
  ];
  const body = [
    'This is a MIME-encapsulated message.',
    '',
    ...parts.flatMap((part) => [`--${boundary}`, part, '']),
    `--${boundary}--`,
  ].join('\r\n');
  return message(
    [
      ['Return-Path', '<>'],
      ['Date', now],
      ['From', `MAILER-DAEMON@${host} (Mail Delivery System)`],
      ['Subject', 'Undelivered Mail Returned to Sender'],
      ['To', returnTo],
      ['Auto-Submitted', 'auto-replied'],
      ['MIME-Version', '1.0'],
      ['Content-Type', `multipart/report; report-type=delivery-status; boundary="${boundary}"`],
      ['Message-ID', freshMessageId(host)],
    ],
    body
  );
};

/**
 * qmail's "failure notice": plain text, no delivery-status part, the failed address and the SMTP answer in prose,
 * then the whole original message (so its Message-ID is quoted in the body) after qmail's marker line. To the
 * envelope sender, like {@link bouncingMta}; silent for a null envelope sender.
 */
export const nonStandardBounce: MailRobot = (mail, robotAddress) => {
  const returnTo = mail.envelopeFrom.trim();
  if (returnTo === '') return null;
  const host = `mx.${domainOf(robotAddress)}`;
  const body = [
    `Hi. This is the qmail-send program at ${host}.`,
    "I'm afraid I wasn't able to deliver your message to the following addresses.",
    "This is a permanent error; I've given up. Sorry it didn't work out.",
    '',
    `<${robotAddress}>:`,
    `192.0.2.25 does not like recipient.`,
    `Remote host said: 550 5.1.1 <${robotAddress}>... User unknown`,
    'Giving up on 192.0.2.25.',
    '',
    '--- Below this line is a copy of the message.',
    '',
    mail.raw.replace(/\r?\n/g, '\r\n').replace(/(?:\r\n)+$/, ''),
  ].join('\r\n');
  return message(
    [
      ['Return-Path', '<>'],
      ['Date', rfc5322Date()],
      ['From', `MAILER-DAEMON@${host}`],
      ['To', returnTo],
      ['Subject', 'failure notice'],
      ['Message-ID', freshMessageId(host)],
    ],
    body
  );
};

/* ------------------------------------------------------------------------------------------------ */
/* Feeding robots by hand                                                                           */
/* ------------------------------------------------------------------------------------------------ */

function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return headerText(value[0]);
  if (typeof value === 'object' && 'text' in value) return String((value as { text: unknown }).text);
  if (typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value);
  return String(value);
}

/**
 * A {@link CapturedMail} made from raw text, as the SMTP sink would have captured it: for unit tests, and for
 * answering a robot's answer with another robot.
 */
export async function capturedMailOf(
  raw: string,
  envelope: { from: string; to: string[] }
): Promise<CapturedMail> {
  const parsed: ParsedMail = await simpleParser(raw);
  return {
    envelopeFrom: envelope.from,
    envelopeTo: envelope.to.map((address) => address.toLowerCase()),
    raw,
    parsed,
    header: (name) => headerText(parsed.headers.get(name.toLowerCase())),
  };
}

/** Every module-level pattern, so a test can prove each one linear with rules.ts's regexSafety. */
export const ROBOT_PATTERNS: readonly RegExp[] = [ROBOT_SENDER, LIST_HEADER];
