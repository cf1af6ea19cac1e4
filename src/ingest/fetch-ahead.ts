/**
 * Receive ahead: while one message is stored, the next few are already downloaded, spooled and parsed (in the parse
 * worker), so the IMAP round trips, disk writes and parsing overlap the database work instead of waiting for it.
 * None of that commits anything, so exactly-once is untouched: the cursor still advances only with a committed
 * message, and whatever was fetched ahead when a run stops is released (its files deleted) and fetched again next
 * time.
 */

export interface FetchAhead<T> {
  /** The fetched message for `uid`, which must be taken in the order the queue was given. */
  take(uid: number): Promise<T>;
  /** Waits for fetches still running and releases every message nobody took. */
  discard(): Promise<void>;
}

/**
 * `uids` are the messages to download, in the order they will be taken; `depth` is how many may be in flight or
 * waiting besides the one being taken (0 fetches each on demand). A failed download is reported by `take` for
 * that uid, never as an unhandled rejection.
 */
export function fetchAhead<T>(
  uids: readonly number[],
  fetchOne: (uid: number) => Promise<T>,
  depth: number,
  /** Frees what a fetch made (its spool files) when the run stops before taking it. */
  release: (item: T) => Promise<void>
): FetchAhead<T> {
  const started = new Map<number, Promise<T>>();
  let next = 0;

  const start = (uid: number): Promise<T> => {
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
        settled.map((result) => (result.status === 'fulfilled' ? release(result.value) : undefined))
      );
    },
  };
}
