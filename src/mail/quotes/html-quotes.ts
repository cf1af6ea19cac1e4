/**
 * Quote trimming of HTML bodies: the lines a reader would see (split at `<br>` and block elements, client quote
 * containers marked) go through the shared decision of quote-cut.ts, and the source is cut where that line starts.
 */
import { isTag, isText } from 'domhandler';
import type { AnyNode, Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { htmlBudgetOf } from '../html-budget';
import { BLOCK_ELEMENTS } from './block-elements';
import { findCut, type Line, type TrimmedText } from './quote-cut';

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
