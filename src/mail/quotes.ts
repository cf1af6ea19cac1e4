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
 * Both functions share one decision procedure over "lines": for text these are the lines of the body, for
 * HTML the lines a reader would see (split at `<br>` and block elements), so text and HTML bodies of one
 * message are trimmed by the same rules:
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
import { isTag, isText } from 'domhandler';
import type { AnyNode, Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { htmlBudgetOf } from './html-budget';

/** Put at the top of the quotable part of our notifications; a reply is cut here before any other rule. */
export const REPLY_ABOVE_MARKER = '##- Please type your reply above this line -##';

export interface TrimmedText {
  /** What the author wrote in this message. Never empty when the original had content. */
  visible: string;
  /** The quoted history (and a trailing mobile signature), starting where `visible` stops; null when nothing was cut. */
  quoted: string | null;
}

/* ------------------------------------------------------------------------------------------------ */
/* Patterns                                                                                         */
/* ------------------------------------------------------------------------------------------------ */

/**
 * The verb that ends an attribution line. English, French, Spanish, Portuguese, Polish, Italian and Russian put
 * it last ("… wrote:"); German, Dutch and Estonian may put the sender's name after it ("Am … schrieb Max <m@x>:",
 * "Op … schreef Jan het volgende:", "Jaan kirjutas …:"), so for those anything may follow up to the final colon.
 * `\p{L}` look-arounds instead of `\b`, which only knows ASCII letters (napisał, написал).
 */
const ATTRIBUTION_VERB =
  /(?<!\p{L})(?:wrote|writes|a\s+écrit|escribió|escreveu|pisze|napisał(?:\(a\)|a)?|ha\s+scritto|написал(?:\(а\)|а)?)\s*:$|(?<!\p{L})(?:schrieb|schreef|kirjutas)(?!\p{L}).*:$/u;

/** How attributions open: "On …", "Le …", "Am …", "El …", "Em …", "W dniu …", "Op …", "Il …". Case-sensitive. */
const ATTRIBUTION_PREFIX = /^(?:On|Le|Am|El|Em|W dniu|Dnia|Op|Il|In data)\s/u;

/** A date, a time or an address: attributions carry one, ordinary sentences ending in "wrote:" rarely do. */
const ATTRIBUTION_DETAIL = /@|\d{1,4}[:./-]\d{1,2}/;

/** Longest line (or joined wrapped lines) still taken for an attribution; real ones stay well below. */
const MAX_ATTRIBUTION_LENGTH = 300;

/** Outlook, AOL, Yahoo, Comcast, ProtonMail: "-----Original Message-----", with any number of dashes, localized. */
const ORIGINAL_MESSAGE =
  /^[-_=*\s]*-{2,}\s*(?:original message|ursprüngliche nachricht|message d['’]origine|mensaje original|mensagem original|oorspronkelijk bericht|messaggio originale|wiadomość oryginalna|originaalsõnum|algne kiri|исходное сообщение)\s*-{2,}[-\s]*$/iu;

/** Gmail, Thunderbird, Apple Mail forward headers (localized). What follows them is content, not a quote. */
const FORWARD_MARKER =
  /^(?:[-=_*\s]*(?:forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|mensagem encaminhada|wiadomość przekazana dalej|doorgestuurd bericht|messaggio inoltrato|edastatud kiri|пересылаемое сообщение)[-=_*\s]*|(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado|início da mensagem reencaminhada|begin doorgestuurd bericht|inizio messaggio inoltrato|początek przekazanej wiadomości)\s*:)$/iu;

/**
 * Separator and forward lines are short. Longer lines are not even tried: the dash-tolerant patterns above
 * backtrack on a hostile line of thousands of dashes.
 */
const MAX_MARKER_LINE = 200;

function isShortMatch(pattern: RegExp, text: string): boolean {
  return text.length <= MAX_MARKER_LINE && pattern.test(text);
}

/** Outlook's plain-text separator (a row of underscores) or a long dashed rule right above a header block. */
const RULE_LINE = /^(?:_{10,}|-{10,})$/;

type HeaderLabel = 'from' | 'sent' | 'date' | 'to' | 'cc' | 'subject' | 'reply-to';

/** Header labels of quoted-message blocks; Outlook writes them bold, which plain text shows as `*From:*`. */
const HEADER_LABELS: ReadonlyArray<[HeaderLabel, RegExp]> = (
  [
    ['from', 'From|De|Von|Od|Van|Da|От|Saatja'],
    [
      'sent',
      'Sent|Envoyé|Gesendet|Wysłano|Enviado(?: el)?|Enviada(?: em)?|Verzonden|Inviato|Saadetud|Отправлено',
    ],
    ['date', 'Date|Datum|Data|Fecha|Kuupäev|Дата'],
    ['to', 'To|À|A|An|Do|Para|Aan|Kellele|Saaja|Кому'],
    ['cc', 'Cc|Kopie|DW|Kopia|Копия'],
    ['subject', 'Subject|Objet|Betreff|Temat|Asunto|Assunto|Onderwerp|Oggetto|Teema|Тема'],
    ['reply-to', 'Reply[- ]To'],
  ] as const
).map(([label, words]) => [label, new RegExp(`^\\*?(?:${words})\\s*:\\*?(?:\\s|$)`, 'iu')]);

/** What a mobile client names in its "sent from" line: a device, an app, or the vendor. */
const DEVICE =
  '(?:iPhone|iPad|iPod|Android|Samsung|Galaxy|BlackBerry|Huawei|Xiaomi|Pixel|Outlook|Mail|Gmail|Yahoo|AOL|Proton|mobile|phone|smartphone|tablet|telefon\\p{L}*|móvil|celular|telemóvel)';

/**
 * Mobile-client boilerplate, matched against a whole line. Kept narrow on purpose, since it hides a line of
 * the author's text: "Sent from my …" in any of our languages, or a "sent from/with/via …" line naming a
 * device or app ("Sent from Yahoo Mail on Android", "Get Outlook for iOS", "Inviato da iPhone").
 */
const MOBILE_SIGNATURE = new RegExp(
  '^(?:' +
    '(?:Sent from my|Envoyé de mon|Envoyé depuis mon|Von meinem|Gesendet von meinem|Enviado desde mi|Enviado do meu|' +
    'Enviado de meu|Verzonden (?:vanaf|met) mijn|Verstuurd vanaf mijn|Inviato dal mio|Wysłane z mojego|Saadetud minu|' +
    'Отправлено с моего) .{1,40}' +
    '|(?:Sent (?:from|via|with)|Get|Envoyé (?:de|depuis)|Gesendet (?:von|mit)|Enviado (?:desde|do|de)|' +
    'Verzonden (?:vanaf|met)|Verstuurd (?:vanaf|met)|Inviato da|Wysłane z|Saadetud|Отправлено (?:с|из)) ' +
    `.{0,30}(?<!\\p{L})${DEVICE}(?!\\p{L}).{0,30}` +
    ')$',
  'iu'
);

/** "-- " (RFC 3676 signature separator) or "--" right above a mobile signature goes with it. */
const SIGNATURE_DELIMITER = /^--\s*$/;

/* ------------------------------------------------------------------------------------------------ */
/* The decision, shared by text and HTML                                                            */
/* ------------------------------------------------------------------------------------------------ */

interface Line {
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
function findCut(lines: readonly Line[]): number | null {
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

/* ------------------------------------------------------------------------------------------------ */
/* Text                                                                                             */
/* ------------------------------------------------------------------------------------------------ */

/** Lines of `text` and the offset where each starts (any of CRLF, LF, CR ends a line). */
function splitText(text: string): { lines: Line[]; starts: number[] } {
  const lines: Line[] = [];
  const starts: number[] = [];
  const breaks = /\r\n|\n|\r/g;
  let start = 0;
  for (;;) {
    const found = breaks.exec(text);
    const end = found ? found.index : text.length;
    const raw = text.slice(start, end);
    starts.push(start);
    lines.push({ text: raw.trim(), quote: /^\s*>/.test(raw), plainQuote: false, separator: false });
    if (!found) break;
    start = found.index + found[0].length;
  }
  return { lines, starts };
}

/** Splits a plain-text body into the new text and the quoted history. */
export function trimQuotedText(text: string): TrimmedText {
  const { lines, starts } = splitText(text);
  const cut = findCut(lines);
  if (cut === null) return { visible: text, quoted: null };
  const visible = text.slice(0, starts[cut]).trimEnd();
  if (visible.trim() === '') return { visible: text, quoted: null };
  // Blank lines at the cut belong to neither side.
  return { visible, quoted: text.slice(starts[cut]).replace(/^(?:[ \t]*(?:\r\n|\n|\r))+/, '') };
}

/* ------------------------------------------------------------------------------------------------ */
/* HTML                                                                                             */
/* ------------------------------------------------------------------------------------------------ */

/** Elements that start a new line when rendered; everything else flows inline. Shared with html-text.ts. */
export const BLOCK_ELEMENTS: ReadonlySet<string> = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'caption',
  'center',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

/** Never shown; the sanitizer removes them already, this keeps unsanitized input from reading their text. */
const HIDDEN_ELEMENTS = new Set(['head', 'script', 'style', 'template', 'title', 'noscript']);

/** Classes mail clients put on the quoted part (or its attribution, which belongs to it). */
const QUOTE_CLASSES = [
  'gmail_quote',
  'gmail_quote_container',
  'gmail_attr',
  'moz-cite-prefix',
  'protonmail_quote',
];

/**
 * A client quote container: Gmail, Thunderbird (prefix + `blockquote[type=cite]`), Apple Mail, ProtonMail,
 * Yahoo (`yahoo_quoted`, often with a generated prefix), Outlook for Mac (`#OLK_SRC_BODY_SECTION`).
 * Our sanitizer keeps `class` but drops `id`, so id-based checks only help with unsanitized input; Outlook's
 * header block is recognized from its text instead.
 */
function isQuoteContainer(element: Element): boolean {
  if (element.name === 'blockquote' && (element.attribs.type ?? '').toLowerCase() === 'cite') return true;
  if (element.attribs.id === 'OLK_SRC_BODY_SECTION') return true;
  const classes = (element.attribs.class ?? '').split(/\s+/);
  return classes.some((name) => QUOTE_CLASSES.includes(name) || name.endsWith('yahoo_quoted'));
}

/** Outlook's reply separators: everything after them is the quoted message (ids survive only unsanitized). */
function isOutlookSeparator(element: Element): boolean {
  const id = element.attribs.id ?? '';
  return /^(?:x_)?(?:divRplyFwdMsg|appendonsend)$/.test(id);
}

/** Where the quoted part begins in the source: at `node`, or inside a `<pre>` text node at `offset`. */
interface CutPoint {
  node: AnyNode;
  offset: number;
}

interface HtmlLine extends Line {
  anchor: CutPoint;
}

function startOf(node: AnyNode): number {
  return node.startIndex ?? 0;
}

/** Whitespace, including no-break and zero-width spaces that editors sprinkle around. */
const ONLY_SPACE = /^[\s\u200b-\u200d\u2060]*$/;

/** Reader-visible lines of a parsed document, each anchored at the source position where it starts. */
class LineCollector {
  readonly lines: HtmlLine[] = [];
  private parts: string[] = [];
  private anchor: CutPoint | null = null;
  private state: Pick<Line, 'quote' | 'plainQuote'> | null = null;
  private pendingSeparator: Element | null = null;
  private containerDepth = 0;
  private blockquoteDepth = 0;
  /** Inside the outermost container, a blockquote already ended: text after it is typed between quotes. */
  private quoteEnded = false;
  private preDepth = 0;

  constructor(private readonly source: string) {}

  private touch(node: AnyNode, offset = startOf(node)): void {
    if (!this.anchor) this.anchor = { node, offset };
  }

  private add(text: string): void {
    if (!this.state && !ONLY_SPACE.test(text)) {
      const inContainer = this.containerDepth > 0;
      this.state = {
        quote: inContainer && (this.blockquoteDepth > 0 || !this.quoteEnded),
        plainQuote: !inContainer && this.blockquoteDepth > 0,
      };
    }
    this.parts.push(text);
  }

  private endLine(): void {
    if (!this.anchor) return;
    const text = this.parts
      .join('')
      .replace(/[\s\u200b-\u200d\u2060]+/g, ' ')
      .trim();
    const line: HtmlLine = {
      text,
      quote: (this.state?.quote ?? false) || text.startsWith('>'),
      plainQuote: this.state?.plainQuote ?? false,
      separator: false,
      anchor: this.anchor,
    };
    if (text !== '' && this.pendingSeparator) {
      line.separator = true;
      line.anchor = { node: this.pendingSeparator, offset: startOf(this.pendingSeparator) };
      this.pendingSeparator = null;
    }
    this.lines.push(line);
    this.parts = [];
    this.anchor = null;
    this.state = null;
  }

  private text(node: AnyNode & { data: string }): void {
    if (this.preDepth === 0) {
      this.touch(node);
      this.add(node.data);
      return;
    }
    // In <pre> a newline is a line break. Map each line back to the source: entities never hold a newline.
    const raw = this.source.slice(startOf(node), (node.endIndex ?? startOf(node)) + 1);
    const decoded = node.data.split('\n');
    const rawBreaks = [...raw.matchAll(/\n/g)].map((match) => startOf(node) + (match.index ?? 0) + 1);
    decoded.forEach((segment, index) => {
      if (index > 0) {
        this.endLine();
        this.touch(node, rawBreaks.length === decoded.length - 1 ? rawBreaks[index - 1] : startOf(node));
      } else {
        this.touch(node);
      }
      this.add(segment);
    });
  }

  /** Walks the tree in document order without recursion: hostile mail may nest thousands of elements. */
  collect(roots: readonly AnyNode[]): HtmlLine[] {
    type Step = { node: AnyNode; exit: boolean };
    const stack: Step[] = [...roots].reverse().map((node) => ({ node, exit: false }));
    while (stack.length > 0) {
      const { node, exit } = stack.pop() as Step;
      if (isText(node)) {
        this.text(node);
        continue;
      }
      if (!isTag(node) || HIDDEN_ELEMENTS.has(node.name)) continue;
      if (exit) {
        this.leave(node);
        continue;
      }
      this.enter(node);
      stack.push({ node, exit: true });
      for (let index = node.children.length - 1; index >= 0; index--) {
        stack.push({ node: node.children[index], exit: false });
      }
    }
    this.endLine();
    return this.lines;
  }

  private enter(element: Element): void {
    const name = element.name;
    if (name === 'br') {
      this.touch(element);
      this.endLine();
      return;
    }
    if (BLOCK_ELEMENTS.has(name)) this.endLine();
    if (isOutlookSeparator(element) && !this.pendingSeparator) this.pendingSeparator = element;
    this.touch(element);
    if (name === 'img') this.add('\ufffc'); // an image is content: a line holding one is not blank
    if (isQuoteContainer(element)) this.containerDepth++;
    if (name === 'blockquote') this.blockquoteDepth++;
    if (name === 'pre') this.preDepth++;
  }

  private leave(element: Element): void {
    const name = element.name;
    if (isQuoteContainer(element)) this.containerDepth--;
    if (name === 'blockquote') {
      this.blockquoteDepth--;
      if (this.containerDepth > 0) this.quoteEnded = true;
    }
    if (this.containerDepth === 0) this.quoteEnded = false;
    if (name === 'pre') this.preDepth--;
    if (BLOCK_ELEMENTS.has(name)) this.endLine();
  }
}

/** True when `node` shows nothing: whitespace, `<br>`, `<hr>`, empty wrappers. An image shows something. */
function isInsignificant(root: AnyNode): boolean {
  // Iterative for the same reason as LineCollector.collect: no recursion on attacker-controlled depth.
  const pending: AnyNode[] = [root];
  while (pending.length > 0) {
    const node = pending.pop() as AnyNode;
    if (isText(node)) {
      if (!ONLY_SPACE.test(node.data)) return false;
    } else if (isTag(node) && !HIDDEN_ELEMENTS.has(node.name)) {
      if (node.name === 'img') return false;
      // A loop, not `push(...children)`: an element with ~125,000 children overflows the stack as call arguments.
      for (const child of node.children) pending.push(child);
    }
  }
  return true;
}

/**
 * Moves the cut up over whatever shows nothing (the `<br><br>` and empty `<div>`s a client leaves above the
 * quote, Outlook's `<hr>`), and out of wrappers the cut would otherwise leave empty in the visible part (Gmail's
 * `div.gmail_extra`). Only invisible content moves, so the visible part loses nothing the author wrote.
 */
function expandBackwards(source: string, point: CutPoint): CutPoint {
  if (
    point.offset !== startOf(point.node) &&
    !ONLY_SPACE.test(source.slice(startOf(point.node), point.offset))
  ) {
    return point; // mid-<pre>, after text of the same node: cut exactly there
  }
  let current = point.node;
  for (;;) {
    const previous = current.prev;
    if (previous) {
      if (!isInsignificant(previous)) break;
      current = previous;
      continue;
    }
    const parent = current.parent;
    if (!parent || !isTag(parent)) break;
    current = parent;
  }
  return { node: current, offset: startOf(current) };
}

/**
 * Cuts the source string at `point`. Slicing the original keeps its bytes as they were (no re-serialization,
 * so sizes and entities stay as the sanitizer wrote them); the elements open at the cut are closed at the end
 * of `visible` and reopened, with their attributes, at the start of `quoted`.
 */
function splitHtml(source: string, point: CutPoint): TrimmedText {
  const open: Element[] = [];
  for (let parent = point.node.parent; parent && isTag(parent); parent = parent.parent) open.unshift(parent);
  const closing = [...open]
    .reverse()
    .map((element) => `</${element.name}>`)
    .join('');
  const reopening = open
    .map((element) => source.slice(startOf(element), startOf(element.children[0] ?? element)))
    .join('');
  return {
    visible: source.slice(0, point.offset).trimEnd() + closing,
    quoted: reopening + source.slice(point.offset),
  };
}

/**
 * Splits a (sanitized) HTML body into the new part and the quoted history. Both halves are well-formed
 * fragments. Parsed with htmlparser2 (already used by sanitize-html), never with regular expressions.
 */
export function trimQuotedHtml(html: string): TrimmedText {
  if (html.trim() === '') return { visible: html, quoted: null };
  // Over the budget the DOM alone would take seconds (html-budget.ts): shown whole rather than trimmed.
  if (!htmlBudgetOf(html).withinBudget) return { visible: html, quoted: null };
  const document = parseDocument(html, { withStartIndices: true, withEndIndices: true });
  const lines = new LineCollector(html).collect(document.children);
  const cut = findCut(lines);
  if (cut === null) return { visible: html, quoted: null };
  const result = splitHtml(html, expandBackwards(html, lines[cut].anchor));
  return result.visible.trim() === '' ? { visible: html, quoted: null } : result;
}
