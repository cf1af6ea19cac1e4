/**
 * Header text: mailsplit's raw header lines → the decoded, one-line, prototype-safe record of {@link ParsedMail}
 * `headers`, and the reads parseMail makes from it (values of one header, the Date). Kept apart from the body so the
 * rules for header text (unfolding, encoded words, control characters) live in one place.
 */
import libmime from 'libmime';
import type { HeaderLines, HeaderValue, StructuredHeader } from 'mailparser';
import { binaryToUnicode } from './body-charset';

// eslint-disable-next-line no-control-regex -- these match control characters on purpose
export const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
export const LINE_BREAKS_AND_TABS = /[\t\r\n]+/g;

/** One-line header text: tabs and line breaks become spaces, other control characters (NUL...) go. */
export function cleanHeaderText(value: string): string {
  return value.replace(LINE_BREAKS_AND_TABS, ' ').replace(CONTROL_CHARS, '').trim();
}

/** `Subject: foo\r\n bar` → `foo bar`, encoded words decoded. */
function headerLineValue(line: string): string {
  const colon = line.indexOf(':');
  let value = colon === -1 ? '' : line.slice(colon + 1);
  // Unfold (RFC 5322 §2.2.3): a line break followed by whitespace is not part of the value.
  value = value.replace(/\r?\n(?=[ \t])/g, '').replace(/[\r\n]+/g, ' ');
  value = binaryToUnicode(value.trim());
  try {
    value = libmime.decodeWords(value);
  } catch {
    // An unknown charset in an encoded word: keep the raw text rather than fail the message.
  }
  return cleanHeaderText(value);
}

/**
 * Characters a decoded header value keeps. A header line holds 998 characters; folded headers run longer (a long
 * References, an ARC set) but stay far below this. Beyond it the value is hostile (a 3 MB Cc, a 580 KB
 * Delivered-To): the main process would walk, match and store it whole for every message. Cut, with a warning.
 */
export const MAX_STORED_HEADER_CHARS = 64 * 1024;

export function buildHeaderRecord(
  lines: HeaderLines,
  warn: (message: string) => void = () => undefined
): Record<string, string | string[]> {
  const collected = new Map<string, string | string[]>();
  for (const { key, line } of lines) {
    const name = key.trim().toLowerCase();
    if (!name) {
      continue;
    }
    let value = headerLineValue(line);
    if (value.length > MAX_STORED_HEADER_CHARS) {
      warn(`${name} header is ${value.length} characters; kept cut at ${MAX_STORED_HEADER_CHARS}`);
      value = `${value.slice(0, MAX_STORED_HEADER_CHARS - 1)}…`;
    }
    const existing = collected.get(name);
    if (existing === undefined) {
      collected.set(name, value);
    } else if (Array.isArray(existing)) {
      existing.push(value);
    } else {
      collected.set(name, [existing, value]);
    }
  }
  // A plain object for the caller (JSON, spreading). Properties are defined, not assigned, so that a
  // header named `__proto__` becomes an ordinary key instead of replacing the object's prototype.
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of collected) {
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return headers;
}

export function headerValues(headers: Record<string, string | string[]>, name: string): string[] {
  const value = Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] : undefined;
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

const MAX_DATE_CHARS = 200;

export function parseDate(values: string[], warn: (message: string) => void): Date | null {
  if (values.length === 0) {
    return null;
  }
  // A date is ~40 characters; the comment-stripping pattern below is quadratic on a long run of "(" without ")".
  const raw = values[0].slice(0, MAX_DATE_CHARS);
  // mailparser substitutes "now" for an unparsable Date; a wrong date is worse than none.
  let date = new Date(raw);
  if (Number.isNaN(date.getTime())) {
    date = new Date(raw.replace(/\([^)]*\)/g, ' ').trim());
  }
  if (Number.isNaN(date.getTime())) {
    warn(`Unparsable Date header: ${raw.slice(0, 100)}`);
    return null;
  }
  return date;
}

export function isStructuredHeader(value: HeaderValue | undefined): value is StructuredHeader {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    typeof (value as { value?: unknown }).value === 'string' &&
    typeof (value as { params?: unknown }).params === 'object'
  );
}
