export const PLUGIN_ID = 'email-piping';

export const UID = {
  mailbox: 'plugin::email-piping.mailbox',
  ticket: 'plugin::email-piping.ticket',
  message: 'plugin::email-piping.ticket-message',
  receipt: 'plugin::email-piping.inbound-receipt',
  outbox: 'plugin::email-piping.outbox-message',
  template: 'plugin::email-piping.notification-template',
  pipingRule: 'plugin::email-piping.piping-rule',
  blockRule: 'plugin::email-piping.block-rule',
  suppressedAddress: 'plugin::email-piping.suppressed-address',
  importerLease: 'plugin::email-piping.importer-lease',
  importerInstance: 'plugin::email-piping.importer-instance',
  ticketNumber: 'plugin::email-piping.ticket-number',
} as const;
