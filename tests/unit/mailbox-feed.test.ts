import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  diffMailboxes,
  hasChanges,
  normalizeMailboxRows,
  type MailboxChanges,
  type MailboxFeedRow,
} from '../../src/ingest/mailbox-changes';
import { MailboxFeed } from '../../src/ingest/mailbox-feed';

const row = (id: number, extra: Partial<MailboxFeedRow> = {}): MailboxFeedRow => ({
  id,
  enabled: true,
  schedule: '* * * * *',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('diffMailboxes', () => {
  it('reports every mailbox as added on the first read', () => {
    expect(diffMailboxes(null, [row(1), row(2)])).toEqual({ added: [1, 2], removed: [], changed: [] });
    expect(hasChanges(diffMailboxes(null, []))).toBe(false);
  });

  it('tells created, deleted and changed mailboxes apart, each change of enabled, schedule or updatedAt', () => {
    const before = [row(1), row(2), row(3), row(4), row(5)];
    const after = [
      row(1),
      row(2, { enabled: false }),
      row(3, { schedule: '*/5 * * * *' }),
      row(4, { updatedAt: '2026-01-01T00:00:01.000Z' }),
      row(6),
    ];
    expect(diffMailboxes(before, after)).toEqual({ added: [6], removed: [5], changed: [2, 3, 4] });
    expect(hasChanges(diffMailboxes(after, after))).toBe(false);
  });

  it('compares updatedAt as a value, not as newer: another instance may stamp with a clock that is behind', () => {
    const earlier = row(1, { updatedAt: '2025-12-31T23:59:00.000Z' });
    expect(diffMailboxes([row(1)], [earlier]).changed).toEqual([1]);
  });
});

describe('normalizeMailboxRows', () => {
  it('gives one shape whatever the database answered, sorted by id', () => {
    const when = new Date('2026-01-01T00:00:00.000Z');
    expect(
      normalizeMailboxRows([
        { id: '7', enabled: 1, schedule: '0 * * * *', updatedAt: when.getTime() },
        { id: 3, enabled: false, schedule: null, updatedAt: when },
        { id: 5, enabled: 0, schedule: '* * * * *', updatedAt: '2026-01-01 00:00:00.000Z' },
        { id: 4, enabled: true, schedule: '* * * * *', updatedAt: null },
      ])
    ).toEqual([
      { id: 3, enabled: false, schedule: '', updatedAt: when.toISOString() },
      { id: 4, enabled: true, schedule: '* * * * *', updatedAt: null },
      { id: 5, enabled: false, schedule: '* * * * *', updatedAt: when.toISOString() },
      { id: 7, enabled: true, schedule: '0 * * * *', updatedAt: when.toISOString() },
    ]);
  });
});

/** A read the test answers when it wants: the database is "slow" until `answer`. */
function controlledReads() {
  const pending: Array<(rows: MailboxFeedRow[]) => void> = [];
  let count = 0;
  return {
    read: () => {
      count += 1;
      return new Promise<MailboxFeedRow[]>((resolve) => pending.push(resolve));
    },
    answer(rows: MailboxFeedRow[]) {
      const next = pending.shift();
      if (!next) throw new Error('no read is waiting');
      next(rows);
    },
    waiting: () => pending.length,
    count: () => count,
  };
}

describe('MailboxFeed', () => {
  const logged: string[] = [];
  const logger = { warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };
  const heard: Array<{ ids: number[]; changes: MailboxChanges }> = [];
  const listener = (rows: readonly MailboxFeedRow[], changes: MailboxChanges) => {
    heard.push({ ids: rows.map((r) => r.id), changes });
  };

  beforeEach(() => {
    vi.useFakeTimers();
    logged.length = 0;
    heard.length = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers the first read, then only reads that found a change, every period', async () => {
    let rows = [row(1)];
    let reads = 0;
    const feed = new MailboxFeed(
      async () => {
        reads += 1;
        return rows;
      },
      { periodMs: 5000, logger }
    );
    feed.onMailboxesChanged(listener);
    await feed.start();
    expect(heard).toEqual([{ ids: [1], changes: { added: [1], removed: [], changed: [] } }]);

    await vi.advanceTimersByTimeAsync(5000);
    expect(reads).toBe(2);
    expect(heard).toHaveLength(1);

    rows = [row(1, { enabled: false }), row(2)];
    await vi.advanceTimersByTimeAsync(5000);
    expect(heard[1]).toEqual({ ids: [1, 2], changes: { added: [2], removed: [], changed: [1] } });

    rows = [row(2)];
    await vi.advanceTimersByTimeAsync(5000);
    expect(heard[2]).toEqual({ ids: [2], changes: { added: [], removed: [1], changed: [] } });
    expect(feed.current()).toEqual([row(2)]);

    await feed.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reads).toBe(4);
  });

  it('reads once more after a read that was under way when a local change asked for one, however many asked', async () => {
    const reads = controlledReads();
    const feed = new MailboxFeed(reads.read, { periodMs: 5000, logger });
    feed.onMailboxesChanged(listener);
    const started = feed.start();
    const first = feed.refresh();
    const second = feed.refresh();
    expect(reads.count()).toBe(1);
    reads.answer([]);
    await started;
    // The read under way may predate the change: exactly one more follows, shared by both callers.
    await vi.waitFor(() => expect(reads.waiting()).toBe(1));
    reads.answer([row(9)]);
    await Promise.all([first, second]);
    expect(reads.count()).toBe(2);
    expect(heard.map((h) => h.ids)).toEqual([[], [9]]);
    await feed.stop();
  });

  it('drops a read that resolves after stop(), and stop() waits for it', async () => {
    const reads = controlledReads();
    const feed = new MailboxFeed(reads.read, { periodMs: 5000, logger });
    feed.onMailboxesChanged(listener);
    void feed.start();
    let stopped = false;
    const stopping = feed.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    reads.answer([row(1)]);
    await stopping;
    expect(heard).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    expect(feed.isRunning()).toBe(false);
    await feed.refresh();
    await feed.start();
    expect(reads.count()).toBe(1);
  });

  it('keeps going through a database that is briefly away, saying so once, and recovers', async () => {
    let failing = true;
    const feed = new MailboxFeed(
      async () => {
        if (failing) throw new Error('SQLITE_BUSY: database is locked');
        return [row(1)];
      },
      { periodMs: 1000, logger }
    );
    feed.onMailboxesChanged(listener);
    await feed.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/could not be read .*database is locked; trying again every 1s/);
    failing = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(heard.map((h) => h.ids)).toEqual([[1]]);
    expect(logged[1]).toMatch(/can be read again/);
    await feed.stop();
  });

  it('a failing subscriber is logged and does not keep the others from hearing', async () => {
    const feed = new MailboxFeed(async () => [row(1)], { periodMs: 1000, logger });
    feed.onMailboxesChanged(() => {
      throw new Error('boom');
    });
    const unsubscribe = feed.onMailboxesChanged(listener);
    await feed.start();
    expect(heard).toHaveLength(1);
    expect(logged.join()).toMatch(/a subscriber to mailbox changes failed: boom/);
    unsubscribe();
    await feed.stop();
  });
});
