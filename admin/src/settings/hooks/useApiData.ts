import { useCallback, useEffect, useRef, useState } from 'react';
import { useFetchClient } from '@strapi/strapi/admin';

/**
 * What one GET of the plugin's admin API answers (`{ data }`), loaded when `path` changes; `null` loads nothing.
 * While a new path loads, the last answer stays on screen (a filter or page change does not flash a spinner), and an
 * answer that arrives after a newer request was made is dropped.
 */
export function useApiData<T>(path: string | null) {
  const { get } = useFetchClient();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState(false);
  const latestRequest = useRef(0);

  const reload = useCallback(async () => {
    if (path === null) return;
    const request = ++latestRequest.current;
    try {
      const { data: body } = await get<{ data: T }>(path);
      if (request !== latestRequest.current) return;
      setData(body.data);
      setError(false);
    } catch {
      if (request === latestRequest.current) setError(true);
    }
  }, [get, path]);

  useEffect(() => {
    void reload();
  }, [reload]);

  // Unmounted: answers still under way are dropped.
  useEffect(
    () => () => {
      latestRequest.current++;
    },
    []
  );

  return { data, setData, error, reload };
}

interface Row {
  id: number;
}

/** A list of rows with ids (`GET /mailboxes`, `/piping-rules` …), and the changes a list page makes to it. */
export function useApiList<T extends Row>(path: string | null) {
  const list = useApiData<T[]>(path);
  const { setData } = list;
  /** Puts the server's answer for a row in its place (rows the list does not have are ignored). */
  const replace = useCallback(
    (row: T) => setData((rows) => rows?.map((current) => (current.id === row.id ? row : current)) ?? null),
    [setData]
  );
  /** Replaces a row, or adds it at the end when it is new. */
  const upsert = useCallback(
    (row: T) =>
      setData((rows) =>
        rows?.some((current) => current.id === row.id)
          ? rows.map((current) => (current.id === row.id ? row : current))
          : [...(rows ?? []), row]
      ),
    [setData]
  );
  const remove = useCallback(
    (id: number) => setData((rows) => rows?.filter((current) => current.id !== id) ?? null),
    [setData]
  );
  return { ...list, replace, upsert, remove };
}
