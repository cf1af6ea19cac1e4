/**
 * What the plugin's admin API answers, as the admin reads it: tickets (src/services/tickets.ts, conversation.ts,
 * outbox.ts), mailboxes (mailboxes.ts), receipts, suppressions and the dashboard's figures. The server's
 * answer-building functions are typed with these shapes, so a server change that breaks the admin fails the type
 * check on both sides.
 */
import type { MailboxSettings, PushState } from './mailbox';
import type { Priority, TicketStatus } from './ticket';

export interface MailboxRef {
  id: number;
  name: string;
}

export interface TicketRow {
  id: number;
  number: number;
  subject: string | null;
  status: TicketStatus;
  priority: Priority;
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

/** How far the running import of a mailbox is (written to the mailbox row; the admin's progress bar polls it). */
export interface MailboxProgress {
  done: number;
  total: number;
  running: boolean;
}

/** Settings added after the first release: rows stored before them hold null until the mailbox is saved again. */
type SettingsAddedLater =
  | 'allowedSenders'
  | 'ccImport'
  | 'forwardingAddresses'
  | 'unmonitored'
  | 'verpBounces'
  | 'trustedAuthservIds'
  | 'unauthenticatedAnswers'
  | 'push';

/** What the importer records on a mailbox row about its runs (the admin's list shows it). */
export interface MailboxRunState {
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number | null;
  nextAttemptAt: string | null;
  ticketsCreated: number | null;
  repliesAdded: number | null;
  quarantinedCount: number | null;
  skippedCount: number | null;
  progress: MailboxProgress | null;
  autoMailPausedAt: string | null;
  autoMailPausedReason: string | null;
  /** Written by the push watcher on state changes only (whichever instance holds it); null: never watched. */
  pushState: PushState | null;
  pushReason: string | null;
  pushStateAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * A mailbox as `GET /mailboxes` answers it: its settings, its run state, and never a password (`hasPassword` says
 * one is stored).
 */
export type MailboxAnswer = Omit<MailboxSettings, SettingsAddedLater> & {
  [K in SettingsAddedLater]: MailboxSettings[K] | null;
} & MailboxRunState & {
    id: number;
    hasPassword: boolean;
    hasSmtpPassword: boolean;
    cursor: { uidValidity: string | null; lastUid: number };
  };

/** `POST /mailboxes/test` and `/mailboxes/:id/test`: the login and folder check. */
export type ConnectionTest =
  { ok: true; messages: number; uidValidity?: string } | { ok: false; kind: string; message: string };

/** One message seen by an import, as the quarantine lists it. */
export interface Receipt {
  id: number;
  mailboxId: number;
  messageId: string | null;
  subject: string | null;
  fromAddress: string | null;
  rawSize: number | null;
  outcome: string;
  mailClass: string | null;
  reason: string | null;
  ticketId: number | null;
  reprocessedAt: string | null;
  createdAt: string;
}

/** A page of a list (`?page=&pageSize=`), as the quarantine lists it. */
export interface Paged<T> {
  results: T[];
  pagination: Pagination;
}

/** An address that bounced for good: no mail goes to it until `suppressedUntil`. */
export interface Suppression {
  id: number;
  address: string;
  status: string | null;
  reason: string | null;
  suppressedUntil: string;
  ticketId: number | null;
  outboxId: number | null;
  receiptId: number | null;
  createdAt: string;
}

/** Every class of mail an import tells apart, in the order the admin lists them (receipt filters, dashboard series). */
export const MAIL_CLASSES = [
  'person',
  'auto-reply',
  'out-of-office',
  'bounce',
  'read-receipt',
  'list',
  'own-mail',
  'automatic',
] as const;
export type MailClass = (typeof MAIL_CLASSES)[number];

/** One refused input, as every 400 of the admin API names it (rules, block rules, mailboxes, templates). */
export interface ValidationError {
  /** Path of the offending input, e.g. `conditions[2].mode`. */
  field: string;
  message: string;
}

/**
 * The yes/no findings of classification (src/policy/classify/inbound-flags.ts), in the order they are stored on a
 * receipt and a message (`flags.set`) and listed by the simulator.
 */
export const INBOUND_FLAG_NAMES = [
  'autoReply',
  'outOfOffice',
  'bounce',
  'readReceipt',
  'list',
  'ownMail',
  'automatic',
  'suppressAutoResponse',
] as const;
export type InboundFlagName = (typeof INBOUND_FLAG_NAMES)[number];

/** The kinds of automatic mail the dashboard counts: every mail class but `person`. */
export type AutomaticKind = Exclude<MailClass, 'person'>;
export const AUTOMATIC_KINDS = MAIL_CLASSES.filter((name): name is AutomaticKind => name !== 'person');

/** The dashboard's figures (`GET /stats`): per UTC day, tickets by mailbox, automatic mail by kind, loops stopped. */
export interface Stats {
  days: string[];
  ticketsByMailbox: Array<{ mailboxId: number | null; name: string | null; counts: number[]; total: number }>;
  automatic: Record<AutomaticKind, number[]>;
  loopsStopped: number[];
  totals: { tickets: number; automatic: number; loopsStopped: number };
}
