/**
 * Inbound classification for loop and bounce protection (email standards guide, sections 1 and 3). Every message is
 * still imported; these flags only decide what happens around it: a flagged message never causes automatic mail back,
 * a bounce is recorded against the mail it reports on, our own mail coming back creates nothing.
 *
 * Pure: headers, sender, subject and (optionally) a little of the body in, flags out. No I/O, no Strapi.
 *
 * Every regular expression here is linear (no nested quantifiers, no overlapping repetitions next to each other), and
 * runs on input cut to a fixed length first: a hostile message cannot make classification slow.
 */
import { LOOP_HEADER } from '../outbound/headers';
import type { ParsedMail } from './types';

export type MailHeaders = Record<string, string | string[]>;

/** How the plugin recognises its own mail. */
export interface OwnMailIdentity {
  /** The value this instance writes into its loop header ({@link LOOP_HEADER}). Empty: recognise no instance. */
  instanceId: string;
  /** Every address of our own mailboxes; compared without `+tag` and case. */
  addresses: readonly string[];
  /** True when a Message-ID (canonical form: no brackets, lower-cased) is one the plugin generated. */
  isOwnMessageId?(id: string): boolean;
}

/**
 * A little of the body, for bounces that follow no standard (qmail, Exchange 2003, Lotus Domino...): their headers
 * alone often say nothing more than "a daemon wrote this".
 */
export interface BodyEvidence {
  /** The plain-text body; only its beginning is read. */
  text: string;
  /** Content types of the message's attachments (`message/delivery-status`, `message/rfc822`, ...). */
  partTypes: readonly string[];
}

export interface InboundInput {
  /** Lower-cased header names, decoded values, repeated headers as arrays (as {@link ParsedMail.headers}). */
  headers: MailHeaders;
  /** The From address, or null when the message has none. */
  sender: string | null;
  subject: string;
  /** Canonical Message-ID (see message-ids.ts), or null. */
  messageId: string | null;
  own: OwnMailIdentity;
  body?: BodyEvidence;
}

export interface InboundFlags {
  /** Written by a machine on its own (RFC 3834 auto-replied or auto-generated). True for every out-of-office. */
  autoReply: boolean;
  /** An auto-reply saying that the person is away. Never set on a bounce. */
  outOfOffice: boolean;
  /** A delivery failure or delay report (a DSN, or a daemon's non-standard equivalent). */
  bounce: boolean;
  /**
   * A read receipt (RFC 8098 message disposition notification): a report that someone's client showed, deleted or
   * ignored our mail. Automatic, never a bounce: it says nothing about delivery and must suppress nothing.
   */
  readReceipt: boolean;
  /** Mailing-list traffic (List-* headers, Precedence: list). */
  list: boolean;
  /** Our own mail come back (our address, our loop header, our Message-ID): record it, create and send nothing. */
  ownMail: boolean;
  /** Any of the above, or another sign of a machine (daemon or no-reply sender, null Return-Path, X-Loop, a report). */
  automatic: boolean;
  /** X-Auto-Response-Suppress asks for no automatic answer: honour it, but alone it does not make mail automatic. */
  suppressAutoResponse: boolean;
  /** `report-type` of a top-level `multipart/report` (delivery-status, disposition-notification, ...), or null. */
  reportType: string | null;
  /** Human-readable, in the order found, e.g. "Auto-Submitted: auto-replied"; for the receipt and the admin. */
  reasons: string[];
}

/* ------------------------------------------------------------------------------------------------ */
/* Bounded input                                                                                    */
/* ------------------------------------------------------------------------------------------------ */

/** Longer header values are cut before matching (RFC 5322 allows 998 characters per line; folded ones may be more). */
export const MAX_HEADER_VALUE_LENGTH = 2000;
/** Subjects are cut to this before matching; every prefix we look for sits at the start. */
export const MAX_SUBJECT_LENGTH = 500;
/** Only the beginning of a body is searched for bounce wording: the report comes before the returned message. */
export const MAX_BODY_EVIDENCE_LENGTH = 16 * 1024;
/** Reasons quote header values; a quote longer than this is cut. */
const MAX_QUOTED_LENGTH = 120;

