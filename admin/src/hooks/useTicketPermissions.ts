import { useRBAC } from '@strapi/strapi/admin';
import { PERMISSIONS } from '../utils/permissions';

/**
 * What the current admin user may do around tickets. Reading is checked by the page itself (Page.Protect); the server
 * checks every action again, these only decide which controls and requests the page shows and makes.
 */
export function useTicketPermissions() {
  const reply = useRBAC(PERMISSIONS.replyTickets);
  const settings = useRBAC(PERMISSIONS.manageSettings);
  const users = useRBAC(PERMISSIONS.readAdminUsers);
  return {
    isLoading: reply.isLoading || settings.isLoading || users.isLoading,
    /** tickets.reply: reply, notes, status, priority and assignee. */
    canReply: Boolean(reply.allowedActions.canReply),
    /** settings.manage: the mailbox list (filter). */
    canManageSettings: Boolean(settings.allowedActions.canManage),
    /** admin::users.read: names of admin users who can no longer be assigned (former agents). */
    canReadUsers: Boolean(users.allowedActions.canRead),
  };
}
