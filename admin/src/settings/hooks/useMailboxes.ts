import { useCallback, useMemo } from 'react';
import { BASE, type Mailbox } from '../api';
import type { Option } from '../components/fields';
import { useApiData } from './useApiData';

/** The mailboxes (`GET /mailboxes`), for pickers and names. */
export function useMailboxes() {
  const { data: mailboxes, error } = useApiData<Mailbox[]>(`${BASE}/mailboxes`);
  /** A mailbox's name; `#id` for one that is gone or not loaded yet. */
  const nameOf = useCallback(
    (id: number) => mailboxes?.find((mailbox) => mailbox.id === id)?.name ?? `#${id}`,
    [mailboxes]
  );
  const options: Option[] = useMemo(
    () => (mailboxes ?? []).map((mailbox) => ({ value: String(mailbox.id), label: mailbox.name })),
    [mailboxes]
  );
  return { mailboxes, error, nameOf, options };
}
