/**
 * What the parse pool (parse-pool.ts) and its worker (parse-worker.ts) say to each other, in one file both import,
 * so neither imports the other.
 *
 * Protocol (all messages plain objects, sent over the child process's IPC channel with structured clone): the
 * worker sends `{ type: 'ready' }` once loaded; it receives a {@link ParseRequest}, sends
 * `{ id, type: 'dns', query, name, rrtype }` for each DNS question (answered by a {@link DnsAnswer}), then
 * `{ id, type: 'done', result }` or `{ id, type: 'failed', error }`.
 */
import type { AuthenticationVerdict } from '../mail/authenticate';
import type { ParsedMail } from '../mail/types';
import type { InboundFlags } from '../policy/classify/inbound-flags';

/** Set by the pool in the worker's environment, so importing the worker's file anywhere else starts nothing. */
export const WORKER_MARKER = 'emailPipingParseWorker';

/** What the worker needs to know about the mailbox to classify and authenticate its mail. */
export interface WorkerPreparation {
  /** Our loop header value and our own addresses (policy/classify/inbound-flags.ts' OwnMailIdentity). */
  identity: { instanceId: string; addresses: string[] };
  /** The mailbox's trusted authserv-ids; null: do not authenticate (the caller does it, or does not need it). */
  trustedAuthservIds: string[] | null;
}

export interface ParseRequest {
  type: 'parse';
  id: number;
  rawPath: string;
  spoolDir: string;
  /**
   * In the name of every temporary file the job writes (parse-mail.ts' `fileTag`): a worker that is stopped cannot
   * say which files it had begun, so the pool removes what bears the tag.
   */
  fileTag: string;
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
  | { id: number; type: 'dns'; query: number; name: string; rrtype: string }
  | { id: number; type: 'done'; result: ParsedInWorker }
  | { id: number; type: 'failed'; error: string };
