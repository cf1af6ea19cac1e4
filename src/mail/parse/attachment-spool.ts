/**
 * Attachments to disk: each attachment stream of a message is written to its own temporary file while its SHA-256
 * and size are measured, so memory stays flat whatever the message carries. One spool per parse; it also knows which
 * files to remove when the parse fails, and which parts the HTML shows inline.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AttachmentStream } from 'mailparser';
import { measuringStream } from '../measure-stream';
import type { ParsedMail, SpooledAttachment } from '../types';
import { safeAttachmentFilename } from './attachment-names';

/** Where the files go, and the tag in their names (see ParseOptions.fileTag). */
export interface SpoolTarget {
  spoolDir: string;
  fileTag?: string;
}

/** `mail-<tag>-<uuid>.part`: the tag lets whoever started the parse find every file it wrote. */
export function spoolFileName(fileTag: string | undefined): string {
  return fileTag ? `mail-${fileTag}-${randomUUID()}.part` : `mail-${randomUUID()}.part`;
}

export class AttachmentSpool {
  private readonly slots: (SpooledAttachment | undefined)[] = [];
  // Content-Disposition of each slot ('attachment', 'inline' or undefined), to decide `inline` at the end.
  private readonly dispositions: (string | undefined)[] = [];
  private readonly tempPaths = new Set<string>();
  private readonly openFiles = new Set<Writable>();
  private readonly pending: Promise<void>[] = [];

  /** `onError` is told of a file that could not be written; the spool itself goes on. */
  constructor(
    private readonly target: SpoolTarget,
    private readonly onError: (err: unknown) => void
  ) {}

  /** How many attachments were taken so far (the limit counts these). */
  get count(): number {
    return this.slots.length;
  }

  spool(attachment: AttachmentStream): void {
    const { slots, dispositions, tempPaths, openFiles } = this;
    const index = slots.length;
    slots.push(undefined);
    dispositions.push(attachment.contentDisposition?.toLowerCase());
    const contentType = (attachment.contentType || 'application/octet-stream').toLowerCase();
    const tempPath = path.join(this.target.spoolDir, spoolFileName(this.target.fileTag));
    tempPaths.add(tempPath);
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
        inline: false, // decided once the HTML is known, see placed()
        tempPath,
      };
      // The file is complete on disk: let the parser move on to the next part.
      attachment.release?.();
    });
    this.pending.push(done.catch((err: unknown) => this.onError(err)));
  }

  /** Settles when every file started so far is written (or has failed, which went to `onError`). */
  whenWritten(): Promise<unknown> {
    return Promise.all(this.pending);
  }

  /**
   * HTML over the budget (html-budget.ts) is kept as it came, as a download-only attachment (the store gives
   * text/html a neutral type and extension): an agent can still open it, nothing renders it. A UTF-8 BOM tells a
   * browser opening the downloaded file how the (already decoded) text is encoded.
   */
  async spoolOriginalHtml(source: string): Promise<SpooledAttachment> {
    const bytes = Buffer.concat([Buffer.from('\ufeff', 'utf8'), Buffer.from(source, 'utf8')]);
    const tempPath = path.join(this.target.spoolDir, spoolFileName(this.target.fileTag));
    this.tempPaths.add(tempPath);
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
  }

  /**
   * The written attachments in message order, each marked `inline` = displayed inside the HTML body: the HTML
   * references its cid and the part is not declared a plain attachment (inline images often come with no
   * Content-Disposition at all).
   */
  placed(html: string | null): SpooledAttachment[] {
    const referenced = referencedContentIds(html);
    const attachments: SpooledAttachment[] = [];
    this.slots.forEach((attachment, index) => {
      if (attachment) {
        const cid = attachment.contentId?.toLowerCase();
        const inline = cid !== undefined && referenced.has(cid) && this.dispositions[index] !== 'attachment';
        attachments.push({ ...attachment, inline });
      }
    });
    return attachments;
  }

  /** After a failure: closes the files still open, then deletes every file this spool wrote. */
  discard(): Promise<void> {
    const closing = Array.from(this.openFiles, (file) => {
      return new Promise<void>((done) => {
        if (file.closed) {
          done();
          return;
        }
        file.once('close', () => done());
        file.destroy();
      });
    });
    return Promise.all(closing).then(() => removeFiles(this.tempPaths));
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
