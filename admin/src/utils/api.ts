/**
 * What the plugin's admin API answers (src/services/tickets.ts, conversation.ts, outbox.ts): the shapes are declared
 * once in contracts/api.ts, which the server's answers are typed with too.
 */
import type { MailboxAnswer } from '../../../contracts/api';
import type { Priority } from '../../../contracts/ticket';
export { PRIORITIES, STATUSES, type TicketStatus } from '../../../contracts/ticket';
export type {
  Address,
  Assignee,
  Attachment,
  MailboxRef,
  MessageFlags,
  OutboxRow,
  OutboxStatus,
  Pagination,
  TicketChange,
  TicketDetail,
  TicketList,
  TicketMessage,
  TicketRow,
} from '../../../contracts/api';
export type TicketPriority = Priority;

/** The mailbox filter of the ticket list reads only these fields of `GET /mailboxes`. */
export type MailboxView = Pick<MailboxAnswer, 'id' | 'name' | 'address'>;
