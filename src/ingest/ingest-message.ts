/**
 * The road for prepared messages: decide → store, inside the batch's transaction. Shared by the import run
 * (import-folder.ts), "reprocess a quarantined mail" and the corpus test, so all take exactly the same decisions.
 *
 *   spool (spool.ts: raw file + hash) → prepareMessage (prepare-message.ts: parse, classify, authenticate, in the
 *     worker) → duplicate check → decideInbound (policy/decide-inbound.ts) → store.recordDecision (repositories/)
 *
 * Persisting comes in two shapes. `persistBatch` decides and stores several messages, their receipts and the
 * advanced cursor in one transaction (one disk sync instead of one per message); the thread lookups inside it see
 * the tickets written earlier in the same batch. If anything in it fails, the importer rolls the batch back and
 * persists its messages one by one with `persistOne`, where a message that cannot be stored is quarantined with its
 * raw source and the reason, alone. Only a failure to record even that propagates (the importer then keeps a
 * minimal receipt and leaves the mail on the server).
 *
 * Temporary database errors (locks, deadlocks, a busy SQLite file) say nothing about the mail: both shapes retry
 * their whole transaction after a pause (see database-retry.ts) and never quarantine for them; if the error
 * persists it propagates, the cursor stays put and the next run tries again.
 */
import { removeSpooledAttachments } from '../mail/parse/attachment-spool';
import type { ParsedMail } from '../mail/types';
import { decideInbound } from '../policy/decide-inbound';
import { asDatabaseFailure, isTemporaryDatabaseError } from './database-errors';
import { transactionWithRetry } from './database-retry';
import { prepareMessage, type PreparedMessage } from './prepare-message';
import type { SpooledRaw } from './spool';
import type { InboundOrigin, IngestOutcome, IngestStore, RecordOptions } from './store';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function duplicateReason(receiptId: number): string {
  return `duplicate: byte-identical to the message of receipt #${receiptId}, already recorded`;
}

/** Decides what a prepared, storable message becomes, then has the store write exactly that. */
async function decideAndStore(
  prepared: PreparedMessage & { mail: ParsedMail },
  store: IngestStore,
  options?: RecordOptions
): Promise<IngestOutcome> {
  const context = await store.decisionContextFor(prepared.origin.mailboxId);
  const decision = await decideInbound({
    ...context,
    mail: prepared.mail,
    classification: prepared.classification ?? null,
    authentication: prepared.authentication ?? null,
  });
  return store.recordDecision(prepared.origin, prepared.raw, prepared.mail, decision, options);
}

function storable(prepared: PreparedMessage): prepared is PreparedMessage & { mail: ParsedMail } {
  return prepared.mail !== null && prepared.problem === null;
}

/**
 * Several new messages, their receipts and the cursor in one transaction. Throws if any of them fails. Answers the
 * outcomes of the first messages committed: all of them, or fewer when someone else waited for the database
 * meanwhile (`store.turns`); the caller persists the rest later, in order.
 */
export async function persistBatch(batch: PreparedMessage[], store: IngestStore): Promise<IngestOutcome[]> {
  if (batch.length === 0) return [];
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
      if (!storable(item)) {
        outcome = await store.recordQuarantined(
          item.origin,
          item.raw,
          item.problem ?? 'cannot be parsed',
          item.mail
        );
      } else if (duplicateOf !== undefined) {
        outcome = await store.recordSkipped(item.origin, item.raw, duplicateReason(duplicateOf), item.mail);
      } else {
        outcome = await decideAndStore(item, store, item.staged ? { staged: item.staged } : undefined);
      }
      // A later copy in the same batch is a duplicate of this one.
      if (!known.has(item.raw.sha256) && outcome.receiptId !== null)
        known.set(item.raw.sha256, outcome.receiptId);
      outcomes.push(outcome);
      // Commit now and let the waiting request have the connection; the cursor moves to this message.
      if (store.turns?.othersWaiting()) break;
    }
    await store.advanceCursor(batch[outcomes.length - 1].origin);
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

  if (!storable(prepared)) {
    const problem = prepared.problem ?? 'cannot be parsed';
    return unit(() => store.recordQuarantined(origin, raw, problem, mail, options));
  }
  try {
    return await unit(async () => {
      if (!reprocessing) {
        const duplicateOf = (await store.findImportedDuplicates(origin.mailboxId, [raw.sha256])).get(
          raw.sha256
        );
        if (duplicateOf !== undefined)
          return store.recordSkipped(origin, raw, duplicateReason(duplicateOf), prepared.mail);
      }
      return decideAndStore(
        prepared,
        store,
        prepared.staged ? { ...options, staged: prepared.staged } : options
      );
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
  const preparation = await store.preparationFor(origin.mailboxId);
  const prepared = await prepareMessage(raw, origin, { spoolDir: options.spoolDir, preparation });
  try {
    return await persistOne(prepared, store, options);
  } finally {
    if (prepared.mail) await removeSpooledAttachments(prepared.mail);
  }
}
