import { useCallback, useEffect, useState } from 'react';
import { useFetchClient } from '@strapi/strapi/admin';
import { BASE, type Mailbox } from '../api';

/** The mailboxes (`GET /mailboxes`), for pickers and names. */
export function useMailboxes() {
  const { get } = useFetchClient();
  const [mailboxes, setMailboxes] = useState<Mailbox[] | null>(null);
  const [error, setError] = useState(false);
  const reload = useCallback(async () => {
    try {
      const { data } = await get<{ data: Mailbox[] }>(`${BASE}/mailboxes`);
      setMailboxes(data.data);
      setError(false);
    } catch {
      setError(true);
    }
  }, [get]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { mailboxes, setMailboxes, error, reload };
}
