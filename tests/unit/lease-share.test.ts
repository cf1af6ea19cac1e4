/**
 * The share rule of the importer leases (src/ingest/lease-share.ts): no instance over ceil(M / K) while another is
 * short, dead or released leases taken over, nothing given away under a run, and no split on SQLite.
 */
import { describe, expect, it } from 'vitest';
import { fairShare, planLeases, type LeaseView } from '../../src/ingest/lease-share';

const NOW = 1_000_000;
const held = (mailboxId: number, owner: string, expiresAt = NOW + 30_000): LeaseView => ({
  mailboxId,
  owner,
  expiresAt,
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const base = { now: NOW, singleWriter: false, running: new Set<number>() };

describe('fair share', () => {
  it('is ceil(M / K), and everything on a single-writer database', () => {
    expect(fairShare(7, 3, false)).toBe(3);
    expect(fairShare(6, 3, false)).toBe(2);
    expect(fairShare(2, 3, false)).toBe(1);
    expect(fairShare(5, 0, false)).toBe(5);
    expect(fairShare(7, 3, true)).toBe(7);
  });

  it('lets the first instance take every free lease, then hands the excess to a newcomer', () => {
    const alone = planLeases({ ...base, me: 'a', mailboxIds: ids(4), leases: [], liveInstances: ['a'] });
    expect(alone).toMatchObject({ share: 4, room: 4, claim: [1, 2, 3, 4], release: [] });

    const leases = ids(4).map((id) => held(id, 'a'));
    const a = planLeases({ ...base, me: 'a', mailboxIds: ids(4), leases, liveInstances: ['a', 'b'] });
    // The highest ids go back; the newcomer finds nothing free until then.
    expect(a).toMatchObject({ share: 2, release: [4, 3], claim: [] });
    const b = planLeases({ ...base, me: 'b', mailboxIds: ids(4), leases, liveInstances: ['a', 'b'] });
    expect(b).toMatchObject({ share: 2, room: 2, claim: [], release: [] });
    const after = [
      held(1, 'a'),
      held(2, 'a'),
      { mailboxId: 3, owner: null, expiresAt: 0 },
      { mailboxId: 4, owner: null, expiresAt: 0 },
    ];
    expect(
      planLeases({ ...base, me: 'b', mailboxIds: ids(4), leases: after, liveInstances: ['a', 'b'] }).claim
    ).toEqual([3, 4]);
  });

  it('keeps its share when the others hold theirs (ceil leaves some short by one)', () => {
    const leases = [held(1, 'a'), held(2, 'a'), held(3, 'b'), held(4, 'c')];
    const plan = planLeases({ ...base, me: 'a', mailboxIds: ids(4), leases, liveInstances: ['a', 'b', 'c'] });
    expect(plan).toMatchObject({ share: 2, release: [], room: 0, claim: [] });
  });

  it('never gives away a lease under a run', () => {
    const leases = ids(4).map((id) => held(id, 'a'));
    const plan = planLeases({
      ...base,
      me: 'a',
      mailboxIds: ids(4),
      leases,
      liveInstances: ['a', 'b'],
      running: new Set([4, 3, 2]),
    });
    expect(plan.release).toEqual([1]);
  });

  it("takes a dead instance's expired leases, and gives back those of mailboxes gone", () => {
    const leases = [held(1, 'a'), held(2, 'dead', NOW - 1), held(3, 'dead', NOW - 1), held(9, 'a')];
    const plan = planLeases({ ...base, me: 'a', mailboxIds: [1, 2, 3], leases, liveInstances: ['a'] });
    expect(plan).toMatchObject({ share: 3, release: [9], room: 2, claim: [2, 3] });
  });

  it('on a single-writer database a second instance finds everything held and stays idle', () => {
    const leases = ids(3).map((id) => held(id, 'a'));
    const input = { ...base, singleWriter: true, mailboxIds: ids(3), leases, liveInstances: ['a', 'b'] };
    expect(planLeases({ ...input, me: 'a' })).toMatchObject({ release: [], room: 0 });
    expect(planLeases({ ...input, me: 'b' })).toMatchObject({ release: [], claim: [] });
  });
});
