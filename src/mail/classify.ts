/**
 * Classify: is this mail written by a machine? Such mail is still imported, but it never causes automatic mail
 * back — the first rule against loops between auto-responders (RFC 3834; the header list follows Zammad's
 * auto_response_check and FreeScout). The loop-and-bounce issue extends this into full flags (bounce, list,
 * out-of-office, our own mail); this is the part the conversation features need today.
 */
import { LOOP_HEADER } from '../outbound/headers';

export interface AutomaticVerdict {
  automatic: boolean;
  /** The first header or sender pattern that decided it, for the receipt and the admin. */
  reason: string | null;
}

type Headers = Record<string, string | string[]>;

function first(headers: Headers, name: string): string | null {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return null;
  return (Array.isArray(value) ? value[0] : value).trim();
}

const MACHINE_SENDER =
  /^(mailer-daemon|postmaster|noreply|no-reply|do-not-reply|donotreply|bounces?|owner-[^@]*|[^@]*-request)@/i;

export function classifyAutomatic(headers: Headers, sender: string | null): AutomaticVerdict {
  const autoSubmitted = first(headers, 'auto-submitted');
  if (autoSubmitted && autoSubmitted.toLowerCase() !== 'no')
    return { automatic: true, reason: `Auto-Submitted: ${autoSubmitted}` };
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    if (first(headers, name) !== null) return { automatic: true, reason: `${name} header` };
  }
  const precedence = (first(headers, 'precedence') ?? first(headers, 'x-precedence'))?.toLowerCase();
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) {
    return { automatic: true, reason: `Precedence: ${precedence}` };
  }
  for (const name of ['list-id', 'list-unsubscribe']) {
    if (first(headers, name) !== null) return { automatic: true, reason: `${name} header (mailing list)` };
  }
  const xLoop = first(headers, 'x-loop');
  if (xLoop !== null) return { automatic: true, reason: 'X-Loop header' };
  if (first(headers, LOOP_HEADER) !== null)
    return { automatic: true, reason: `${LOOP_HEADER} header (our own mail)` };
  const returnPath = first(headers, 'return-path');
  if (returnPath !== null && /^<\s*>$/.test(returnPath))
    return { automatic: true, reason: 'null Return-Path' };
  if (sender && MACHINE_SENDER.test(sender)) return { automatic: true, reason: `machine sender ${sender}` };
  return { automatic: false, reason: null };
}
