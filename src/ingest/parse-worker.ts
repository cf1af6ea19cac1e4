/**
 * The parse worker: runs in a `worker_threads` thread of its own (see parse-pool.ts), so the CPU-heavy handling of
 * untrusted mail — MIME parsing, charset decoding, sanitizing, HTML → text, quote trimming, the first
 * classification — never holds the Strapi process's event loop. It reads the spooled raw file by path, spools
 * attachments to files as the main thread would, and answers with a structured-clone-able {@link ParsedInWorker}.
 *
 * Protocol (all messages plain objects): the worker posts `{ type: 'ready' }` once loaded; it receives
 * `{ id, rawPath, spoolDir }` and posts `{ id, type: 'file', path }` for each temporary file before writing it (so
 * the pool can remove them if it has to stop the worker), then `{ id, type: 'done', result }` or
 * `{ id, type: 'failed', error }`.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { classifyParsedMail } from '../policy/classify/classify-inbound';
import { NO_IDENTITY } from '../policy/classify/inbound-flags';
import { parseMail } from '../mail/parse/parse-mail';
import { trimQuotedHtml } from '../mail/quotes/html-quotes';
import { trimQuotedText } from '../mail/quotes/text-quotes';
import { requesterOf } from '../mail/requester';
import type { ParsedMail } from '../mail/types';
// Set by the pool in `workerData`, so importing this file anywhere else (a test in a worker thread) starts nothing.
import { WORKER_MARKER } from './parse-pool';

export interface ParseRequest {
  id: number;
  rawPath: string;
  spoolDir: string;
}

export interface ParsedInWorker {
  mail: ParsedMail;
  /** Someone can be answered, or it is a delivery report (which needs no sender): see prepareMessage. */
  answerable: boolean;
  /** CPU-side wall time of the parse in the worker, for the fuzz run and the logs. */
  parseMs: number;
}

export type WorkerReply =
  | { type: 'ready' }
  | { id: number; type: 'file'; path: string }
  | { id: number; type: 'done'; result: ParsedInWorker }
  | { id: number; type: 'failed'; error: string };

/** The work itself, also callable in-thread (tests of pure logic). */
export async function parseForImport(
  rawPath: string,
  spoolDir: string,
  onTempFile?: (tempPath: string) => void
): Promise<ParsedInWorker> {
  const started = performance.now();
  const mail = await parseMail(fs.createReadStream(rawPath), { spoolDir, onTempFile });
  // Trimmed here rather than when storing: the DOM work is the expensive part and must stay off the main thread.
  mail.trimmed = { text: trimQuotedText(mail.text), html: mail.html ? trimQuotedHtml(mail.html) : null };
  // A delivery report often has no sender at all (`From: MAILER-DAEMON <>`): it answers nobody, yet it must reach
  // the ticket of the mail that bounced rather than the quarantine.
  const answerable = requesterOf(mail) !== null || classifyParsedMail(mail, NO_IDENTITY).bounce;
  return { mail, answerable, parseMs: performance.now() - started };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

if (parentPort && (workerData as Record<string, unknown> | null)?.[WORKER_MARKER] === true) {
  const port = parentPort;
  port.on('message', (request: ParseRequest) => {
    const post = (reply: WorkerReply) => port.postMessage(reply);
    parseForImport(request.rawPath, request.spoolDir, (path) =>
      post({ id: request.id, type: 'file', path })
    ).then(
      (result) => post({ id: request.id, type: 'done', result }),
      (error: unknown) => post({ id: request.id, type: 'failed', error: describe(error) })
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}
