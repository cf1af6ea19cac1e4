/** Translated names of the values the API sends (statuses, priorities, flags, outbox states). */
import type { MessageDescriptor } from 'react-intl';
import type { NotificationEvent } from '../../../contracts/templates';
import type { OutboxStatus, TicketPriority, TicketStatus } from './api';
import { getTranslation } from './getTranslation';

type BadgeVariant = 'success' | 'primary' | 'danger' | 'warning' | 'neutral' | 'secondary' | 'alternative';

const message = (key: string, defaultMessage: string): MessageDescriptor => ({
  id: getTranslation(key),
  defaultMessage,
});

export const STATUS_LABELS: Record<TicketStatus, MessageDescriptor> = {
  open: message('status.open', 'Open'),
  pending: message('status.pending', 'Pending'),
  resolved: message('status.resolved', 'Resolved'),
  closed: message('status.closed', 'Closed'),
};

export const STATUS_VARIANTS: Record<TicketStatus, BadgeVariant> = {
  open: 'primary',
  pending: 'warning',
  resolved: 'success',
  closed: 'neutral',
};

export const PRIORITY_LABELS: Record<TicketPriority, MessageDescriptor> = {
  low: message('priority.low', 'Low'),
  normal: message('priority.normal', 'Normal'),
  high: message('priority.high', 'High'),
  urgent: message('priority.urgent', 'Urgent'),
};

export const PRIORITY_VARIANTS: Record<TicketPriority, BadgeVariant> = {
  low: 'neutral',
  normal: 'secondary',
  high: 'warning',
  urgent: 'danger',
};

export const OUTBOX_LABELS: Record<OutboxStatus, MessageDescriptor> = {
  queued: message('outbox.status.queued', 'Queued'),
  sent: message('outbox.status.sent', 'Sent'),
  failed: message('outbox.status.failed', 'Failed'),
  suppressed: message('outbox.status.suppressed', 'Suppressed'),
  bounced: message('outbox.status.bounced', 'Bounced'),
};

export const OUTBOX_VARIANTS: Record<OutboxStatus, BadgeVariant> = {
  queued: 'secondary',
  sent: 'success',
  failed: 'danger',
  suppressed: 'neutral',
  bounced: 'danger',
};

/** Flags of inbound mail (`flags.set`), shown as badges. */
export const FLAG_LABELS: Record<string, MessageDescriptor> = {
  autoReply: message('flag.autoReply', 'Auto-reply'),
  outOfOffice: message('flag.outOfOffice', 'Out of office'),
  bounce: message('flag.bounce', 'Bounce'),
  readReceipt: message('flag.readReceipt', 'Read receipt'),
  list: message('flag.list', 'Mailing list'),
  ownMail: message('flag.ownMail', 'Own mail'),
  automatic: message('flag.automatic', 'Automatic'),
};

/** `mailClass` → the flag that names it, for messages stored without `flags`. */
export const MAIL_CLASS_FLAGS: Record<string, string> = {
  'auto-reply': 'autoReply',
  'out-of-office': 'outOfOffice',
  bounce: 'bounce',
  'read-receipt': 'readReceipt',
  list: 'list',
  'own-mail': 'ownMail',
  automatic: 'automatic',
};

/** What caused an outgoing mail (outbox `event`), for every notification event. Unknown events are shown as they are. */
export const EVENT_LABELS: Record<string, MessageDescriptor> = {
  'agent-reply': message('outbox.event.agentReply', 'Agent reply'),
  'ticket-acknowledgement': message('outbox.event.acknowledgement', 'Acknowledgement'),
  'ticket-resolved': message('outbox.event.resolved', 'Ticket resolved'),
  'ticket-closed': message('outbox.event.closed', 'Ticket closed'),
  'agent-new-ticket': message('outbox.event.agentNewTicket', 'New ticket (to agents)'),
  'agent-customer-reply': message('outbox.event.agentCustomerReply', 'Customer reply (to agents)'),
  'mail-refused': message('outbox.event.mailRefused', 'Mail refused'),
  'mailbox-unmonitored': message('outbox.event.mailboxUnmonitored', 'Mailbox not monitored'),
} satisfies Record<NotificationEvent, MessageDescriptor>;
