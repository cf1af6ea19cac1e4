/**
 * VERP: each automatic mail can go out with an envelope sender that names it (`bounces+b<token>@domain`), so a
 * bounce identifies its outbound message even when the report itself is useless.
 */
import crypto from 'node:crypto';
import { addressesInHeader } from '../forwarding';
import { MAX_FIELD_LENGTH } from './bounce-report';

/**
 * A VERP token: 24 lower-case hex characters (96 random bits) after `+b`. It cannot be mistaken for a reply token
 * (`+t<number>.<16 base32>`, tokens.ts): different letter, different alphabet and length.
 */
export const VERP_TOKEN_PATTERN = /^[0-9a-f]{24}$/;
export const VERP_IN_ADDRESS = /^[^@\s+]+\+b([0-9a-f]{24})@/i;

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
