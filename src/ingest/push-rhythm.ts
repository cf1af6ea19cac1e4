/**
 * The pure timing of push (IMAP IDLE), apart from imapflow so it can be tested with a fake clock: how bursts of "new
 * mail" become import runs (one running, at most one queued), when an IDLE is renewed (RFC 2177: the server may drop
 * an IDLE after 30 minutes, so the client re-issues it within 29), and how long a lost connection waits before the
 * next attempt (the mailbox back-off of backoff.ts, in milliseconds).
 */
import { backoffDelay } from './backoff';

/** RFC 2177 §3: "clients using IDLE are advised to terminate the IDLE and re-issue it at least every 29 minutes". */
export const MAX_IDLE_RENEW_SECONDS = 29 * 60;

/**
 * Turns any number of `trigger()` calls into runs of `run`, never two at once: a trigger while a run goes on queues
 * one more run (mail that arrived after the running one listed the folder), and further triggers join that queued
 * run. `idle()` settles once nothing runs or waits (tests and shutdown).
 */
export function coalescedRuns(run: () => Promise<unknown>, onError: (error: unknown) => void) {
  let running: Promise<void> | null = null;
  let queued = false;
  let stopped = false;

  function start(): void {
    running = (async () => {
      do {
        queued = false;
        try {
          await run();
        } catch (error) {
          onError(error);
        }
      } while (queued && !stopped);
      running = null;
    })();
  }

  return {
    trigger(): void {
      if (stopped) return;
      if (running) queued = true;
      else start();
    },
    /** True while a run is going on or queued. */
    busy(): boolean {
      return running !== null;
    },
    /** No new runs; settles once the one in progress (if any) is over. */
    async stop(): Promise<void> {
      stopped = true;
      queued = false;
      await running;
    },
    idle(): Promise<void> {
      return running ?? Promise.resolve();
    },
  };
}

/**
 * At most `limit` of the given tasks at once, the others wait their turn in order: many mailboxes that all get mail
 * at the same moment (or all connect at boot) do not open as many import connections at once.
 */
export function concurrencyLimit(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

/**
 * Whether a folder that just opened may hold mail the importer has not seen: a new UIDVALIDITY, or a UIDNEXT past the
 * cursor's last UID. A watcher that connects imports only then, so a thousand watchers starting at boot do not start
 * a thousand empty runs.
 */
export function folderHasNewMail(
  folder: { uidValidity: string; uidNext: number },
  cursor: { uidValidity: string | null; lastUid: number }
): boolean {
  // Never imported (no UIDVALIDITY yet) counts as "from UID 0": a folder that never held mail has nothing to do.
  if (cursor.uidValidity !== null && cursor.uidValidity !== folder.uidValidity) return true;
  return folder.uidNext - 1 > cursor.lastUid;
}

/** The IDLE renewal interval in ms: the configured seconds, never above 29 minutes. */
export function idleRenewMs(configuredSeconds: number): number {
  return Math.min(Math.max(configuredSeconds, 1), MAX_IDLE_RENEW_SECONDS) * 1000;
}

/** Wait before reconnect attempt number `failures` (1, 2, …): base, 2×base, … up to max, with jitter. */
export function reconnectDelayMs(
  failures: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random
): number {
  return Math.round(backoffDelay(failures, baseMs, maxMs, random));
}

/**
 * A timer that can be cut short: `wait(ms)` settles after ms, or at once when `cancel()` is called (a watcher
 * that is stopped while it waits to reconnect must not keep a timer behind).
 */
export function cancellableWait() {
  const pending = new Set<() => void>();
  let cancelled = false;
  return {
    wait(ms: number): Promise<void> {
      if (cancelled) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          pending.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        pending.add(done);
      });
    },
    cancel(): void {
      cancelled = true;
      for (const done of [...pending]) done();
    },
  };
}
