/**
 * How much HTML we are willing to build a DOM for. sanitize-html and the quote trimmer both run htmlparser2's
 * `Parser`, whose open-element stack is an array it `unshift`s into and searches with `indexOf`: linear per tag in
 * the nesting depth, so quadratic overall. Measured on this machine (Node 20, 2026-12): 10,000 nested `<div>`s
 * took 65 ms to sanitize and 57 ms to trim, 30,000 took 495 + 147 ms, 100,000 (a 1.1 MB mail) 8–11 s each. Width and
 * size cost linearly but add up: 1.9 MB of paragraphs (57,000 elements) took 1.5–3 s to parse, sanitize, convert
 * and trim, at 40–55× its size in memory (a 20 MB HTML-only mail peaked at 2.7 GB before this budget).
 *
 * So the budget: at most {@link MAX_HTML_BYTES} of HTML, {@link MAX_HTML_ELEMENTS} elements and a nesting depth of
 * {@link MAX_HTML_DEPTH}. Real mail
 * stays far inside both (the corpus, 466 messages: largest sanitized HTML body 44 KB, deepest 33 levels;
 * newsletters nest tables 20–40 deep), and at those bounds the quadratic term is negligible (500² steps). HTML over
 * the budget is never sanitized nor trimmed: the message keeps its text (see html-text.ts, linear) and the original
 * HTML as a download-only attachment, and says so (`ParsedMail.htmlNotice`).
 *
 * The measure itself is one pass of htmlparser2's `Tokenizer` (a linear state machine, no tree) with an
 * open-element stack of our own that models what makes the real parser's stack grow.
 */
import { Tokenizer } from 'htmlparser2';

/** 1 MB (characters) of HTML: under a second of sanitizing + converting + trimming, see above. */
export const MAX_HTML_BYTES = 1024 * 1024;

/**
 * Elements: the DOM costs per node (~500 bytes each in htmlparser2 + sanitize-html + html-to-text), so 240,000
 * `<b>x</b>` in 1.8 MB took 3.5 s and 229 MB. A large newsletter has a few thousand.
 */
export const MAX_HTML_ELEMENTS = 50_000;

/** Nesting depth: real mail stays under ~100; at 500 the parser's quadratic stack work is ~250,000 steps. */
export const MAX_HTML_DEPTH = 500;

/**
 * Peak memory of preparing one message (parse, sanitize within the budget, text, trimming) stays under
 * MEMORY_MULTIPLE × its raw size + MEMORY_ALLOWANCE_MB, on top of what the process held. The multiple covers what is
 * linear in the size (mailparser holds each text part decoded, as UTF-16 strings, plus its buffers; the linear text;
 * the original HTML written out): 13.4× measured for a 20 MB HTML-only mail (269 MB, where it was 1.8–2.7 GB before
 * the budget). The allowance covers the DOM of HTML within the budget: 1 MB of HTML at ~55× is ~60 MB.
 * hostile-mail.test.ts checks the 20 MB mail against it; the worker's heap limit (parse-pool.ts) enforces a ceiling.
 */
export const MEMORY_MULTIPLE = 16;
export const MEMORY_ALLOWANCE_MB = 96;

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
  /** Elements (start tags), up to the first over the budget unless measured exactly. */
  elements: number;
  withinBudget: boolean;
  /** Why not, for the message's notice; null when within the budget. */
  reason: string | null;
}

function megabytes(chars: number): string {
  return `${(chars / (1024 * 1024)).toFixed(chars < 10 * 1024 * 1024 ? 2 : 1)} MB`;
}

const noop = (): void => {};

/**
 * Size, element count and nesting depth of `html`, in one linear pass. Stops counting once a count is over its budget
 * (the answer is known) unless `exact` is set, which the tests use.
 */
export function htmlBudgetOf(html: string, options: { exact?: boolean } = {}): HtmlBudget {
  const size = html.length;
  let depth = 0;
  let elements = 0;
  // Over the size budget only the first MAX_HTML_BYTES are looked at: enough to say whether it is deep or crowded too.
  const scanned = size > MAX_HTML_BYTES && !options.exact ? html.slice(0, MAX_HTML_BYTES) : html;
  {
    const stack: string[] = [];
    let name = '';
    let done = false;
    const open = (): void => {
      if (done) return;
      if (++elements > MAX_HTML_ELEMENTS && !options.exact) done = true;
      if (VOID_ELEMENTS.has(name)) return;
      if (SELF_CLOSING_SIBLINGS.has(name) && stack[stack.length - 1] === name) stack.pop();
      stack.push(name);
      if (stack.length > depth) depth = stack.length;
      if (depth > MAX_HTML_DEPTH && !options.exact) done = true;
    };
    const tokenizer = new Tokenizer(
      { decodeEntities: false },
      {
        onopentagname(start, end) {
          name = scanned.slice(start, end).toLowerCase();
        },
        onopentagend: open,
        // `<div/>` opens a div in HTML (the slash is ignored; void elements excepted): count it like the parser.
        onselfclosingtag: open,
        onclosetag(start, end) {
          if (done) return;
          const closing = scanned.slice(start, end).toLowerCase();
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
    tokenizer.write(scanned);
    tokenizer.end();
  }
  const reasons: string[] = [];
  if (size > MAX_HTML_BYTES) reasons.push(`${megabytes(size)}, over the ${megabytes(MAX_HTML_BYTES)} budget`);
  if (elements > MAX_HTML_ELEMENTS) {
    const count = options.exact ? `${elements} elements` : `over ${MAX_HTML_ELEMENTS} elements`;
    reasons.push(`${count}, over the budget of ${MAX_HTML_ELEMENTS}`);
  }
  if (depth > MAX_HTML_DEPTH) {
    const deep = options.exact ? `nested ${depth} deep` : `nested over ${depth - 1} deep`;
    reasons.push(`${deep}, over the depth budget of ${MAX_HTML_DEPTH}`);
  }
  return {
    size,
    depth,
    elements,
    withinBudget: reasons.length === 0,
    reason: reasons.length === 0 ? null : reasons.join('; '),
  };
}
