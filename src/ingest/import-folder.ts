/**
 * One import run over one mail source: receive → prepare → decide → store, message by message in UID order, then
 * the acknowledgement to the source (the mailbox's after-import action). Knows neither Strapi nor imapflow: it is
 * handed an open {@link MailSource} and a store, so the same code serves every source, the scheduler, "run now",
 * the crash test and the benchmark.
 *
 * Exactly once: the store commits messages' tickets, their receipts and the advanced cursor in one transaction (a
 * batch of up to `batchSize` messages). A crash before that commit leaves the cursor where it was and the messages
 * are fetched again; a crash after it leaves receipts whose server action is still "pending", finished next run.
 */
import fs from 'node:fs';
import type { MailSource } from './source';
import { planFetch, type MailboxCursor } from './cursor';
import { removeSpooled, spoolRawMessage } from './spool';
import { fetchAhead } from './fetch-ahead';
import { asDatabaseFailure, isTemporaryDatabaseError, labelDatabaseErrors } from './database-errors';
import { retryTemporary } from './database-retry';
import { persistBatch, persistOne } from './ingest-message';
import { prepareMessage, releasePrepared, type PreparedMessage } from './prepare-message';
import type { ImportStore, InboundOrigin, IngestOutcome, PendingServerAction } from './store';

export interface ImportOptions {
  mailboxId: number;
  cursor: MailboxCursor;
  maxMessageBytes: number;
  spoolDir: string;
  /** Server actions are sent in batches of this many UIDs to save round trips. */
  serverActionBatch?: number;
  /** Messages committed per database transaction (one disk sync each). */
  batchSize?: number;
  /** Messages downloaded and spooled ahead of the one being stored (0: each on demand). */
  fetchAheadDepth?: number;
  /** Called after each message; the admin's progress bar reads it. */
  onProgress?(done: number, total: number): void | Promise<void>;
  /** Asked between messages; true stops the run cleanly (Strapi is shutting down, the mailbox was disabled). */
  shouldStop?(): boolean;
}

export interface ImportRunSummary {
  listed: number;
  ticketsCreated: number;
  repliesAdded: number;
  quarantined: number;
  skipped: number;
  blocked: number;
  refused: number;
  bounces: number;
  ownMail: number;
  unmonitored: number;
  /** Batches rolled back for a permanent error and stored one by one instead (a clash shows here). */
  rolledBackBatches: number;
  stoppedEarly: boolean;
}

/** A batch is committed after this long even when not full, so slow servers do not hold finished work back. */
const MAX_BATCH_MS = 1000;
/**
 * Two messages in flight (downloading or parsing in the worker) keep the connection and the worker busy while one is
 * stored; more only adds spool files and parsed mail held in memory, since the database work sets the pace.
 */
const DEFAULT_FETCH_AHEAD = 2;

