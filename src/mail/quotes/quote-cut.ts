/**
 * Quoted history: split a reply into what its author wrote now (`visible`) and the history their mail client
 * quoted below it (`quoted`), so a ticket thread shows each message once. Nothing is thrown away: `visible`
 * followed by `quoted` is the original (modulo whitespace at the cut), and the admin shows `quoted` collapsed
 * (email standards guide, section 5).
 *
 * Why our own code and not a library: `planer` (a port of Mailgun's talon) needs a full DOM such as jsdom for
 * HTML, returns only the kept part, and removes leading quotes of bottom-posted replies; `email-reply-parser`
 * is text-only, ESM-only and also cuts at "Regards,"-style signature lines. Both were measured on the
 * corpus; the ideas (attribution lines in several languages, Outlook header blocks, client quote containers)
 * are borrowed from them.
 *
 * trimQuotedText (text-quotes.ts) and trimQuotedHtml (html-quotes.ts) share the decision procedure of this file
 * over "lines": for text these are the lines of the body, for HTML the lines a reader would see (split at `<br>`
 * and block elements), so text and HTML bodies of one message are trimmed by the same rules:
 *
 * 1. Our own marker {@link REPLY_ABOVE_MARKER} (also when quoted with `>` or inside HTML) cuts first.
 * 2. Otherwise the first quote start, top down: an Outlook separator, a `-----Original Message-----` line,
 *    an Outlook header block (`From:` + `Sent:` + `To:`/`Subject:`, localized), an attribution line
 *    ("On … wrote:" in nine languages, possibly wrapped over up to three lines), or a quote block
 *    (`>`-prefixed lines; in HTML the content of client quote containers such as `div.gmail_quote`).
 *    A quote block is cut only when nothing new follows it: an inline or bottom-posted reply keeps
 *    everything visible. A forwarded-message header met first stops the search: a forward is content.
 * 3. A mobile signature ("Sent from my iPhone") that ends what is left goes to the quoted part too, like the
 *    quote it usually sits above: it is client boilerplate, not something the author wrote. It is moved
 *    only when it is the last line and something else precedes it.
 * 4. If nothing would stay visible (a forward without a note, a message that is one big quote), the
 *    original is returned untouched.
 *
 * Pure functions; nothing here knows about Strapi.
 */
import {
  ATTRIBUTION_DETAIL,
  ATTRIBUTION_PREFIX,
  ATTRIBUTION_VERB,
  FORWARD_MARKER,
  HEADER_LABELS,
  type HeaderLabel,
  isShortMatch,
  MAX_ATTRIBUTION_LENGTH,
  MOBILE_SIGNATURE,
  ORIGINAL_MESSAGE,
  RULE_LINE,
  SIGNATURE_DELIMITER,
} from './quote-patterns';
import { REPLY_ABOVE_MARKER } from './reply-marker';

export interface TrimmedText {
  /** What the author wrote in this message. Never empty when the original had content. */
  visible: string;
  /** The quoted history (and a trailing mobile signature), starting where `visible` stops; null when nothing was cut. */
  quoted: string | null;
}

export interface Line {
  /** What the line says, trimmed (HTML: entities decoded, whitespace collapsed). */
  text: string;
  /** Part of a quote: `>`-prefixed, or inside a client quote container (HTML). */
  quote: boolean;
  /** Inside a `<blockquote>` that no client marked as a quote: taken for one only right after an attribution. */
  plainQuote: boolean;
  /** First line after an Outlook reply separator element (`#divRplyFwdMsg`, `#appendonsend`). */
  separator: boolean;
}

type Scan =
  | { kind: 'cut'; line: number }
  | { kind: 'none' }
  /** New text follows a quote (inline or bottom posting): trimming would hide what the author wrote. */
  | { kind: 'interleaved' }
  /** A forwarded message starts before any quote: it is what the author wants us to read. */
  | { kind: 'forward' };

function isBlank(line: Line): boolean {
  return line.text === '';
}

/** Blank, or a quote line with nothing in it (`>`, `> >`). */
function isBlankish(line: Line): boolean {
  return /^[>\s]*$/.test(line.text);
}

function nextContent(lines: readonly Line[], from: number, limit: number): number {
  let index = from;
  while (index < limit && isBlank(lines[index])) index++;
  return index;
}

