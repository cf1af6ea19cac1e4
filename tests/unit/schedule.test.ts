import cron from 'node-cron';
import { afterEach, describe, expect, it } from 'vitest';
import { MailboxScheduler } from '../../src/ingest/schedule';

const warnings: string[] = [];
const logger = { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };

describe('MailboxScheduler', () => {
  let scheduler: MailboxScheduler;
  afterEach(async () => {
    await scheduler?.stopAll();
    warnings.length = 0;
  });

  it('schedules enabled mailboxes only, follows changes and skips invalid expressions', async () => {
    scheduler = new MailboxScheduler(async () => undefined, logger);
    scheduler.sync([
      { id: 1, schedule: '* * * * *', enabled: true },
      { id: 2, schedule: '* * * * *', enabled: false },
      { id: 3, schedule: 'nonsense', enabled: true },
    ]);
    expect(scheduler.scheduledIds()).toEqual([1]);
    expect(warnings.join()).toMatch(/mailbox #3 has an invalid schedule "nonsense"/);
    // Synced again (any mailbox changed): the same refusal is not repeated; a new bad expression is.
    scheduler.sync([
      { id: 1, schedule: '* * * * *', enabled: true },
      { id: 3, schedule: 'nonsense', enabled: true },
    ]);
    expect(warnings).toHaveLength(1);
    scheduler.sync([{ id: 3, schedule: 'still nonsense', enabled: true }]);
    expect(warnings).toHaveLength(2);
    expect(scheduler.scheduledIds()).toEqual([]);
    scheduler.sync([{ id: 1, schedule: '* * * * *', enabled: true }]);
    scheduler.sync([
      { id: 1, schedule: '*/5 * * * *', enabled: true },
      { id: 2, schedule: '* * * * *', enabled: true },
    ]);
    expect(scheduler.scheduledIds()).toEqual([1, 2]);
    scheduler.sync([]);
    expect(scheduler.scheduledIds()).toEqual([]);
  });

  it('creates no task once stopped, whoever calls sync (a read that was under way at shutdown)', async () => {
    scheduler = new MailboxScheduler(async () => undefined, logger);
    const before = cron.getTasks().size;
    scheduler.sync([{ id: 1, schedule: '* * * * * *', enabled: true }]);
    expect(cron.getTasks().size).toBe(before + 1);
    await scheduler.stopAll();
    expect(cron.getTasks().size).toBe(before);
    scheduler.sync([{ id: 2, schedule: '* * * * * *', enabled: true }]);
    expect(scheduler.scheduledIds()).toEqual([]);
    expect(cron.getTasks().size).toBe(before);
  });

  it('tells the expression each mailbox runs on', () => {
    scheduler = new MailboxScheduler(async () => undefined, logger);
    scheduler.sync([
      { id: 4, schedule: '0 * * * *', enabled: true },
      { id: 2, schedule: '*/5 * * * *', enabled: true },
    ]);
    expect(scheduler.scheduled()).toEqual([
      { id: 2, schedule: '*/5 * * * *' },
      { id: 4, schedule: '0 * * * *' },
    ]);
  });

  it('runs each mailbox on its own schedule and never overlaps a slow run', async () => {
    const started: number[] = [];
    let release: () => void = () => undefined;
    scheduler = new MailboxScheduler(async (id) => {
      started.push(id);
      await new Promise<void>((resolve) => (release = resolve));
    }, logger);
    scheduler.sync([{ id: 7, schedule: '* * * * * *', enabled: true }]);
    await new Promise((resolve) => setTimeout(resolve, 3200));
    // Three ticks passed but the first run never finished: only one start.
    expect(started).toEqual([7]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(started.length).toBeGreaterThanOrEqual(2);
    release();
  });
});
