/**
 * The sync/stop race, driven step by step: a read of the mailboxes that resolves after Strapi's destroy has begun
 * must not create a cron task, and destroy must wait for it. The plugin's own importer and watcher services and its
 * destroy run over a stand-in Strapi whose database query the test answers when it wants (a unit test: the real
 * Strapi cannot be paused between a query and its answer).
 */
import cron from 'node-cron';
import { afterEach, describe, expect, it } from 'vitest';
import destroy from '../../src/destroy';
import importerService from '../../src/services/importer';
import watcherService from '../../src/services/mailbox-watcher';
import type { Core } from '@strapi/strapi';

function standInStrapi() {
  const answers: Array<(rows: unknown[]) => void> = [];
  const services: Record<string, unknown> = {};
  const log = { warn: () => undefined, error: () => undefined, info: () => undefined };
  const strapi = {
    log,
    config: { get: () => ({ autoStart: true, scheduleSyncSeconds: 5 }) },
    db: {
      query: () => ({
        findMany: () => new Promise<unknown[]>((resolve) => answers.push(resolve)),
      }),
    },
    plugin: () => ({ service: (name: string) => services[name] }),
  } as unknown as Core.Strapi;
  Object.assign(services, {
    importer: importerService({ strapi }),
    mailboxWatcher: watcherService({ strapi }),
    outbox: { stop: async () => undefined },
    // No push watcher is started here (its own test covers it): destroy only asks it to stop.
    push: { stopAll: async () => undefined },
    leases: { stop: async () => undefined },
  });
  return {
    strapi,
    importer: services.importer as ReturnType<typeof importerService>,
    watcher: services.mailboxWatcher as ReturnType<typeof watcherService>,
    /** Answers the oldest query still waiting. */
    answer(rows: unknown[]) {
      const next = answers.shift();
      if (!next) throw new Error('no query is waiting');
      next(rows);
    },
    waiting: () => answers.length,
  };
}

const everySecond = { id: 1, enabled: true, schedule: '* * * * * *', updatedAt: '2026-01-01T00:00:00.000Z' };
const untilSettled = () => new Promise((resolve) => setImmediate(resolve));

describe('shutting down while the schedules are being synced', () => {
  let tasksBefore = 0;
  afterEach(() => {
    // Whatever the test did, it must leave node-cron as it found it.
    expect(cron.getTasks().size).toBe(tasksBefore);
  });

  it('a read under way at boot that resolves after destroy creates no task, and destroy waits for it', async () => {
    tasksBefore = cron.getTasks().size;
    const app = standInStrapi();
    app.importer.followMailboxes();
    const booting = app.watcher.start();
    expect(app.waiting()).toBe(1);

    let destroyed = false;
    const destroying = destroy({ strapi: app.strapi }).then(() => (destroyed = true));
    await untilSettled();
    expect(destroyed).toBe(false);

    app.answer([everySecond]);
    await Promise.all([booting, destroying]);
    expect(app.importer.scheduledMailboxIds()).toEqual([]);
    expect(cron.getTasks().size).toBe(tasksBefore);
  });

  it('a re-read after a local change that resolves after destroy creates no task', async () => {
    tasksBefore = cron.getTasks().size;
    const app = standInStrapi();
    app.importer.followMailboxes();
    const booting = app.watcher.start();
    app.answer([]);
    await booting;

    // A mailbox was just created here: its re-read is under way when Strapi shuts down.
    const syncing = app.importer.syncSchedules();
    await untilSettled();
    expect(app.waiting()).toBe(1);
    const destroying = destroy({ strapi: app.strapi });
    await untilSettled();
    app.answer([everySecond]);
    await Promise.all([syncing, destroying]);
    expect(app.importer.scheduledMailboxIds()).toEqual([]);
    expect(cron.getTasks().size).toBe(tasksBefore);
    // And nothing reads on afterwards: the watcher's timer is gone.
    expect(app.watcher.isRunning()).toBe(false);
    await app.importer.syncSchedules();
    expect(app.waiting()).toBe(0);
  });

  it('the same read answered before destroy does schedule the mailbox (the race above is real)', async () => {
    tasksBefore = cron.getTasks().size;
    const app = standInStrapi();
    app.importer.followMailboxes();
    const booting = app.watcher.start();
    app.answer([everySecond]);
    await booting;
    expect(app.importer.scheduledMailboxIds()).toEqual([1]);
    expect(cron.getTasks().size).toBe(tasksBefore + 1);
    await destroy({ strapi: app.strapi });
    expect(app.importer.scheduledMailboxIds()).toEqual([]);
  });
});
