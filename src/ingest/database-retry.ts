/**
 * Temporary database errors (a lock held by another instance, a deadlock, a busy SQLite file, a dropped connection)
 * are waited out inside the run: the same work is tried again after 100 ms, 200 ms, 400 ms… (about 7 s in all by
 * default). Work that still fails with a temporary error is given up for this run: the error goes up, the cursor
 * stays where the last commit left it, and the next scheduled run goes on from there. A permanent error is not
 * retried at all (the caller quarantines the mail).
 *
 * Only for work that is safe to repeat: a whole database transaction, rolled back when it failed.
 */
import { backoffDelay } from './backoff';
import { isTemporaryDatabaseError } from './database-errors';

export interface DatabaseRetryPolicy {
  /** Tries in all, the first one included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Injected by unit tests; a real timer otherwise. */
  sleep?(ms: number): Promise<void>;
  random?(): number;
  /** Told before each wait (the importer logs it). */
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
}

export const DEFAULT_DATABASE_RETRY: DatabaseRetryPolicy = { attempts: 8, baseMs: 100, maxMs: 2000 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function retryTemporary<T>(
  work: () => Promise<T>,
  policy: DatabaseRetryPolicy = DEFAULT_DATABASE_RETRY
): Promise<T> {
  const sleep = policy.sleep ?? realSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.attempts || !isTemporaryDatabaseError(error)) throw error;
      const delayMs = Math.round(backoffDelay(attempt, policy.baseMs, policy.maxMs, policy.random));
      policy.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}

/** `store.transaction`, tried again as a whole (it rolled back) while it fails with a temporary error. */
export function transactionWithRetry(
  store: { transaction<T>(work: () => Promise<T>): Promise<T> },
  policy: DatabaseRetryPolicy = DEFAULT_DATABASE_RETRY
) {
  return <T>(work: () => Promise<T>): Promise<T> => retryTemporary(() => store.transaction(work), policy);
}
