/**
 * Bounces: what a delivery report says about the mail we sent (email standards guide, section 3).
 *
 * A standard report (RFC 3464 / RFC 6522: `multipart/report; report-type=delivery-status`) carries one
 * `message/delivery-status` part with a per-message block and one block per recipient (Final-Recipient, Action,
 * Status, Diagnostic-Code), and the original message or its headers. parse.ts asks mailparser to keep that part
 * apart (`keepDeliveryStatus`), so it arrives here as a spooled attachment like the returned message does.
 *
 * Reports that follow no standard (qmail's "failure notice", Exchange 2003, Lotus Domino, many carriers) are read
 * from their text as far as reasonably possible: the addresses named before the returned message, and the SMTP
 * status codes next to them. What comes from text is marked `standard: false` and never called permanent on a guess.
 *
 * VERP: each automatic mail can go out with an envelope sender that names it (`bounces+b<token>@domain`), so a
 * bounce identifies its outbound message even when the report itself is useless.
 *
 * No Strapi, no database: a parsed message in, a report out. Spooled parts are read up to {@link MAX_PART_BYTES}.
 */
import crypto from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { addressesInHeader } from './forwarding';
import { normalizeMessageId } from './message-ids';
import type { ParsedMail, SpooledAttachment } from './types';

export type DeliveryAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

export interface BounceRecipient {
  /** Lower-cased address from Final-Recipient (fallback Original-Recipient), or found in a non-standard report. */
  recipient: string;
  /** Original-Recipient (the address as the sender wrote it, before forwarding or aliasing), lower-cased. */
  originalRecipient: string | null;
  action: DeliveryAction | null;
  /** Enhanced status code (RFC 3463), e.g. "5.1.1"; "5.0.0" when a report gave only a basic SMTP code (550). */
  status: string | null;
  /**
   * Status class 5, or action failed without a status. In a non-standard report "failed" needs a class 5 code or the
   * report's own statement that the error is permanent; other wording never makes an address permanent.
   */
  permanent: boolean;
  /** Diagnostic-Code without its type prefix, or the report's line about this recipient; bounded. */
  diagnostic: string | null;
}

export interface BounceReport {
  /** True when a machine-readable delivery-status part named at least one recipient. */
  standard: boolean;
  recipients: BounceRecipient[];
  /**
   * Message-ID (canonical form) of the mail that bounced: from the returned `message/rfc822` or
   * `text/rfc822-headers` part, or else from a Message-ID line quoted in the text.
   */
  originalMessageId: string | null;
  /** To and Cc addresses of the returned message's headers, lower-cased. */
  originalRecipients: string[];
  /** Original-Envelope-Id of the report (RFC 3461 ENVID), if the sender gave one. */
  originalEnvelopeId: string | null;
  /** Reporting-MTA, without its type prefix. */
  reportingMta: string | null;
  /** The VERP token found in the addresses the report was delivered to; see {@link verpAddress}. */
  verpToken: string | null;
}

/** At most this much of any spooled part is read. */
export const MAX_PART_BYTES = 256 * 1024;
/** At most this much of the text body is searched in a non-standard report. */
export const MAX_TEXT_LENGTH = 64 * 1024;
/** More recipients than this in one report are not listed (a hostile report could name thousands). */
export const MAX_RECIPIENTS = 100;
const MAX_FIELD_LENGTH = 2000;
const MAX_DIAGNOSTIC_LENGTH = 500;

/* ------------------------------------------------------------------------------------------------ */
/* Status codes                                                                                     */
/* ------------------------------------------------------------------------------------------------ */

const ENHANCED_STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;
/**
 * An enhanced status inside a line: at its start or after a blank, `#`, `(`, `;`, `:`, `=` or `-` (`550-5.7.26`), and
 * not followed by more of an IP address.
 */
