/**
 * What a classification check is: one small function that reads the facts of one message and returns typed findings
 * (which flags it sets, and the reason a site owner reads), instead of writing magic keys into a shared hash as
 * Zammad's filters do. The facts several checks need (who sent it, the report type, ...) are read once, here.
 */
import { firstHeader, fold, MAX_SUBJECT_LENGTH } from './bounded-reads';
import type { InboundInput, MailHeaders, OwnMailIdentity } from './inbound-flags';
import { reportTypeOf } from './report-type';
import { DAEMON_SENDER, isDaemonLike, isNullReturnPath, NULL_ADDRESS } from './sender-patterns';

/**
 * The flags a check can set. `automatic` is "another sign of a machine" (daemon sender, null Return-Path, X-Loop, a
 * report); the result's `automatic` is it or any other flag.
 */
export type FlagName =
  'autoReply' | 'outOfOffice' | 'bounce' | 'readReceipt' | 'list' | 'ownMail' | 'automatic';

export type FlagsSoFar = Readonly<Record<FlagName, boolean>>;

export interface CheckFinding {
  /** Human-readable, e.g. "Auto-Submitted: auto-replied"; the result lists each reason once, in the order found. */
  reason: string;
  sets: readonly FlagName[];
}

export interface InboundCheck {
  /** The check's file name, for a reader looking for where a decision is made. */
  name: string;
  /** Findings in the order found; `soFar` holds what the checks before this one set. */
  run(mail: MailFacts, soFar: FlagsSoFar): readonly CheckFinding[];
}

/** A check that found nothing. */
export const NO_FINDINGS: readonly CheckFinding[] = [];

/** What the checks read, each value bounded (see bounded-reads.ts) and computed once per message. */
export interface MailFacts {
  headers: MailHeaders;
  own: OwnMailIdentity;
  input: InboundInput;
  /** The From address, trimmed and lower-cased, or null. */
  sender: string | null;
  /** The subject's beginning, folded (lower case, no diacritics). */
  foldedSubject: string;
  /** The first List-* (or ezmlm mailing-list) header name, if any. */
  listHeader: string | undefined;
  fromHeader: string | null;
  nullReturnPath: boolean;
  /** `From: MAILER-DAEMON <>`: an explicitly empty From address. */
  nullFrom: boolean;
  /** MAILER-DAEMON@ or postmaster@. */
  daemonSender: boolean;
  /** A daemon by the name it gives itself ("Mail Delivery System <Mail.Delivery.System@…>"). */
  daemonNamed: boolean;
  /** `report-type` of a top-level multipart/report, or null. */
  reportType: string | null;
  /** Content types of the attachments, lower-cased. */
  partTypes: string[];
  /** X-Auto-Response-Suppress as written, or null. */
  responseSuppress: string | null;
}

export function readMailFacts(input: InboundInput): MailFacts {
  const { headers } = input;
  const sender = input.sender ? input.sender.trim().toLowerCase() : null;
  const returnPath = firstHeader(headers, 'return-path');
  const fromHeader = firstHeader(headers, 'from');
  const nullFrom = fromHeader !== null && NULL_ADDRESS.test(fromHeader);
  const daemonSender = sender !== null && DAEMON_SENDER.test(sender);
  return {
    headers,
    own: input.own,
    input,
    sender,
    foldedSubject: fold(input.subject.slice(0, MAX_SUBJECT_LENGTH)),
    listHeader: Object.keys(headers).find(
      (name) => name.startsWith('list-') || name === 'mailing-list' || name === 'x-mailing-list'
    ),
    fromHeader,
    nullReturnPath: isNullReturnPath(returnPath),
    nullFrom,
    daemonSender,
    daemonNamed: !daemonSender && !nullFrom && isDaemonLike(sender, fromHeader),
    reportType: reportTypeOf(firstHeader(headers, 'content-type')),
    partTypes: (input.body?.partTypes ?? []).map((type) => type.toLowerCase()),
    responseSuppress: firstHeader(headers, 'x-auto-response-suppress'),
  };
}
