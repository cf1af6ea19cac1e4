/** The RBAC actions the admin checks (the server defines them in src/permissions.ts and checks them on every route). */
export const PERMISSIONS = {
  readTickets: [{ action: 'plugin::email-piping.tickets.read', subject: null }],
  replyTickets: [{ action: 'plugin::email-piping.tickets.reply', subject: null }],
  manageSettings: [{ action: 'plugin::email-piping.settings.manage', subject: null }],
  /** Strapi's own: `GET /admin/users` (names of former agents; current ones come from the plugin's `/assignees`). */
  readAdminUsers: [{ action: 'admin::users.read', subject: null }],
};
