/**
 * Address headers (From, Reply-To, To, Cc) → the {@link MailAddress} lists of ParsedMail: groups expanded, only
 * usable mailboxes kept, so nothing downstream meets `<>`, a group name or a control character as an address.
 */
import type { AddressObject, EmailAddress, HeaderValue } from 'mailparser';
import type { MailAddress } from '../types';
import { cleanHeaderText } from './header-text';

function isAddressObject(value: unknown): value is AddressObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { value?: unknown }).value) &&
    !(value instanceof Date)
  );
}

// eslint-disable-next-line no-control-regex -- control characters are what these reject
const BAD_IN_ADDRESS = /[\s<>\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const BAD_IN_DOMAIN = /[\s<>()[\]\\,;:"\u0000-\u001f\u007f]/;

/** `local@domain`, nothing that could not be a mailbox (spaces, brackets, control characters). */
function isUsableAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  return (
    at > 0 &&
    at < address.length - 1 &&
    !BAD_IN_ADDRESS.test(address) &&
    !BAD_IN_DOMAIN.test(address.slice(at + 1))
  );
}

/** Groups expanded, addresses lower-cased, entries without a usable address dropped, duplicates removed. */
export function flattenAddresses(value: HeaderValue | undefined): MailAddress[] {
  const objects = (Array.isArray(value) ? value : [value]).filter(isAddressObject);
  const result: MailAddress[] = [];
  const seen = new Set<string>();
  const visit = (entry: EmailAddress): void => {
    if (Array.isArray(entry.group)) {
      entry.group.forEach(visit);
      return;
    }
    const address = (entry.address ?? '').trim().toLowerCase();
    if (!isUsableAddress(address) || seen.has(address)) {
      return;
    }
    seen.add(address);
    result.push({ address, name: cleanHeaderText(entry.name ?? '') });
  };
  for (const object of objects) {
    object.value.forEach(visit);
  }
  return result;
}

/**
 * Addresses a parsed mail keeps per header. Real mail names a few, a big distribution list a few hundred; a flood
 * of 150,000 (a fuzz case) would otherwise travel to the main process, be walked on every store and written as JSON
 * into every row that lists recipients. The whole header stays in the mail's headers (cut at
 * {@link MAX_STORED_HEADER_CHARS}) and the raw source on the server.
 */
export const MAX_LISTED_ADDRESSES = 500;

/** At most {@link MAX_LISTED_ADDRESSES} addresses of one header; a warning on the receipt says when more were cut. */
export function listedAddresses(
  value: HeaderValue | undefined,
  header: string,
  warn: (message: string) => void
): MailAddress[] {
  const all = flattenAddresses(value);
  if (all.length <= MAX_LISTED_ADDRESSES) return all;
  warn(
    `${header} lists ${all.length} addresses; the first ${MAX_LISTED_ADDRESSES} are kept as recipients of the message`
  );
  return all.slice(0, MAX_LISTED_ADDRESSES);
}
