/**
 * The forms of a mail's value that patterns run on: cut to a bound (so no pattern sees more than 64 K characters of
 * attacker-written text), trimmed, lower-cased for exact comparison, and with `/` replaced for wildcards.
 */

/** Body, subject and header values are cut to this many characters before matching. */
export const MAX_MATCH_INPUT = 65536;

/** Stands in for `/` in wildcard patterns and values: micromatch treats `/` as a path separator, mail has none. */
/**
 * `¤` (U+00A4, the generic currency sign, next to unused in real text): printable, so micromatch keeps it (it drops
 * control characters), and Latin-1, so a body with a `/` stays a one-byte string when replaced (a private-use
 * character made a two-byte copy: twice the memory, and slower regexes). The price: a pattern's `/` also matches a
 * `¤` in the value, and a `¤` in a pattern also matches `/`.
 */
export const SLASH_STAND_IN = '\u00a4';

/** Cuts a value to the first {@link MAX_MATCH_INPUT} characters. */
export function bounded(value: string): string {
  return value.length > MAX_MATCH_INPUT ? value.slice(0, MAX_MATCH_INPUT) : value;
}

/** The form of a (bounded) value a wildcard regex runs on. */
export function wildcardValue(value: string): string {
  const trimmed = value.trim();
  return trimmed.includes('/') ? trimmed.split('/').join(SLASH_STAND_IN) : trimmed;
}

/** The exact-mode form of a value. */
export function exactValue(value: string, caseSensitive: boolean): string {
  const trimmed = value.trim();
  return caseSensitive ? trimmed : trimmed.toLowerCase();
}