const ENHANCED_STATUS_IN_TEXT = /(?:^|[\s#(;:=-])([245]\.\d{1,3}\.\d{1,3})(?![\d.])/;
/** A basic SMTP reply code at the start of a line or after a blank/colon: `550 Unknown user`, `said: 421-...`. */
const BASIC_SMTP_CODE_IN_TEXT = /(?:^|[\s:([])([45][0-5]\d)(?=[\s-]|$)/;

/** True for a status of class 5 ("5.1.1"): the address will not start working by itself. */
export function isPermanentStatus(status: string | null | undefined): boolean {
  if (typeof status !== 'string') return false;
  const trimmed = status.trim();
  return ENHANCED_STATUS.test(trimmed) && trimmed.startsWith('5.');
}

/**
 * The status a few report lines give, and the line that gave it: an enhanced code on any of them wins over a basic
 * SMTP code (qmail writes "said: 550 Unknown user" and "(#5.5.0)" on the next line).
 */
function statusIn(lines: readonly string[]): { status: string; line: string } | null {
  for (const line of lines) {
    const enhanced = ENHANCED_STATUS_IN_TEXT.exec(line);
    if (enhanced) return { status: enhanced[1], line };
  }
  for (const line of lines) {
    // RFC 3463: X.0.0 is "other undefined status" of class X, what a DSN generator writes for a bare SMTP code.
    const basic = BASIC_SMTP_CODE_IN_TEXT.exec(line);
    if (basic) return { status: `${basic[1][0]}.0.0`, line };
  }
  return null;
}

/* ------------------------------------------------------------------------------------------------ */
/* VERP                                                                                             */
/* ------------------------------------------------------------------------------------------------ */

/**
 * A VERP token: 24 lower-case hex characters (96 random bits) after `+b`. It cannot be mistaken for a reply token
 * (`+t<number>.<16 base32>`, tokens.ts): different letter, different alphabet and length.
 */
export const VERP_TOKEN_PATTERN = /^[0-9a-f]{24}$/;
const VERP_IN_ADDRESS = /^[^@\s+]+\+b([0-9a-f]{24})@/i;

/** A fresh random VERP token. */
export function createVerpToken(): string {
  return crypto.randomBytes(12).toString('hex');
}

/** `verpAddress('bounces', 'example.com', token)` → `bounces+b<token>@example.com`, for the envelope sender. */
export function verpAddress(bounceLocal: string, domain: string, token: string): string {
  const local = bounceLocal.trim().split('+')[0];
  const host = domain.trim().toLowerCase();
  if (!local || /[@\s<>]/.test(local)) throw new Error(`Not a usable local part for VERP: ${bounceLocal}`);
  if (!host || /[@\s<>]/.test(host)) throw new Error(`Not a usable domain for VERP: ${domain}`);
  if (!VERP_TOKEN_PATTERN.test(token)) throw new Error('A VERP token is 24 lower-case hex characters');
  return `${local}+b${token}@${host}`;
}

/**
 * The VERP token in the first of `addresses` that carries one (plain addresses or header values such as
 * `"Bounces" <bounces+b…@example.com>`), lower-cased; null when none does. Not verified: look it up.
 */
export function verpTokenOf(addresses: readonly string[]): string | null {
  for (const value of addresses) {
    if (typeof value !== 'string') continue;
    for (const address of addressesInHeader(value.slice(0, MAX_FIELD_LENGTH))) {
      const match = VERP_IN_ADDRESS.exec(address);
      if (match) return match[1].toLowerCase();
    }
  }
  return null;
}

/** Headers that name the address a report was delivered to; the envelope ones survive when To is rewritten. */
const DELIVERY_ADDRESS_HEADERS = ['delivered-to', 'x-original-to', 'envelope-to', 'to'];

function headerValues(headers: Record<string, string | string[]>, name: string): string[] {
  if (!Object.prototype.hasOwnProperty.call(headers, name)) return [];
  const value = headers[name];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/* ------------------------------------------------------------------------------------------------ */
/* RFC 3464 fields                                                                                  */
/* ------------------------------------------------------------------------------------------------ */

export type FieldBlock = Map<string, string>;

const FIELD_LINE = /^([A-Za-z][A-Za-z0-9-]{0,76})[ \t]*:[ \t]*(.*)$/;

/**
 * Blocks of `Name: value` fields separated by blank lines, names lower-cased, folded lines joined, the first
 * occurrence of a name kept. Lines that are not fields end the field they would otherwise continue.
 */
export function fieldBlocks(text: string): FieldBlock[] {
  const blocks: FieldBlock[] = [];
  let current: FieldBlock = new Map();
  let continuing: string | null = null;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim() === '') {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      continuing = null;
      continue;
    }
    if ((line[0] === ' ' || line[0] === '\t') && continuing !== null) {
      const joined = `${current.get(continuing) ?? ''} ${line.trim()}`;
      current.set(continuing, joined.slice(0, MAX_FIELD_LENGTH));
      continue;
    }
    const match = FIELD_LINE.exec(line);
    if (!match) {
      continuing = null;
      continue;
    }
    const name = match[1].toLowerCase();
    if (current.has(name)) {
      continuing = null;
    } else {
      current.set(name, match[2].trim().slice(0, MAX_FIELD_LENGTH));
      continuing = name;
    }
  }
  if (current.size > 0) blocks.push(current);
  return blocks;
}

/** `\x{00E9}` escapes of RFC 6533 `utf-8` address types. */
function decodeUtf8AddressEscapes(value: string): string {
  return value.replace(/\\x\{([0-9a-f]{1,6})\}/gi, (escape, hex: string) => {
    const code = parseInt(hex, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : escape;
  });
}

/** `rfc822; <User@Example.COM> (comment)` → `user@example.com`; null when nothing is left. */
function addressOfField(value: string | undefined): string | null {
  if (value === undefined) return null;
  const semicolon = value.indexOf(';');
  const type = semicolon === -1 ? '' : value.slice(0, semicolon).trim().toLowerCase();
  let address = (semicolon === -1 ? value : value.slice(semicolon + 1)).trim();
  const bracketed = /<([^<>]*)>/.exec(address);
  if (bracketed) address = bracketed[1].trim();
  address = address.split(/\s/)[0] ?? '';
  if (type === 'utf-8') address = decodeUtf8AddressEscapes(address);
  address = address.replace(/^["']|["']$/g, '').toLowerCase();
  return address || null;
}

/** `smtp; 550 5.1.1 <x>: Recipient address rejected` → the part after the type. */
function withoutTypePrefix(value: string | undefined): string | null {
  if (value === undefined) return null;
  const match = /^[A-Za-z][\w-]{0,30}[ \t]*;[ \t]*/.exec(value);
  const rest = (match ? value.slice(match[0].length) : value).trim();
  return rest ? rest.slice(0, MAX_DIAGNOSTIC_LENGTH) : null;
}

const ACTIONS: ReadonlySet<string> = new Set(['failed', 'delayed', 'delivered', 'relayed', 'expanded']);

function actionOf(value: string | undefined): DeliveryAction | null {
  const word = (value ?? '')
    .trim()
    .split(/[\s(;]/)[0]
    .toLowerCase();
  return ACTIONS.has(word) ? (word as DeliveryAction) : null;
}

function recipientOfBlock(block: FieldBlock): BounceRecipient | null {
  const finalRecipient = addressOfField(block.get('final-recipient'));
  const originalRecipient = addressOfField(block.get('original-recipient'));
  const recipient = finalRecipient ?? originalRecipient;
  if (recipient === null) return null;
  const action = actionOf(block.get('action'));
  const diagnostic = withoutTypePrefix(block.get('diagnostic-code'));
  const statusField = block.get('status') ?? '';
  const status =
    /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(statusField)?.[1] ??
    (diagnostic === null ? null : (ENHANCED_STATUS_IN_TEXT.exec(diagnostic)?.[1] ?? null));
  return {
    recipient,
    originalRecipient,
    action,
    status,
    permanent: isPermanentStatus(status) || (action === 'failed' && status === null),
    diagnostic,
  };
}

export interface DeliveryStatus {
  recipients: BounceRecipient[];
  reportingMta: string | null;
  originalEnvelopeId: string | null;
}

/** The per-message fields and the recipient blocks of one `message/delivery-status` body. */
export function parseDeliveryStatus(text: string): DeliveryStatus {
  const result: DeliveryStatus = { recipients: [], reportingMta: null, originalEnvelopeId: null };
  for (const block of fieldBlocks(text)) {
    // Per-message fields normally come in a first block of their own; sloppy reports mix them into the first
    // recipient block, so they are taken from wherever they first appear.
    result.reportingMta ??= withoutTypePrefix(block.get('reporting-mta'));
    result.originalEnvelopeId ??= block.get('original-envelope-id')?.trim() || null;
    const recipient = recipientOfBlock(block);
    if (recipient !== null && result.recipients.length < MAX_RECIPIENTS) result.recipients.push(recipient);
  }
  return result;
}

/* ------------------------------------------------------------------------------------------------ */
/* Spooled parts                                                                                    */
/* ------------------------------------------------------------------------------------------------ */

export async function readPart(attachment: SpooledAttachment): Promise<string> {
  const length = Math.max(0, Math.min(attachment.size, MAX_PART_BYTES));
  if (length === 0) return '';
  const handle = await fsp.open(attachment.tempPath, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_MESSAGE_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/global-headers',
]);

function baseType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

interface ReturnedHeaders {
  messageId: string | null;
  recipients: string[];
}

/** Message-ID and To/Cc of a returned message (or just its headers): the header section, unfolded. */
function returnedHeaders(source: string): ReturnedHeaders {
  const end = /\r?\n\r?\n/.exec(source);
  const head = (end ? source.slice(0, end.index) : source).replace(/\r?\n(?=[ \t])/g, '');
  let messageId: string | null = null;
  const recipients: string[] = [];
  for (const line of head.split(/\r?\n/)) {
    const match = FIELD_LINE.exec(line);
    if (!match) continue;
    const name = match[1].toLowerCase();
    if (name === 'message-id' && messageId === null) {
      messageId = normalizeMessageId(match[2]);
    } else if (name === 'to' || name === 'cc') {
      for (const address of addressesInHeader(match[2].slice(0, MAX_FIELD_LENGTH))) {
        if (!recipients.includes(address)) recipients.push(address);
      }
    }
  }
  return { messageId, recipients };
}

/* ------------------------------------------------------------------------------------------------ */
/* Non-standard reports                                                                             */
/* ------------------------------------------------------------------------------------------------ */

/**
 * Where a report's own words end and the returned message begins: a marker line ("--- Below this line is a copy of
 * the message.", "----- Original message -----", "Message headers follow.") or, at the left margin, a header that
 * only a returned message has.
 */
const RETURNED_MESSAGE_MARKER =
  /^[\s-]*(?:original message follows|unsent message follows|message headers follow|returned message|below this line is a copy|this is a copy of the message|a copy of the original message|the header of the original message|headers of the original message|original message headers|undelivered message)/i;
const ORIGINAL_MESSAGE_RULE = /^[\s-]*original message[\s:-]*$/i;
const RETURNED_HEADER_LINE =
  /^(?:received|return-path|message-id|dkim-signature|arc-seal|mime-version|x-[a-z0-9-]{1,60})[ \t]*:/i;

function reportSection(text: string): string[] {
  const lines = text.slice(0, MAX_TEXT_LENGTH).split(/\r\n|\r|\n/);
  const end = lines.findIndex(
    (line) =>
      RETURNED_MESSAGE_MARKER.test(line) ||
      ORIGINAL_MESSAGE_RULE.test(line) ||
      RETURNED_HEADER_LINE.test(line)
  );
  return end === -1 ? lines : lines.slice(0, end);
}

/** Lines quoting the original's own headers name its sender and recipients, not the failed address. */
const QUOTED_HEADER_LINE =
  /^\s*(?:from|to|cc|bcc|reply-to|sender|subject|date|sent|mail from|envelope-from|return-path)\s*:/i;
/** Addresses, without nested quantifiers: checked for a dotted domain afterwards. */
const ADDRESS_IN_TEXT = /[^\s<>()[\]"',;:@]{1,64}@[a-z0-9.-]{1,253}/gi;
/** mailer-daemon is never a recipient; postmaster can be (biglobe reports a full postmaster mailbox). */
const MAILER_DAEMON_ADDRESS = /^mailer[-_]?daemon@/i;
/** The report says the failure is final ("This is a permanent error; I've given up.", sendmail's "fatal errors"). */
const PERMANENT_WORDING = /permanent(?:ly)?\b|fatal error|given up/i;
/** ... unless it also says the opposite somewhere (delay warnings: "not a permanent error", "will be retried"). */
const TEMPORARY_WORDING =
  /\bnot (?:a )?permanent|temporar(?:y|ily)|will (?:be )?retr|still being retried|warning/i;

function addressesInLine(line: string): string[] {
  const found: string[] = [];
  for (const match of line.matchAll(ADDRESS_IN_TEXT)) {
    const address = match[0].toLowerCase().replace(/[.-]+$/, '');
    const domain = address.slice(address.indexOf('@') + 1);
    if (domain.includes('.') && !domain.startsWith('.')) found.push(address);
  }
  return found;
}

/**
 * Recipients named in a report's own words, each with the status code found on its line or the few lines after it
 * (else the first code of the report). `exclude` holds the report's sender and addressees: the daemon and us.
 */
function recipientsFromText(
  text: string,
  exclude: ReadonlySet<string>,
  daemonDomain: string | null
): BounceRecipient[] {
  const lines = reportSection(text);
  const reportText = lines.join('\n');
  const firstStatus = statusIn(lines)?.status ?? null;
  const saysPermanent = PERMANENT_WORDING.test(reportText) && !TEMPORARY_WORDING.test(reportText);
  // "please contact postmaster@<the reporting domain>" names the daemon's own helpers, not a failed recipient.
  const isDaemonHelper = (address: string): boolean =>
    MAILER_DAEMON_ADDRESS.test(address) ||
    (daemonDomain !== null && /^post[-_]?master@/i.test(address) && address.endsWith(`@${daemonDomain}`));
  const recipients: BounceRecipient[] = [];
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    if (QUOTED_HEADER_LINE.test(line)) return;
    for (const address of addressesInLine(line)) {
      if (seen.has(address) || exclude.has(address) || isDaemonHelper(address)) continue;
      if (recipients.length >= MAX_RECIPIENTS) return;
      seen.add(address);
      // This recipient's own lines: up to five more, ending where another recipient's address appears.
      let end = index + 1;
      while (
        end < Math.min(lines.length, index + 6) &&
        addressesInLine(lines[end]).every((other) => other === address || exclude.has(other))
      ) {
        end++;
      }
      const near = statusIn(lines.slice(index, end));
      const status = near?.status ?? firstStatus;
      const diagnostic = near ? near.line.trim() : null;
      const action: DeliveryAction | null =
        status?.startsWith('5.') === true || (status === null && saysPermanent) ? 'failed' : null;
      recipients.push({
        recipient: address,
        originalRecipient: null,
        action,
        status,
        permanent: isPermanentStatus(status) || (action === 'failed' && status === null),
        diagnostic: (diagnostic ?? line.trim()).slice(0, MAX_DIAGNOSTIC_LENGTH) || null,
      });
    }
  });
  return recipients;
}

/** A Message-ID quoted in the text (the returned headers of a report that has no separate part for them). */
const QUOTED_MESSAGE_ID = /^[ \t>]*message-id[ \t]*:[ \t]*<?([^<>\s@]{1,250}@[^<>\s]{1,250})>?/im;

/* ------------------------------------------------------------------------------------------------ */
/* parseBounce                                                                                      */
/* ------------------------------------------------------------------------------------------------ */

/**
 * What a delivery report says, or null when the message holds nothing a report would: no delivery-status part, no
 * returned message, no recipient or status in its text and no VERP token. Meant for mail that classify.ts flagged as
 * a bounce; on other mail the text reading may name addresses that mean nothing.
 */
export async function parseBounce(mail: ParsedMail): Promise<BounceReport | null> {
  const recipients: BounceRecipient[] = [];
  let reportingMta: string | null = null;
  let originalEnvelopeId: string | null = null;
  let originalMessageId: string | null = null;
  const originalRecipients: string[] = [];
  let hasReportParts = false;

  for (const attachment of mail.attachments) {
    const type = baseType(attachment.contentType);
    if (DELIVERY_STATUS_TYPES.has(type)) {
      hasReportParts = true;
      const status = parseDeliveryStatus(await readPart(attachment));
      for (const recipient of status.recipients) {
        if (recipients.length < MAX_RECIPIENTS) recipients.push(recipient);
      }
      reportingMta ??= status.reportingMta;
      originalEnvelopeId ??= status.originalEnvelopeId;
    } else if (RETURNED_MESSAGE_TYPES.has(type)) {
      hasReportParts = true;
      const returned = returnedHeaders(await readPart(attachment));
      originalMessageId ??= returned.messageId;
      for (const address of returned.recipients) {
        if (!originalRecipients.includes(address)) originalRecipients.push(address);
      }
    }
  }

  const standard = recipients.length > 0;
  const text = mail.text.slice(0, MAX_TEXT_LENGTH);
  if (!standard) {
    // Fields pasted into the text (Amazon WorkMail; a multipart/report whose boundaries are missing), then the
    // report's own words.
    const inline = parseDeliveryStatus(text);
    reportingMta ??= inline.reportingMta;
    originalEnvelopeId ??= inline.originalEnvelopeId;
    const exclude = new Set(
      [mail.from?.address, ...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address)].filter(
        (address): address is string => typeof address === 'string'
      )
    );
    const daemonDomain = mail.from ? mail.from.address.slice(mail.from.address.lastIndexOf('@') + 1) : null;
    recipients.push(
      ...(inline.recipients.length > 0 ? inline.recipients : recipientsFromText(text, exclude, daemonDomain))
    );
  }
  if (originalMessageId === null) {
    const quoted = QUOTED_MESSAGE_ID.exec(text);
    originalMessageId = quoted ? normalizeMessageId(quoted[1]) : null;
  }

  const deliveredTo = DELIVERY_ADDRESS_HEADERS.flatMap((name) => headerValues(mail.headers, name));
  const verpToken = verpTokenOf([...deliveredTo, ...mail.to.map((a) => a.address)]);

  if (!hasReportParts && recipients.length === 0 && originalMessageId === null && verpToken === null)
    return null;
  return {
    standard,
    recipients,
    originalMessageId,
    originalRecipients,
    originalEnvelopeId,
    reportingMta,
    verpToken,
  };
}

/** Every module-level pattern, so a test can prove each one linear with rules.ts's regexSafety. */
export const BOUNCE_PATTERNS: readonly RegExp[] = [
  ENHANCED_STATUS,
  ENHANCED_STATUS_IN_TEXT,
  BASIC_SMTP_CODE_IN_TEXT,
  VERP_TOKEN_PATTERN,
  VERP_IN_ADDRESS,
  FIELD_LINE,
  RETURNED_MESSAGE_MARKER,
  ORIGINAL_MESSAGE_RULE,
  RETURNED_HEADER_LINE,
  QUOTED_HEADER_LINE,
  ADDRESS_IN_TEXT,
  MAILER_DAEMON_ADDRESS,
  PERMANENT_WORDING,
  TEMPORARY_WORDING,
  QUOTED_MESSAGE_ID,
];
