/**
 * Raw RFC 5322 / MIME source → {@link ParsedMail}, with attachments spooled to disk.
 *
 * Uses mailparser's streaming `MailParser`, never `simpleParser`: the latter buffers every attachment
 * in memory, so one 50 MB PDF (or a hostile message with hundreds of parts) would sit in the heap of
 * the Strapi process. Here each attachment stream is written to its own temporary file while its
 * SHA-256 and size are computed, and memory stays flat whatever the message carries.
 *
 * The caller owns the temporary files: store them, then call {@link removeSpooledAttachments}.
 * On failure the promise rejects with `Cannot parse message: …` and nothing is left on disk.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { htmlToText } from 'html-to-text';
import libmime from 'libmime';
import { MailParser } from 'mailparser';
import type {
  AddressObject,
  AttachmentStream,
  EmailAddress,
  HeaderLines,
  Headers,
  HeaderValue,
  IconvConstructor,
  MessageText,
  StructuredHeader,
} from 'mailparser';
import { htmlBudgetOf } from './html-budget';
import { linearHtmlText } from './html-text';
import { measuringStream } from './measure-stream';
import { normalizeMessageId, parseMessageIdList } from './message-ids';
import { sanitizeMailHtml } from './sanitize';
import type { MailAddress, ParsedMail, SpooledAttachment } from './types';

export interface ParseOptions {
  /** Directory for the temporary attachment files; created when missing. */
  spoolDir: string;
  /** Attachments beyond this many are not spooled (a warning says so). Default 200. */
  maxAttachments?: number;
  /**
   * Called with each temporary file's path before it is written: a parse worker that is stopped mid-message cannot
   * clean up after itself, so it tells the pool what to remove (see parse-pool.ts).
   */
  onTempFile?: (tempPath: string) => void;
}

export const DEFAULT_MAX_ATTACHMENTS = 200;
export const MAX_FILENAME_LENGTH = 200;
/** What is read of a given file name at most (see safeAttachmentFilename). */
const MAX_RAW_FILENAME = 1000;

const ERROR_PREFIX = 'Cannot parse message: ';

/* ------------------------------------------------------------------------------------------------ */
/* Small text helpers                                                                               */
/* ------------------------------------------------------------------------------------------------ */

// eslint-disable-next-line no-control-regex -- these match control characters on purpose
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const LINE_BREAKS_AND_TABS = /[\t\r\n]+/g;

/** One-line header text: tabs and line breaks become spaces, other control characters (NUL...) go. */
function cleanHeaderText(value: string): string {
  return value.replace(LINE_BREAKS_AND_TABS, ' ').replace(CONTROL_CHARS, '').trim();
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * mailsplit hands header lines over as "binary" strings (one char per byte). Raw 8-bit headers are
 * usually UTF-8 (RFC 6532); when the bytes are not valid UTF-8 they are some legacy charset we cannot
 * know, and Latin-1 at least keeps every byte visible instead of turning it into U+FFFD.
 */
function binaryToUnicode(value: string): string {
  // eslint-disable-next-line no-control-regex -- ASCII fast path
  if (/^[\u0000-\u007f]*$/.test(value)) {
    return value;
  }
  const bytes = Buffer.from(value, 'binary');
  return isValidUtf8(bytes) ? bytes.toString('utf8') : value;
}

/** `Subject: foo\r\n bar` → `foo bar`, encoded words decoded. */
function headerLineValue(line: string): string {
  const colon = line.indexOf(':');
  let value = colon === -1 ? '' : line.slice(colon + 1);
  // Unfold (RFC 5322 §2.2.3): a line break followed by whitespace is not part of the value.
  value = value.replace(/\r?\n(?=[ \t])/g, '').replace(/[\r\n]+/g, ' ');
  value = binaryToUnicode(value.trim());
  try {
    value = libmime.decodeWords(value);
  } catch {
    // An unknown charset in an encoded word: keep the raw text rather than fail the message.
  }
  return cleanHeaderText(value);
}

function buildHeaderRecord(lines: HeaderLines): Record<string, string | string[]> {
  const collected = new Map<string, string | string[]>();
  for (const { key, line } of lines) {
    const name = key.trim().toLowerCase();
    if (!name) {
      continue;
    }
    const value = headerLineValue(line);
    const existing = collected.get(name);
    if (existing === undefined) {
      collected.set(name, value);
    } else if (Array.isArray(existing)) {
      existing.push(value);
    } else {
      collected.set(name, [existing, value]);
    }
  }
  // A plain object for the caller (JSON, spreading). Properties are defined, not assigned, so that a
  // header named `__proto__` becomes an ordinary key instead of replacing the object's prototype.
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of collected) {
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return headers;
}

function headerValues(headers: Record<string, string | string[]>, name: string): string[] {
  const value = Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] : undefined;
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/* ------------------------------------------------------------------------------------------------ */
/* Addresses                                                                                        */
/* ------------------------------------------------------------------------------------------------ */

function isAddressObject(value: unknown): value is AddressObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { value?: unknown }).value) &&
    !(value instanceof Date)
  );
}