function headerLabel(text: string): HeaderLabel | null {
  for (const [label, pattern] of HEADER_LABELS) {
    if (pattern.test(text)) return label;
  }
  return null;
}

/**
 * An Outlook-style header block starting at `index`: `From:` first, then `Sent:` and `To:`/`Subject:`.
 * A block with `Date:` instead of `Sent:` is what Gmail and Thunderbird put under a forward (and what a
 * user pastes when forwarding by hand), so it counts only under a separator rule (`afterRule`) or right
 * above a quote (Outlook for Mac puts the original in a `<blockquote>` under such a block).
 */
function isHeaderBlock(lines: readonly Line[], index: number, limit: number, afterRule: boolean): boolean {
  if (headerLabel(lines[index].text) !== 'from' || !/:\*?\s*\S/.test(lines[index].text)) return false;
  const seen = new Set<HeaderLabel>();
  let lastLabel = index;
  let misses = 0;
  for (let j = index + 1; j < limit && j <= index + 10; j++) {
    if (isBlank(lines[j])) {
      if (seen.size > 0) break;
      continue;
    }
    const label = headerLabel(lines[j].text);
    if (label) {
      seen.add(label);
      lastLabel = j;
    }
    // Wrapped long To:/Cc: lists continue on lines without a label; more than two means this is not a header.
    else if (++misses > 2) break;
  }
  const addressed = seen.has('to') || seen.has('subject');
  if (seen.has('sent') && addressed) return true;
  if (!seen.has('date') || !addressed) return false;
  if (afterRule) return true;
  const next = nextContent(lines, lastLabel + 1, limit);
  return next < limit && (lines[next].quote || lines[next].plainQuote);
}

interface Attribution {
  /** How many lines it spans (clients wrap long ones: "On …, Name <addr>\nwrote:"). */
  lines: number;
  /** Recognizable on its own (opening word, or a date/address); a weak one counts only right above a quote. */
  strong: boolean;
}

/** Opening of an attribution as such: its usual first word, or a date ("02.04.2012 14:20 …", "2019-06-03 …"). */
function opensAttribution(text: string): boolean {
  return ATTRIBUTION_PREFIX.test(text) || /^\d/.test(text);
}

function attributionAt(lines: readonly Line[], index: number, limit: number): Attribution | null {
  const first = lines[index].text.replace(/^[-\s]+/, ''); // Yahoo: "--- On … wrote:"
  let joined = '';
  for (let count = 1; count <= 3 && index + count <= limit; count++) {
    const line = lines[index + count - 1];
    if (isBlank(line)) return null;
    if (count > 1) {
      // A wrapped attribution continues a line that did not end yet, that looks like the start of one, and
      // that is quoted (or not) like it: "Thanks.\nOn … wrote:" is a sentence and then an attribution.
      if (joined.endsWith(':') || /[.!?]$/.test(first) || line.quote !== lines[index].quote) return null;
      if (!opensAttribution(first) && !first.includes('@')) return null;
    }
    joined = count === 1 ? first : `${joined} ${line.text}`;
    if (joined.length > MAX_ATTRIBUTION_LENGTH) return null;
    if (!ATTRIBUTION_VERB.test(joined)) continue;
    const strong = ATTRIBUTION_PREFIX.test(joined) || ATTRIBUTION_DETAIL.test(joined);
    // Only a clear attribution may span lines, or any paragraph ending in "wrote:" would do.
    if (count > 1 && !strong) continue;
    // "See a@b.c\nOn … wrote:": when the later lines are an attribution by themselves, the first line joins
    // them only if it opens like one.
    if (count > 1 && !opensAttribution(first)) {
      const rest = attributionAt(lines, index + 1, limit);
      if (rest && rest.strong && rest.lines === count - 1) return null;
    }
    return { lines: count, strong };
  }
  return null;
}

/** A quote block starting at `start` is cut at `cut` when nothing but blank lines follows it before `limit`. */
function quoteBlockAt(
  lines: readonly Line[],
  start: number,
  limit: number,
  cut: number,
  plain: boolean
): Scan {
  let index = start;
  while (
    index < limit &&
    (isBlank(lines[index]) || lines[index].quote || (plain && lines[index].plainQuote))
  ) {
    index++;
  }
  return index >= limit ? { kind: 'cut', line: cut } : { kind: 'interleaved' };
}

