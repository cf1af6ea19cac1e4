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
  const exponential = baseSeconds * 2 ** Math.min(consecutiveFailures - 1, 30);
  const capped = Math.min(exponential, maxSeconds);
  const jitter = 1 + (random() - 0.5) * 0.2;
  return Math.max(1, Math.round(capped * jitter));
}
