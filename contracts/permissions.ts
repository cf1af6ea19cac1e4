/**
 * The plugin's RBAC actions, declared once: the server registers them (src/permissions.ts) and names one on every
 * admin route; the admin asks for the same ids before it shows a page, a menu link or a button.
 */
export const PLUGIN_NAME = 'email-piping';

/** Each action's uid inside the plugin, and its name in the admin's Roles editor. */
export const ACTION_UIDS = {
  readTickets: { uid: 'tickets.read', displayName: 'Read tickets' },
  replyTickets: { uid: 'tickets.reply', displayName: 'Reply to tickets and change their status' },
  manageSettings: { uid: 'settings.manage', displayName: 'Manage settings (mailboxes, quarantine)' },
} as const;
export type PluginAction = keyof typeof ACTION_UIDS;

/** The full action ids (`plugin::email-piping.tickets.read`), as routes and role checks name them. */
export const ACTIONS = {
  readTickets: `plugin::${PLUGIN_NAME}.${ACTION_UIDS.readTickets.uid}`,
  replyTickets: `plugin::${PLUGIN_NAME}.${ACTION_UIDS.replyTickets.uid}`,
  manageSettings: `plugin::${PLUGIN_NAME}.${ACTION_UIDS.manageSettings.uid}`,
} as const satisfies Record<PluginAction, string>;

/** The form the admin's `useRBAC`, `Page.Protect` and menu links take: one action, no subject. */
export function permissionOf(action: string): Array<{ action: string; subject: null }> {
  return [{ action, subject: null }];
}
