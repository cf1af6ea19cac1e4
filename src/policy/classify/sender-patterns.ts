/**
 * Who sent it: the addresses and display names of mail daemons, list robots and no-reply senders, and null senders.
 * Every pattern is linear and reads a bounded value (see bounded-reads.ts).
 */
import { fold } from './bounded-reads';

/** Mail system daemons: what they send is a delivery report or a notice, never a person's message. */
export const DAEMON_SENDER = /^(?:mailer[-_]?daemon|post[-_]?master)@/i;
/**
 * Local parts and display names that daemons give themselves beyond the classic two: "Mail Delivery System"
 * (Exim, Gmail's `Mail.Delivery.System@`), "Mail Delivery Subsystem" (Sendmail, Gmail), "Mail Delivery Service",
 * "Mail Administrator" (Yahoo), "Mail System" (Postfix's `Mail Delivery System` variant), "Mailer-Daemon"
 * spelled apart. Matched on the whole folded local part or display name, separators being blank, `.`, `_` or `-`.
 */
export const DAEMON_NAME =
  /^(?:mail(?:er)?[\s._-]{0,2}(?:delivery[\s._-]{0,2}(?:system|subsystem|service|agent)|daemon|administrator|system(?:[\s._-]{0,2}administrator)?)|post[\s._-]{0,2}master|mdaemon|delivery[\s._-]{0,2}status[\s._-]{0,2}notification)$/;

/** True for a daemon's address or display name ("Mail Delivery System <Mail.Delivery.System@example.com>"). */
export function isDaemonLike(sender: string | null, fromHeader: string | null): boolean {
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
export const LIST_ROBOT_SENDER = /^(?:owner-[^@]*|[^@]*-request)@/i;
/** Robots that announce they read nothing (Discourse and Zammad treat them as auto-generated). */
export const NO_REPLY_SENDER = /^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?)(?:[-_.+][^@]*)?@/i;
/** `From: MAILER-DAEMON <>` (DragonFly, some Exim set-ups): an explicitly empty From address. */
export const NULL_ADDRESS = /<\s*>/;

export function isNullReturnPath(value: string | null): boolean {
  if (value === null) return false;
  const trimmed = value.trim();
  // Sendmail writes the null sender as <MAILER-DAEMON> on delivery; some servers store an empty value.
  return trimmed === '' || NULL_ADDRESS.test(trimmed) || /^<?\s*mailer-daemon\s*>?$/i.test(trimmed);
}
