/**
 * Attachment file names: what a sender wrote (or nothing) → a name that is safe to show and to save, so no path,
 * bidi trick or over-long name reaches the admin or a file system.
 */
import libmime from 'libmime';
import { CONTROL_CHARS, LINE_BREAKS_AND_TABS } from './header-text';

export const MAX_FILENAME_LENGTH = 200;
/** What is read of a given file name at most (see safeAttachmentFilename). */
const MAX_RAW_FILENAME = 1000;

// Bidirectional overrides and zero-width marks let `invoice\u202Efdp.exe` display as `invoiceexe.pdf`.
const DECEPTIVE_CHARS = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A name that is safe to show and to use as a file name: decoded already by mailsplit (RFC 2231 and
 * RFC 2047, once), without path separators, control or bidi characters, no leading dots (`..`,
 * hidden files), at most {@link MAX_FILENAME_LENGTH} characters with the extension kept. Falls back
 * to `attachment-<n>.<ext>` with the extension guessed from the content type.
 */
export function safeAttachmentFilename(raw: string | undefined, contentType: string, index: number): string {
  // Bounded before the patterns below (`[\s.]+$` is quadratic on a long run of spaces): the start and the extension
  // of an over-long name are what survive the length limit anyway.
  const given = raw ?? '';
  const bounded =
    given.length > MAX_RAW_FILENAME ? given.slice(0, MAX_RAW_FILENAME - 100) + given.slice(-100) : given;
  let name = bounded
    .replace(/[\\/]+/g, '_')
    .replace(CONTROL_CHARS, '')
    .replace(LINE_BREAKS_AND_TABS, ' ')
    .replace(DECEPTIVE_CHARS, '')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '');
  const chars = Array.from(name); // code points, so a surrogate pair is never cut in half
  if (chars.length > MAX_FILENAME_LENGTH) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 ? Array.from(name.slice(dot)) : [];
    if (extension.length > 1 && extension.length <= 16) {
      name = chars.slice(0, MAX_FILENAME_LENGTH - extension.length).join('') + extension.join('');
    } else {
      name = chars.slice(0, MAX_FILENAME_LENGTH).join('');
    }
  }
  if (name) {
    return name;
  }
  return `attachment-${index}.${extensionFor(contentType)}`;
}

/**
 * Types libmime's table does not know but mail carries: non-standard aliases, and the text-based
 * report parts of bounces and read receipts (an agent should be able to open them as text).
 */
const EXTRA_EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpg': 'jpg',
  'image/pjpeg': 'jpg',
  'message/delivery-status': 'txt',
  'message/global-delivery-status': 'txt',
  'message/disposition-notification': 'txt',
  'message/feedback-report': 'txt',
  'text/rfc822-headers': 'txt',
  'message/global': 'eml',
};

function extensionFor(contentType: string): string {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (Object.prototype.hasOwnProperty.call(EXTRA_EXTENSIONS, type)) {
    return EXTRA_EXTENSIONS[type];
  }
  try {
    const extension = libmime.detectExtension(type);
    return /^[a-z0-9]{1,10}$/i.test(extension) ? extension : 'bin';
  } catch {
    return 'bin';
  }
}
