/**
 * The database part of "one importer per mailbox": lease rows (one per mailbox, in their own table so heartbeats are
 * never mailbox edits) and the instance registry. Every change is a conditional `updateMany` whose count says who
 * won, which any database Strapi supports can do; no advisory locks, which pooled connections would scatter (see the
 * guide's note). Times are the database's clock (database-clock.ts), passed in by the caller.
 */
import type { Core } from '@strapi/strapi';
import type { LeaseView } from '../ingest/lease-share';
import { UID } from '../uids';

export interface LeaseHolder {
  owner: string;
  label: string | null;
  expiresAt: string;
}

const toMs = (value: unknown): number =>
  value === null || value === undefined ? 0 : new Date(value as string).getTime();

export function createImporterLeases(strapi: Core.Strapi) {
  const leases = () => strapi.db.query(UID.importerLease as never);
  const instances = () => strapi.db.query(UID.importerInstance as never);

  /** Takes (or keeps) the lease of one mailbox when it is free, expired or already ours. */
  async function take(mailboxId: number, me: string, now: number, leaseMs: number): Promise<boolean> {
    const data = { owner: me, expiresAt: new Date(now + leaseMs), heartbeatAt: new Date(now) };
    const taken = (await leases().updateMany({
      where: {
        mailboxId,
        $or: [
          { owner: me },
          { owner: { $null: true } },
          { expiresAt: { $null: true } },
          { expiresAt: { $lt: new Date(now) } },
        ],
      },
      data,
    })) as { count: number };
    if (taken.count > 0) return true;
    if (await leases().findOne({ select: ['id'], where: { mailboxId } })) return false;
    try {
      await leases().create({ data: { mailboxId, ...data } });
      return true;
    } catch (error) {
      // Another instance created the row first (the unique index on mailboxId): theirs, then.
      const row = (await leases().findOne({ select: ['owner'], where: { mailboxId } })) as {
        owner: string | null;
      } | null;
      if (row) return row.owner === me;
      throw error;
    }
  }

  return {
    take,

    /** Renews the leases this instance holds; answers the mailboxes still ours (one may have expired and gone). */
    async renew(mailboxIds: number[], me: string, now: number, leaseMs: number): Promise<number[]> {
      if (mailboxIds.length === 0) return [];
      const renewed = (await leases().updateMany({
        where: { mailboxId: { $in: mailboxIds }, owner: me },
        data: { expiresAt: new Date(now + leaseMs), heartbeatAt: new Date(now) },
      })) as { count: number };
      if (renewed.count === mailboxIds.length) return mailboxIds;
      const rows = (await leases().findMany({
        select: ['mailboxId'],
        where: { mailboxId: { $in: mailboxIds }, owner: me },
      })) as Array<{ mailboxId: number }>;
      return rows.map((row) => row.mailboxId);
    },

    /** Gives leases back at once (between runs, or on shutdown), so another instance need not wait for expiry. */
    async release(mailboxIds: number[], me: string): Promise<void> {
      if (mailboxIds.length === 0) return;
      await leases().updateMany({
        where: { mailboxId: { $in: mailboxIds }, owner: me },
        data: { owner: null, expiresAt: null },
      });
    },

    async list(): Promise<LeaseView[]> {
      const rows = (await leases().findMany({ select: ['mailboxId', 'owner', 'expiresAt'] })) as Array<{
        mailboxId: number;
        owner: string | null;
        expiresAt: unknown;
      }>;
      return rows.map((row) => ({
        mailboxId: row.mailboxId,
        owner: row.owner ?? null,
        expiresAt: toMs(row.expiresAt),
      }));
    },

    /** Who holds a mailbox's lease now, for a "busy" answer; null when nobody does. */
    async holderOf(mailboxId: number, now: number): Promise<LeaseHolder | null> {
      const row = (await leases().findOne({
        select: ['owner', 'expiresAt'],
        where: { mailboxId },
      })) as { owner: string | null; expiresAt: unknown } | null;
      if (!row?.owner || toMs(row.expiresAt) <= now) return null;
      const instance = (await instances().findOne({
        select: ['label'],
        where: { instanceId: row.owner },
      })) as { label: string | null } | null;
      return {
        owner: row.owner,
        label: instance?.label ?? null,
        expiresAt: new Date(toMs(row.expiresAt)).toISOString(),
      };
    },

    /** This instance is alive: its row's lastSeenAt moves on (the row is made on the first beat). */
    async heartbeat(me: string, label: string, now: number): Promise<void> {
      const seen = (await instances().updateMany({
        where: { instanceId: me },
        data: { lastSeenAt: new Date(now) },
      })) as { count: number };
      if (seen.count === 0)
        await instances().create({ data: { instanceId: me, label, lastSeenAt: new Date(now) } });
    },

    /** Instances seen since `since` (ms); rows silent for much longer are tidied away. */
    async liveInstances(since: number, forgetBefore: number): Promise<string[]> {
      await instances().deleteMany({ where: { lastSeenAt: { $lt: new Date(forgetBefore) } } });
      const rows = (await instances().findMany({
        select: ['instanceId'],
        where: { lastSeenAt: { $gt: new Date(since) } },
      })) as Array<{ instanceId: string }>;
      return rows.map((row) => row.instanceId);
    },

    async forgetInstance(me: string): Promise<void> {
      await leases().updateMany({ where: { owner: me }, data: { owner: null, expiresAt: null } });
      await instances().deleteMany({ where: { instanceId: me } });
    },
  };
}

export type ImporterLeases = ReturnType<typeof createImporterLeases>;
