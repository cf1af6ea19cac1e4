/**
 * The parse worker: runs in a child process of its own (see parse-pool.ts for why not a thread), so the CPU-heavy
 * handling of untrusted mail — MIME parsing, charset decoding, sanitizing, HTML → text, quote trimming,
 * classification with the mailbox's identity, and DKIM hashing — never holds the Strapi process's event loop. It
 * reads the spooled raw file by path, spools attachments to files as the main process would, and answers with a
 * {@link ParsedInWorker} (messages and protocol: parse-protocol.ts).
 *
 * DNS is the one thing the worker cannot do alone: the resolver is the plugin's (a configured one, or the system's
 * with a shared cache), so the worker asks the main process for each record and waits. The pool does not count that
 * wait against the mail's time budget.
 */
import fs from 'node:fs';
import {
  authenticate,
  authenticationNotRun,
  type AuthenticationVerdict,
  type DnsResolver,
} from '../mail/authenticate';
import { classifyParsedMail } from '../policy/classify/classify-inbound';
import { NO_IDENTITY } from '../policy/classify/inbound-flags';
import { mailLanguages } from '../mail/language';
import { parseMail } from '../mail/parse/parse-mail';
import { trimQuotedHtml } from '../mail/quotes/html-quotes';
import { trimQuotedText } from '../mail/quotes/text-quotes';
import { requesterOf } from '../mail/requester';
import { identityKey } from '../policy/own-mail-identity';
import {
  WORKER_MARKER,
  type DnsAnswer,
  type ParsedInWorker,
  type ParseRequest,
  type WorkerPreparation,
  type WorkerReply,
} from './parse-protocol';

/** The work itself, also callable in-thread (tests of pure logic). */
export async function parseForImport(
  rawPath: string,
  spoolDir: string,
  options: {
    fileTag?: string;
    preparation?: WorkerPreparation | null;
    resolver?: DnsResolver;
  } = {}
): Promise<ParsedInWorker> {
  const started = performance.now();
  const mail = await parseMail(fs.createReadStream(rawPath), { spoolDir, fileTag: options.fileTag });
  // Trimmed here rather than when storing: the DOM work is the expensive part and must stay off the main thread.
  mail.trimmed = { text: trimQuotedText(mail.text), html: mail.html ? trimQuotedHtml(mail.html) : null };
  mail.languages = await mailLanguages(mail);
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
      fileTag: request.fileTag,
      preparation: request.preparation,
      resolver,
    }).then(
      (result) => post({ id: request.id, type: 'done', result }),
      (error: unknown) => post({ id: request.id, type: 'failed', error: describe(error) })
    );
  });
  send({ type: 'ready' } satisfies WorkerReply);
}
