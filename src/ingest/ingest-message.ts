/**
 * parse → (duplicate check) → persist, for spooled raw messages. Shared by the IMAP importer, "reprocess a
 * quarantined mail" and the corpus test, so all take exactly the same decisions.
 *
 * Persisting comes in two shapes. `persistBatch` commits several messages, their receipts and the advanced cursor in
 * one transaction (one disk sync instead of one per message); if anything in it fails, the importer rolls the batch
 * back and persists its messages one by one with `persistOne`, where a message that cannot be stored is quarantined
 * with its raw source and the reason, alone. Only a failure to record even that propagates (the importer then keeps
 * a minimal receipt and leaves the mail on the server).
 *
 * Temporary database errors (locks, deadlocks, a busy SQLite file) say nothing about the mail: both shapes retry
 * their whole transaction after a pause (see database-retry.ts) and never quarantine for them; if the error
 * persists it propagates, the cursor stays put and the next run tries again.
 */
import { removeSpooledAttachments } from '../mail/parse/attachment-spool';
import type { ParsedMail } from '../mail/types';
import { ParseAbandonedError, parsePool, ParsePoolUnavailableError } from './parse-pool';
import { removeSpooled, type SpooledRaw } from './spool';
import { asDatabaseFailure, isTemporaryDatabaseError } from './database-errors';
import { transactionWithRetry } from './database-retry';

export interface InboundOrigin {
  mailboxId: number;
  uidValidity: string;
  uid: number;
}

/** `blocked`: a block rule matched; `refused`: the mailbox's allowed mail / senders said no. Both are recorded. */
export type IngestOutcomeKind =
  | 'ticket-created'
  | 'reply-added'
  | 'quarantined'
  | 'skipped'
  | 'blocked'
  | 'refused'
  /** A delivery report: recorded on the ticket of the mail it is about, if any. */
  | 'bounce'
  /** A read receipt (RFC 8098): recorded on the ticket of the mail it names, if any; never a ticket. */
  | 'read-receipt'
  /** Our own mail come back: recorded, nothing else. */
  | 'own-mail'
  /** Mail to a mailbox nobody reads: no ticket. */
  | 'unmonitored';

export interface IngestOutcome {
  outcome: IngestOutcomeKind;
  /** The receipt row written (or found); null only when nothing was recorded. */
  receiptId: number | null;
  ticketId: number | null;
  reason?: string;
}

/** Options that change how an already-received message is recorded. */
export interface RecordOptions {
  /** Reprocessing: update this quarantined receipt instead of writing a new one, and leave the cursor alone. */
  replaceReceiptId?: number;
}

export interface IngestStore {
  /** Runs `work` in one database transaction; calls inside join it. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Work on messages about to be stored that may wait on the network (DNS for sender authentication), done before
   * their transaction opens so no transaction is held open while it waits; its results are kept for the commit.
   */
  beforeTransaction?(items: readonly PreparedMessage[]): Promise<void>;
  /** The receipt already written for this origin, if any (a second importer got there first). */
  findReceipt(origin: InboundOrigin): Promise<{ id: number; ticketId: number | null } | null>;
  /** For each SHA-256, a receipt in this mailbox for byte-identical source already recorded (ticket, reply, quarantine). */
  findImportedDuplicates(mailboxId: number, sha256s: string[]): Promise<Map<string, number>>;
  /** Thread lookup, ticket (new or existing), message, attachments, receipt, notifications. Joins the transaction. */
  commitParsedMessage(
    origin: InboundOrigin,
    raw: SpooledRaw,
    mail: ParsedMail,
    options?: RecordOptions
  ): Promise<IngestOutcome>;
  /** Receipt with the raw source kept, so the mail can be reprocessed. */
  recordQuarantined(
    origin: InboundOrigin,
    raw: SpooledRaw,
    reason: string,
    mail: ParsedMail | null,
    options?: RecordOptions
  ): Promise<IngestOutcome>;
  recordSkipped(
    origin: InboundOrigin,
    raw: SpooledRaw,
    reason: string,
    mail: ParsedMail | null
  ): Promise<IngestOutcome>;
  /** Moves the mailbox cursor to this message. Called last in each transaction that records new receipts. */
  advanceCursor(origin: InboundOrigin): Promise<void>;
}

