/**
 * The parse worker: runs in a child process of its own (see parse-pool.ts for why not a thread), so the CPU-heavy handling of
 * untrusted mail — MIME parsing, charset decoding, sanitizing, HTML → text, quote trimming, classification with the
 * mailbox's identity, and DKIM hashing — never holds the Strapi process's event loop. It reads the spooled raw file
 * by path, spools attachments to files as the main thread would, and answers with a structured-clone-able
 * {@link ParsedInWorker}.
 *
 * DNS is the one thing the worker cannot do alone: the resolver is the plugin's (a configured one, or the system's
 * with a shared cache), so the worker asks the main thread for each record and waits. The pool does not count that
 * wait against the mail's time budget.
 *
 * Protocol (all messages plain objects): the worker posts `{ type: 'ready' }` once loaded; it receives a
 * {@link ParseRequest} and posts `{ id, type: 'file', path }` for each temporary file before writing it (so the pool
 * can remove them if it has to stop the worker), `{ id, type: 'dns', query, name, rrtype }` for each DNS question
 * (answered by a {@link DnsAnswer}), then `{ id, type: 'done', result }` or `{ id, type: 'failed', error }`.
 */
import fs from 'node:fs';
import {
  authenticate,
  authenticationNotRun,
  type AuthenticationVerdict,
  type DnsResolver,
} from '../mail/authenticate';
import { classifyParsedMail } from '../policy/classify/classify-inbound';
import { NO_IDENTITY, type InboundFlags } from '../policy/classify/inbound-flags';
import { parseMail } from '../mail/parse/parse-mail';
import { trimQuotedHtml } from '../mail/quotes/html-quotes';
import { trimQuotedText } from '../mail/quotes/text-quotes';
import { requesterOf } from '../mail/requester';
import type { ParsedMail } from '../mail/types';
import { identityKey } from '../policy/own-mail-identity';
// Set by the pool in the worker's environment, so importing this file anywhere else starts nothing.
import { WORKER_MARKER } from './parse-pool';

/** What the worker needs to know about the mailbox to classify and authenticate its mail. */
export interface WorkerPreparation {
  /** Our loop header value and our own addresses (classify.ts's OwnMailIdentity, minus the database lookup). */
  identity: { instanceId: string; addresses: string[] };
  /** The mailbox's trusted authserv-ids; null: do not authenticate (the caller does it, or does not need it). */
  trustedAuthservIds: string[] | null;
}

export interface ParseRequest {
  type: 'parse';
  id: number;
  rawPath: string;
  spoolDir: string;
  preparation: WorkerPreparation | null;
}

export interface DnsAnswer {
  type: 'dns-answer';
  query: number;
  value?: unknown;
  error?: { message: string; code?: string };
}

export interface ParsedInWorker {
  mail: ParsedMail;
  /** Someone can be answered, or it is a delivery report (which needs no sender): see prepareMessage. */
  answerable: boolean;
  /** The classification, made with {@link WorkerPreparation.identity} (or none). */
  flags: InboundFlags;
  /** {@link identityKey} of the identity `flags` were computed with. */
  classifiedWith: string;
  /** Sender authentication (authenticate.ts), or null when not asked for. */
  authentication: AuthenticationVerdict | null;
  /** CPU-side wall time of the parse in the worker, for the fuzz run and the logs. */
  parseMs: number;
}

export type WorkerReply =
  | { type: 'ready' }
  | { id: number; type: 'file'; path: string }
  | { id: number; type: 'dns'; query: number; name: string; rrtype: string }
  | { id: number; type: 'done'; result: ParsedInWorker }
  | { id: number; type: 'failed'; error: string };

/** The work itself, also callable in-thread (tests of pure logic). */
export async function parseForImport(
  rawPath: string,
  spoolDir: string,
  options: {
    onTempFile?: (tempPath: string) => void;
    preparation?: WorkerPreparation | null;
    resolver?: DnsResolver;
  } = {}
): Promise<ParsedInWorker> {
  const started = performance.now();
  const mail = await parseMail(fs.createReadStream(rawPath), { spoolDir, onTempFile: options.onTempFile });
  // Trimmed here rather than when storing: the DOM work is the expensive part and must stay off the main thread.
  mail.trimmed = { text: trimQuotedText(mail.text), html: mail.html ? trimQuotedHtml(mail.html) : null };
  const identity = options.preparation?.identity ?? NO_IDENTITY;
  const flags = classifyParsedMail(mail, identity);
  // A delivery report often has no sender at all (`From: MAILER-DAEMON <>`): it answers nobody, yet it must reach
  // the ticket of the mail that bounced rather than the quarantine.
  const answerable = requesterOf(mail) !== null || flags.bounce;
  const trusted = options.preparation?.trustedAuthservIds ?? null;
  let authentication: AuthenticationVerdict | null = null;
  if (answerable && trusted !== null && options.resolver) {
    try {
      authentication = await authenticate({
        raw: fs.createReadStream(rawPath),
        fromAddress: mail.from?.address ?? null,
        trustedAuthservIds: trusted,
        resolver: options.resolver,
      });
    } catch (error) {
      // The mail is still imported: unauthenticated, and the receipt says why.
      authentication = authenticationNotRun(error);
    }
  }
  return {
    mail,
    answerable,
    flags,
    classifiedWith: identityKey(identity),
    authentication,
    parseMs: performance.now() - started,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

if (process.env[WORKER_MARKER] === '1' && typeof process.send === 'function') {
  const send = process.send.bind(process);
  const questions = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextQuestion = 1;
  // The pool is gone (Strapi stopped or crashed): nobody will read an answer, so do not linger.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ParseRequest | DnsAnswer) => {
    if (message.type === 'dns-answer') {
      const waiting = questions.get(message.query);
      questions.delete(message.query);
      if (!waiting) return;
      if (message.error)
        waiting.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
      else waiting.resolve(message.value);
      return;
    }
    const request = message;
    const post = (reply: WorkerReply) => send(reply);
    const resolver: DnsResolver = (name, rrtype) =>
      new Promise((resolve, reject) => {
        const query = nextQuestion++;
        questions.set(query, { resolve, reject });
        post({ id: request.id, type: 'dns', query, name, rrtype });
      });
    parseForImport(request.rawPath, request.spoolDir, {
      onTempFile: (path) => post({ id: request.id, type: 'file', path }),
      preparation: request.preparation,
      resolver,
    }).then(
      (result) => post({ id: request.id, type: 'done', result }),
      (error: unknown) => post({ id: request.id, type: 'failed', error: describe(error) })
    );
  });
  send({ type: 'ready' } satisfies WorkerReply);
}
