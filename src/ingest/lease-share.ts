/**
 * How the importer leases are shared out among the instances of one site: pure arithmetic, no database, so the
 * rule can be read and tested on its own (the database part is `src/repositories/importer-leases.ts`, the loop that
 * applies it `src/services/leases.ts`).
 *
 * With M mailboxes and K live instances each instance takes at most ceil(M / K); one that holds more while another
 * live instance holds fewer than that gives the excess back (never a mailbox it is importing right now), and the
 * others pick it up. On a single-writer database (SQLite) there is no split: whoever holds leases may take them all,
 * since two processes writing one file only fight over its lock.
 */

export interface LeaseView {
  mailboxId: number;
  /** The instance holding it, or null when free. */
  owner: string | null;
  /** Milliseconds on the database's clock. */
  expiresAt: number;
}

export interface LeasePlanInput {
  me: string;
  /** Now on the database's clock (ms). */
  now: number;
  /** The mailboxes that should have an importer (enabled ones). */
  mailboxIds: number[];
  leases: LeaseView[];
  /** Live instances, this one included. */
  liveInstances: string[];
  /** SQLite: one instance imports everything. */
  singleWriter: boolean;
  /** Mailboxes this instance is importing now: never released under a run. */
  running: ReadonlySet<number>;
}

export interface LeasePlan {
  share: number;
  /** Free or expired leases to try, in order, until `room` of them are taken (another instance may win some). */
  claim: number[];
  room: number;
  /** Leases to give back: over the share, or for a mailbox that no longer needs an importer. */
  release: number[];
}

/** The most leases one instance may hold. */
export function fairShare(mailboxes: number, liveInstances: number, singleWriter: boolean): number {
  if (singleWriter) return mailboxes;
  return Math.ceil(mailboxes / Math.max(1, liveInstances));
}

export function isHeldBy(lease: LeaseView, owner: string, now: number): boolean {
  return lease.owner === owner && lease.expiresAt > now;
}

export function isFree(lease: LeaseView | undefined, now: number): boolean {
  return !lease || lease.owner === null || lease.expiresAt <= now;
}

export function planLeases(input: LeasePlanInput): LeasePlan {
  const { me, now, leases, running } = input;
  const wanted = new Set(input.mailboxIds);
  const byMailbox = new Map(leases.map((lease) => [lease.mailboxId, lease]));
  const mine = leases.filter((lease) => isHeldBy(lease, me, now)).map((lease) => lease.mailboxId);
  // Leases of mailboxes that were disabled or deleted are given back whatever the share.
  const unwanted = mine.filter((id) => !wanted.has(id) && !running.has(id));
  const kept = mine.filter((id) => wanted.has(id));
  const share = fairShare(wanted.size, input.liveInstances.length, input.singleWriter);

  const release = [...unwanted];
  if (kept.length > share) {
    const live = new Set(input.liveInstances);
    const heldBy = new Map<string, number>();
    for (const lease of leases) {
      if (lease.owner && lease.owner !== me && live.has(lease.owner) && lease.expiresAt > now)
        heldBy.set(lease.owner, (heldBy.get(lease.owner) ?? 0) + 1);
    }
    const someoneShort = input.liveInstances.some(
      (instance) => instance !== me && (heldBy.get(instance) ?? 0) < share
    );
    if (someoneShort) {
      // The highest ids go first, so every instance agrees which end of its list it keeps.
      const idle = kept.filter((id) => !running.has(id)).sort((a, b) => b - a);
      release.push(...idle.slice(0, kept.length - share));
    }
  }

  const held = kept.length - (release.length - unwanted.length);
  const room = Math.max(0, share - held);
  const claim =
    room === 0 ? [] : [...wanted].sort((a, b) => a - b).filter((id) => isFree(byMailbox.get(id), now));
  return { share, claim, room, release };
}
