import { useEffect, useMemo, useRef, useState } from 'react';
import { useFetchClient } from '@strapi/strapi/admin';
import { BASE, type Mailbox } from '../api';

const POLL_MS = 1000;

/**
 * "Run now" of the mailbox list: a mailbox whose run was started, or whose import is running, is fetched every second
 * (its progress bar moves) until the run is over, i.e. its last run time changed. `onFresh` gets each answer.
 */
export function useRunWatch(mailboxes: Mailbox[] | null, onFresh: (mailbox: Mailbox) => void) {
  const { get } = useFetchClient();
  /** Mailboxes a run was started for, with their last run time before it. */
  const [watching, setWatching] = useState<Record<number, string | null>>({});
  const watchingRef = useRef(watching);
  watchingRef.current = watching;
  const onFreshRef = useRef(onFresh);
  onFreshRef.current = onFresh;

  const pollKey = useMemo(() => {
    const ids = new Set<number>(Object.keys(watching).map(Number));
    for (const mailbox of mailboxes ?? []) if (mailbox.progress?.running) ids.add(mailbox.id);
    return [...ids].sort((a, b) => a - b).join(',');
  }, [watching, mailboxes]);

  useEffect(() => {
    if (pollKey === '') return;
    const ids = pollKey.split(',').map(Number);
    let cancelled = false;
    const timer = window.setInterval(async () => {
      for (const id of ids) {
        try {
          const { data } = await get<{ data: Mailbox }>(`${BASE}/mailboxes/${id}`);
          if (cancelled) return;
          const fresh = data.data;
          onFreshRef.current(fresh);
          const before = watchingRef.current[id];
          if (before !== undefined && !fresh.progress?.running && fresh.lastRunAt !== before) {
            setWatching(({ [id]: _done, ...rest }) => rest);
          }
        } catch {
          // the next tick tries again; a deleted mailbox is dropped on the next load
        }
      }
    }, POLL_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [pollKey, get]);

  return {
    /** Watches `mailbox` from now on: its run is starting. */
    watch: (mailbox: Mailbox) => setWatching((current) => ({ ...current, [mailbox.id]: mailbox.lastRunAt })),
    isWatched: (mailbox: Mailbox) => watching[mailbox.id] !== undefined,
  };
}
