/**
 * Message-ID helpers for threading (email standards guide, section 4). Pure functions, no I/O.
 *
 * Message-IDs are compared in one canonical form everywhere: no angle brackets, no whitespace,
 * lower-cased. Strictly the left part is case-sensitive (RFC 5322 §3.6.4), but mail software rewrites
 * case often enough that a case-sensitive match loses real replies, and a collision across case alone
 * is not a realistic risk next to the sender checks threading does anyway.
 */
import type { ParsedMail } from './types';

/** RFC 5322 caps a header line at 998 characters; a longer "id" is not one we generated or stored. */
const MAX_ID_LENGTH = 998;

/**
 * Canonical form of one Message-ID: `<Foo@Example.COM>` → `foo@example.com`.
 * Returns null for empty values and garbage: control characters, brackets left inside, nothing
 * alphanumeric, or longer than a header line may be.
 */
export function normalizeMessageId(raw: string): string | null {
  if (typeof raw !== 'string') {
    return null;
  }
  let value = raw.trim();
  // `<id>` possibly with junk around it (a trailing comment, a phrase before it): keep what is inside.
  const bracketed = /<([^<>]*)>/.exec(value);
  if (bracketed) {
    value = bracketed[1];
  }
  // Folded or sloppily generated ids contain whitespace that is not part of the id.
  value = value.replace(/\s+/g, '').toLowerCase();
  if (!value || value.length > MAX_ID_LENGTH) {
    return null;
  }
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[<>\u0000-\u001f\u007f]/.test(value)) {
    return null;
  }
  if (!/[\p{L}\p{N}]/u.test(value)) {
    return null;
  }
  return value;
}

/**
 * Splits one header value into id tokens, in order. Understands `<a@b> <c@d>`, ids without brackets
 * (`a@b c@d`, comma-separated too), RFC 5322 comments `(…)` (nested, with escapes) and quoted phrases
 * (`In-Reply-To: Your message of "Mon, 1 Jan" <a@b>`): neither can hold an id, so both are skipped.
 * A bare token counts only when it contains `@`, so the words of a phrase are not mistaken for ids.
 */
function tokenize(value: string): string[] {
  const tokens: string[] = [];
  let bare = '';
  const flushBare = (): void => {
    for (const word of bare.split(/[\s,;]+/)) {
      if (word.includes('@')) {
        tokens.push(word);
      }
    }
    bare = '';
  };

  let i = 0;
  while (i < value.length) {
    const ch = value[i];
    if (ch === '(') {
      // Comment, possibly nested; `\)` does not close it.
      let depth = 0;
      for (; i < value.length; i++) {
        const c = value[i];
        if (c === '\\') {
          i++;
        } else if (c === '(') {
          depth++;
        } else if (c === ')' && --depth === 0) {
          break;
        }
      }
      i++;
      bare += ' ';
    } else if (ch === '"') {
      // Quoted string (a phrase): skip to the closing quote.
      for (i++; i < value.length && value[i] !== '"'; i++) {
        if (value[i] === '\\') {
          i++;
        }
      }
      i++;
      bare += ' ';
    } else if (ch === '<') {
      const end = value.indexOf('>', i + 1);
      if (end === -1) {
        // Unterminated bracket: treat the rest as a bare token.
        bare += ' ' + value.slice(i + 1);
        break;
      }
      flushBare();
      tokens.push(value.slice(i + 1, end));
      i = end + 1;
    } else {
      bare += ch;
      i++;
    }
  }
  flushBare();
  return tokens;
}

/**
 * Ids of an `In-Reply-To` or `References` header (one value, or several when the header is repeated),
 * canonical form, duplicates removed keeping the first occurrence.
 */
export function parseMessageIdList(header: string | string[] | undefined): string[] {
  if (header === undefined || header === null) {
    return [];
  }
  const values = Array.isArray(header) ? header : [header];
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const value of values) {
    if (typeof value !== 'string') {
      continue;
    }
    for (const token of tokenize(value)) {
      const id = normalizeMessageId(token);
      if (id !== null && !seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
  }
  return ids;
}

/**
 * The ids worth looking up to find the ticket a reply belongs to, best first: the `In-Reply-To` ids
 * (the direct parent), then `References` from newest (last) to oldest. Deduplicated and capped at
 * `max`, so a hostile message listing thousands of references cannot make us run thousands of queries.
 */
export function threadCandidateIds(mail: Pick<ParsedMail, 'inReplyTo' | 'references'>, max = 20): string[] {
  const limit = Number.isFinite(max) ? Math.max(0, Math.floor(max)) : 0;
  const result: string[] = [];
  if (limit === 0) {
    return result;
  }
  const seen = new Set<string>();
  const add = (raw: string): boolean => {
    const id = normalizeMessageId(raw);
    if (id !== null && !seen.has(id)) {
      seen.add(id);
      result.push(id);
    }
    return result.length >= limit;
  };
  for (const id of mail.inReplyTo ?? []) {
    if (add(id)) {
      return result;
    }
  }
  const references = mail.references ?? [];
  for (let i = references.length - 1; i >= 0; i--) {
    if (add(references[i])) {
      return result;
    }
  }
  return result;
}
