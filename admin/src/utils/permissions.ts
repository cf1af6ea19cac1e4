/** The RBAC actions the admin checks (declared in contracts/permissions.ts; the server checks them on every route). */
import { ACTIONS, permissionOf } from '../../../contracts/permissions';

export const PERMISSIONS = {
  readTickets: permissionOf(ACTIONS.readTickets),
  replyTickets: permissionOf(ACTIONS.replyTickets),
  manageSettings: permissionOf(ACTIONS.manageSettings),
  /** Strapi's own: `GET /admin/users` (names of former agents; current ones come from the plugin's `/assignees`). */
  readAdminUsers: permissionOf('admin::users.read'),
};