function headerValues(headers: MailHeaders, name: string): string[] {
  // Own properties only: `constructor` or `__proto__` must not come from the prototype.
  if (!Object.prototype.hasOwnProperty.call(headers, name)) return [];
  const value = headers[name];
  const values = Array.isArray(value) ? value : [value];
  return values
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.slice(0, MAX_HEADER_VALUE_LENGTH).trim());
}

function firstHeader(headers: MailHeaders, name: string): string | null {
  return headerValues(headers, name)[0] ?? null;
}

function quote(value: string): string {
  return value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…` : value;
}

/**
 * Lower case without diacritics, so that "Réponse automatique", "REPONSE AUTOMATIQUE" and a client that dropped the
 * accent all read the same ("odpowiedź" → "odpowiedz", "automática" → "automatica").
 */
function fold(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** `local+tag@Domain` → `local@domain`. */
function plainAddress(address: string): string {
  return address
    .trim()
    .toLowerCase()
    .replace(/\+[^@]*@/, '@');
}

/* ------------------------------------------------------------------------------------------------ */
/* Senders                                                                                          */
/* ------------------------------------------------------------------------------------------------ */

/** Mail system daemons: what they send is a delivery report or a notice, never a person's message. */
const DAEMON_SENDER = /^(?:mailer[-_]?daemon|post[-_]?master)@/i;
/**
 * Local parts and display names that daemons give themselves beyond the classic two: "Mail Delivery System"
 * (Exim, Gmail's `Mail.Delivery.System@`), "Mail Delivery Subsystem" (Sendmail, Gmail), "Mail Delivery Service",
 * "Mail Administrator" (Yahoo), "Mail System" (Postfix's `Mail Delivery System` variant), "Mailer-Daemon"
 * spelled apart. Matched on the whole folded local part or display name, separators being blank, `.`, `_` or `-`.
 */
const DAEMON_NAME =
  /^(?:mail(?:er)?[\s._-]{0,2}(?:delivery[\s._-]{0,2}(?:system|subsystem|service|agent)|daemon|administrator|system(?:[\s._-]{0,2}administrator)?)|post[\s._-]{0,2}master|mdaemon|delivery[\s._-]{0,2}status[\s._-]{0,2}notification)$/;

/** True for a daemon's address or display name ("Mail Delivery System <Mail.Delivery.System@example.com>"). */
function isDaemonLike(sender: string | null, fromHeader: string | null): boolean {
  if (sender !== null) {
    if (DAEMON_SENDER.test(sender)) return true;
    const local = sender.slice(0, sender.lastIndexOf('@'));
    if (DAEMON_NAME.test(fold(local))) return true;
  }
  // The display name: what comes before `<`, without quotes (a name longer than 200 characters is no daemon's).
  const head = fromHeader === null ? '' : fromHeader.slice(0, 200);
  const bracket = head.indexOf('<');
  return bracket > 0 && DAEMON_NAME.test(fold(head.slice(0, bracket).replace(/"/g, '')).trim());
}
/** List managers: owner-<list>@ receives and sends list bounces, <list>-request@ the list's commands. */
const LIST_ROBOT_SENDER = /^(?:owner-[^@]*|[^@]*-request)@/i;
/** Robots that announce they read nothing (Discourse and Zammad treat them as auto-generated). */
const NO_REPLY_SENDER = /^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?)(?:[-_.+][^@]*)?@/i;
/** `From: MAILER-DAEMON <>` (DragonFly, some Exim set-ups): an explicitly empty From address. */
const NULL_ADDRESS = /<\s*>/;

function isNullReturnPath(value: string | null): boolean {
  if (value === null) return false;
  const trimmed = value.trim();
  // Sendmail writes the null sender as <MAILER-DAEMON> on delivery; some servers store an empty value.
  return trimmed === '' || NULL_ADDRESS.test(trimmed) || /^<?\s*mailer-daemon\s*>?$/i.test(trimmed);
}

/* ------------------------------------------------------------------------------------------------ */
/* Subjects                                                                                         */
/* ------------------------------------------------------------------------------------------------ */

/**
 * Reply and forward prefixes of many languages (`Re:`, `AW:`, `SV:`, `Odp:`, `RE[2]:`...). Applied one at a time in a
 * bounded loop rather than as `(?:prefix)+`, which would be a nested quantifier.
 */
const REPLY_PREFIX =
  /^\s*(?:re|aw|sv|vs|antw|antwort|wg|fw|fwd|tr|rv|ref|odp|pd|vl|vb|res|enc|rif|ynt|atb|bls|r|i)\s?(?:\[\d{1,4}\]|\(\d{1,4}\))?\s?:\s*/;
const MAX_REPLY_PREFIXES = 10;

function subjectAfterReplyPrefixes(folded: string): string {
  let rest = folded;
  for (let i = 0; i < MAX_REPLY_PREFIXES; i++) {
    const match = REPLY_PREFIX.exec(rest);
    if (!match) break;
    rest = rest.slice(match[0].length);
  }
  return rest.trimStart();
}

/**
 * A phrase as a regular expression source for folded text: a space stands for up to three blanks, `-` or `_`, an
 * apostrophe for either apostrophe or none ("couldn't", "couldn’t", "couldnt").
 */
function phraseSource(phrase: string): string {
  return fold(phrase)
    .split(' ')
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "['’]?"))
    .join('[\\s_-]{0,3}');
}

/**
 * A subject that starts with one of `phrases` (after reply prefixes and an optional `[` or `(`), followed by a
 * delimiter or the end: "Automatic reply: Your order" matches, "Automatic reply settings?" does not, and neither does
 * "Absent-minded question" (a dash counts only after a blank). Longer phrases are tried first so that "out of office
 * autoreply" is not cut at "out of office".
 */
function subjectPrefixPattern(phrases: readonly string[]): RegExp {
  const alternatives = [...phrases].sort((a, b) => b.length - a.length).map(phraseSource);
  return new RegExp(`^[[(]?\\s?(?:${alternatives.join('|')})(?=\\s?[:：|()[\\]]|\\s[-–—]|\\s?$)`);
}

/** Lotus Notes and some Outlook versions: "Auto: <original subject>". Only with the colon: "Auto" is a common word. */
const AUTO_COLON_SUBJECT = /^auto\s?:/;

/** Out-of-office prefixes: Outlook's automatic-reply subjects in each language, and absence notices. */
const OUT_OF_OFFICE_SUBJECTS = subjectPrefixPattern([
  // English
  'out of office',
  'out of the office',
  'out of office autoreply',
  'out of office auto reply',
  'automatic reply',
  'on vacation',
  'away from the office',
  // German
  'abwesenheitsnotiz',
  'automatische antwort',
  'abwesend',
  'abwesenheit',
  // French
  'reponse automatique',
  'absence',
  'absence du bureau',
  'absent',
  'absente',
  "message d'absence",
  // Spanish
  'respuesta automatica',
  'fuera de la oficina',
  'fuera de oficina',
  'ausente',
  // Portuguese
  'resposta automatica',
  'fora do escritorio',
  'ausencia',
  // Polish
  'automatyczna odpowiedz',
  'odpowiedz automatyczna',
  'nieobecnosc',
  'poza biurem',
  // Estonian
  'automaatvastus',
  'automaatne vastus',
  'kontorist eemal',
  // Dutch
  'automatisch antwoord',
  'afwezig',
  'afwezigheid',
  'niet aanwezig',
  // Italian
  'risposta automatica',
  'fuori sede',
  'fuori ufficio',
  'risposta non al computer',
  // Nordic (Outlook and Discourse's list)
  'autosvar',
  'automatisk svar',
  'franvaro',
  'automaattinen vastaus',
]);

/** Prefixes of machine-written mail that does not say anybody is away. */
const AUTO_REPLY_SUBJECTS = subjectPrefixPattern([
  'autoreply',
  'auto reply',
  'auto response',
  'autoresponse',
  'autorespons',
  'autoresponder',
  'automatic response',
  'automated reply',
  'automated response',
  'auto generated',
  'autogenerated',
  'automatically generated',
  'auto notification',
  'automatische nachricht',
  'automatische mitteilung',
  'message automatique',
  'mensaje automatico',
  'mensagem automatica',
  'automatyczna wiadomosc',
  'automatisch bericht',
  'messaggio automatico',
]);

/**
 * Subjects of delivery reports that come without a machine-readable part. Only trusted together with a daemon or
 * null sender (see {@link classifyInbound}), so they may appear anywhere in the subject. Gathered from the reports
 * of Postfix, Sendmail, qmail, Exim, Exchange, Domino, Gmail, Yahoo, Mail.ru, Yandex and Japanese carriers.
 */
const BOUNCE_SUBJECT = new RegExp(
  [
    'undelivered',
    'undeliverable',
    'not delivered',
    'delivery status notification',
    'delivery notification',
    'delivery report',
    'delivery failure',
    'delivery failed',
    'delivery has failed',
    'delivery problem',
    'delivery delayed',
    'delayed mail',
    'mail delivery',
    'returned mail',
    'returned to sender',
    'failure notice',
    'mail failure',
    'mail system error',
    'could not send message',
    'postmaster notify',
    'non-delivery',
    'nondeliverable',
    // German, French, Dutch, Spanish, Portuguese, Italian, Polish, Estonian (folded: no accents)
    'unzustellbar',
    'nicht zustellbar',
    'non remis',
    'non distribuable',
    'impossible de remettre',
    'echec de la remise',
    'onbestelbaar',
    'niet bezorgd',
    'no se puede entregar',
    'no entregado',
    'nao entregue',
    'nao pode ser entregue',
    'non recapitabile',
    'mancato recapito',
    'niedostarczalna',
    'niedostarczona',
    'nie dostarczono',
    'kattetoimetamatu',
    'kohaletoimetamatu',
    'zustellung fehlgeschlagen',
    'mail konnte nicht zugestellt',
    'niet afgeleverd',
    'non consegnato',
    'nie mozna dostarczyc',
    'falha na entrega',
    'error de entrega',
    // Russian (Mail.ru, Yandex), Japanese (Trend Micro, KDDI)
    'не доставлено',
    'недоставленное',
    '配信できません',
    'メールエラー',
  ]
    .map(phraseSource)
    .join('|')
);

/* ------------------------------------------------------------------------------------------------ */
/* Bodies of non-standard bounces                                                                   */
/* ------------------------------------------------------------------------------------------------ */

/** An SMTP reply with an enhanced status code (`550 5.1.1`, `550-5.7.26`, `554 #5.0.0`). */
const SMTP_STATUS_LINE = /\b[45]\d\d[ -]#?[45]\.\d{1,3}\.\d{1,3}\b/;
/** RFC 3464 fields pasted into the text (Amazon WorkMail, multipart/report without boundaries). */
const INLINE_DSN_FIELD = /^[ \t]*(?:final-recipient|diagnostic-code)[ \t]*:/im;
/** What delivery reports say, in the words of the common MTAs. Matched on folded text. */
const DELIVERY_FAILURE_WORDING = new RegExp(
  [
    'could not be delivered',
    "couldn't be delivered",
    'cannot be delivered',
    'can not be delivered',
    'could not deliver',
    'unable to deliver',
    'was not delivered',
    "wasn't delivered",
    'not been delivered',
    'were not delivered',
    'did not reach',
    'delivery failed',
    'delivery has failed',
    'delivery to the following recipient',
    'failed permanently',
    'error delivering',
    'error occurred while trying to deliver',
    'permanent error',
    'permanent fatal error',
    'had delivery problems',
    'had delivery errors',
    'had permanent',
    'undeliverable',
    'undelivered',
    'requested action not taken',
    'no such user',
    'user unknown',
    'unknown user',
    'invalid user',
    'mailbox unavailable',
    'mailbox is full',
    'mailbox full',
    'address not found',
    'recipient address rejected',
    'not listed in',
    // German, French, Spanish, Portuguese, Italian, Dutch, Polish (folded: no accents)
    'konnte nicht zugestellt werden',
    'nicht zugestellt werden',
    "n'a pas pu etre remis",
    'n a pas pu etre distribue',
    'no se pudo entregar',
    'nao foi possivel entregar',
    'non e stato possibile recapitare',
    'kon niet worden bezorgd',
    'nie mogla zostac dostarczona',
  ]
    .map(phraseSource)
    .join('|')
);
/** Parts in which a report returns the original message or its headers. */
const RETURNED_MESSAGE_TYPES = new Set([
  'message/rfc822',
  'text/rfc822-headers',
  'message/global',
  'message/global-headers',
]);
const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
/** RFC 8098 and its internationalised form (RFC 6533). */
const DISPOSITION_NOTIFICATION_TYPES = new Set([
  'message/disposition-notification',
  'message/global-disposition-notification',
]);
/** Report types that name something other than a delivery report. */
const KNOWN_NON_BOUNCE_REPORTS = new Set(['disposition-notification', 'feedback-report']);

type BodyVerdict = 'strong' | 'wording' | null;

function bounceEvidenceInBody(body: BodyEvidence | undefined): BodyVerdict {
  if (!body) return null;
  const text = body.text.slice(0, MAX_BODY_EVIDENCE_LENGTH);
  if (SMTP_STATUS_LINE.test(text) || INLINE_DSN_FIELD.test(text)) return 'strong';
  if (!DELIVERY_FAILURE_WORDING.test(fold(text))) return null;
  const returnsMessage = body.partTypes.some((type) => RETURNED_MESSAGE_TYPES.has(type.toLowerCase()));
  return returnsMessage ? 'strong' : 'wording';
}

/* ------------------------------------------------------------------------------------------------ */
/* Content-Type                                                                                     */
/* ------------------------------------------------------------------------------------------------ */

/** `multipart/report; report-type="delivery-status"; boundary=...` → `delivery-status`; null for anything else. */
function reportTypeOf(contentType: string | null): string | null {
  if (contentType === null) return null;
  if (!/^\s*multipart\/report\b/i.test(contentType)) return null;
  const match = /(?:^|;)\s*report-type\s*=\s*"?([\w.-]{1,64})/i.exec(contentType);
  return match ? match[1].toLowerCase() : 'unknown';
}

/* ------------------------------------------------------------------------------------------------ */
/* classifyInbound                                                                                  */
/* ------------------------------------------------------------------------------------------------ */

const PRECEDENCE_AUTOMATIC = new Set(['bulk', 'junk', 'list', 'auto_reply']);
/** Loop headers of other help desks: Request Tracker, OTRS/Znuny. Mail that carries one was sent by a machine. */
const OTHER_HELP_DESK_LOOP_HEADERS = ['x-rt-loop-prevention', 'x-otrs-loop'];

/**
 * The loop and bounce flags of one inbound message, with the reasons that set them. Reads only what it is given;
 * without `body`, non-standard bounces are recognised by sender and subject alone.
 */
export function classifyInbound(input: InboundInput): InboundFlags {
  const { headers, own } = input;
  const sender = input.sender ? input.sender.trim().toLowerCase() : null;
  const reasons: string[] = [];
  let autoReply = false;
  let outOfOffice = false;
  let bounce = false;
  let list = false;
  let ownMail = false;
  let otherAutomatic = false;
  const note = (reason: string): void => {
    if (!reasons.includes(reason)) reasons.push(reason);
  };

  // --- RFC 3834 Auto-Submitted; out-of-office variants as Zammad's out_of_office_check reads them.
  const autoSubmitted = firstHeader(headers, 'auto-submitted');
  const foldedSubject = fold(input.subject.slice(0, MAX_SUBJECT_LENGTH));
  if (autoSubmitted !== null && !/^no\b/i.test(autoSubmitted)) {
    autoReply = true;
    note(`Auto-Submitted: ${quote(autoSubmitted)}`);
    if (/vacation/i.test(autoSubmitted) || /auto-replied;\s?owner-email=/i.test(autoSubmitted)) {
      outOfOffice = true;
    } else if (/auto-replied/i.test(autoSubmitted) && /vacation/.test(foldedSubject)) {
      outOfOffice = true; // Gmail's vacation responder
    }
  }

  // --- X-Autoreply and friends (FreeScout), any value.
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    if (firstHeader(headers, name) !== null) {
      autoReply = true;
      note(`${name} header`);
    }
  }

  // --- Mailing lists: any List-* header (RFC 2369, RFC 2919), ezmlm's Mailing-List.
  const listHeader = Object.keys(headers).find(
    (name) => name.startsWith('list-') || name === 'mailing-list' || name === 'x-mailing-list'
  );
  if (listHeader !== undefined) {
    list = true;
    note(`${listHeader} header (mailing list)`);
  }

  // --- Precedence (Zammad's auto_response_check). `list` without any List-* header is how some robots say "do not
  // answer" (Discourse counts it as auto-generated); with list headers it is just list traffic.
  for (const name of ['precedence', 'x-precedence']) {
    const value = firstHeader(headers, name)?.toLowerCase() ?? null;
    if (value === null || !PRECEDENCE_AUTOMATIC.has(value)) continue;
    note(`${name === 'precedence' ? 'Precedence' : 'X-Precedence'}: ${value}`);
    if (value === 'list') {
      list = true;
      if (listHeader === undefined) autoReply = true;
    } else {
      autoReply = true;
    }
  }

  // --- Loops: X-Loop (procmail, list servers), our own loop header, other help desks' loop headers.
  const xLoop = firstHeader(headers, 'x-loop');
  if (xLoop !== null) {
    otherAutomatic = true;
    note(`X-Loop: ${quote(xLoop)}`);
  }
  const loopValues = headerValues(headers, LOOP_HEADER.toLowerCase());
  if (loopValues.length > 0) {
    const ours = own.instanceId !== '' && loopValues.includes(own.instanceId);
    if (ours) {
      ownMail = true;
      note(`${LOOP_HEADER}: our own instance`);
    } else {
      // Another installation of this plugin (another help desk) answered automatically.
      autoReply = true;
      note(`${LOOP_HEADER}: another instance (${quote(loopValues[0])})`);
    }
  }
  for (const name of OTHER_HELP_DESK_LOOP_HEADERS) {
    if (firstHeader(headers, name) !== null) {
      otherAutomatic = true;
      note(`${name} header (another help desk)`);
    }
  }

  // --- Exchange and Apple out-of-office; Exchange's other generated mail.
  const responseSuppress = firstHeader(headers, 'x-auto-response-suppress');
  const suppressAutoResponse = responseSuppress !== null && !/^none$/i.test(responseSuppress);
  const inboxRulesLoop = firstHeader(headers, 'x-ms-exchange-inbox-rules-loop');
  if (responseSuppress !== null && /\b(?:all|oof)\b/i.test(responseSuppress) && inboxRulesLoop !== null) {
    autoReply = true;
    outOfOffice = true;
    note('Exchange out-of-office (X-Auto-Response-Suppress with X-MS-Exchange-Inbox-Rules-Loop)');
  }
  const generatedBy = firstHeader(headers, 'x-ms-exchange-generated-message-source');
  // "Mailbox Rules Agent" also forwards mail by a user's inbox rule; only its other agents (transport rules,
  // journaling, content filters) always generate mail themselves.
  if (generatedBy !== null && !/mailbox rules agent/i.test(generatedBy)) {
    autoReply = true;
    note(`X-MS-Exchange-Generated-Message-Source: ${quote(generatedBy)}`);
  }
  const appleAction = firstHeader(headers, 'x-apple-action');
  if (appleAction !== null && /vacation/i.test(appleAction)) {
    autoReply = true;
    outOfOffice = true;
    note(`X-Apple-Action: ${quote(appleAction)}`);
  }

  // --- Subjects, anchored at the start after reply prefixes.
  const subjectStart = subjectAfterReplyPrefixes(foldedSubject);
  if (OUT_OF_OFFICE_SUBJECTS.test(subjectStart) || AUTO_COLON_SUBJECT.test(subjectStart)) {
    autoReply = true;
    outOfOffice = true;
    note(`subject "${quote(input.subject)}" (out of office)`);
  } else if (AUTO_REPLY_SUBJECTS.test(subjectStart)) {
    autoReply = true;
    note(`subject "${quote(input.subject)}" (automatic reply)`);
  }

  // --- Senders.
  const returnPath = firstHeader(headers, 'return-path');
  const nullReturnPath = isNullReturnPath(returnPath);
  if (nullReturnPath) {
    otherAutomatic = true;
    note('null Return-Path');
  }
  const fromHeader = firstHeader(headers, 'from');
  const nullFrom = fromHeader !== null && NULL_ADDRESS.test(fromHeader);
  if (nullFrom) {
    otherAutomatic = true;
    note('null From address');
  }
  const daemonSender = sender !== null && DAEMON_SENDER.test(sender);
  // "Mail Delivery System <Mail.Delivery.System@…>": a daemon by the name it gives itself.
  const daemonNamed = !daemonSender && !nullFrom && isDaemonLike(sender, fromHeader);
  if (daemonNamed) {
    otherAutomatic = true;
    note(`machine sender ${quote(fromHeader ?? sender ?? '')}`);
  }
  if (sender !== null) {
    if (daemonSender) {
      otherAutomatic = true;
      note(`machine sender ${sender}`);
    } else if (LIST_ROBOT_SENDER.test(sender)) {
      otherAutomatic = true;
      note(`list robot sender ${sender}`);
    } else if (NO_REPLY_SENDER.test(sender)) {
      autoReply = true;
      note(`no-reply sender ${sender}`);
    }
  }

  // --- Reports (RFC 6522): delivery status → bounce; read receipts and abuse reports are automatic, not bounces.
  const reportType = reportTypeOf(firstHeader(headers, 'content-type'));
  const partTypes = (input.body?.partTypes ?? []).map((type) => type.toLowerCase());
  let readReceipt = false;
  if (reportType === 'delivery-status' || reportType === 'global-delivery-status') {
    bounce = true;
    note(`delivery status report (multipart/report; report-type=${reportType})`);
  } else if (reportType === 'disposition-notification') {
    otherAutomatic = true;
    readReceipt = true;
    note('read receipt (multipart/report; report-type=disposition-notification)');
  } else if (reportType === 'feedback-report') {
    otherAutomatic = true;
    note('abuse report (multipart/report; report-type=feedback-report)');
  } else if (reportType !== null) {
    otherAutomatic = true;
    note(`machine report (multipart/report; report-type=${reportType})`);
  }
  if (!bounce && partTypes.some((type) => DELIVERY_STATUS_TYPES.has(type))) {
    bounce = true;
    note('delivery status part');
  }
  if (
    reportType !== 'disposition-notification' &&
    partTypes.some((type) => DISPOSITION_NOTIFICATION_TYPES.has(type))
  ) {
    otherAutomatic = true;
    // A delivery-status part or report-type says "bounce" explicitly; the receipt part alone says "receipt".
    if (!bounce) readReceipt = true;
    note('read receipt part (message/disposition-notification)');
  }
  if (reportType !== 'feedback-report' && partTypes.includes('message/feedback-report')) {
    otherAutomatic = true;
    note('abuse report part (message/feedback-report)');
  }

  // --- Non-standard bounces, from a combination of signals. Who wrote it: a daemon (by address or display name) or a
  // null sender; or the shape: a multipart/report whose report-type is missing or unknown. What it says: a delivery
  // report's subject (in several languages), failure wording or an SMTP status in the body. Either source with
  // either content makes a bounce. A no-reply robot counts only with strong evidence (an SMTP status, or failure
  // wording together with the returned message): shops' "delivery notification: your parcel could not be
  // delivered" come from no-reply senders. A read receipt is never a bounce.
  if (!bounce && !readReceipt) {
    const daemonLike = daemonSender || daemonNamed || nullReturnPath || nullFrom;
    const unknownReport = reportType !== null && !KNOWN_NON_BOUNCE_REPORTS.has(reportType);
    const bodyVerdict = bounceEvidenceInBody(input.body);
    const subjectSays = BOUNCE_SUBJECT.test(foldedSubject);
    const source = daemonLike
      ? 'daemon or null sender'
      : unknownReport
        ? 'a report without a known type'
        : null;
    if (source !== null && subjectSays) {
      bounce = true;
      note(`bounce: ${source} with a delivery report subject`);
    } else if (source !== null && bodyVerdict !== null) {
      bounce = true;
      note(`bounce: ${source} with delivery failure wording`);
    } else if (sender !== null && NO_REPLY_SENDER.test(sender) && bodyVerdict === 'strong') {
      bounce = true;
      note(`bounce: no-reply sender with a delivery failure report`);
    }
  }
  // A delivery report is never an absence notice, whatever subject or headers it copies from the original.
  if (bounce) outOfOffice = false;

  // --- Our own mail (Zammad's own_notification_loop_detection and sender_is_system_address).
  if (sender !== null) {
    const plainSender = plainAddress(sender);
    if (own.addresses.some((address) => plainAddress(address) === plainSender)) {
      ownMail = true;
      note(`From one of our own addresses (${sender})`);
    }
  }
  if (input.messageId !== null && own.isOwnMessageId?.(input.messageId) === true) {
    ownMail = true;
    note('Message-ID generated by us');
  }

  return {
    autoReply,
    outOfOffice,
    bounce,
    readReceipt,
    list,
    ownMail,
    automatic: autoReply || outOfOffice || bounce || readReceipt || list || ownMail || otherAutomatic,
    suppressAutoResponse,
    reportType,
    reasons,
  };
}

/** {@link classifyInbound} for a parsed message: From as sender, the text body and attachment types as evidence. */
export function classifyParsedMail(mail: ParsedMail, own: OwnMailIdentity): InboundFlags {
  return classifyInbound({
    headers: mail.headers,
    sender: mail.from?.address ?? null,
    subject: mail.subject,
    messageId: mail.messageId,
    own,
    body: {
      text: mail.text.slice(0, MAX_BODY_EVIDENCE_LENGTH),
      partTypes: mail.attachments.map((attachment) => attachment.contentType),
    },
  });
}

/* ------------------------------------------------------------------------------------------------ */
/* The earlier, smaller verdict (kept for its callers)                                              */
/* ------------------------------------------------------------------------------------------------ */

export interface AutomaticVerdict {
  automatic: boolean;
  /** The first header or sender pattern that decided it, for the receipt and the admin. */
  reason: string | null;
}

/** Classification without knowing who we are: enough to tell a bounce, not our own mail. */
export const NO_IDENTITY: OwnMailIdentity = { instanceId: '', addresses: [] };

/** Every module-level pattern, so a test can prove each one linear with rules.ts's regexSafety. */
export const CLASSIFY_PATTERNS: readonly RegExp[] = [
  DAEMON_SENDER,
  DAEMON_NAME,
  LIST_ROBOT_SENDER,
  NO_REPLY_SENDER,
  NULL_ADDRESS,
  REPLY_PREFIX,
  AUTO_COLON_SUBJECT,
  OUT_OF_OFFICE_SUBJECTS,
  AUTO_REPLY_SUBJECTS,
  BOUNCE_SUBJECT,
  SMTP_STATUS_LINE,
  INLINE_DSN_FIELD,
  DELIVERY_FAILURE_WORDING,
];
