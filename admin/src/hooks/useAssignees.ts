import { useCallback, useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { getDisplayName, useAdminUsers, useAuth, useFetchClient } from '@strapi/strapi/admin';
import type { Assignee } from '../utils/api';
import { getTranslation } from '../utils/getTranslation';
import { PLUGIN_ID } from '../pluginId';

/**
 * The admin users a ticket can be assigned to (`GET /assignees`, which tickets.read is enough for), and a name for any
 * admin user id (assignees, note authors). Someone who is no longer assignable (deactivated, role changed) is named
 * through Strapi's `GET /admin/users` when `canReadAllUsers` (admin::users.read; without it no request is made), else
 * shows as "Admin #id".
 */
export function useAssignees(canReadAllUsers: boolean) {
  const { formatMessage } = useIntl();
  const { get } = useFetchClient();
  const me = useAuth('EmailPipingTickets', (state) => state.user);
  const [assignees, setAssignees] = useState<Assignee[] | null>(null);
  const { data } = useAdminUsers({ pageSize: 100 }, { skip: !canReadAllUsers });
  const allUsers = data?.users;

  useEffect(() => {
    let current = true;
    get<{ data: Assignee[] }>(`/${PLUGIN_ID}/assignees`)
      .then(({ data: answer }) => current && setAssignees(answer.data))
      .catch(() => current && setAssignees(null));
    return () => {
      current = false;
    };
  }, [get]);

  const userName = useCallback(
    (id: number | null | undefined): string | null => {
      if (id === null || id === undefined) return null;
      const assignee = assignees?.find((candidate) => candidate.id === id);
      if (assignee) return assignee.name;
      const user = allUsers?.find((candidate) => Number(candidate.id) === id);
      if (user) return getDisplayName(user);
      if (me && Number(me.id) === id) return getDisplayName(me);
      return formatMessage({ id: getTranslation('user.fallback'), defaultMessage: 'Admin #{id}' }, { id });
    },
    [assignees, allUsers, me, formatMessage]
  );

  return { assignees, userName };
}