function describeFailure(error: unknown): string {
  const labelled = asDatabaseFailure(error);
  return labelled instanceof Error ? labelled.message : String(labelled);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function countOutcome(summary: ImportRunSummary, outcome: IngestOutcome['outcome']): void {
  if (outcome === 'ticket-created') summary.ticketsCreated += 1;
  else if (outcome === 'reply-added') summary.repliesAdded += 1;
  else if (outcome === 'quarantined') summary.quarantined += 1;
  else if (outcome === 'blocked') summary.blocked += 1;
  else if (outcome === 'refused') summary.refused += 1;
  else if (outcome === 'bounce') summary.bounces += 1;
  else if (outcome === 'own-mail') summary.ownMail += 1;
  else if (outcome === 'unmonitored') summary.unmonitored += 1;
  else summary.skipped += 1;
}

export async function importFolder(
  session: MailSource,
  unlabelledStore: ImportStore,
  options: ImportOptions
): Promise<ImportRunSummary> {
  // Whatever fails in the database is reported as a database error, not as the IMAP server's.
  const store = labelDatabaseErrors(unlabelledStore);
  const plan = planFetch(options.cursor, session.uidValidity);
  const summary: ImportRunSummary = {
    listed: 0,
    ticketsCreated: 0,
    repliesAdded: 0,
    quarantined: 0,
    skipped: 0,
    blocked: 0,
    refused: 0,
    bounces: 0,
    ownMail: 0,
    unmonitored: 0,
    rolledBackBatches: 0,
    stoppedEarly: false,
  };

  const serverActions = createServerActionQueue(session, store, options);
  // Finish what a crashed run committed but could not mark, move or delete on the server.
  const pendingActions = await retryTemporary(() =>
    store.pendingServerActions(options.mailboxId, session.uidValidity)
  );
  for (const pending of pendingActions) {
    await serverActions.add(pending);
  }
  await serverActions.flush();

  const messages = await session.listNewMessages(plan.afterUid);
  summary.listed = messages.length;
  await options.onProgress?.(0, messages.length);
  await fs.promises.mkdir(options.spoolDir, { recursive: true });

  let done = 0;
  let batch: PreparedMessage[] = [];
  let batchStartedAt = 0;
  const batchSize = options.batchSize ?? 25;
  const originOf = (uid: number): InboundOrigin => ({
    mailboxId: options.mailboxId,
    uidValidity: session.uidValidity,
    uid,
  });
  // What the worker needs to classify and authenticate this mailbox's mail, read once per run.
  const preparation = await retryTemporary(() => store.preparationFor(options.mailboxId));
  /**
   * Uploads the attachments of a storable mail while earlier messages are stored, so no transaction waits on an
   * upload. If staging fails, the store uploads them inside the transaction as before (and a failure there
   * quarantines the mail with the reason).
   */
  const stageAttachments = async (prepared: PreparedMessage): Promise<PreparedMessage> => {
    if (!store.stageAttachments || !prepared.mail || prepared.problem !== null) return prepared;
    if (prepared.mail.attachments.length === 0) return prepared;
    try {
      prepared.staged = await store.stageAttachments(prepared.mail);
    } catch {
      prepared.staged = undefined;
    }
    return prepared;
  };
  /** A message's temporary files go; its staged attachments too, unless a committed message links them. */
  const release = async (prepared: PreparedMessage, linked: boolean): Promise<void> => {
    if (prepared.staged && !linked) await store.discardStaged?.(prepared.staged);
    await releasePrepared(prepared);
  };
  // Parsing runs in the worker, so preparing ahead lets the next messages parse while this one is stored.
  const downloads = fetchAhead(
    messages.filter((message) => message.size <= options.maxMessageBytes).map((message) => message.uid),
    async (uid) => {
      const raw = await spoolRawMessage(await session.download(uid), options.spoolDir);
      let prepared: PreparedMessage;
      try {
        prepared = await prepareMessage(raw, originOf(uid), { spoolDir: options.spoolDir, preparation });
      } catch (error) {
        // No worker to parse with (the run stops): the file fetched for it must not stay in the spool.
        await removeSpooled(raw);
        throw error;
      }
      return stageAttachments(prepared);
    },
    options.fetchAheadDepth ?? DEFAULT_FETCH_AHEAD,
    (prepared) => release(prepared, false)
  );

  const recordNotDownloaded = (origin: InboundOrigin, reason: string) =>
    retryTemporary(() => store.recordNotDownloaded(origin, reason));

  /**
   * One message after its batch failed. When even its quarantine entry cannot be written (the database refuses
   * something in it for good), a minimal receipt says so, the mail stays on the server untouched and the cursor
   * moves on: one message must not stop the mailbox.
   */
  const persistAlone = async (item: PreparedMessage): Promise<IngestOutcome> => {
    try {
      return await persistOne(item, store);
    } catch (error) {
      if (isTemporaryDatabaseError(error)) throw asDatabaseFailure(error);
      const reason = `cannot be stored, not even in the quarantine (${describeFailure(error)}); the message stays on the server untouched`;
      await recordNotDownloaded(item.origin, reason);
      // No receipt id: nothing is done to the message on the server.
      return { outcome: 'quarantined', receiptId: null, ticketId: null, reason };
    }
  };

  /**
   * Commits the prepared messages together; if that fails, one by one so a bad message is quarantined alone. A batch
   * that gave way to another database user commits the first messages; the rest follow in the next transaction.
   */
  const flush = async () => {
    while (batch.length > 0) {
      const pending = batch;
      batch = [];
      let committed = pending;
      let outcomes: IngestOutcome[] = [];
      try {
        try {
          outcomes = await persistBatch(pending, store);
        } catch (error) {
          // Retried already: a lock that outlasts that ends the run, and the next one starts from this batch.
          if (isTemporaryDatabaseError(error)) throw asDatabaseFailure(error);
          summary.rolledBackBatches += 1;
          outcomes = [];
          for (const item of pending) outcomes.push(await persistAlone(item));
        }
        committed = pending.slice(0, outcomes.length);
        batch = pending.slice(outcomes.length);
        // Only now, after the commit, may the server be touched.
        for (const [index, outcome] of outcomes.entries()) {
          countOutcome(summary, outcome.outcome);
          if (outcome.receiptId !== null) {
            await serverActions.add({ receiptId: outcome.receiptId, uid: pending[index].origin.uid });
          }
        }
      } finally {
        await Promise.all(committed.map((item, index) => release(item, linksAttachments(outcomes[index]))));
      }
      if (batch.length > 0) await store.turns?.giveWay();
    }
  };

  try {
    for (const message of messages) {
      if (options.shouldStop?.()) {
        summary.stoppedEarly = true;
        break;
      }
      const origin = originOf(message.uid);
      if (message.size > options.maxMessageBytes) {
        await flush();
        // Left untouched on the server (no after-import action), so nothing is lost: an owner can raise the cap.
        await recordNotDownloaded(
          origin,
          `message is ${megabytes(message.size)}, over the ${megabytes(options.maxMessageBytes)} size limit; it was not downloaded and stays on the server`
        );
        summary.quarantined += 1;
      } else {
        const prepared = await downloads.take(message.uid);
        if (batch.length === 0) batchStartedAt = Date.now();
        batch.push(prepared);
        if (batch.length >= batchSize || Date.now() - batchStartedAt > MAX_BATCH_MS) await flush();
      }
      done += 1;
      await options.onProgress?.(done, messages.length);
    }
    await flush();
  } finally {
    // A run cut short by an error leaves nothing behind on disk; the messages are fetched again next time.
    await Promise.all([...batch.map((item) => release(item, false)), downloads.discard()]);
  }
  await serverActions.flush();
  return summary;
}

/** Whether the committed outcome is a message, which links its mail's attachments. */
function linksAttachments(outcome: IngestOutcome | undefined): boolean {
  return outcome?.outcome === 'ticket-created' || outcome?.outcome === 'reply-added';
}

/** Collects committed UIDs and applies the after-import action to them in batches, recording the result. */
function createServerActionQueue(session: MailSource, store: ImportStore, options: ImportOptions) {
  const batchSize = options.serverActionBatch ?? 50;
  let queued: PendingServerAction[] = [];

  async function apply(batch: PendingServerAction[]): Promise<void> {
    const uids = batch.map((item) => item.uid);
    const receiptIds = batch.map((item) => item.receiptId);
    try {
      await session.acknowledge(uids);
    } catch (error) {
      // The messages are safely stored; only the mailbox tidy-up failed. Record it and go on.
      await retryTemporary(() => store.settleServerActions(receiptIds, 'failed', (error as Error).message));
      return;
    }
    // Apart from the server's answer: a database lock while recording it must not read as a failed tidy-up.
    await retryTemporary(() => store.settleServerActions(receiptIds, 'done'));
  }

  return {
    async add(item: PendingServerAction) {
      queued.push(item);
      if (queued.length >= batchSize) await this.flush();
    },
    async flush() {
      if (queued.length === 0) return;
      const batch = queued;
      queued = [];
      await apply(batch);
    },
  };
}
