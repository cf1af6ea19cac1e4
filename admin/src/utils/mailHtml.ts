/**
 * Turns a mail's HTML body into the `srcdoc` of a sandboxed iframe (see the email standards guide, section 7).
 *
 * The server has already sanitized the HTML; this is the second wall, written as if it had not:
 * - the markup is parsed with DOMParser, whose documents have no browsing context: nothing in it runs or loads;
 * - active elements and attributes are dropped again, links keep only http(s)/mailto/tel and open in a new tab
 *   (`target="_blank"` on each, and a `<base target="_blank">` for any the rewriting would miss), without an opener
 *   or a referrer;
 * - remote images lose their `src` until the agent asks for them (tracking pixels): the browser never even tries them;
 * - `cid:` images point at the stored inline parts (the server resolves them already; a leftover `cid:` is resolved
 *   here from `inlineParts`), made absolute against the admin's origin;
 * - a Content-Security-Policy meta comes first: `default-src 'none'; img-src data: cid: <exact inline part URLs>;
 *   style-src 'unsafe-inline'`, plus `https: http:` once remote images are shown.
 *
 * Why exact URLs and not `'self'`: the frame is sandboxed without allow-same-origin, so its origin is opaque and what
 * `'self'` means there is not the same in every browser; and where it means the admin's origin it would let a mail load
 * any URL of the site (`<img src="/admin/...">` requests carrying the admin's cookies). Exact URLs (paths in CSP
 * source expressions match exactly) allow the images this message carried, nothing else, wherever the upload provider
 * stores them (local `/uploads/...` made absolute, or an S3/CDN URL).
 *
 * The iframe (`sandbox="allow-popups allow-popups-to-escape-sandbox"`: no scripts, no same origin, no forms, no top
 * navigation; only new tabs from links) also inherits the admin page's own CSP (Strapi's `strapi::security`
 * middleware): both policies must allow an image. Strapi's default
 * `img-src 'self' data: blob: market-assets.strapi.io` therefore keeps remote images blocked even after
 * "Show remote images", until the site adds the sources it accepts (e.g. `https:`) to that middleware's `img-src`.
 */

/**
 * The mail frame's sandbox: popups (links opening in a new tab, unsandboxed so the linked page works) and nothing else.
 * Never `allow-scripts` or `allow-same-origin`: together they would let the mail remove its own sandbox.
 */
export const MAIL_FRAME_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

export interface InlinePart {
  contentId: string;
  url: string;
}

export interface MailDocumentOptions {
  inlineParts: InlinePart[];
  /** The admin's origin (`window.location.origin`), for upload URLs stored as paths. */
  origin: string;
  showRemoteImages: boolean;
}

export interface MailDocument {
  srcDoc: string;
  /** Images that point elsewhere (blocked unless shown). */
  remoteImages: number;
  /** A height that fits most of the content (the frame cannot be measured: it is cross-origin). */
  heightHint: number;
}

const DROPPED_ELEMENTS = [
  'script',
  'noscript',
  'template',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'portal',
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'link',
  'meta',
  'base',
  'style',
  'svg',
  'math',
  'audio',
  'video',
  'source',
  'track',
  'picture',
].join(',');

/** Attributes that load, run or submit something; every `on*` handler goes too. */
const DROPPED_ATTRIBUTES = new Set([
  'srcset',
  'background',
  'poster',
  'action',
  'formaction',
  'ping',
  'lowsrc',
  'dynsrc',
  'xlink:href',
  'href', // handled separately on <a>
  'data',
  'codebase',
  'manifest',
  'id',
  'name',
]);

