import { describe, expect, it } from 'vitest';
import { nextAttemptDelaySeconds } from '../../src/ingest/backoff';
import { planFetch } from '../../src/ingest/cursor';

describe('planFetch', () => {
  it('starts from the beginning for a mailbox never imported', () => {
    expect(planFetch({ uidValidity: null, lastUid: 0 }, '1700000000')).toEqual({
      afterUid: 0,
      rescan: false,
    });
  });

  it('continues above the last imported UID while UIDVALIDITY holds', () => {
    expect(planFetch({ uidValidity: '42', lastUid: 917 }, '42')).toEqual({ afterUid: 917, rescan: false });
  });

  it('rescans from UID 1 when the server changed UIDVALIDITY', () => {
    expect(planFetch({ uidValidity: '42', lastUid: 917 }, '43')).toEqual({ afterUid: 0, rescan: true });
  });
});

describe('nextAttemptDelaySeconds', () => {
  const noJitter = () => 0.5;

  it('does not wait before the first failure', () => {
    expect(nextAttemptDelaySeconds(0, 60, 3600, noJitter)).toBe(0);
  });

  it('doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => nextAttemptDelaySeconds(n, 60, 3600, noJitter))).toEqual([
      60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]);
  });

  it('spreads retries by at most ten per cent', () => {
    expect(nextAttemptDelaySeconds(1, 100, 3600, () => 0)).toBe(90);
    expect(nextAttemptDelaySeconds(1, 100, 3600, () => 0.999999)).toBe(110);
  });

  it('survives absurd failure counts', () => {
    expect(nextAttemptDelaySeconds(10_000, 60, 3600, noJitter)).toBe(3600);
  });
});