// eslint-disable-next-line no-control-regex -- control characters are what these reject
const BAD_IN_ADDRESS = /[\s<>\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const BAD_IN_DOMAIN = /[\s<>()[\]\\,;:"\u0000-\u001f\u007f]/;

/** `local@domain`, nothing that could not be a mailbox (spaces, brackets, control characters). */
function isUsableAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  return (
    at > 0 &&
    at < address.length - 1 &&
    !BAD_IN_ADDRESS.test(address) &&
    !BAD_IN_DOMAIN.test(address.slice(at + 1))
  );
}

/** Groups expanded, addresses lower-cased, entries without a usable address dropped, duplicates removed. */
function flattenAddresses(value: HeaderValue | undefined): MailAddress[] {
  const objects = (Array.isArray(value) ? value : [value]).filter(isAddressObject);
  const result: MailAddress[] = [];
  const seen = new Set<string>();
  const visit = (entry: EmailAddress): void => {
    if (Array.isArray(entry.group)) {
      entry.group.forEach(visit);
      return;
    }
    const address = (entry.address ?? '').trim().toLowerCase();
    if (!isUsableAddress(address) || seen.has(address)) {
      return;
    }
    seen.add(address);
    result.push({ address, name: cleanHeaderText(entry.name ?? '') });
  };
  for (const object of objects) {
    object.value.forEach(visit);
  }
  return result;
}

/* ------------------------------------------------------------------------------------------------ */
/* Attachments                                                                                      */
/* ------------------------------------------------------------------------------------------------ */

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

/** `cid:` targets referenced by the (sanitized) HTML, canonical form, to tell inline images from files. */
function referencedContentIds(html: string | null): Set<string> {
  const ids = new Set<string>();
  if (!html) {
    return ids;
  }
  for (const match of html.matchAll(/\bcid:([^'"\s>]+)/gi)) {
    let id = match[1];
    try {
      id = decodeURIComponent(id); // RFC 2392: the cid URL is URL-encoded
    } catch {
      // malformed escape: compare as written
    }
    ids.add(id.replace(/^<|>$/g, '').trim().toLowerCase());
  }
  return ids;
}

/** Deletes the temporary files of `mail.attachments`; files already gone are fine. */
export async function removeSpooledAttachments(mail: ParsedMail): Promise<void> {
  await removeFiles(mail.attachments.map((attachment) => attachment.tempPath));
}

async function removeFiles(paths: Iterable<string>): Promise<void> {
  await Promise.all(
    Array.from(paths, (file) =>
      fsp.rm(file, { force: true }).catch(() => {
        // Best effort: a file we cannot delete must not hide the error that made us clean up.
      })
    )
  );
}

/* ------------------------------------------------------------------------------------------------ */
/* Body charset                                                                                     */
/* ------------------------------------------------------------------------------------------------ */

/**
 * Builds the class mailparser's `Iconv` option expects (`new Iconv(from, to)` → stream). It decodes
 * exactly as mailparser would (libmime, iconv-lite), plus one repair taken from Discourse: when the
 * declared charset cannot decode the body (U+FFFD appears) but the bytes are valid UTF-8, the label
 * is wrong and the body is UTF-8 (discourse/chinese_reply.eml: "Big5" that is UTF-8). A body that
 * decodes cleanly in its declared charset is never second-guessed. mailparser itself routes UTF-7
 * (refused on purpose: `+ADw-script+AD4-`) to libmime without calling this, and does not decode
 * bodies declared as ASCII or UTF-8 at all.
 */
function createBodyDecoder(warn: (message: string) => void): IconvConstructor {
  return class BodyDecoder extends Transform {
    private readonly chunks: Buffer[] = [];
    private readonly charset: string;

    constructor(fromCharset: string, _toCharset: string) {
      super();
      this.charset = fromCharset;
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
      // Text parts are held in memory by mailparser anyway; we need all bytes to judge the charset.
      this.chunks.push(chunk);
      done();
    }

    override _flush(done: TransformCallback): void {
      const raw = Buffer.concat(this.chunks);
      const decoder = libmime.createDecodeStream(this.charset);
      if (!decoder.supported) {
        warn(`Unknown charset "${this.charset}" in a text part; decoded as UTF-8`);
      }
      const out: Buffer[] = [];
      decoder.on('data', (chunk: Buffer) => out.push(chunk));
      decoder.once('error', (err: Error) => done(err));
      decoder.once('end', () => {
        const decoded = Buffer.concat(out);
        if (decoder.supported && decoded.toString('utf8').includes('\ufffd') && isValidUtf8(raw)) {
          warn(`Text part declared as "${this.charset}" is UTF-8; decoded as UTF-8`);
          done(null, raw);
          return;
        }
        done(null, decoded);
      });
      decoder.end(raw);
    }
  };
}

/* ------------------------------------------------------------------------------------------------ */
/* HTML → text for HTML-only mail                                                                   */
/* ------------------------------------------------------------------------------------------------ */

/**
 * mailparser derives `text` from HTML only when the HTML part is the whole message or sits next to a text part; an
 * HTML part inside multipart/mixed or /related with no text sibling gets no text. For that case we use the same
 * converter mailparser uses. The input is our sanitized HTML (nesting already bounded), not the raw part.
 */
function textFromHtml(safeHtml: string): string {
  return htmlToText(safeHtml, { wordwrap: false, limits: { maxDepth: 1000 } });
}

/* ------------------------------------------------------------------------------------------------ */
/* Input                                                                                            */
/* ------------------------------------------------------------------------------------------------ */

/** How much of the raw message {@link SourceFilter} keeps for the boundary-less multipart repair. */
const RAW_CAPTURE_LIMIT = 1024 * 1024;

/**
 * Sits between the source and the parser:
 * - drops blank lines (and stray spaces) before the first header: mailparser reads a leading empty
 *   line as the end of an empty header block and turns the whole message into body text
 *   (discourse/hebrew.eml). An mbox `From ` separator line, on the other hand, mailsplit skips itself;
 * - keeps the first {@link RAW_CAPTURE_LIMIT} bytes, so that a multipart message whose body has no
 *   boundary lines at all (discourse/dutch.eml) can still be read as plain text afterwards, see
 *   {@link recoverBoundarylessBody}. Anything larger is not kept: memory stays bounded.
 */
class SourceFilter extends Transform {
  started = false;
  private readonly captured: Buffer[] = [];
  private capturedBytes = 0;
  truncated = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let data = chunk;
    if (!this.started) {
      let i = 0;
      while (
        i < data.length &&
        (data[i] === 0x0d || data[i] === 0x0a || data[i] === 0x20 || data[i] === 0x09)
      ) {
        i++;
      }
      if (i === data.length) {
        done();
        return;
      }
      this.started = true;
      data = i === 0 ? data : data.subarray(i);
    }
    if (!this.truncated) {
      if (this.capturedBytes + data.length <= RAW_CAPTURE_LIMIT) {
        this.captured.push(data);
        this.capturedBytes += data.length;
      } else {
        this.truncated = true;
        this.captured.length = 0;
        this.capturedBytes = 0;
      }
    }
    done(null, data);
  }

  /** The message as the parser saw it, or null when it was larger than the capture limit. */
  raw(): Buffer | null {
    return this.truncated ? null : Buffer.concat(this.captured, this.capturedBytes);
  }
}

function isStructuredHeader(value: HeaderValue | undefined): value is StructuredHeader {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    typeof (value as { value?: unknown }).value === 'string' &&
    typeof (value as { params?: unknown }).params === 'object'
  );
}

/**
 * A message declared `multipart/*` whose body holds no boundary line is not multipart at all:
 * mailparser then finds no part and returns no text, and the customer's words would be lost. Read
 * the body as one `text/plain` part instead (with the message's transfer encoding and, if given,
 * charset), through a second small MailParser so decoding works exactly as for any other part.
 * Returns null when this does not apply.
 */
async function recoverBoundarylessBody(
  raw: Buffer,
  contentType: StructuredHeader,
  transferEncoding: string | undefined,
  Iconv: IconvConstructor
): Promise<string | null> {
  const latin1 = raw.toString('latin1');
  const headerEnd = /\r?\n\r?\n/.exec(latin1);
  if (!headerEnd) {
    return null;
  }
  const body = raw.subarray(headerEnd.index + headerEnd[0].length);
  const boundary = contentType.params.boundary;
  if (boundary) {
    const bodyText = body.toString('latin1');
    if (bodyText.startsWith('--' + boundary) || bodyText.includes('\n--' + boundary)) {
      return null; // real parts, just empty ones
    }
  }
  if (!body.toString('latin1').trim()) {
    return null;
  }
  const charset = (contentType.params.charset || 'utf-8').replace(/[^\w.:+-]/g, '');
  const encoding = (transferEncoding || '7bit').replace(/[^\w-]/g, '');
  const head = `Content-Type: text/plain; charset="${charset}"\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`;
  const parser = new MailParser({ skipTextToHtml: true, skipImageLinks: true, checksumAlgo: false, Iconv });
  return new Promise<string | null>((resolve, reject) => {
    let text: string | null = null;
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        text = data.text ?? null;
      } else {
        data.content.resume();
        data.release?.();
      }
    });
    parser.once('error', reject);
    parser.once('end', () => resolve(text));
    parser.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

/* ------------------------------------------------------------------------------------------------ */
/* parseMail                                                                                        */
/* ------------------------------------------------------------------------------------------------ */

function describe(err: unknown): string {
  if (err instanceof Error) {
    return err.message || err.name;
  }
  return String(err);
}

const MAX_DATE_CHARS = 200;

/** The text shown for HTML over the budget (see assemble): 1 MB is far more than anyone reads in a ticket. */
const MAX_FALLBACK_TEXT = 1024 * 1024;

function parseDate(values: string[], warn: (message: string) => void): Date | null {
  if (values.length === 0) {
    return null;
  }
  // A date is ~40 characters; the comment-stripping pattern below is quadratic on a long run of "(" without ")".
  const raw = values[0].slice(0, MAX_DATE_CHARS);
  // mailparser substitutes "now" for an unparsable Date; a wrong date is worse than none.
  let date = new Date(raw);
  if (Number.isNaN(date.getTime())) {
    date = new Date(raw.replace(/\([^)]*\)/g, ' ').trim());
  }
  if (Number.isNaN(date.getTime())) {
    warn(`Unparsable Date header: ${raw.slice(0, 100)}`);
    return null;
  }
  return date;
}

/**
 * Parses one raw message. Attachments are spooled to `options.spoolDir`; see the module comment.
 * Rejects with an Error whose message starts with `Cannot parse message:` on any stream, parser or
 * spool error, after deleting the temporary files it had written.
 */
export async function parseMail(
  source: NodeJS.ReadableStream | Buffer | string,
  options: ParseOptions
): Promise<ParsedMail> {
  if (!options || typeof options.spoolDir !== 'string' || !options.spoolDir) {
    throw new Error(ERROR_PREFIX + 'options.spoolDir is required');
  }
  const maxAttachments = options.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS;
  if (!Number.isInteger(maxAttachments) || maxAttachments < 0) {
    throw new Error(ERROR_PREFIX + 'options.maxAttachments must be a non-negative integer');
  }
  const spoolDir = path.resolve(options.spoolDir);
  try {
    await fsp.mkdir(spoolDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new Error(ERROR_PREFIX + `cannot create spool directory ${spoolDir}: ${describe(err)}`, {
      cause: err,
    });
  }

  const warnings: string[] = [];
  const warn = (message: string): void => {
    if (!warnings.includes(message)) {
      warnings.push(message);
    }
  };

  const bodyDecoder = createBodyDecoder(warn);
  const parser = new MailParser({
    keepDeliveryStatus: true,
    skipImageLinks: true,
    skipTextToHtml: true,
    // We hash what we write to disk ourselves (SHA-256); no need for mailparser's MD5 pass.
    checksumAlgo: false,
    // mailparser's own HTML → text runs html-to-text with word wrapping on the raw part, superlinear in the number
    // of inline elements (200,000 `<b>x</b>`, 1.6 MB: 13 s) and quadratic in depth; assemble() converts instead,
    // from the sanitized HTML within the budget and linearly beyond it.
    skipHtmlToText: true,
    Iconv: bodyDecoder,
  });
  const stripper = new SourceFilter();

  const slots: (SpooledAttachment | undefined)[] = [];
  // Content-Disposition of each slot ('attachment', 'inline' or undefined), to decide `inline` at the end.
  const dispositions: (string | undefined)[] = [];
  const tempPaths = new Set<string>();
  const openFiles = new Set<Writable>();
  const pending: Promise<void>[] = [];
  let skippedAttachments = 0;
  let headerLines: HeaderLines = [];
  let parsedHeaders: Headers | null = null;
  let textContent: MessageText | null = null;

  return new Promise<ParsedMail>((resolve, reject) => {
    let settled = false;

    const fail = (err: unknown, what?: string): void => {
      if (settled) {
        return;
      }
      settled = true;
      const message = ERROR_PREFIX + (what ? `${what}: ` : '') + describe(err);
      if (typeof source !== 'string' && !Buffer.isBuffer(source)) {
        // Stop feeding the parser, but keep reading the source to its end: an IMAP download
        // stream that is left paused would stall the connection it belongs to.
        source.unpipe(stripper);
        source.resume();
      }
      stripper.unpipe(parser);
      parser.destroy();
      const closing = Array.from(openFiles, (file) => {
        return new Promise<void>((done) => {
          if (file.closed) {
            done();
            return;
          }
          file.once('close', () => done());
          file.destroy();
        });
      });
      void Promise.all(closing)
        .then(() => removeFiles(tempPaths))
        .then(() => reject(new Error(message, { cause: err })));
    };

    const spool = (attachment: AttachmentStream): void => {
      const index = slots.length;
      slots.push(undefined);
      dispositions.push(attachment.contentDisposition?.toLowerCase());
      const contentType = (attachment.contentType || 'application/octet-stream').toLowerCase();
      const tempPath = path.join(spoolDir, `mail-${randomUUID()}.part`);
      tempPaths.add(tempPath);
      options.onTempFile?.(tempPath);
      const measure = measuringStream();
      // `wx`: never follow or overwrite something already there; 0600: mail content is private.
      const file = createWriteStream(tempPath, { flags: 'wx', mode: 0o600 });
      openFiles.add(file);
      file.once('close', () => openFiles.delete(file));
      const done = pipeline(attachment.content, measure.stream, file).then(() => {
        const { size, sha256 } = measure.result();
        const cid = (attachment.cid ?? '').trim();
        slots[index] = {
          filename: safeAttachmentFilename(attachment.filename, contentType, index + 1),
          contentType,
          size,
          sha256,
          contentId: cid ? cid.replace(/^<|>$/g, '').trim() || null : null,
          inline: false, // decided once the HTML is known, see assemble()
          tempPath,
        };
        // The file is complete on disk: let the parser move on to the next part.
        attachment.release?.();
      });
      pending.push(done.catch((err: unknown) => fail(err, 'cannot spool attachment')));
    };

    parser.on('headerLines', (lines: HeaderLines) => {
      headerLines = lines;
    });
    parser.on('headers', (headers: Headers) => {
      parsedHeaders = headers;
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (settled) {
        return;
      }
      if (data.type === 'text') {
        textContent = data;
        return;
      }
      if (slots.length >= maxAttachments) {
        // Over the limit: do not store it, but let mailparser drain the part and go on.
        skippedAttachments++;
        data.content.resume();
        data.release?.();
        return;
      }
      spool(data);
    });
    parser.once('error', (err: Error) => fail(err));
    parser.once('end', () => {
      void Promise.all(pending)
        .then(async () => {
          if (settled) {
            return;
          }
          if (!stripper.started) {
            throw new Error('the message is empty');
          }
          const recovered = await recoverBodyIfNeeded();
          if (settled) {
            return;
          }
          const mail = await assemble(recovered);
          settled = true;
          resolve(mail);
        })
        .catch((err: unknown) => fail(err));
    });

    /** See {@link recoverBoundarylessBody}; only when mailparser found nothing at all in a multipart message. */
    const recoverBodyIfNeeded = async (): Promise<string | null> => {
      const contentType = parsedHeaders?.get('content-type');
      const content: MessageText | null = textContent;
      if (
        !isStructuredHeader(contentType) ||
        !/^multipart\//i.test(contentType.value) ||
        (content !== null && (content.text || content.html)) ||
        slots.length > 0 ||
        skippedAttachments > 0
      ) {
        return null;
      }
      const raw = stripper.raw();
      if (!raw) {
        warn('Multipart message without any part; too large to read its body as plain text');
        return null;
      }
      const encoding = parsedHeaders?.get('content-transfer-encoding');
      const text = await recoverBoundarylessBody(
        raw,
        contentType,
        typeof encoding === 'string' ? encoding.trim().toLowerCase() : undefined,
        bodyDecoder
      );
      if (text !== null) {
        warn('Multipart message without boundary lines; its body was read as plain text');
      }
      return text;
    };

    /**
     * HTML over the budget (html-budget.ts) is kept as it came, as a download-only attachment (the store gives
     * text/html a neutral type and extension): an agent can still open it, nothing renders it. A UTF-8 BOM tells a
     * browser opening the downloaded file how the (already decoded) text is encoded.
     */
    const spoolOriginalHtml = async (source: string): Promise<SpooledAttachment> => {
      const bytes = Buffer.concat([Buffer.from('\ufeff', 'utf8'), Buffer.from(source, 'utf8')]);
      const tempPath = path.join(spoolDir, `mail-${randomUUID()}.part`);
      tempPaths.add(tempPath);
      options.onTempFile?.(tempPath);
      await fsp.writeFile(tempPath, bytes, { flag: 'wx', mode: 0o600 });
      return {
        filename: 'original-message.html',
        contentType: 'text/html',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        contentId: null,
        inline: false,
        tempPath,
      };
    };

    const assemble = async (recoveredText: string | null): Promise<ParsedMail> => {
      const headers = buildHeaderRecord(headerLines);
      const addressHeaders: Map<string, HeaderValue> = parsedHeaders ?? new Map<string, HeaderValue>();

      const fromList = flattenAddresses(addressHeaders.get('from'));
      if (headerValues(headers, 'from').length === 0) {
        warn('No From header');
      } else if (fromList.length === 0) {
        warn('From header has no usable address');
      }

      const messageIdRaw = headerValues(headers, 'message-id')[0];
      const messageId =
        messageIdRaw === undefined
          ? null
          : (parseMessageIdList(messageIdRaw)[0] ?? normalizeMessageId(messageIdRaw));
      if (messageId === null) {
        warn(messageIdRaw === undefined ? 'No Message-ID header' : 'Unusable Message-ID header');
      }

      const subject = headerValues(headers, 'subject')[0] ?? '';

      let html: string | null = null;
      let text = '';
      let htmlNotice: string | null = null;
      let overBudgetHtml: string | null = null;
      const content: MessageText | null = textContent;
      if (content) {
        if (typeof content.html === 'string') {
          const source = content.html.replaceAll('\u0000', '');
          const budget = htmlBudgetOf(source);
          if (budget.withinBudget) html = sanitizeMailHtml(source);
          else {
            overBudgetHtml = source;
            htmlNotice = `The HTML body is ${budget.reason}: it is shown as plain text, and the original HTML is attached as original-message.html (download only, never displayed)`;
          }
        }
        text = typeof content.text === 'string' ? content.text : '';
        if (content.textConversionError && overBudgetHtml === null) {
          warn(`HTML could not be converted to text: ${describe(content.textConversionError)}`);
        }
      }
      if (recoveredText !== null) {
        text = recoveredText;
      }
      if (!text.trim() && html) {
        try {
          text = textFromHtml(html);
        } catch (err) {
          warn(`HTML could not be converted to text: ${describe(err)}`);
        }
      }
      if (!text.trim() && overBudgetHtml !== null) {
        text = linearHtmlText(overBudgetHtml);
        // The original is kept whole as the attachment; what the ticket shows (and the database row holds) is bounded:
        // a 17 MB text row made SQLite hold its one connection, and so the admin, for most of a second.
        if (text.length > MAX_FALLBACK_TEXT) {
          text = `${text.slice(0, MAX_FALLBACK_TEXT)}\n\n[… text cut at ${MAX_FALLBACK_TEXT} characters: the whole message is in original-message.html]`;
          htmlNotice += `; its text is cut at ${MAX_FALLBACK_TEXT} characters`;
          warn(`Text of the over-budget HTML cut at ${MAX_FALLBACK_TEXT} characters`);
        }
      }
      if (htmlNotice) warn(htmlNotice);
      if (text.includes('\u0000')) {
        // Databases (PostgreSQL) refuse NUL in text columns; it carries nothing readable anyway.
        text = text.replaceAll('\u0000', '');
        warn('NUL characters removed from the text body');
      }

      if (skippedAttachments > 0) {
        warn(`Attachment limit reached: ${maxAttachments} kept, ${skippedAttachments} more not stored`);
      }

      // `inline` = displayed inside the HTML body: the HTML references its cid and the part is not
      // declared a plain attachment (inline images often come with no Content-Disposition at all).
      const referenced = referencedContentIds(html);
      const attachments: SpooledAttachment[] = [];
      slots.forEach((attachment, index) => {
        if (attachment) {
          const cid = attachment.contentId?.toLowerCase();
          const inline = cid !== undefined && referenced.has(cid) && dispositions[index] !== 'attachment';
          attachments.push({ ...attachment, inline });
        }
      });

      if (overBudgetHtml !== null) attachments.push(await spoolOriginalHtml(overBudgetHtml));

      return {
        messageId,
        inReplyTo: parseMessageIdList(headerValues(headers, 'in-reply-to')),
        references: parseMessageIdList(headerValues(headers, 'references')),
        from: fromList[0] ?? null,
        replyTo: flattenAddresses(addressHeaders.get('reply-to')),
        to: flattenAddresses(addressHeaders.get('to')),
        cc: flattenAddresses(addressHeaders.get('cc')),
        subject: cleanHeaderText(subject),
        date: parseDate(headerValues(headers, 'date'), warn),
        headers,
        text,
        html,
        attachments,
        warnings,
        htmlNotice,
      };
    };

    // Feed the parser.
    stripper.pipe(parser);
    if (typeof source === 'string' || Buffer.isBuffer(source)) {
      stripper.end(typeof source === 'string' ? Buffer.from(source) : source);
    } else {
      source.once('error', (err: Error) => fail(err, 'cannot read the message'));
      source.pipe(stripper);
    }
  });
}