const SAFE_LINK = /^(?:https?:|mailto:|tel:)/i;
const SAFE_DATA_IMAGE = /^data:image\/(?:png|jpe?g|gif|webp|bmp|avif)[;,]/i;
const ACTIVE_CSS = /url\s*\(|image-set\s*\(|expression\s*\(|@import|behavior\s*:|-moz-binding/i;

function absolute(url: string, origin: string): URL | null {
  try {
    return new URL(url, origin);
  } catch {
    return null;
  }
}

/**
 * A CSP source expression that matches exactly this URL (scheme, host, port, path; CSP ignores the query). Characters
 * that would end or split a source expression are percent-encoded; a path CSP cannot hold falls back to its folder.
 */
export function cspSourceFor(url: URL): string {
  const path = url.pathname.replace(/[;,]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (/^[A-Za-z0-9\-._~%!$&'()*+=:@/]*$/.test(path)) return `${url.origin}${path}`;
  return `${url.origin}${path.slice(0, path.lastIndexOf('/') + 1)}`;
}

export function contentSecurityPolicy(inlineSources: string[], showRemoteImages: boolean): string {
  const img = ['data:', 'cid:', ...inlineSources, ...(showRemoteImages ? ['https:', 'http:'] : [])];
  return `default-src 'none'; img-src ${img.join(' ')}; style-src 'unsafe-inline'`;
}

const FRAME_STYLE = [
  'html,body{margin:0;padding:0;background:#fff;}',
  'body{padding:12px 16px;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;',
  'font-size:14px;line-height:1.5;color:#212134;overflow-wrap:anywhere;}',
  'img{max-width:100%;height:auto;}',
  'img:not([src]){display:inline-block;min-width:16px;min-height:16px;outline:1px dashed #c0c0cf;}',
  'table{max-width:100%;}',
  'blockquote{margin:0 0 0 8px;padding-left:8px;border-left:3px solid #dcdce4;color:#4a4a6a;}',
  'pre{white-space:pre-wrap;}',
].join('');

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function buildMailDocument(html: string, options: MailDocumentOptions): MailDocument {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll(DROPPED_ELEMENTS).forEach((element) => element.remove());

  const inlineByContentId = new Map<string, string>();
  const inlineUrls = new Set<string>();
  for (const part of options.inlineParts) {
    const url = absolute(part.url, options.origin);
    if (!url || !/^https?:$/.test(url.protocol)) continue;
    inlineByContentId.set(part.contentId.replace(/^<|>$/g, '').toLowerCase(), url.href);
    inlineUrls.add(url.href);
  }

  for (const element of Array.from(doc.body.querySelectorAll('*'))) {
    for (const attribute of Array.from(element.attributes)) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on') || DROPPED_ATTRIBUTES.has(name)) {
        if (!(name === 'href' && element.tagName === 'A')) element.removeAttribute(attribute.name);
      } else if (name === 'style' && ACTIVE_CSS.test(attribute.value)) {
        element.removeAttribute(attribute.name);
      }
    }
  }

  for (const link of Array.from(doc.body.querySelectorAll('a'))) {
    const href = (link.getAttribute('href') ?? '').trim();
    if (!SAFE_LINK.test(href)) link.removeAttribute('href');
    link.setAttribute('target', '_blank');
    link.setAttribute('rel', 'noopener noreferrer nofollow');
  }

  const allowed = new Set<string>();
  let remoteImages = 0;
  for (const image of Array.from(doc.body.querySelectorAll('img'))) {
    const src = (image.getAttribute('src') ?? '').trim();
    image.removeAttribute('src');
    if (!src) continue;
    if (/^cid:/i.test(src)) {
      let contentId = src.slice(4);
      try {
        contentId = decodeURIComponent(contentId);
      } catch {
        // keep it as written
      }
      const url = inlineByContentId.get(contentId.replace(/^<|>$/g, '').toLowerCase());
      if (url) {
        image.setAttribute('src', url);
        allowed.add(url);
      }
      continue;
    }
    if (/^data:/i.test(src)) {
      if (SAFE_DATA_IMAGE.test(src.replace(/\s+/g, ''))) image.setAttribute('src', src);
      continue;
    }
    const url = absolute(src, options.origin);
    if (!url || !/^https?:$/.test(url.protocol)) continue;
    if (inlineUrls.has(url.href)) {
      // An inline part the server already resolved (a path on this site, or the upload provider's URL).
      image.setAttribute('src', url.href);
      allowed.add(url.href);
      continue;
    }
    if (!/^(?:https?:)?\/\//i.test(src)) continue; // a relative URL that is no stored part: nothing to load
    remoteImages += 1;
    if (options.showRemoteImages) image.setAttribute('src', url.href);
    else image.setAttribute('data-remote-src', url.href);
  }

  const csp = contentSecurityPolicy(
    Array.from(allowed, (url) => cspSourceFor(new URL(url))),
    options.showRemoteImages
  );
  const text = doc.body.textContent ?? '';
  const blocks = doc.body.querySelectorAll('p,div,br,li,tr,h1,h2,h3,h4,h5,h6,blockquote,pre,hr').length;
  // An image counts with its declared height (at most 300 px), else as a few lines.
  const imageLines = Array.from(doc.body.querySelectorAll('img')).reduce((sum, image) => {
    const height = Number(image.getAttribute('height'));
    return sum + (height > 0 ? Math.min(height, 300) / 21 : 4);
  }, 0);
  const lines = Math.ceil(text.length / 90 + imageLines) + blocks;
  const heightHint = Math.min(640, Math.max(80, lines * 21 + 32));

  const srcDoc =
    '<!DOCTYPE html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">` +
    '<meta name="referrer" content="no-referrer">' +
    '<base target="_blank">' +
    `<style>${FRAME_STYLE}</style></head><body>${doc.body.innerHTML}</body></html>`;
  return { srcDoc, remoteImages, heightHint };
}
