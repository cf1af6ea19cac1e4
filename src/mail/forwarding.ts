/**
 * Forwarding addresses: owners forward other addresses (sales@, billing@) into one piped mailbox, and rules may
 * depend on which one a mail came through. The envelope tells best: Delivered-To and X-Original-To are written by
 * the delivering server (Postfix, Dovecot, Exim), X-Forwarded-To by some forwarders (Gmail), Resent-To by a resend;
 * then the visible To and Cc. The first address in that order that is one of the configured forwarding addresses
 * wins; within a repeated header the topmost (latest hop) comes first.
 *
 * An address with a `+tag` (`sales+eu@example.com`) counts as its plain form, so subaddressing does not hide a
 * forwarding address.
 */
import type { ParsedMail } from './types';

export const FORWARDING_HEADERS = ['delivered-to', 'x-original-to', 'x-forwarded-to', 'resent-to'] as const;

const ADDRESS = /[^\s<>()",;:@]+@[^\s<>()",;:@]+/;

/**
 * Bounds on what is read of a forwarding header, so a hostile value cannot hold the event loop: the address pattern
 * is tried from every start position of a part, which is quadratic in the part's length (a 100 KB value without `@`
 * took over 10 s). An address is at most 254 characters (RFC 5321 §4.5.3.1.3) and a real Delivered-To or
 * X-Original-To holds one or a few, so reading the first 4 KB of the first 50 occurrences (the topmost hops, the ones
 * that decide) loses nothing a server wrote, and a part longer than 1,000 characters cannot be an address.
 */
const MAX_HEADER_CHARS = 4096;
const MAX_HEADER_LINES = 50;
const MAX_PART_CHARS = 1000;

/**
 * The addresses in a header value such as `"Sales, EU" <sales@example.com>, billing@example.com (Billing)`:
 * comments and quoted display names removed, angle brackets preferred, lower-cased, in order.
 */
export function addressesInHeader(header: string): string[] {
  const value = header.length > MAX_HEADER_CHARS ? header.slice(0, MAX_HEADER_CHARS) : header;
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let comment = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && (quoted || comment > 0)) {
      i++;
      continue;
    }
    if (quoted) {
      if (c === '"') quoted = false;
      continue;
    }
    if (comment > 0) {
      if (c === '(') comment++;
      else if (c === ')') comment--;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '(') comment = 1;
    else if (c === '<') {
      angle = true;
      current += c;
    } else if (c === '>') {
      angle = false;
      current += c;
    } else if ((c === ',' || c === ';') && !angle) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  const out: string[] = [];
  for (const part of parts) {
    if (part.length > MAX_PART_CHARS || !part.includes('@')) continue;
    const bracketed = /<([^<>]*)>/.exec(part);
    const found = ADDRESS.exec(bracketed ? bracketed[1] : part);
    if (found) out.push(found[0].toLowerCase());
  }
  return out;
}

function plain(address: string): string {
  return address.replace(/\+[^@]*@/, '@');
}

/** The configured forwarding address this mail came in through, lower-cased, or null. */
export function forwardingAddressOf(
  mail: Pick<ParsedMail, 'headers' | 'to' | 'cc'>,
  known: readonly string[]
): string | null {
  if (known.length === 0) return null;
  const wanted = new Map<string, string>();
  for (const entry of known) {
    const normalised = entry.trim().toLowerCase();
    if (normalised) wanted.set(normalised, normalised);
  }
  const candidates: string[] = [];
  for (const name of FORWARDING_HEADERS) {
    const value = mail.headers[name];
    if (value === undefined || value === null) continue;
    const lines = Array.isArray(value) ? value.slice(0, MAX_HEADER_LINES) : [value];
    // A loop, not `push(...list)`: spreading a long list into a call overflows the stack.
    for (const line of lines) for (const address of addressesInHeader(String(line))) candidates.push(address);
  }
  for (const entry of [...mail.to, ...mail.cc]) candidates.push(entry.address.trim().toLowerCase());
  for (const candidate of candidates) {
    const hit = wanted.get(candidate) ?? wanted.get(plain(candidate));
    if (hit) return hit;
  }
  return null;
}
