import { useCallback } from 'react';
import { getDisplayName, useAdminUsers, useRBAC } from '@strapi/strapi/admin';

const READ_USERS = [{ action: 'admin::users.read', subject: null }];

/**
 * Admin users for the "assign" action. `GET /admin/users` needs Strapi's `admin::users.read`: without it no request is
 * made and the editor asks for the user's id instead.
 */
export function useAdminUserOptions() {
  const permission = useRBAC(READ_USERS);
  const canRead = Boolean(permission.allowedActions.canRead);
  const { data } = useAdminUsers({ pageSize: 100 }, { skip: !canRead || permission.isLoading });
  const users = canRead ? (data?.users ?? []) : null;
  const nameOf = useCallback(
    (id: number) => {
      const user = users?.find((candidate) => Number(candidate.id) === id);
      return user ? getDisplayName(user) : `#${id}`;
    },
    [users]
  );
  return {
    users: users?.map((user) => ({
      value: String(user.id),
      label: `${getDisplayName(user)} (${user.email})`,
    })),
    nameOf,
  };
}
