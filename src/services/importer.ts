/**
 * Runs imports: on the schedule of each enabled mailbox, on "run now", and for "reprocess" of a quarantined mail.
 * A mailbox never has two runs at once in this process; connection failures set a clear status and back off, while
 * other mailboxes go on.
 */
import fs from 'node:fs';
import type { Core } from '@strapi/strapi';
import { ConflictError, InputError, NotFoundError, PluginError } from '../errors';
import { nextAttemptDelaySeconds } from '../ingest/backoff';
import { asDatabaseFailure, DatabaseFailure, isTemporaryDatabaseError } from '../ingest/database-errors';
import { DEFAULT_DATABASE_RETRY, retryTemporary } from '../ingest/database-retry';
import { describeImapFailure, openImapSource } from '../ingest/imap-source';
import { importFolder, type ImportRunSummary } from '../ingest/import-folder';
import type { MailSource } from '../ingest/source';
import type { IngestOutcome } from '../ingest/store';
import { ingestSpooledMessage } from '../ingest/ingest-message';
import { MailboxScheduler } from '../ingest/schedule';
import { removeSpooled, spoolBuffer } from '../ingest/spool';
import { UID } from '../uids';
import { createImportStore } from '../repositories/import-store';
import { throttledProgress, type ImportProgress } from '../ingest/import-progress';
import type { LeaseHolder } from '../repositories/importer-leases';
import type { MailboxRow } from './mailboxes';
import { pluginConfig } from '../plugin-config';
import { pluginService } from './registry';

