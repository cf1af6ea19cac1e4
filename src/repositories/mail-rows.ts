/**
 * The one mapping from a parsed mail to the columns the road writes: a receipt's log fields, a message's mail
 * fields and bodies, and how a classification is stored. Written once, here, for every kind of row that carries mail
 * (ticket messages, system events, receipts of every outcome).
 */
import { INBOUND_FLAG_NAMES } from '../../contracts/api';
import type { InboundOrigin, RecordOptions } from '../ingest/store';
import type { SpooledRaw } from '../ingest/spool';
import { QUARANTINE_FIELD_MAX_CHARS, clipChars, clipUtf8 } from '../ingest/stored-values';
import type { InboundFlags } from '../policy/classify/inbound-flags';
import { requesterOf } from '../mail/requester';
import type { ParsedMail } from '../mail/types';
import { mailClassOf, type InboundDecision } from '../policy/decide-inbound';
import type { ContentPreference } from '../schemas/mailbox';

/** Upper bound for the subject kept on a receipt row (the full one lives on the message). */
const RECEIPT_SUBJECT_CHARS = 500;

/** The flags as stored on a receipt and a message: the booleans that are set, and why. */
function storedFlags(flags: InboundFlags): Record<string, unknown> {
  const set = INBOUND_FLAG_NAMES.filter((name) => flags[name]);
  return { set, reasons: flags.reasons, reportType: flags.reportType };
}

/** How a decision's classification is stored, on the receipt and on the message alike. */
export function classificationOf(decision: InboundDecision) {
  return {
    mailClass: mailClassOf(decision.flags),
    flags: storedFlags(decision.flags),
    authentication: decision.authentication,
  };
}

export type StoredClassification = ReturnType<typeof classificationOf>;

/** A receipt's own fields: where the mail came from and a clipped log line of what it was. */
export function receiptFields(origin: InboundOrigin, raw: SpooledRaw, mail: ParsedMail | null) {
  return {
    mailboxId: origin.mailboxId,
    uidValidity: origin.uidValidity,
    uid: origin.uid,
    sha256: raw.sha256,
    rawSize: raw.size,
    // Clipped: a receipt is the log line, and the quarantine must not fail on the value that broke the store.
    // The full values are on the message and in the raw source.
    messageId: clipChars(mail?.messageId ?? null, QUARANTINE_FIELD_MAX_CHARS),
    subject: mail ? mail.subject.slice(0, RECEIPT_SUBJECT_CHARS) : null,
    fromAddress: clipChars(mail ? (requesterOf(mail)?.address ?? null) : null, QUARANTINE_FIELD_MAX_CHARS),
  };
}

/** What every stored message takes from its mail, whatever the message becomes. */
export function mailFields(mail: ParsedMail, raw: SpooledRaw) {
  return {
    // Both indexed: clipped to what a btree entry holds (see stored-values.ts).
    fromAddress: clipUtf8(requesterOf(mail)?.address ?? null),
    to: mail.to,
    cc: mail.cc,
    subject: mail.subject,
    messageId: clipUtf8(mail.messageId),
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    headers: mail.headers,
    rawSize: raw.size,
    sentAt: mail.date,
  };
}

/** A ticket message written by a person (customer or agent) or by the system on their behalf. */
export function messageData(
  mail: ParsedMail,
  raw: SpooledRaw,
  author: 'customer' | 'agent' | 'system',
  contentPreference: ContentPreference
) {
  const sender = requesterOf(mail);
  // Trimmed by the parse worker (prepareMessage): no DOM work here, on the main thread.
  const text = mail.trimmed?.text ?? { visible: mail.text, quoted: null };
  // "Plain text" mailboxes keep no HTML at all: nothing hostile to store, nothing to render.
  const html =
    mail.html && contentPreference === 'html'
      ? (mail.trimmed?.html ?? { visible: mail.html, quoted: null })
      : null;
  return {
    ...mailFields(mail, raw),
    direction: author === 'agent' ? 'outbound' : 'inbound',
    author,
    fromName: sender?.name ?? null,
    textBody: text.visible,
    quotedText: text.quoted,
    htmlBody: html?.visible ?? null,
    quotedHtml: html?.quoted ?? null,
  };
}

/** A system event on a ticket (a bounce, a read receipt): the mail's fields, and the notice an agent reads. */
export function systemEventData(mail: ParsedMail, raw: SpooledRaw, notice: string) {
  return {
    ...mailFields(mail, raw),
    direction: 'system',
    author: 'system',
    fromName: requesterOf(mail)?.name || null,
    textBody: notice,
  };
}

/** One decided mail on its way into the database: what every recorder is handed. */
export interface Recording {
  origin: InboundOrigin;
  raw: SpooledRaw;
  mail: ParsedMail;
  classification: StoredClassification;
  options?: RecordOptions;
}
