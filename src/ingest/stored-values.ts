/**
 * What mail data must look like to be stored on every database Strapi supports, whatever the sender put in it.
 *
 * - Columns that take mail data are `text` (PostgreSQL `text`, MySQL `longtext`, SQLite any length): a Message-ID of
 *   990 characters, a 320-character address or a 60-tag Accept-Language fit.
 * - PostgreSQL refuses NUL (U+0000) in text and in jsonb ("invalid byte sequence for encoding UTF8: 0x00"), and a
 *   NUL is never meaningful in a header or a body: it is replaced with U+FFFD, visibly, in every stored string (the
 *   raw source keeps the original bytes).
 * - A value in an indexed column must fit a btree entry (PostgreSQL: about 2,700 bytes): Message-IDs and sender
 *   addresses are clipped on purpose to {@link INDEXED_VALUE_MAX_BYTES}. Real ones are far shorter (a header line
 *   holds 998 characters); a longer one is hostile, is still stored whole in the raw source, and only loses
 *   threading by that id.
 */

/** Bytes of UTF-8 an indexed text value keeps (PostgreSQL's btree entry limit is 2,704 bytes for the whole row). */
export const INDEXED_VALUE_MAX_BYTES = 2000;

/** Characters a quarantine receipt keeps of each mail field: the quarantine must not fail on what broke the store. */
export const QUARANTINE_FIELD_MAX_CHARS = 1000;

const NUL = '\u0000';
// eslint-disable-next-line no-control-regex -- NUL is exactly what this finds
const NUL_ALL = /\u0000/g;

/** `value` with every NUL in its strings (keys included) replaced; the same object when there is none. */
export function withoutNul<T>(value: T): T {
  return clean(value, 0) as T;
}

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.includes(NUL) ? value.replace(NUL_ALL, '\uFFFD') : value;
  // Deeper than any header structure: leave it (the database will say if it minds, and the mail is quarantined).
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = clean(value[i], depth + 1);
      if (item !== value[i]) (copy ??= value.slice())[i] = item;
    }
    return copy ?? value;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  // Dates, Buffers and other class instances are not text.
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value)) {
    const cleanKey = key.includes(NUL) ? key.replace(NUL_ALL, '\uFFFD') : key;
    const cleanItem = clean(item, depth + 1);
    if (cleanKey !== key || cleanItem !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      if (cleanKey !== key) delete copy[key];
      copy[cleanKey] = cleanItem;
    }
  }
  return copy ?? value;
}

/** At most `maxBytes` of UTF-8, cut on a character boundary. */
export function clipUtf8(value: string, maxBytes?: number): string;
export function clipUtf8(value: string | null, maxBytes?: number): string | null;
export function clipUtf8(value: string | null, maxBytes: number = INDEXED_VALUE_MAX_BYTES): string | null {
  // Fast path: no string of n UTF-16 units is longer than 3n bytes.
  if (value === null || value.length * 3 <= maxBytes) return value;
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  let bytes = 0;
  let end = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return value.slice(0, end);
}

/** At most `max` characters, with an ellipsis when cut. */
export function clipChars(value: string | null, max: number = QUARANTINE_FIELD_MAX_CHARS): string | null {
  if (value === null || value.length <= max) return value;
  return `${value.slice(0, max - 1)}…`;
}
