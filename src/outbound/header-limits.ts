/**
 * Bounds for the header values of our mail that come from someone else's mail: the subject (a customer's subject
 * quoted in ours), display names and the References / In-Reply-To chain. RFC 5322 §2.1.1 forbids lines over 998
 * characters and asks for 78; real servers refuse the former. nodemailer folds at whitespace and splits the encoded
 * words of non-ASCII text, but a long run without whitespace (an ASCII subject, a message id) it cannot fold, so
 * such values are clipped here before they reach it.
 */

/** Characters (not UTF-16 units) of a subject we send; longer ones end in an ellipsis. */
export const MAX_SUBJECT_CHARS = 250;

/** Characters of a display name we put in an address header. */
export const MAX_NAME_CHARS = 128;

/** RFC 5322 §2.1.1: the hard limit of a header line, without its CRLF. */
export const MAX_HEADER_LINE = 998;

/**
 * A message id cannot be folded, so `In-Reply-To: <id>` must fit on one line: 998 less the longest field name we
 * write it in and its brackets. An id longer than this cannot be referenced at all and is left out.
 */
export const MAX_MESSAGE_ID_CHARS = MAX_HEADER_LINE - 'In-Reply-To: '.length - 2;

/** At most this many ids in References, and at most this many characters in all (a few folded lines' worth). */
export const MAX_REFERENCES = 20;
export const MAX_REFERENCES_CHARS = 4000;

const ELLIPSIS = '…';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `value` cut to at most `maxChars` user-perceived characters, ending in an ellipsis when it was cut. Never splits
 * a surrogate pair or a character from its combining marks. Only the start of a huge value is segmented, so the
 * cost does not grow with its length.
 */
export function clipText(value: string, maxChars: number): string {
  if (maxChars <= 0) return '';
  // A grapheme is rarely longer than a few code units; 8 per character leaves room for emoji sequences.
  const head = value.length > maxChars * 8 ? value.slice(0, maxChars * 8) : value;
  const pieces: string[] = [];
  for (const { segment } of graphemes.segment(head)) {
    pieces.push(segment);
    if (pieces.length > maxChars) break;
  }
  if (pieces.length <= maxChars && head.length === value.length) return value;
  return `${pieces
    .slice(0, maxChars - 1)
    .join('')
    .trimEnd()}${ELLIPSIS}`;
}

/** A subject for a header: one line, clipped. */
export function clipSubject(subject: string): string {
  return clipText(subject.replace(/\s+/g, ' ').trim(), MAX_SUBJECT_CHARS);
}

/** A display name for an address header: one line, clipped; null stays null. */
export function clipName(name: string | null): string | null {
  if (name === null) return null;
  return clipText(name.replace(/\s+/g, ' ').trim(), MAX_NAME_CHARS);
}

/** True for a message id (without brackets) that fits in a header line and has no whitespace to break it. */
export function isReferableId(id: string | null | undefined): id is string {
  return typeof id === 'string' && id !== '' && id.length <= MAX_MESSAGE_ID_CHARS && !/[\s<>]/.test(id);
}

/**
 * References of a reply = parent's References + parent's Message-ID (RFC 5322 §3.6.4), bounded: the parent's id
 * always (when it can be written at all), then the newest of its References, and the thread's root (which clients
 * use most) when it still fits, within {@link MAX_REFERENCES} ids and {@link MAX_REFERENCES_CHARS} characters.
 */
export function boundedReferences(
  parentReferences: readonly string[],
  parentMessageId: string | null,
  maxIds = MAX_REFERENCES,
  maxChars = MAX_REFERENCES_CHARS
): string[] {
  const older = parentReferences.filter((id) => id !== parentMessageId);
  const chain = [...new Set(parentMessageId ? [...older, parentMessageId] : older)].filter(isReferableId);
  if (chain.length === 0) return [];
  const cost = (id: string) => id.length + 3; // brackets and the separating space
  const root = chain[0];
  // The newest first, walking back from the parent; the root is reserved a place when there is room for it.
  const kept: string[] = [];
  let used = 0;
  const reserveRoot = chain.length > 1 ? cost(root) : 0;
  for (let i = chain.length - 1; i >= 1; i--) {
    const id = chain[i];
    const room = kept.length === 0 ? maxChars : maxChars - reserveRoot;
    if ((kept.length > 0 && kept.length >= maxIds - 1) || used + cost(id) > room) break;
    kept.push(id);
    used += cost(id);
  }
  if (kept.length < maxIds && used + cost(root) <= maxChars) kept.push(root);
  return kept.reverse();
}
