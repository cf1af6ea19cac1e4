/**
 * Schedules follow the database, not the process: instance A (this test's Strapi) and instance B (a second Strapi
 * process, tests/harness/schedule-peer.ts) share one database and nothing else. A mailbox created, edited, disabled,
 * enabled and deleted on A is followed by B's scheduler within seconds, through B's mailbox watcher alone; and
 * shutting down while a sync is under way leaves no cron task behind. On PostgreSQL (the way production runs several
 * instances) and on one SQLite file.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  dropDatabase,
  POSTGRES_MISSING_MESSAGE,
  postgresAvailable,
  usePostgres,
  type PostgresAddress,
} from '../harness/postgres';
import { bootStrapi, testDatabaseClient, type TestDatabaseClient, type TestStrapi } from '../harness/strapi';
import { startScript, type ImportWorker } from '../harness/worker';
import { UID } from '../../src/uids';

/** The copy of node-cron the plugin's build runs on (CommonJS): its registry holds every task the plugin made. */
const cronTasks = () =>
  (createRequire(__filename)('node-cron') as { getTasks(): Map<string, unknown> }).getTasks().size;

/** Generous: B re-reads every second; the point is "seconds, not a restart". */
const FOLLOW_WITHIN_MS = 30_000;

interface SchedulePeer extends ImportWorker {
  scheduled(): Promise<Array<{ id: number; schedule: string }>>;
  /** Destroys B's Strapi; answers how many node-cron tasks B had left after it. */
  stop(): Promise<number>;
}

