/**
 * Bounded reads of a message for classification: header values, subjects and bodies are cut to a fixed length before
 * any pattern runs, so a hostile message cannot make classification slow; and the folding every pattern matches on.
 */
import type { MailHeaders } from './inbound-flags';

/** Longer header values are cut before matching (RFC 5322 allows 998 characters per line; folded ones may be more). */
export const MAX_HEADER_VALUE_LENGTH = 2000;
/** Subjects are cut to this before matching; every prefix we look for sits at the start. */
export const MAX_SUBJECT_LENGTH = 500;
/** Only the beginning of a body is searched for bounce wording: the report comes before the returned message. */
export const MAX_BODY_EVIDENCE_LENGTH = 16 * 1024;
/** Reasons quote header values; a quote longer than this is cut. */
const MAX_QUOTED_LENGTH = 120;

export function headerValues(headers: MailHeaders, name: string): string[] {
  // Own properties only: `constructor` or `__proto__` must not come from the prototype.
  if (!Object.prototype.hasOwnProperty.call(headers, name)) return [];
  const value = headers[name];
  const values = Array.isArray(value) ? value : [value];
  return values
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.slice(0, MAX_HEADER_VALUE_LENGTH).trim());
}

export function firstHeader(headers: MailHeaders, name: string): string | null {
  return headerValues(headers, name)[0] ?? null;
}

export function quote(value: string): string {
  return value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…` : value;
}

/**
 * Lower case without diacritics, so that "Réponse automatique", "REPONSE AUTOMATIQUE" and a client that dropped the
 * accent all read the same ("odpowiedź" → "odpowiedz", "automática" → "automatica").
 */
export function fold(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** `local+tag@Domain` → `local@domain`. */
export function plainAddress(address: string): string {
  return address
    .trim()
    .toLowerCase()
    .replace(/\+[^@]*@/, '@');
}

/**
 * A phrase as a regular expression source for folded text: a space stands for up to three blanks, `-` or `_`, an
 * apostrophe for either apostrophe or none ("couldn't", "couldn’t", "couldnt").
 */
export function phraseSource(phrase: string): string {
  return fold(phrase)
    .split(' ')
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "['’]?"))
    .join('[\\s_-]{0,3}');
}
