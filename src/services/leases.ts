/**
 * One importer per mailbox, whichever instance it runs in. Holding a mailbox's lease is owning its importing: the
 * holder runs its schedule (and keeps its push connection); the other instances do not download. Each importing
 * instance (autoStart) beats a row in the instance registry and, every third of the lease time, renews what it holds,
 * gives back what is over its fair share and takes free or expired leases up to it (ingest/lease-share.ts), so a
 * dead instance's mailboxes are taken over within about the lease time and a clean shutdown hands them over at once.
 *
 * A "run now" on an instance that does not hold the lease takes it for that run only when it is free, and answers
 * `busy` with the holder otherwise (the holder imports on its own schedule anyway; asking it to run sooner would need
 * a message channel between instances for little gain). Others (the IDLE watcher) follow `onChange`.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Core } from '@strapi/strapi';
import { isFree, planLeases, type LeaseView } from '../ingest/lease-share';
import { createDatabaseClock, databaseClient } from '../repositories/database-clock';
import { createImporterLeases, type LeaseHolder } from '../repositories/importer-leases';
import { pluginConfig } from '../plugin-config';
import { UID } from '../uids';

export type RunLease = { ok: true; release(): Promise<void> } | { ok: false; holder: LeaseHolder | null };

/** Instance rows silent for this many lease times are deleted from the registry. */
const FORGET_AFTER_LEASES = 10;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const instanceId = crypto.randomBytes(9).toString('base64url');
  const label = `${os.hostname()}:${process.pid}`;
  const repository = createImporterLeases(strapi);
  const clock = createDatabaseClock(strapi);
  /** Leases this instance owns by the share (schedules and push follow these). */
  const held = new Set<number>();
  /** Leases taken for one "run now" only, given back when it ends. */
  const forRun = new Set<number>();
  /** Mailboxes being imported now: their lease is never given away under the run. */
  const running = new Set<number>();
  /** Until when (database clock) each lease is known to be ours. */
  const validUntil = new Map<number, number>();
  const listeners = new Set<(held: number[]) => void>();
  let balancing = false;
  let stopped = false;
  let synced = false;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  /** The lease rows as the last beat saw them: a mailbox missing there is new, and worth a beat of its own. */
  let lastSeen = new Map<number, LeaseView>();

  const leaseMs = () => pluginConfig(strapi).importerLeaseSeconds * 1000;
  const singleWriter = () => databaseClient(strapi) === 'sqlite';

  function notify(before: string): void {
    const now = [...held].sort((a, b) => a - b);
    if (now.join(',') === before) return;
    for (const listener of listeners) {
      try {
        listener(now);
      } catch (error) {
        strapi.log.error(`email-piping: a lease listener failed: ${(error as Error).message}`);
      }
    }
  }

  function ensureTimer(): void {
    if (timer || stopped) return;
    timer = setInterval(() => void tick(), Math.max(500, Math.floor(leaseMs() / 3)));
    timer.unref();
  }

  async function syncClock(): Promise<void> {
    await clock.sync();
    synced = true;
  }

  async function balance(): Promise<void> {
    const before = [...held].sort((a, b) => a - b).join(',');
    await syncClock();
    const now = clock.now();
    const ms = leaseMs();
    const ours = [...new Set([...held, ...forRun])];
    const still = new Set(await repository.renew(ours, instanceId, now, ms));
    for (const id of ours) {
      if (still.has(id)) validUntil.set(id, now + ms);
      else {
        held.delete(id);
        validUntil.delete(id);
      }
    }
    if (balancing) {
      await repository.heartbeat(instanceId, label, now);
      const live = await repository.liveInstances(now - ms, now - FORGET_AFTER_LEASES * ms);
      const enabled = (await strapi.db.query(UID.mailbox as never).findMany({
        select: ['id'],
        where: { enabled: true },
      })) as Array<{ id: number }>;
      const rows = await repository.list();
      lastSeen = new Map(rows.map((lease) => [lease.mailboxId, lease]));
      const plan = planLeases({
        me: instanceId,
        now,
        mailboxIds: enabled.map((row) => row.id),
        leases: rows,
        liveInstances: live.includes(instanceId) ? live : [...live, instanceId],
        singleWriter: singleWriter(),
        running: new Set([...running, ...forRun]),
      });
      const giveBack = plan.release.filter((id) => !running.has(id));
      await repository.release(giveBack, instanceId);
      for (const id of giveBack) {
        held.delete(id);
        validUntil.delete(id);
      }
      let room = plan.room;
      for (const id of plan.claim) {
        if (room <= 0 || stopped) break;
        if (await repository.take(id, instanceId, now, ms)) {
          held.add(id);
          validUntil.set(id, now + ms);
          room -= 1;
        }
      }
    }
    notify(before);
  }

  /** One beat; never two at once, and a failing database only delays it to the next beat. */
  function tick(): Promise<void> {
    if (stopped) return Promise.resolve();
    ticking ??= balance()
      .catch((error: unknown) => {
        strapi.log.warn(`email-piping: importer leases not renewed this time: ${(error as Error).message}`);
      })
      .finally(() => {
        ticking = null;
      });
    return ticking ?? Promise.resolve();
  }

  function holds(mailboxId: number): boolean {
    return (validUntil.get(mailboxId) ?? 0) > clock.now();
  }

  return {
    instanceId: () => instanceId,
    holds,
    /** Whether this instance takes a share of the leases (it imports on schedules), or only leases for single runs. */
    isBalancing: () => balancing,

    /** The mailboxes this instance owns by the share, ascending. */
    heldMailboxIds(): number[] {
      return [...held].sort((a, b) => a - b);
    },

    /** Called with the owned mailboxes whenever they change; answers an unsubscribe. */
    onChange(listener: (held: number[]) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** This instance imports: it joins the registry and takes its share now, then on every beat. */
    async start(): Promise<void> {
      if (stopped || balancing) return;
      balancing = true;
      await tick();
      ensureTimer();
    },

    /** A beat now (tests, and after a mailbox change). */
    tick,

    /**
     * Whether a scheduled run here may import the mailbox: held, or free when the last beat looked (a new mailbox,
     * or one given back) and taken by a beat now if the share allows it.
     */
    async mayRunScheduled(mailboxId: number): Promise<boolean> {
      if (holds(mailboxId)) return true;
      if (!balancing || !isFree(lastSeen.get(mailboxId), clock.now())) return false;
      // A beat under way may have read the mailboxes before this one existed: wait for it, then beat afresh.
      await ticking;
      await tick();
      return holds(mailboxId);
    },

    /**
     * The right to download one mailbox for one run: ours already, or free and taken for this run (given back
     * after it unless the share hands it to us meanwhile), or someone else's.
     */
    async acquireForRun(mailboxId: number): Promise<RunLease> {
      if (stopped) return { ok: false, holder: null };
      if (!synced) await syncClock();
      const mine = holds(mailboxId);
      if (!mine) {
        const now = clock.now();
        if (!(await repository.take(mailboxId, instanceId, now, leaseMs())))
          return { ok: false, holder: await repository.holderOf(mailboxId, now) };
        forRun.add(mailboxId);
        validUntil.set(mailboxId, now + leaseMs());
        ensureTimer();
      }
      running.add(mailboxId);
      return {
        ok: true,
        release: async () => {
          running.delete(mailboxId);
          if (!forRun.delete(mailboxId) || held.has(mailboxId)) return;
          validUntil.delete(mailboxId);
          await repository
            .release([mailboxId], instanceId)
            .catch((error: unknown) =>
              strapi.log.warn(
                `email-piping: the lease of mailbox #${mailboxId} was not given back (it expires by itself): ${(error as Error).message}`
              )
            );
        },
      };
    },

    /** Gives every lease back and leaves the registry: a clean shutdown hands the mailboxes over at once. */
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await ticking;
      const before = [...held].sort((a, b) => a - b).join(',');
      held.clear();
      forRun.clear();
      validUntil.clear();
      await repository
        .forgetInstance(instanceId)
        .catch((error: unknown) =>
          strapi.log.warn(
            `email-piping: leases not given back at shutdown (they expire by themselves): ${(error as Error).message}`
          )
        );
      notify(before);
    },
  };
};
