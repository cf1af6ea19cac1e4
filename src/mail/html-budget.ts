/**
 * How much HTML we are willing to build a DOM for. sanitize-html and the quote trimmer both run htmlparser2's
 * `Parser`, whose open-element stack is an array it `unshift`s into and searches with `indexOf`: linear per tag in
 * the nesting depth, so quadratic overall. Measured on this machine (Node 20, 2026-12): 10,000 nested `<div>`s
 * took 65 ms to sanitize and 57 ms to trim, 30,000 took 495 + 147 ms, 100,000 (a 1.1 MB mail) 8–11 s each. Width and
 * size cost linearly but add up: 2 MB of ordinary mail HTML (paragraphs, tables, inline styles) sanitizes and trims
 * in about a second, and a DOM of it holds ~40× its size in memory (a 20 MB HTML-only mail peaked at 2.7 GB).
 *
 * So the budget: at most {@link MAX_HTML_BYTES} of HTML and a nesting depth of {@link MAX_HTML_DEPTH}. Real mail
 * stays far inside both (the corpus: largest HTML part 310 KB, deepest 62 levels; newsletters nest tables 20–40
 * deep), and at those bounds the quadratic term is negligible (500² steps). HTML over the budget is never sanitized
 * nor trimmed: the message keeps its text (see html-text.ts, linear) and the original HTML as a download-only
 * attachment, and says so (`ParsedMail.htmlNotice`).
 *
 * The measure itself is one pass of htmlparser2's `Tokenizer` (a linear state machine, no tree) with an
 * open-element stack of our own that models what makes the real parser's stack grow.
 */
import { Tokenizer } from 'htmlparser2';

/** 2 MB (characters) of HTML: about a second of sanitizing + trimming, see above. */
export const MAX_HTML_BYTES = 2 * 1024 * 1024;

/** Nesting depth: real mail stays under ~100; at 500 the parser's quadratic stack work is ~250,000 steps. */
export const MAX_HTML_DEPTH = 500;

/**
 * Peak memory of parsing one message (parse, sanitize within the budget, text, trimming), as a multiple of the raw
 * message size, on top of what the process held before. Measured with the fuzz cases and the 20 MB HTML-only mail
 * (hostile-mail.test.ts checks it): mailparser holds each text part decoded (×2 for UTF-16 strings) plus its own
 * buffers, sanitize-html's output and html-to-text's string builders; ~6–8× at most after the budget, against
 * ~90× (1.8 GB for 20 MB) before it.
 */
export const MEMORY_MULTIPLE = 12;

/** Elements that never have content, so they never deepen the tree. */
const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'basefont',
  'bgsound',
  'br',
  'col',
  'command',
  'embed',
  'frame',
  'hr',
  'image',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

/** Elements a new one of the same name closes (`<p>a<p>b`, `<li>`, table cells): siblings, not children. */
const SELF_CLOSING_SIBLINGS = new Set(['p', 'li', 'dt', 'dd', 'td', 'th', 'tr', 'option', 'optgroup']);

/** How far down the stack a closing tag is looked for; the parser searches all of it, which is the quadratic part. */
const CLOSE_SEARCH = 64;

export interface HtmlBudget {
  /** Length in characters. */
  size: number;
  /** Deepest nesting the parser would build (an over-estimate at worst, never an under-estimate of note). */
  depth: number;
  withinBudget: boolean;
  /** Why not, for the message's notice; null when within the budget. */
  reason: string | null;
}

function megabytes(chars: number): string {
  return `${(chars / (1024 * 1024)).toFixed(1)} MB`;
}

const noop = (): void => {};

/**
 * Size and nesting depth of `html`, in one linear pass. Stops counting once the depth is over the budget (the answer
 * is known) unless `exact` is set, which the tests use.
 */
export function htmlBudgetOf(html: string, options: { exact?: boolean } = {}): HtmlBudget {
  const size = html.length;
  let depth = 0;
  if (size <= MAX_HTML_BYTES || options.exact) {
    const stack: string[] = [];
    let name = '';
    let done = false;
    const open = (): void => {
      if (done || VOID_ELEMENTS.has(name)) return;
      if (SELF_CLOSING_SIBLINGS.has(name) && stack[stack.length - 1] === name) stack.pop();
      stack.push(name);
      if (stack.length > depth) depth = stack.length;
      if (depth > MAX_HTML_DEPTH && !options.exact) done = true;
    };
    const tokenizer = new Tokenizer(
      { decodeEntities: false },
      {
        onopentagname(start, end) {
          name = html.slice(start, end).toLowerCase();
        },
        onopentagend: open,
        // `<div/>` opens a div in HTML (the slash is ignored; void elements excepted): count it like the parser.
        onselfclosingtag: open,
        onclosetag(start, end) {
          if (done) return;
          const closing = html.slice(start, end).toLowerCase();
          const floor = Math.max(0, stack.length - CLOSE_SEARCH);
          for (let index = stack.length - 1; index >= floor; index--) {
            if (stack[index] === closing) {
              stack.length = index;
              return;
            }
          }
          // Not open (or deeper than we look): the parser ignores it, so does the count (an over-estimate at most).
        },
        onattribdata: noop,
        onattribentity: noop,
        onattribend: noop,
        onattribname: noop,
        oncdata: noop,
        oncomment: noop,
        ondeclaration: noop,
        onend: noop,
        onprocessinginstruction: noop,
        ontext: noop,
        ontextentity: noop,
      }
    );
    tokenizer.write(html);
    tokenizer.end();
  }
  const reasons: string[] = [];
  if (size > MAX_HTML_BYTES) reasons.push(`${megabytes(size)}, over the ${megabytes(MAX_HTML_BYTES)} budget`);
  if (depth > MAX_HTML_DEPTH) {
    const deep = options.exact ? `nested ${depth} deep` : `nested over ${depth - 1} deep`;
    reasons.push(`${deep}, over the depth budget of ${MAX_HTML_DEPTH}`);
  }
  return {
    size,
    depth,
    withinBudget: reasons.length === 0,
    reason: reasons.length === 0 ? null : reasons.join('; '),
  };
}
