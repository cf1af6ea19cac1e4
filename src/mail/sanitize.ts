/**
 * Server-side sanitizing of HTML mail bodies.
 *
 * Mail HTML is hostile: anyone can send us a message, and agents open it inside the Strapi admin. The
 * admin also renders it in a sandboxed iframe (see the email standards guide, section 7), but we never
 * store or serve markup that could run script, navigate the page, submit data or load active content
 * on its own. This is an allow-list: whatever is not named below is dropped.
 */
import sanitizeHtml from 'sanitize-html';
import { htmlBudgetOf } from './html-budget';

/**
 * Formatting elements found in real mail. Anything else (script, iframe, frame, object, embed, form,
 * input, button, select, textarea, link, meta, base, style, svg, math, template...) is discarded.
 * `html`, `head` and `body` are not listed either: their wrappers go, the body's content stays.
 */
export const ALLOWED_TAGS: readonly string[] = [
  'a',
  'abbr',
  'acronym',
  'address',
  'article',
  'aside',
  'b',
  'bdi',
  'bdo',
  'big',
  'blockquote',
  'br',
  'caption',
  'center',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'font',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'main',
  'mark',
  'nav',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'samp',
  'section',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'tt',
  'u',
  'ul',
  'var',
  'wbr',
];

/**
 * Disallowed elements whose *content* must go too, not only the tag. For most disallowed tags
 * sanitize-html keeps the inner text; for these that text is code (script, style), markup in disguise
 * (raw-text elements such as xmp, noscript, noembed, title, where the parser hands `<...>` over as text),
 * a whole foreign document (svg, math, iframe, object) or UI chrome (form controls, `head`).
 * The first five repeat sanitize-html's defaults, which this list replaces.
 */
export const DISCARDED_CONTENT_TAGS: readonly string[] = [
  'script',
  'style',
  'textarea',
  'option',
  'xmp',
  'noscript',
  'noembed',
  'noframes',
  'plaintext',
  'title',
  'head',
  'template',
  'svg',
  'math',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'audio',
  'video',
  'canvas',
  'select',
  'button',
  'datalist',
];

/**
 * Attributes that only carry presentation. No `id`/`name` on arbitrary elements (DOM clobbering of the
 * page that shows the mail), no `on*` handlers, no `background`/`srcset`/`formaction` and other
 * URL-carrying attributes that would bypass the scheme checks below.
 * `class` is kept on purpose: quote detectors look for `gmail_quote`, `moz-cite-prefix`, `divRplyFwdMsg`...
 */
const PRESENTATION_ATTRIBUTES = [
  'class',
  'style',
  'title',
  'dir',
  'lang',
  'align',
  'valign',
  'width',
  'height',
  'bgcolor',
  'border',
];

export const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  '*': PRESENTATION_ATTRIBUTES,
  a: ['href', 'name', 'target', 'rel'],
  img: ['src', 'alt'],
  // `type="cite"` marks quoted replies (Apple Mail, Thunderbird); `cite` is a URL and scheme-checked.
  blockquote: ['type', 'cite'],
  q: ['cite'],
  font: ['color', 'face', 'size'],
  table: ['cellpadding', 'cellspacing', 'summary'],
  td: ['colspan', 'rowspan', 'nowrap', 'scope'],
  th: ['colspan', 'rowspan', 'nowrap', 'scope'],
  col: ['span'],
  colgroup: ['span'],
  ol: ['start', 'type', 'reversed'],
  ul: ['type'],
  li: ['value', 'type'],
};

/** Schemes a link may point to. Everything else (javascript:, vbscript:, data:, file:...) loses its href. */
export const ALLOWED_LINK_SCHEMES: readonly string[] = ['http', 'https', 'mailto', 'tel'];

/**
 * Schemes an image may load from. `cid:` points at an attachment of the same message. `data:` is
 * narrowed to raster images by {@link isSafeDataImage}; sanitize-html itself cannot check the media type.
 */
export const ALLOWED_IMAGE_SCHEMES: readonly string[] = ['cid', 'https', 'http', 'data'];

/**
 * A CSS value without anything that loads a resource or runs code: no `url(`, `image-set(`,
 * `expression(` (old IE), no `javascript:`, and no backslash or comment, since CSS escapes (`u\72l(`)
 * and CSS comments could hide any of the former from the first check. Quotes stay
 * allowed (`font-family: "Segoe UI"`); sanitize-html escapes them when it writes the attribute.
 */
