/**
 * The vocabulary of inbound classification: what goes in (headers, sender, a little of the body, who we are) and
 * the flags that come out. Every check in this folder and every caller (importer, parse worker, simulator) speaks it.
 */
import type { InboundFlagName } from '../../../contracts/api';

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
  /** Lower-cased header names, decoded values, repeated headers as arrays (as ParsedMail.headers). */
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

/** Compiles only while INBOUND_FLAG_NAMES (stored and shown by name) lists every yes/no finding above. */
type BooleanFinding = {
  [K in keyof InboundFlags]: InboundFlags[K] extends boolean ? K : never;
}[keyof InboundFlags];
export const EVERY_FINDING_NAMED: Exclude<BooleanFinding, InboundFlagName> extends never ? true : never =
  true;

export interface AutomaticVerdict {
  automatic: boolean;
  /** The first header or sender pattern that decided it, for the receipt and the admin. */
  reason: string | null;
}

/** Classification without knowing who we are: enough to tell a bounce, not our own mail. */
export const NO_IDENTITY: OwnMailIdentity = { instanceId: '', addresses: [] };
