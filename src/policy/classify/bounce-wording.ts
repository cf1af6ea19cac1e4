/**
 * The words of delivery reports that follow no standard: their subjects, and what their bodies say (SMTP statuses,
 * pasted RFC 3464 fields, failure wording in several languages). Used by the non-standard bounce check only.
 */
import { fold, MAX_BODY_EVIDENCE_LENGTH, phraseSource } from './bounded-reads';
import type { BodyEvidence } from './inbound-flags';

/**
 * Subjects of delivery reports that come without a machine-readable part. Only trusted together with a daemon or
 * null sender (see {@link classifyInbound}), so they may appear anywhere in the subject. Gathered from the reports
 * of Postfix, Sendmail, qmail, Exim, Exchange, Domino, Gmail, Yahoo, Mail.ru, Yandex and Japanese carriers.
 */
export const BOUNCE_SUBJECT = new RegExp(
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

/** An SMTP reply with an enhanced status code (`550 5.1.1`, `550-5.7.26`, `554 #5.0.0`). */
export const SMTP_STATUS_LINE = /\b[45]\d\d[ -]#?[45]\.\d{1,3}\.\d{1,3}\b/;
/** RFC 3464 fields pasted into the text (Amazon WorkMail, multipart/report without boundaries). */
export const INLINE_DSN_FIELD = /^[ \t]*(?:final-recipient|diagnostic-code)[ \t]*:/im;
/** What delivery reports say, in the words of the common MTAs. Matched on folded text. */
export const DELIVERY_FAILURE_WORDING = new RegExp(
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

export type BodyVerdict = 'strong' | 'wording' | null;

export function bounceEvidenceInBody(body: BodyEvidence | undefined): BodyVerdict {
  if (!body) return null;
  const text = body.text.slice(0, MAX_BODY_EVIDENCE_LENGTH);
  if (SMTP_STATUS_LINE.test(text) || INLINE_DSN_FIELD.test(text)) return 'strong';
  if (!DELIVERY_FAILURE_WORDING.test(fold(text))) return null;
  const returnsMessage = body.partTypes.some((type) => RETURNED_MESSAGE_TYPES.has(type.toLowerCase()));
  return returnsMessage ? 'strong' : 'wording';
}
