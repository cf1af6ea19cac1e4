/**
 * Raw RFC 5322 / MIME source → {@link ParsedMail}, with attachments spooled to disk: the orchestrator of the parse
 * steps in this folder (source filter → mailparser → attachment spool, header text, addresses, body text).
 *
 * Uses mailparser's streaming `MailParser`, never `simpleParser`: the latter buffers every attachment
 * in memory, so one 50 MB PDF (or a hostile message with hundreds of parts) would sit in the heap of
 * the Strapi process. Here each attachment stream is written to its own temporary file while its
 * SHA-256 and size are computed, and memory stays flat whatever the message carries.
 *
 * The caller owns the temporary files: store them, then call {@link removeSpooledAttachments}.
 * On failure the promise rejects with `Cannot parse message: …` and nothing is left on disk.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { MailParser } from 'mailparser';
import type {
  AttachmentStream,
  HeaderLines,
  Headers,
  HeaderValue,
  IconvConstructor,
  MessageText,
} from 'mailparser';
import { normalizeMessageId, parseMessageIdList } from '../message-ids';
import type { ParsedMail } from '../types';
import { AttachmentSpool } from './attachment-spool';
import { createBodyDecoder } from './body-charset';
import { readBody } from './body-text';
import { recoverBoundarylessBody } from './boundaryless-body';
import {
  buildHeaderRecord,
  cleanHeaderText,
  headerValues,
  isStructuredHeader,
  parseDate,
} from './header-text';
import { flattenAddresses, listedAddresses } from './mail-addresses';
import { describe, ERROR_PREFIX } from './parse-errors';
import { SourceFilter } from './source-filter';

export interface ParseOptions {
  /** Directory for the temporary attachment files; created when missing. */
  spoolDir: string;
  /** Attachments beyond this many are not spooled (a warning says so). Default 200. */
  maxAttachments?: number;
  /**
   * A tag in every temporary file's name (`mail-<tag>-<uuid>.part`): a parse worker that is stopped mid-message
   * cannot clean up after itself, so the pool removes the files that bear its job's tag (see parse-pool.ts).
   */
  fileTag?: string;
}

export const DEFAULT_MAX_ATTACHMENTS = 200;

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
    // of inline elements (200,000 `<b>x</b>`, 1.6 MB: 13 s) and quadratic in depth; readBody() converts instead,
    // from the sanitized HTML within the budget and linearly beyond it.
    skipHtmlToText: true,
    Iconv: bodyDecoder,
  });
  const stripper = new SourceFilter();

  let skippedAttachments = 0;
  let headerLines: HeaderLines = [];
  let parsedHeaders: Headers | null = null;
  let textContent: MessageText | null = null;

  return new Promise<ParsedMail>((resolve, reject) => {
    let settled = false;
    const spool = new AttachmentSpool({ spoolDir, fileTag: options.fileTag }, (err) =>
      fail(err, 'cannot spool attachment')
    );

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
      void spool.discard().then(() => reject(new Error(message, { cause: err })));
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
      if (spool.count >= maxAttachments) {
        // Over the limit: do not store it, but let mailparser drain the part and go on.
        skippedAttachments++;
        data.content.resume();
        data.release?.();
        return;
      }
      spool.spool(data);
    });
    parser.once('error', (err: Error) => fail(err));
    parser.once('end', () => {
      void spool
        .whenWritten()
        .then(async () => {
          if (settled) {
            return;
          }
          if (!stripper.started) {
            throw new Error('the message is empty');
          }
          const nothingFound = spool.count === 0 && skippedAttachments === 0;
          const recovered = await recoverBodyIfNeeded(
            parsedHeaders,
            textContent,
            nothingFound,
            stripper,
            bodyDecoder,
            warn
          );
          if (settled) {
            return;
          }
          const mail = await assembleMail({
            headerLines,
            parsedHeaders,
            textContent,
            recovered,
            spool,
            skippedAttachments,
            maxAttachments,
            warnings,
            warn,
          });
          settled = true;
          resolve(mail);
        })
        .catch((err: unknown) => fail(err));
    });

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

/**
 * See {@link recoverBoundarylessBody}; only when mailparser found nothing at all (no text, no attachment) in a
 * multipart message.
 */
async function recoverBodyIfNeeded(
  parsedHeaders: Headers | null,
  content: MessageText | null,
  noAttachments: boolean,
  stripper: SourceFilter,
  bodyDecoder: IconvConstructor,
  warn: (message: string) => void
): Promise<string | null> {
  const contentType = parsedHeaders?.get('content-type');
  if (
    !isStructuredHeader(contentType) ||
    !/^multipart\//i.test(contentType.value) ||
    (content !== null && (content.text || content.html)) ||
    !noAttachments
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
}

/** What the stream left behind once mailparser ended and every attachment is on disk. */
interface ParsedParts {
  headerLines: HeaderLines;
  parsedHeaders: Headers | null;
  textContent: MessageText | null;
  recovered: string | null;
  spool: AttachmentSpool;
  skippedAttachments: number;
  maxAttachments: number;
  warnings: string[];
  warn: (message: string) => void;
}

/** The parts → one {@link ParsedMail}; warnings in the order: addressing headers, body, attachments. */
async function assembleMail(parts: ParsedParts): Promise<ParsedMail> {
  const { warn } = parts;
  const headers = buildHeaderRecord(parts.headerLines, warn);
  const addressHeaders: Map<string, HeaderValue> = parts.parsedHeaders ?? new Map<string, HeaderValue>();

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

  const { html, text, htmlNotice, overBudgetHtml } = readBody(parts.textContent, parts.recovered, warn);

  if (parts.skippedAttachments > 0) {
    warn(
      `Attachment limit reached: ${parts.maxAttachments} kept, ${parts.skippedAttachments} more not stored`
    );
  }

  const attachments = parts.spool.placed(html);
  if (overBudgetHtml !== null) attachments.push(await parts.spool.spoolOriginalHtml(overBudgetHtml));

  return {
    messageId,
    inReplyTo: parseMessageIdList(headerValues(headers, 'in-reply-to')),
    references: parseMessageIdList(headerValues(headers, 'references')),
    from: fromList[0] ?? null,
    replyTo: listedAddresses(addressHeaders.get('reply-to'), 'Reply-To', warn),
    to: listedAddresses(addressHeaders.get('to'), 'To', warn),
    cc: listedAddresses(addressHeaders.get('cc'), 'Cc', warn),
    subject: cleanHeaderText(subject),
    date: parseDate(headerValues(headers, 'date'), warn),
    headers,
    text,
    html,
    attachments,
    warnings: parts.warnings,
    htmlNotice,
  };
}
