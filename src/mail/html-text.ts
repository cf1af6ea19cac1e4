/**
 * HTML → plain text in one linear pass, for HTML over the budget (see html-budget.ts), where html-to-text (which
 * builds a DOM with htmlparser2's quadratic stack, and string builders per block) would cost seconds and gigabytes.
 * htmlparser2's `Tokenizer` alone is a linear state machine that already knows comments, CDATA, entities and the
 * raw-text elements (script, style, title, textarea); on top of it: block elements and `<br>` end lines, the text of
 * hidden elements is dropped, whitespace is collapsed. No tree, no stack beyond counters: memory is the output.
 *
 * Coarser than html-to-text (no tables, no link targets, no list bullets): it is the readable fallback of a message
 * whose original HTML is kept as a download anyway.
 */
import { Tokenizer } from 'htmlparser2';
import { BLOCK_ELEMENTS } from './quotes/block-elements';

/** Elements whose start and end are a line break for a reader: the quote trimmer's blocks, and `<br>`. */
const breaks = (name: string): boolean => name === 'br' || BLOCK_ELEMENTS.has(name);

/** Their text is not shown. */
const HIDDEN = new Set([
  'head',
  'script',
  'style',
  'title',
  'template',
  'noscript',
  'svg',
  'math',
  'textarea',
]);

const noop = (): void => {};

export function linearHtmlText(html: string): string {
  const out: string[] = [];
  let hidden = 0;
  let name = '';
  /** A space or a line break is owed before the next text: written lazily so runs collapse. */
  let pendingSpace = false;
  let pendingBreaks = 0;
  let lineHasText = false;

  const write = (text: string): void => {
    if (hidden > 0 || text === '') return;
    // Collapse whitespace like a browser does outside <pre>; keep a single space between words.
    const collapsed = text.replace(/[\s\u00a0]+/g, ' ');
    if (collapsed === ' ') {
      if (lineHasText) pendingSpace = true;
      return;
    }
    const leading = collapsed.startsWith(' ');
    const body = collapsed.trim();
    if (pendingBreaks > 0 && out.length > 0) out.push(pendingBreaks > 1 ? '\n\n' : '\n');
    else if ((pendingSpace || leading) && lineHasText) out.push(' ');
    pendingBreaks = 0;
    pendingSpace = collapsed.endsWith(' ');
    out.push(body);
    lineHasText = true;
  };
  const lineBreak = (paragraph: boolean): void => {
    if (hidden > 0) return;
    if (lineHasText) pendingBreaks = Math.max(pendingBreaks, 1);
    if (paragraph && lineHasText) pendingBreaks = 2;
    lineHasText = false;
    pendingSpace = false;
  };
  const open = (): void => {
    if (HIDDEN.has(name)) hidden++;
    else if (breaks(name)) lineBreak(name === 'p');
  };

  const tokenizer = new Tokenizer(
    { decodeEntities: true },
    {
      ontext(start, end) {
        write(html.slice(start, end));
      },
      ontextentity(codepoint) {
        write(String.fromCodePoint(codepoint));
      },
      oncdata(start, end) {
        write(html.slice(start, end));
      },
      onopentagname(start, end) {
        name = html.slice(start, end).toLowerCase();
      },
      onopentagend: open,
      onselfclosingtag: open,
      onclosetag(start, end) {
        const closing = html.slice(start, end).toLowerCase();
        if (HIDDEN.has(closing)) hidden = Math.max(0, hidden - 1);
        else if (breaks(closing)) lineBreak(closing === 'p');
      },
      onattribdata: noop,
      onattribentity: noop,
      onattribend: noop,
      onattribname: noop,
      oncomment: noop,
      ondeclaration: noop,
      onend: noop,
      onprocessinginstruction: noop,
    }
  );
  tokenizer.write(html);
  tokenizer.end();
  return out.join('');
}