/** A message received and parsed, ready to be persisted. */
export interface PreparedMessage {
  origin: InboundOrigin;
  raw: SpooledRaw;
  mail: ParsedMail | null;
  /** Why it must go to the quarantine (unparseable, nobody to answer), or null. */
  problem: string | null;
  /** How long the parse worker took, when it finished (logs, the fuzz run). */
  parseMs?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const NO_SENDER =
  'has no usable sender address (From and Reply-To are missing or invalid), so no one could be answered';

function duplicateReason(receiptId: number): string {
  return `duplicate: byte-identical to the message of receipt #${receiptId}, already recorded`;
}

/**
 * Parses (and sanitizes, converts, trims, pre-classifies) in a worker thread, see parse-worker.ts and parse-pool.ts:
 * the main thread only waits. A mail the worker gives up on (over its time or memory budget) is quarantined with the
 * reason; a pool that cannot work at all (worker missing) throws, so the run stops and nothing is quarantined.
 */
export async function prepareMessage(
  raw: SpooledRaw,
  origin: InboundOrigin,
  options: { spoolDir: string }
): Promise<PreparedMessage> {
  try {
    const { mail, answerable, parseMs } = await parsePool().parse(raw.path, options.spoolDir);
    return { origin, raw, mail, problem: answerable ? null : NO_SENDER, parseMs };
  } catch (error) {
    if (error instanceof ParsePoolUnavailableError) throw error;
    if (error instanceof ParseAbandonedError) return { origin, raw, mail: null, problem: error.message };
    return { origin, raw, mail: null, problem: `cannot be parsed: ${describe(error)}` };
  }
}

/** Removes the message's temporary files (raw source and attachments). */
export async function releasePrepared(prepared: PreparedMessage): Promise<void> {
  if (prepared.mail) await removeSpooledAttachments(prepared.mail);
  await removeSpooled(prepared.raw);
}

/** Several new messages, their receipts and the cursor in one transaction. Throws if any of them fails. */
export async function persistBatch(batch: PreparedMessage[], store: IngestStore): Promise<IngestOutcome[]> {
  if (batch.length === 0) return [];
  await store.beforeTransaction?.(batch.filter((item) => item.mail && !item.problem));
  // Rolled back as a whole on failure, so the whole batch can be tried again.
  return transactionWithRetry(store)(async () => {
    const known = await store.findImportedDuplicates(
      batch[0].origin.mailboxId,
      batch.map((item) => item.raw.sha256)
    );
    const outcomes: IngestOutcome[] = [];
    for (const item of batch) {
      const duplicateOf = known.get(item.raw.sha256);
      let outcome: IngestOutcome;
      if (item.problem) {
        outcome = await store.recordQuarantined(item.origin, item.raw, item.problem, item.mail);
      } else if (duplicateOf !== undefined) {
        outcome = await store.recordSkipped(item.origin, item.raw, duplicateReason(duplicateOf), item.mail);
      } else {
        outcome = await store.commitParsedMessage(item.origin, item.raw, item.mail!);
      }
      // A later copy in the same batch is a duplicate of this one.
      if (!known.has(item.raw.sha256) && outcome.receiptId !== null)
        known.set(item.raw.sha256, outcome.receiptId);
      outcomes.push(outcome);
    }
    await store.advanceCursor(batch[batch.length - 1].origin);
    return outcomes;
  });
}

/**
 * One message on its own, with the quarantine as the fallback when it cannot be stored. Idempotent: an origin that
 * already has a receipt is answered `skipped`.
 */
export async function persistOne(
  prepared: PreparedMessage,
  store: IngestStore,
  options: RecordOptions = {}
): Promise<IngestOutcome> {
  const { origin, raw, mail } = prepared;
  const reprocessing = options.replaceReceiptId !== undefined;
  const unit = (work: () => Promise<IngestOutcome>) =>
    transactionWithRetry(store)(async () => {
      if (!reprocessing) {
        const existing = await store.findReceipt(origin);
        if (existing) {
          return {
            outcome: 'skipped' as const,
            receiptId: existing.id,
            ticketId: existing.ticketId,
            reason: 'already recorded',
          };
        }
      }
      const outcome = await work();
      if (!reprocessing) await store.advanceCursor(origin);
      return outcome;
    });

  if (prepared.problem)
    return unit(() => store.recordQuarantined(origin, raw, prepared.problem!, mail, options));
  await store.beforeTransaction?.([prepared]);
  try {
    return await unit(async () => {
      if (!reprocessing) {
        const duplicateOf = (await store.findImportedDuplicates(origin.mailboxId, [raw.sha256])).get(
          raw.sha256
        );
        if (duplicateOf !== undefined)
          return store.recordSkipped(origin, raw, duplicateReason(duplicateOf), mail);
      }
      return store.commitParsedMessage(origin, raw, mail!, options);
    });
  } catch (error) {
    // Still locked after the retries: not the mail's fault. Leave it for the next run instead of quarantining it.
    if (isTemporaryDatabaseError(error)) throw asDatabaseFailure(error);
    const reason = `cannot be stored: ${describe(asDatabaseFailure(error))}`;
    return unit(() => store.recordQuarantined(origin, raw, reason, mail, options));
  }
}

/** Receive-side convenience for one spooled message: prepare, persist alone, release the attachments. */
export async function ingestSpooledMessage(
  raw: SpooledRaw,
  origin: InboundOrigin,
  store: IngestStore,
  options: RecordOptions & { spoolDir: string }
): Promise<IngestOutcome> {
  const prepared = await prepareMessage(raw, origin, options);
  try {
    return await persistOne(prepared, store, options);
  } finally {
    if (prepared.mail) await removeSpooledAttachments(prepared.mail);
  }
}