async function startSchedulePeer(settings: {
  database: TestDatabaseClient;
  databaseFile?: string;
  databaseName?: string;
  postgres?: PostgresAddress;
}): Promise<SchedulePeer> {
  const worker = startScript('tests/harness/schedule-peer.ts', [], {
    SCHEDULE_PEER: JSON.stringify({ ...settings, scheduleSyncSeconds: 1 }),
  });
  worker.child.stdin!.on('error', () => undefined);
  await worker.waitFor('READY', 150_000);
  const ask = async (command: string): Promise<string> => {
    const before = worker.output.length;
    worker.child.stdin!.write(`${command}\n`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answer = worker.output.slice(before).find((line) => line.startsWith(`${command} `));
      if (answer) return answer.slice(command.length + 1);
      if (worker.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`instance B did not answer ${command}:\n${worker.output.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return {
    ...worker,
    scheduled: async () => JSON.parse(await ask('SCHEDULED')) as Array<{ id: number; schedule: string }>,
    async stop() {
      const before = worker.output.length;
      worker.child.stdin!.write('STOP\n');
      const timer = setTimeout(() => worker.kill(), 30_000);
      await worker.exited;
      clearTimeout(timer);
      const stopped = worker.output.slice(before).find((line) => line.startsWith('STOPPED '));
      if (!stopped) throw new Error(`instance B did not stop cleanly:\n${worker.output.join('\n')}`);
      return Number(stopped.slice('STOPPED '.length));
    },
  };
}

/** Polls `check` until it holds; answers how long that took. */
async function within(what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > FOLLOW_WITHIN_MS)
      throw new Error(`instance B did not follow within ${FOLLOW_WITHIN_MS / 1000}s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

const mailboxInput = (name: string, schedule: string) => ({
  name,
  host: '127.0.0.1',
  port: 1,
  security: 'none',
  username: `${name}@example.test`,
  password: 'never-used',
  // Schedules that never fire while the test runs: what is compared is B's scheduler, not imports.
  schedule,
});

/**
 * PostgreSQL always (several instances is how production runs; skipped with a message only when its binaries are
 * missing); one SQLite file too when the suite runs on SQLite (the suite on PostgreSQL need not repeat it).
 */
const DATABASES: TestDatabaseClient[] = [
  ...(postgresAvailable() ? (['postgres'] as const) : []),
  ...(testDatabaseClient() === 'sqlite' ? (['sqlite'] as const) : []),
];
if (!postgresAvailable())
  console.warn(`schedules-follow-database.test.ts (PostgreSQL part) skipped: ${POSTGRES_MISSING_MESSAGE}`);

describe.each(DATABASES)('schedules follow the database (%s)', (client) => {
  let postgres: { address: PostgresAddress; release(): Promise<void> } | undefined;
  let a: TestStrapi | undefined;
  let b: SchedulePeer | undefined;
  const followed: Record<string, number> = {};

  let databaseName: string | undefined;

  beforeAll(async () => {
    if (client === 'postgres') {
      postgres = await usePostgres();
      // Named here, so that A's stop does not drop it under B: B outlives A in the last test.
      databaseName = await createDatabase(postgres.address);
    }
    // A first, alone: Strapi's own migrations race on an empty database. B boots on what A created.
    a = await bootStrapi({
      database: client,
      postgres: postgres?.address,
      databaseName,
      pluginConfig: { autoStart: true, outboxAutoStart: false, scheduleSyncSeconds: 1 },
    });
    b = await startSchedulePeer(
      client === 'postgres'
        ? { database: client, postgres: postgres!.address, databaseName }
        : { database: client, databaseFile: a.databaseFile }
    );
  });

  afterAll(async () => {
    await b?.stop().catch(() => undefined);
    await a?.stop();
    if (postgres && databaseName) await dropDatabase(postgres.address, databaseName);
    await postgres?.release();
    console.log(`B followed A's changes (${client}), ms: ${JSON.stringify(followed)}`);
  });

  it('B schedules, reschedules, stops and forgets a mailbox as A creates, edits, disables and deletes it', async () => {
    const mailboxes = a!.strapi.plugin('email-piping').service('mailboxes');
    const importerA = a!.strapi.plugin('email-piping').service('importer');
    const onB = async (id: number) => (await b!.scheduled()).find((entry) => entry.id === id)?.schedule;

    const { id } = await mailboxes.create(mailboxInput(`follow-${client}`, '0 0 1 1 *'));
    // A changed it itself: A's schedule is there when the answer is.
    expect(importerA.scheduledMailboxIds()).toContain(id);
    followed.created = await within('created', async () => (await onB(id)) === '0 0 1 1 *');

    await mailboxes.update(id, { schedule: '0 0 2 1 *' });
    followed.edited = await within('schedule edited', async () => (await onB(id)) === '0 0 2 1 *');

    await mailboxes.update(id, { enabled: false });
    followed.disabled = await within('disabled', async () => (await onB(id)) === undefined);

    await mailboxes.update(id, { enabled: true });
    followed.enabled = await within('enabled again', async () => (await onB(id)) === '0 0 2 1 *');

    await mailboxes.remove(id);
    followed.deleted = await within('deleted', async () => (await onB(id)) === undefined);
    expect(importerA.scheduledMailboxIds()).not.toContain(id);
  });

  it('shutting down either instance while it syncs leaves no cron task running', async () => {
    // A mailbox that neither instance has heard of yet (written past the plugin's service, as a third instance
    // would), and a sync of it under way on A when A shuts down.
    await a!.strapi.db.query(UID.mailbox as never).create({
      data: { ...mailboxInput(`late-${client}`, '* * * * * *'), password: null, enabled: true },
    });
    const importerA = a!.strapi.plugin('email-piping').service('importer');
    const syncing = importerA.syncSchedules();
    const stopping = a!.stop();
    a = undefined;
    await Promise.all([syncing, stopping]);
    expect(importerA.scheduledMailboxIds()).toEqual([]);
    expect(cronTasks()).toBe(0);

    // B polls every second, so its watcher is likely mid-read; whatever it is doing, destroy leaves no task.
    await within('the late mailbox', async () => (await b!.scheduled()).length > 0);
    const left = await b!.stop();
    b = undefined;
    expect(left).toBe(0);
  });
});
