/**
 * Attachments are stored in the Media Library and served from the site's own origin. A file the browser would
 * render as active content there (SVG with script, HTML, XML with XSLT) is an XSS against the admin (an SVG onload
 * hit FreeScout). Such files keep their name for people but are stored under a neutral extension and type, so the
 * server sends them as downloads, never as documents.
 */
import path from 'node:path';

const ACTIVE_EXTENSIONS = new Set([
  '.svg',
  '.svgz',
  '.html',
  '.htm',
  '.xhtml',
  '.xht',
  '.shtml',
  '.xml',
  '.xsl',
  '.xslt',
  '.js',
  '.mjs',
  '.mht',
  '.mhtml',
  '.swf',
  '.hta',
]);

const ACTIVE_TYPES =
  /^(image\/svg|text\/html|application\/xhtml|text\/xml|application\/xml|application\/(x-)?javascript|text\/javascript|application\/x-shockwave-flash|message\/rfc822|multipart\/)/i;

export interface StoredAttachmentName {
  /** The name people see in the ticket and the Media Library. */
  displayName: string;
  /** The name whose extension decides how the upload provider stores and serves the file. */
  storageName: string;
  /** The type given to the upload provider. */
  mimeType: string;
  /** True when the file was neutralised. */
  neutralised: boolean;
}

/** Characters and names that file systems (and Strapi's upload plugin) refuse in a stored file name. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be removed
const RESERVED_CHARACTERS = /[<>:"/\\|?*\u0000-\u001f]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;

function storable(filename: string): string {
  const cleaned = filename.replace(RESERVED_CHARACTERS, '_').slice(0, 200);
  return WINDOWS_RESERVED.test(cleaned) ? `_${cleaned}` : cleaned || 'attachment';
}

export function storedAttachmentName(filename: string, contentType: string): StoredAttachmentName {
  const extension = path.extname(filename).toLowerCase();
  const active = ACTIVE_EXTENSIONS.has(extension) || ACTIVE_TYPES.test(contentType);
  if (!active) {
    return {
      displayName: filename,
      storageName: storable(filename),
      mimeType: contentType || 'application/octet-stream',
      neutralised: false,
    };
  }
  return {
    displayName: filename,
    storageName: `${storable(filename).replace(/\./g, '_')}.download`,
    mimeType: 'application/octet-stream',
    neutralised: true,
  };
}
