/**
 * After a connection failure a mailbox waits before it is tried again: base, 2×base, 4×base… up to max, with a
 * little jitter so many mailboxes on one broken server do not retry in lockstep.
 */
export function nextAttemptDelaySeconds(
  consecutiveFailures: number,
  baseSeconds: number,
  maxSeconds: number,
  random: () => number = Math.random
): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.max(1, Math.round(backoffDelay(consecutiveFailures, baseSeconds, maxSeconds, random)));
}

/** base × 2^(failures − 1), capped at max, ±10 % jitter; in whatever unit base and max are given. */
export function backoffDelay(
  consecutiveFailures: number,
  base: number,
  max: number,
  random: () => number = Math.random
): number {
  const exponential = base * 2 ** Math.min(Math.max(consecutiveFailures, 1) - 1, 30);
  const capped = Math.min(exponential, max);
  const jitter = 1 + (random() - 0.5) * 0.2;
  return capped * jitter;
}
