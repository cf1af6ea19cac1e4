/**
 * Bounces: what a delivery report says about the mail we sent (email standards guide, section 3). This file holds
 * the answer's shape and the bounds every reader in this folder keeps; parse-bounce.ts reads a report into it.
 *
 * A standard report (RFC 3464 / RFC 6522: `multipart/report; report-type=delivery-status`) carries one
 * `message/delivery-status` part with a per-message block and one block per recipient (Final-Recipient, Action,
 * Status, Diagnostic-Code), and the original message or its headers. parseMail asks mailparser to keep that part
 * apart (`keepDeliveryStatus`), so it arrives here as a spooled attachment like the returned message does.
 *
 * Reports that follow no standard (qmail's "failure notice", Exchange 2003, Lotus Domino, many carriers) are read
 * from their text as far as reasonably possible (report-text.ts). What comes from text is marked `standard: false`
 * and never called permanent on a guess.
 *
 * No Strapi, no database: a parsed message in, a report out. Spooled parts are read up to {@link MAX_PART_BYTES}.
 */

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
export const MAX_FIELD_LENGTH = 2000;
export const MAX_DIAGNOSTIC_LENGTH = 500;