export type RunResult =
  | { status: 'imported'; summary: ImportRunSummary }
  | { status: 'failed'; error: string }
  /** Already running here, or (`holder`) another instance holds the mailbox's importer lease. */
  | { status: 'busy'; holder?: LeaseHolder | null }
  | { status: 'backing-off'; nextAttemptAt: string }
  | { status: 'disabled' };

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const running = new Map<number, Promise<RunResult>>();
  let stopping = false;
  const store = createImportStore(strapi);
  const mailboxes = () => strapi.db.query(UID.mailbox as never);
  const mailboxService = () => pluginService(strapi, 'mailboxes');
  const leases = () => pluginService(strapi, 'leases');

  const scheduler = new MailboxScheduler((id) => runMailbox(id, { manual: false }), {
    warn: (message) => strapi.log.warn(message),
    error: (message) => strapi.log.error(message),
  });

  async function updateMailbox(id: number, data: Record<string, unknown>): Promise<void> {
    await mailboxes().update({ where: { id }, data });
  }

  async function recordFailure(row: MailboxRow, message: string): Promise<string> {
    const config = pluginConfig(strapi);
    const failures = (row.consecutiveFailures ?? 0) + 1;
    const delay = nextAttemptDelaySeconds(failures, config.retryBaseSeconds, config.retryMaxSeconds);
    const nextAttemptAt = new Date(Date.now() + delay * 1000);
    const data = {
      lastRunAt: new Date(),
      lastError: message,
      lastErrorAt: new Date(),
      consecutiveFailures: failures,
      nextAttemptAt,
      progress: null,
    };
    // A run that failed on a locked database may not be able to say so there: then the log and the answer say it,
    // and the next run (which starts from the cursor anyway) tries again.
    await retryTemporary(() => updateMailbox(row.id, data), { ...DEFAULT_DATABASE_RETRY, attempts: 3 }).catch(
      (error: unknown) =>
        strapi.log.error(
          `email-piping: mailbox "${row.name}" (#${row.id}): the failure could not be recorded: ${(error as Error).message}`
        )
    );
    strapi.log.warn(
      `email-piping: mailbox "${row.name}" (#${row.id}): ${message}; next attempt in ${delay}s`
    );
    return message;
  }

  async function importOnce(row: MailboxRow): Promise<RunResult> {
    const config = pluginConfig(strapi);
    let session: MailSource | null = null;
    let settings;
    try {
      settings = await mailboxService().connectionSettings(row.id);
      session = await openImapSource(settings, {
        action: row.afterImport,
        moveToFolder: row.moveToFolder,
      });
    } catch (error) {
      const message = settings ? describeImapFailure(error, settings).message : (error as Error).message;
      return { status: 'failed', error: await recordFailure(row, message) };
    }
    try {
      const summary = await importFolder(session, store, {
        mailboxId: row.id,
        cursor: {
          uidValidity: row.cursorUidValidity === null ? null : String(row.cursorUidValidity),
          lastUid: Number(row.cursorLastUid ?? 0),
        },
        maxMessageBytes: config.maxMessageBytes,
        spoolDir: config.spoolDir,
        // A lease lost mid-run (a long pause, the database out of reach) hands the mailbox to another instance.
        shouldStop: () => stopping || !leases().holds(row.id),
        onProgress: throttledProgress((progress) =>
          // Only the admin's progress bar: while the database is locked it waits for the next write.
          updateMailbox(row.id, { progress }).catch((error: unknown) => {
            if (!isTemporaryDatabaseError(error)) throw error;
          })
        ),
      });
      // The messages are committed, and their counts with them (mailbox-statistics.ts); a lock now must not turn
      // the run into a failure.
      await retryTemporary(() =>
        updateMailbox(row.id, {
          lastRunAt: new Date(),
          lastSuccessAt: new Date(),
          lastError: null,
          consecutiveFailures: 0,
          nextAttemptAt: null,
          progress: { done: summary.listed, total: summary.listed, running: false },
        })
      );
      return { status: 'imported', summary };
    } catch (error) {
      // The importer labels what failed in the database; anything else in the session is the IMAP server's.
      const message =
        error instanceof DatabaseFailure
          ? error.message
          : settings
            ? describeImapFailure(error, settings).message
            : (error as Error).message;
      return { status: 'failed', error: await recordFailure(row, message) };
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  async function startRun(id: number, options: { manual: boolean }): Promise<RunResult> {
    const row = (await mailboxes().findOne({ where: { id } })) as MailboxRow | null;
    if (!row) throw new NotFoundError(`Mailbox #${id} does not exist`);
    if (!options.manual) {
      if (!row.enabled) return { status: 'disabled' };
      if (row.nextAttemptAt && new Date(row.nextAttemptAt).getTime() > Date.now()) {
        return { status: 'backing-off', nextAttemptAt: String(row.nextAttemptAt) };
      }
    }
    // Only the lease holder downloads. An instance that imports on a share (autoStart) runs its schedules only for
    // the mailboxes it holds; a "run now", or any run on an instance outside the share, takes a free lease for it.
    if (!options.manual && leases().isBalancing() && !(await leases().mayRunScheduled(id)))
      return { status: 'busy', holder: null };
    let lease;
    try {
      lease = await retryTemporary(() => leases().acquireForRun(id));
    } catch (error) {
      // A database locked past the retries: the run is a temporary failure like any other, tried again later.
      if (!isTemporaryDatabaseError(error)) throw error;
      return {
        status: 'failed',
        error: await recordFailure(row, (asDatabaseFailure(error) as Error).message),
      };
    }
    if (!lease.ok) return { status: 'busy', holder: lease.holder };
    try {
      return await importOnce(row);
    } finally {
      await lease.release();
    }
  }

  function runMailbox(id: number, options: { manual: boolean }): Promise<RunResult> {
    if (stopping) return Promise.resolve({ status: 'busy' });
    const inFlight = running.get(id);
    if (inFlight) return options.manual ? inFlight : Promise.resolve({ status: 'busy' });
    // Registered before the first await, so a second caller in the same tick already sees this run.
    const run = startRun(id, options).finally(() => running.delete(id));
    running.set(id, run);
    return run;
  }

  return {
    runMailbox,

    isRunning(id: number): boolean {
      return running.has(id);
    },

    /** The run of this mailbox in progress in this process, if any: push waits for it, then looks again. */
    runInProgress(id: number): Promise<RunResult> | undefined {
      return running.get(id);
    },

    /**
     * A run cut short by a killed process leaves its last progress saying "running", and the admin's bar would wait
     * on it forever. Called at boot, before any run of this process starts: such progress is marked not running and
     * keeps its counts (how far the run got). Should another instance be importing that mailbox right now, its next
     * progress write marks it running again.
     */
    async clearInterruptedProgress(): Promise<number[]> {
      const rows = (await mailboxes().findMany({
        select: ['id', 'progress'],
        where: { progress: { $notNull: true } },
      })) as Array<{ id: number; progress: ImportProgress | null }>;
      const interrupted = rows.filter((row) => row.progress?.running && !running.has(row.id));
      for (const row of interrupted) {
        await updateMailbox(row.id, { progress: { ...row.progress, running: false } });
        strapi.log.warn(
          `email-piping: the last import of mailbox #${row.id} stopped at ${row.progress!.done} of ${row.progress!.total} messages (the process ended); the next run goes on from there`
        );
      }
      return interrupted.map((row) => row.id);
    },

    /**
     * Schedules follow the mailbox watcher: every read of the mailboxes that found a change (on this instance or
     * another) adjusts the tasks. Bootstrap subscribes this before it starts the watcher; only with `autoStart`.
     */
    followMailboxes(): void {
      pluginService(strapi, 'mailboxWatcher').onMailboxesChanged((rows) => {
        if (!stopping) scheduler.sync(rows);
      });
    },

    /** Re-reads the mailboxes now and adjusts the schedules (after a change made in this process). */
    async syncSchedules(): Promise<void> {
      if (stopping) return;
      await pluginService(strapi, 'mailboxWatcher').refresh();
    },

    scheduledMailboxIds(): number[] {
      return scheduler.scheduledIds();
    },

    /** Each scheduled mailbox with the cron expression its task runs on. */
    scheduledMailboxes(): Array<{ id: number; schedule: string }> {
      return scheduler.scheduled();
    },

    /**
     * Stops schedules and waits for runs in progress to reach a clean stop between two messages. The watcher is
     * stopped first, which waits for a read in flight; and a stopped scheduler creates no task whoever asks.
     */
    async stop(): Promise<void> {
      stopping = true;
      await pluginService(strapi, 'mailboxWatcher').stop();
      await scheduler.stopAll();
      await Promise.allSettled([...running.values()]);
    },

    /** Runs a quarantined mail through the same road again, e.g. after a fix or a raised limit. */
    async reprocessReceipt(receiptId: number): Promise<IngestOutcome> {
      const receipt = (await strapi.db.query(UID.receipt as never).findOne({ where: { id: receiptId } })) as {
        id: number;
        outcome: string;
        rawSource: string | null;
        mailboxId: number;
        uidValidity: string;
        uid: string;
      } | null;
      if (!receipt) throw new NotFoundError(`Receipt #${receiptId} does not exist`);
      if (receipt.outcome !== 'quarantined') {
        throw new ConflictError(
          `Receipt #${receiptId} is not quarantined (its outcome is "${receipt.outcome}")`
        );
      }
      if (!receipt.rawSource) {
        throw new InputError(
          `Receipt #${receiptId} has no stored source (it was never downloaded); raise the size limit and run the mailbox again`
        );
      }
      const config = pluginConfig(strapi);
      await fs.promises.mkdir(config.spoolDir, { recursive: true });
      const raw = await spoolBuffer(Buffer.from(receipt.rawSource, 'base64'), config.spoolDir);
      try {
        return await ingestSpooledMessage(
          raw,
          {
            mailboxId: receipt.mailboxId,
            uidValidity: String(receipt.uidValidity),
            uid: Number(receipt.uid),
          },
          store,
          { spoolDir: config.spoolDir, replaceReceiptId: receipt.id }
        );
      } catch (error) {
        // Still locked after the retries: the mail stays in the quarantine as it was; the admin can try again.
        if (error instanceof DatabaseFailure && error.temporary)
          throw new PluginError(503, `Receipt #${receiptId} was not reprocessed: ${error.message}`);
        throw error;
      } finally {
        await removeSpooled(raw);
      }
    },
  };
};
