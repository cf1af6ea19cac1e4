/** RBAC actions of the plugin; every admin route names one of them. */
export const ACTIONS = {
  readTickets: 'plugin::email-piping.tickets.read',
  replyTickets: 'plugin::email-piping.tickets.reply',
  manageSettings: 'plugin::email-piping.settings.manage',
} as const;

export const actionDefinitions = [
  { section: 'plugins', displayName: 'Read tickets', uid: 'tickets.read', pluginName: 'email-piping' },
  {
    section: 'plugins',
    displayName: 'Reply to tickets and change their status',
    uid: 'tickets.reply',
    pluginName: 'email-piping',
  },
  {
    section: 'plugins',
    displayName: 'Manage settings (mailboxes, quarantine)',
    uid: 'settings.manage',
    pluginName: 'email-piping',
  },
];