const SAFE_CSS_VALUE =
  /^(?![\s\S]*(?:url|image|image-set|cross-fade|element|expression|paint|attr|var|env)\s*\()(?![\s\S]*script\s*:)(?![\s\S]*\/\*)[^\\<>`{};]*$/i;

/** Properties that only change how text and boxes look. No `position`, `background`(-image), `content`, `behavior`... */
export const ALLOWED_STYLE_PROPERTIES: readonly string[] = [
  'color',
  'background-color',
  'font',
  'font-family',
  'font-size',
  'font-style',
  'font-variant',
  'font-weight',
  'text-align',
  'text-decoration',
  'text-indent',
  'text-transform',
  'line-height',
  'letter-spacing',
  'word-spacing',
  'white-space',
  'word-break',
  'word-wrap',
  'overflow-wrap',
  'vertical-align',
  'direction',
  'unicode-bidi',
  'list-style-type',
  'list-style-position',
  'table-layout',
  'border-collapse',
  'border-spacing',
  'display',
  'float',
  'clear',
  'margin',
  'margin-top',
  'margin-right',
  'margin-bottom',
  'margin-left',
  'padding',
  'padding-top',
  'padding-right',
  'padding-bottom',
  'padding-left',
  'border',
  'border-top',
  'border-right',
  'border-bottom',
  'border-left',
  'border-color',
  'border-style',
  'border-width',
  'border-radius',
  'border-top-color',
  'border-right-color',
  'border-bottom-color',
  'border-left-color',
  'border-top-style',
  'border-right-style',
  'border-bottom-style',
  'border-left-style',
  'border-top-width',
  'border-right-width',
  'border-bottom-width',
  'border-left-width',
  'width',
  'height',
  'min-width',
  'max-width',
  'min-height',
  'max-height',
];

const ALLOWED_STYLES: Record<string, Record<string, RegExp[]>> = {
  '*': Object.fromEntries(ALLOWED_STYLE_PROPERTIES.map((property) => [property, [SAFE_CSS_VALUE]])),
};

/**
 * Raster images only: an SVG `data:` URL is a document of its own (scripts run if it is ever opened
 * directly), and the guide says never to inline SVG.
 */
const SAFE_DATA_IMAGE = /^data:image\/(?:png|jpe?g|gif|webp|bmp|avif|x-icon|vnd\.microsoft\.icon)[;,]/;

/** True for `data:image/png;base64,...` and friends, checked the way browsers read the URL (controls and spaces ignored). */
export function isSafeDataImage(src: string): boolean {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return SAFE_DATA_IMAGE.test(src.replace(/[\u0000-\u0020]+/g, '').toLowerCase());
}

const LINK_REL = 'noopener noreferrer nofollow';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  nonTextTags: [...DISCARDED_CONTENT_TAGS],
  disallowedTagsMode: 'discard',
  allowedAttributes: Object.fromEntries(
    Object.entries(ALLOWED_ATTRIBUTES).map(([tag, attributes]) => [tag, [...attributes]])
  ),
  // Any class name is kept (no allowedClasses): they are inert without our stylesheet, and quote detection needs them.
  allowedSchemes: [...ALLOWED_LINK_SCHEMES],
  allowedSchemesByTag: { img: [...ALLOWED_IMAGE_SCHEMES] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  // `//host/path` would be resolved against whatever page renders the mail; we do not want to guess.
  allowProtocolRelative: false,
  allowedStyles: ALLOWED_STYLES,
  parseStyleAttributes: true,
  transformTags: {
    // Links open outside the admin, cannot reach back through window.opener, leak no Referer and pass no SEO credit.
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...attribs, target: '_blank', rel: LINK_REL },
    }),
    img: (tagName, attribs) => {
      const next = { ...attribs };
      if (next.src !== undefined && /^\s*data:/i.test(next.src) && !isSafeDataImage(next.src)) {
        delete next.src;
      }
      return { tagName, attribs: next };
    },
  },
};

/**
 * Returns `html` reduced to inert formatting: safe to store, and to render in a sandboxed frame. Throws for HTML over
 * the budget of html-budget.ts (the parser would take seconds on it): the caller checks the budget first and keeps
 * such HTML out of any DOM; this is the backstop for a caller that forgot.
 */
export function sanitizeMailHtml(html: string): string {
  if (!html) {
    return '';
  }
  const budget = htmlBudgetOf(html);
  if (!budget.withinBudget) throw new Error(`HTML not sanitized: it is over the budget (${budget.reason})`);
  return sanitizeHtml(html, OPTIONS);
}