/** Finds the first quote start before `limit`, top down. */
function scanForQuote(lines: readonly Line[], limit: number, markerFollows: boolean): Scan {
  for (let index = 0; index < limit; index++) {
    const line = lines[index];
    if (isBlank(line)) continue;
    if (line.separator) return { kind: 'cut', line: index };
    if (isShortMatch(FORWARD_MARKER, line.text)) return { kind: 'forward' };
    if (isShortMatch(ORIGINAL_MESSAGE, line.text)) return { kind: 'cut', line: index };
    if (RULE_LINE.test(line.text)) {
      const next = nextContent(lines, index + 1, limit);
      if (
        next < limit &&
        (isShortMatch(ORIGINAL_MESSAGE, lines[next].text) || isHeaderBlock(lines, next, limit, true))
      ) {
        return { kind: 'cut', line: index };
      }
    }
    if (isHeaderBlock(lines, index, limit, false)) return { kind: 'cut', line: index };
    const attribution = attributionAt(lines, index, limit);
    if (attribution) {
      const next = nextContent(lines, index + attribution.lines, limit);
      if (next >= limit) {
        // Nothing after it: only our marker (or the end) follows a clear attribution.
        if (attribution.strong || markerFollows) return { kind: 'cut', line: index };
      } else if (lines[next].quote) {
        return quoteBlockAt(lines, next, limit, index, false);
      } else if (attribution.strong) {
        // Clients that do not prefix the quote (Outlook-like, multiline_wrote, Yahoo's "--- On … wrote:").
        return { kind: 'cut', line: index };
      } else if (lines[next].plainQuote) {
        return quoteBlockAt(lines, next, limit, index, true);
      }
      // A weak "… wrote:" above ordinary text is ordinary text.
    }
    if (line.quote) return quoteBlockAt(lines, index, limit, index, false);
  }
  return { kind: 'none' };
}

/** From our marker's line, back over blank quote lines and the attribution the client put above it. */
function backOverAttribution(lines: readonly Line[], marker: number): number {
  let start = marker;
  while (start > 0 && isBlankish(lines[start - 1])) start--;
  for (let count = 1; count <= 3 && start - count >= 0; count++) {
    const attribution = attributionAt(lines, start - count, start);
    if (attribution && attribution.lines === count) return start - count;
  }
  // No attribution: only empty quote lines ("> ") right above the marker go with it.
  start = marker;
  while (start > 0 && lines[start - 1].quote && isBlankish(lines[start - 1]) && !isBlank(lines[start - 1]))
    start--;
  return start;
}

/** Moves the cut up over a mobile signature that is the last line of what stays visible. */
function signatureCut(lines: readonly Line[], cut: number): number {
  let last = cut - 1;
  while (last >= 0 && isBlank(lines[last])) last--;
  if (last < 0 || lines[last].quote || !MOBILE_SIGNATURE.test(lines[last].text)) return cut;
  let previous = last - 1;
  while (previous >= 0 && isBlank(lines[previous])) previous--;
  if (previous < 0) return cut; // the signature is all there is: it stays visible
  if (SIGNATURE_DELIMITER.test(lines[previous].text)) {
    let above = previous - 1;
    while (above >= 0 && isBlank(lines[above])) above--;
    if (above >= 0) return previous;
  }
  return last;
}

/** Index of the first line of the quoted part, or null to keep everything visible. */
export function findCut(lines: readonly Line[]): number | null {
  const marker = lines.findIndex((line) => line.text.includes(REPLY_ABOVE_MARKER));
  const limit = marker >= 0 ? marker : lines.length;
  const scan = scanForQuote(lines, limit, marker >= 0);
  let cut: number;
  if (scan.kind === 'cut') cut = scan.line;
  // Our marker is authoritative: whatever came before it (an inline quote, a forward), below it is ours.
  else if (marker >= 0) cut = backOverAttribution(lines, marker);
  else if (scan.kind === 'none') cut = lines.length;
  else return null;
  cut = signatureCut(lines, cut);
  if (cut >= lines.length) return null;
  // Never leave the author with nothing: a forward without a note, or a message that is all quote.
  if (!lines.slice(0, cut).some((line) => !isBlank(line))) return null;
  return cut;
}
