/**
 * Signed reply tokens. Every mail the plugin sends names its ticket in a token that only the plugin can make and that
 * is bound to the one recipient it was sent to:
 *
 *   Reply-To:    support+t1234.k3j9x2m4q8w7r5t6@example.com
 *   Message-ID:  <ep.t1234.k3j9x2m4q8w7r5t6.<random>@example.com>   (for servers that strip "+tag" from addresses)
 *
 * The MAC is a truncated HMAC-SHA256 over (version, ticket number, recipient, purpose) under a secret from the
 * environment, compared in constant time. A reply whose token was issued to somebody else, guessed, or tampered with
 * does not verify, so it can never be used to post into another person's ticket (the FreeScout 1.8.220 and Zendesk
 * 2024 incidents came from reply keys that were not bound to a recipient, or not checked).
 */
import crypto from 'node:crypto';

const VERSION = '1';
/** 10 bytes = 80 bits, written as 16 base32 characters: short enough for an address, far beyond guessing. */
const MAC_BYTES = 10;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export type TokenPurpose = 'reply' | 'message-id';

export interface ReplyToken {
  ticketNumber: number;
  mac: string;
}

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function normaliseAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** The `+tag@` of a sub-address. */
export const SUBADDRESS_TAG = /\+[^@]*@/;

/**
 * `Local+tag@Domain` → `local@domain`: the mailbox a sub-address delivers to. Our reply addresses carry a `+tag`
 * (reply token, VERP), so "is this one of our addresses" compares without it.
 */
export function withoutSubaddress(address: string): string {
  return normaliseAddress(address).replace(SUBADDRESS_TAG, '@');
}

export function computeMac(
  secret: string,
  ticketNumber: number,
  recipient: string,
  purpose: TokenPurpose
): string {
  const hmac = crypto.createHmac('sha256', secret);
  hmac.update([VERSION, String(ticketNumber), normaliseAddress(recipient), purpose].join('\u0000'));
  return base32(hmac.digest().subarray(0, MAC_BYTES));
}

/** True when `mac` is the MAC for this ticket, recipient and purpose. Constant time in the MAC's content. */
export function verifyMac(
  secret: string,
  ticketNumber: number,
  recipient: string,
  purpose: TokenPurpose,
  mac: string
): boolean {
  const expected = Buffer.from(computeMac(secret, ticketNumber, recipient, purpose));
  const given = Buffer.from(mac.toLowerCase());
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** `support@example.com` + ticket 1234 for jane@… → `support+t1234.<mac>@example.com`. */
export function replyAddress(
  supportAddress: string,
  ticketNumber: number,
  recipient: string,
  secret: string
): string {
  const at = supportAddress.lastIndexOf('@');
  const local = supportAddress.slice(0, at).split('+')[0];
  const domain = supportAddress.slice(at + 1);
  return `${local}+t${ticketNumber}.${computeMac(secret, ticketNumber, recipient, 'reply')}@${domain}`;
}

/** A Message-ID (without brackets) that names the ticket and is bound to its recipient. */
export function tokenMessageId(
  domain: string,
  ticketNumber: number,
  recipient: string,
  secret: string
): string {
  const mac = computeMac(secret, ticketNumber, recipient, 'message-id');
  return `ep.t${ticketNumber}.${mac}.${crypto.randomBytes(6).toString('hex')}@${domain}`;
}

const ADDRESS_TOKEN = /^[^@+]+\+t(\d{1,9})\.([a-z2-7]{16})@/i;
const MESSAGE_ID_TOKEN = /^ep\.t(\d{1,9})\.([a-z2-7]{16})\.[0-9a-f]+@/i;

/** The token in a `+t<number>.<mac>` address, if it has the right shape (not yet verified). */
export function tokenFromAddress(address: string): ReplyToken | null {
  const match = ADDRESS_TOKEN.exec(address.trim());
  return match ? { ticketNumber: Number(match[1]), mac: match[2].toLowerCase() } : null;
}

/** The token in one of our Message-IDs (without brackets), if it has the right shape (not yet verified). */
export function tokenFromMessageId(messageId: string): ReplyToken | null {
  const match = MESSAGE_ID_TOKEN.exec(messageId.trim());
  return match ? { ticketNumber: Number(match[1]), mac: match[2].toLowerCase() } : null;
}

/** `[#1234]` anywhere in a subject. */
export function subjectTicketNumber(subject: string): number | null {
  const match = /\[#(\d{1,9})\]/.exec(subject);
  return match ? Number(match[1]) : null;
}

export function subjectToken(ticketNumber: number): string {
  return `[#${ticketNumber}]`;
}
