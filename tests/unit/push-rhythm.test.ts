/**
 * The pure timing of push (src/ingest/push-rhythm.ts) with a fake clock: bursts of "new mail" become one run plus at
 * most one queued, many mailboxes at once queue behind a limit, a watcher that connects imports only when the folder
 * is past the cursor, IDLE is renewed within RFC 2177's 29 minutes whatever is configured, reconnects back off, and a
 * stopped watcher's wait ends at once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_IDLE_RENEW_SECONDS,
  cancellableWait,
  coalescedRuns,
  concurrencyLimit,
  folderHasNewMail,
  idleRenewMs,
  reconnectDelayMs,
} from '../../src/ingest/push-rhythm';

describe('coalescedRuns', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A run that takes 1 s of fake time and counts how often it started and how many ran at once. */
  function slowRun() {
    const stats = { started: 0, concurrent: 0, maxConcurrent: 0 };
    const run = async () => {
      stats.started += 1;
      stats.concurrent += 1;
      stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.concurrent);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      stats.concurrent -= 1;
    };
    return { stats, run };
  }

  it('a burst during a run queues exactly one more run, never two at once', async () => {
    const { stats, run } = slowRun();
    const runs = coalescedRuns(run, () => undefined);
    runs.trigger();
    for (let i = 0; i < 50; i += 1) runs.trigger();
    expect(stats.started).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(stats.started).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    await runs.idle();
    expect(stats).toEqual({ started: 2, concurrent: 0, maxConcurrent: 1 });
    expect(runs.busy()).toBe(false);
  });

  it('a trigger after the runs are over starts a new one; a failing run does not stop the next', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const runs = coalescedRuns(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('database locked');
      },
      (error) => errors.push(error)
    );
    runs.trigger();
    await runs.idle();
    runs.trigger();
    await runs.idle();
    expect(calls).toBe(2);
    expect(errors.map((error) => (error as Error).message)).toEqual(['database locked']);
  });

  it('stop drops the queued run and waits for the one in progress', async () => {
    const { stats, run } = slowRun();
    const runs = coalescedRuns(run, () => undefined);
    runs.trigger();
    runs.trigger();
    const stopped = runs.stop();
    await vi.advanceTimersByTimeAsync(1000);
    await stopped;
    runs.trigger();
    await vi.advanceTimersByTimeAsync(5000);
    expect(stats.started).toBe(1);
  });
});

describe('concurrencyLimit', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs at most the limit at once, the rest in order as places free up', async () => {
    const limited = concurrencyLimit(2);
    let active = 0;
    let most = 0;
    const order: number[] = [];
    const task = (n: number) =>
      limited(async () => {
        active += 1;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 100));
        order.push(n);
        active -= 1;
        return n;
      });
    const all = Promise.all([1, 2, 3, 4, 5].map(task));
    await vi.advanceTimersByTimeAsync(100);
    expect(order).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(200);
    expect(await all).toEqual([1, 2, 3, 4, 5]);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it('a failing task frees its place', async () => {
    const limited = concurrencyLimit(1);
    await expect(limited(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limited(async () => 'next')).toBe('next');
  });
});

describe('folderHasNewMail', () => {
  it('imports on connect only for a folder past the cursor or with a new UIDVALIDITY', () => {
    expect(folderHasNewMail({ uidValidity: '7', uidNext: 11 }, { uidValidity: '7', lastUid: 10 })).toBe(
      false
    );
    expect(folderHasNewMail({ uidValidity: '7', uidNext: 12 }, { uidValidity: '7', lastUid: 10 })).toBe(true);
    expect(folderHasNewMail({ uidValidity: '8', uidNext: 1 }, { uidValidity: '7', lastUid: 10 })).toBe(true);
    expect(folderHasNewMail({ uidValidity: '7', uidNext: 3 }, { uidValidity: null, lastUid: 0 })).toBe(true);
    // Never imported and never held mail: nothing to do until the server says EXISTS.
    expect(folderHasNewMail({ uidValidity: '7', uidNext: 1 }, { uidValidity: null, lastUid: 0 })).toBe(false);
  });
});

describe('IDLE renewal and reconnect timing', () => {
  it('renews IDLE at the configured interval, never later than 29 minutes', () => {
    expect(idleRenewMs(60)).toBe(60_000);
    expect(idleRenewMs(25 * 60)).toBe(25 * 60_000);
    expect(idleRenewMs(3600)).toBe(MAX_IDLE_RENEW_SECONDS * 1000);
    expect(MAX_IDLE_RENEW_SECONDS).toBe(1740);
    expect(idleRenewMs(0)).toBe(1000);
  });

  it('reconnects after base, 2×base, 4×base… up to the cap, with ±10 % jitter', () => {
    const exact = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 12].map((n) => reconnectDelayMs(n, 2000, 30_000, exact))).toEqual([
      2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
    expect(reconnectDelayMs(1, 2000, 30_000, () => 0)).toBe(1800);
    expect(reconnectDelayMs(1, 2000, 30_000, () => 1)).toBe(2200);
  });
});

describe('cancellableWait', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits the time, or ends at once on cancel and leaves no timer', async () => {
    const waits = cancellableWait();
    let done = false;
    void waits.wait(10_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);

    let cancelled = false;
    void waits.wait(60_000).then(() => (cancelled = true));
    waits.cancel();
    await Promise.resolve();
    expect(cancelled).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    // After cancel every wait ends at once (a stopped watcher does not sleep before it returns).
    await waits.wait(60_000);
  });
});
