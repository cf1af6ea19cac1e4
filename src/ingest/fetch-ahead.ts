/**
 * Receive ahead: while one message is parsed and stored, the next few are already downloaded and spooled, so the
 * IMAP round trips and disk writes overlap the database work instead of waiting for it. Spooling commits nothing,
 * so exactly-once is untouched: the cursor still advances only with a committed message, and whatever was fetched
 * ahead when a run stops is deleted from the spool and fetched again next time.
 */
import { removeSpooled, type SpooledRaw } from './spool';

export interface FetchAhead {
  /** The spooled message for `uid`, which must be taken in the order the queue was given. */
  take(uid: number): Promise<SpooledRaw>;
  /** Waits for downloads still running and deletes every spooled file nobody took. */
  discard(): Promise<void>;
}

/**
 * `uids` are the messages to download, in the order they will be taken; `depth` is how many may be in flight or
 * waiting besides the one being taken (0 fetches each on demand). A failed download is reported by `take` for
 * that uid, never as an unhandled rejection.
 */
export function fetchAhead(
  uids: readonly number[],
  fetchOne: (uid: number) => Promise<SpooledRaw>,
  depth: number
): FetchAhead {
  const started = new Map<number, Promise<SpooledRaw>>();
  let next = 0;

  const start = (uid: number): Promise<SpooledRaw> => {
    const download = fetchOne(uid);
    // Handled here so an early failure is not "unhandled" before its turn; `take` still sees the rejection.
    download.catch(() => undefined);
    started.set(uid, download);
    return download;
  };

  return {
    take(uid) {
      const position = uids.indexOf(uid, next);
      if (position === -1) throw new Error(`fetch-ahead: UID ${uid} is not queued (or was already taken)`);
      const download = started.get(uid) ?? start(uid);
      started.delete(uid);
      next = position + 1;
      for (let i = next; i < Math.min(uids.length, next + depth); i++) {
        if (!started.has(uids[i])) start(uids[i]);
      }
      return download;
    },
    async discard() {
      const left = [...started.values()];
      started.clear();
      next = uids.length;
      const settled = await Promise.allSettled(left);
      await Promise.all(
        settled.map((result) => (result.status === 'fulfilled' ? removeSpooled(result.value) : undefined))
      );
    },
  };
}
