import { useRBAC } from '@strapi/strapi/admin';
import { useApiData } from './useApiData';

export interface AdminRole {
  id: number;
  name: string;
}

const READ_ROLES = [{ action: 'admin::roles.read', subject: null }];

/**
 * The admin roles, to name a mailbox's agent roles. `GET /admin/roles` needs `admin::roles.read`: without it (or when
 * it fails) the answer is null and the form asks for role ids instead.
 */
export function useAdminRoles(): AdminRole[] | null {
  const permission = useRBAC(READ_ROLES);
  const canRead = Boolean(permission.allowedActions.canRead);
  const { data } = useApiData<AdminRole[]>(canRead ? '/admin/roles' : null);
  return Array.isArray(data) ? data : null;
}
