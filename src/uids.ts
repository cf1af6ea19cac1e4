export const PLUGIN_ID = 'email-piping';

export const UID = {
  mailbox: 'plugin::email-piping.mailbox',
  ticket: 'plugin::email-piping.ticket',
  message: 'plugin::email-piping.ticket-message',
  receipt: 'plugin::email-piping.inbound-receipt',
} as const;
