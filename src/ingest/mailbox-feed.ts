/**
 * The mailboxes as the database has them, delivered to whoever subscribes: each instance re-reads them every few
 * seconds, and at once after a change made in this process, and tells its subscribers when anything changed.
 * Several instances share one database and nothing else, so this is how a mailbox created, changed or deleted on one
 * becomes known to the others. Schedules subscribe (src/ingest/schedule.ts); leases and IMAP IDLE watchers can
 * subscribe the same way.
 *
 * Stopping is final and clean: once `stop()` has begun no read answers a subscriber (checked after every await, so a
 * read that resolves after the stop is dropped), `stop()` waits for a read or delivery in flight, and the timer is
 * cleared (and `unref`'d, so it never holds a process open).
 */
import {
  diffMailboxes,
  hasChanges,
  normalizeMailboxRows,
  type MailboxChanges,
  type MailboxFeedRow,
} from './mailbox-changes';

export type MailboxesListener = (
  rows: readonly MailboxFeedRow[],
  changes: MailboxChanges
) => void | Promise<void>;

export interface MailboxFeedLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface MailboxFeedOptions {
  /** Time between two reads (from the end of one to the start of the next). */
  periodMs: number;
  logger: MailboxFeedLogger;
}

export class MailboxFeed {
  private readonly listeners = new Set<MailboxesListener>();
  private snapshot: MailboxFeedRow[] | null = null;
  private started = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private failing = false;

  constructor(
    private readonly read: () => Promise<readonly object[]>,
    private readonly options: MailboxFeedOptions
  ) {}

  /**
   * Calls `listener` after every read that found a change (and after the first read), with all mailboxes and what
   * changed. Subscribe before `start()` to get the first read; answers a function that unsubscribes.
   */
  onMailboxesChanged(listener: MailboxesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last read, or null before the first. */
  current(): readonly MailboxFeedRow[] | null {
    return this.snapshot;
  }

  isRunning(): boolean {
    return this.started && !this.stopped;
  }

  /** Reads once (subscribers hear of it before this resolves), then again every period until `stop()`. */
  async start(): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    await this.refresh();
    this.planNext();
  }

  /**
   * Reads now, e.g. after a change made in this process. A read already under way may have started before that
   * change, so one more read follows it; calls meanwhile share that one. Does nothing before `start()` or after
   * `stop()`.
   */
  refresh(): Promise<void> {
    if (!this.isRunning()) return Promise.resolve();
    if (!this.inFlight) {
      this.inFlight = this.readAndDeliver().finally(() => {
        this.inFlight = null;
      });
      return this.inFlight;
    }
    this.queued ??= this.inFlight.then(() => {
      this.queued = null;
      return this.refresh();
    });
    return this.queued;
  }

  /** No more reads or deliveries; resolves once the one in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
    await Promise.allSettled([this.inFlight, this.queued]);
  }

  private planNext(): void {
    if (!this.isRunning()) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh().finally(() => this.planNext());
    }, this.options.periodMs);
    this.timer.unref();
  }

  private async readAndDeliver(): Promise<void> {
    let rows: MailboxFeedRow[];
    try {
      rows = normalizeMailboxRows(await this.read());
    } catch (error) {
      // A database that is briefly away (locked, restarting, failing over): the next period reads again. Said once
      // per outage, not every few seconds.
      if (!this.stopped && !this.failing)
        this.options.logger.warn(
          `email-piping: the mailboxes could not be read to follow changes made elsewhere: ${(error as Error).message}; trying again every ${this.options.periodMs / 1000}s`
        );
      this.failing = true;
      return;
    }
    if (this.stopped) return;
    if (this.failing) this.options.logger.warn('email-piping: the mailboxes can be read again');
    this.failing = false;
    const changes = diffMailboxes(this.snapshot, rows);
    if (this.snapshot && !hasChanges(changes)) return;
    this.snapshot = rows;
    for (const listener of [...this.listeners]) {
      if (this.stopped) return;
      try {
        await listener(rows, changes);
      } catch (error) {
        this.options.logger.error(
          `email-piping: a subscriber to mailbox changes failed: ${(error as Error).message}`
        );
      }
    }
  }
}
