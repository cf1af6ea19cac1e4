/** What the plugin's admin API answers (src/services/tickets.ts, conversation.ts, outbox.ts). */
import { PRIORITIES, STATUSES, type Priority, type TicketStatus } from '../../../contracts/ticket';
export { PRIORITIES, STATUSES, type TicketStatus };
export type TicketPriority = Priority;

export interface MailboxRef {
  id: number;
  name: string;
}

export interface TicketRow {
  id: number;
  number: number;
  subject: string | null;
  status: TicketStatus;
  priority: TicketPriority;
  requesterEmail: string | null;
  requesterName: string | null;
  assigneeId: number | null;
  lastMessageAt: string | null;
  createdAt: string;
  updatedAt: string;
  mailbox: MailboxRef | null;
}

/** What an agent may change on a ticket (`PUT /tickets/:id`); `assigneeId: null` unassigns. */
export type TicketChange = Partial<Pick<TicketRow, 'status' | 'priority' | 'assigneeId'>>;

/** An admin user a ticket can be assigned to (`GET /assignees`). */
export interface Assignee {
  id: number;
  name: string;
  email: string;
}

export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
}

export interface TicketList {
  results: TicketRow[];
  pagination?: Pagination;
  counts: Record<TicketStatus, number>;
}

export interface Attachment {
  id: number;
  name: string;
  url: string;
  mime: string | null;
  size: number | null; // kilobytes, as the Media Library stores it
  ext: string | null;
}

export interface MessageFlags {
  set?: string[];
  reasons?: string[];
  reportType?: string | null;
  /** The HTML body was over the size/depth budget: shown as text, the original attached (download only). */
  htmlNotice?: string;
}

export interface Address {
  address?: string;
  name?: string;
}

export interface TicketMessage {
  id: number;
  direction: 'inbound' | 'outbound' | 'system';
  author: 'customer' | 'agent' | 'system' | null;
  adminUserId: number | null;
  fromAddress: string | null;
  fromName: string | null;
  to: Address[] | null;
  cc: Address[] | null;
  subject: string | null;
  textBody: string | null;
  htmlBody: string | null;
  quotedText: string | null;
  quotedHtml: string | null;
  attachments: Attachment[] | null;
  inlineParts: Array<{ contentId: string; url: string }> | null;
  mailClass: string | null;
  flags: MessageFlags | null;
  /** Sender authentication verdict of an imported mail; null for mail written in the admin. */
  authentication?: { result: 'pass' | 'fail' | 'none'; reason: string } | null;
  sentAt: string | null;
  createdAt: string;
}

export type OutboxStatus = 'queued' | 'sent' | 'failed' | 'suppressed' | 'bounced';

export interface OutboxRow {
  id: number;
  event: string;
  automatic: boolean;
  recipient: string;
  subject: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastResponse: string | null;
  sentAt: string | null;
  bouncedAt: string | null;
  bounceStatus: string | null;
  createdAt: string;
}

export interface TicketDetail extends TicketRow {
  cc: Address[] | null;
  language: string | null;
  category: string | null;
  tags: string[] | null;
  messages: TicketMessage[];
  outbox: OutboxRow[];
}

export interface MailboxView {
  id: number;
  name: string;
  address: string;
}
