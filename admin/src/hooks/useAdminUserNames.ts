import { useCallback } from 'react';
import { useIntl } from 'react-intl';
import { getDisplayName, useAdminUsers, useAuth } from '@strapi/strapi/admin';
import { getTranslation } from '../utils/getTranslation';

/**
 * Names admin users by id (assignees). `GET /admin/users` needs Strapi's `admin::users.read`: without it (`enabled`
 * false) no request is made, the current user is still named, and others show as "Admin #id".
 */
export function useAdminUserNames(enabled: boolean) {
  const { formatMessage } = useIntl();
  const me = useAuth('EmailPipingTickets', (state) => state.user);
  const { data } = useAdminUsers({ pageSize: 100 }, { skip: !enabled });
  const users = data?.users;
  return useCallback(
    (id: number | null | undefined): string | null => {
      if (id === null || id === undefined) return null;
      const user = users?.find((candidate) => Number(candidate.id) === id);
      if (user) return getDisplayName(user);
      if (me && Number(me.id) === id) return getDisplayName(me);
      return formatMessage({ id: getTranslation('user.fallback'), defaultMessage: 'Admin #{id}' }, { id });
    },
    [users, me, formatMessage]
  );
}
