import { useCallback, useRef, useState } from 'react';
import { useNotify } from './useNotify';

type Key = string | number;

/**
 * Requests a page starts from a button (run, enable, delete …), each under a key (usually the row's id): while one
 * runs, `isPending(key)` is true and the same key does not start again; a failure becomes a notification with the
 * server's reason unless `onError` takes it.
 */
export function useServerActions<K extends Key = Key>() {
  const notify = useNotify();
  const running = useRef(new Set<K>());
  const [pending, setPending] = useState<readonly K[]>([]);

  const run = useCallback(
    async (key: K, action: () => Promise<void>, onError: (error: unknown) => void = notify.refusal) => {
      if (running.current.has(key)) return;
      running.current.add(key);
      setPending([...running.current]);
      try {
        await action();
      } catch (error) {
        onError(error);
      } finally {
        running.current.delete(key);
        setPending([...running.current]);
      }
    },
    [notify]
  );

  /** Whether the request under `key` runs; without a key, whether any does. */
  const isPending = useCallback(
    (key?: K) => (key === undefined ? pending.length > 0 : pending.includes(key)),
    [pending]
  );

  return { run, isPending };
}
