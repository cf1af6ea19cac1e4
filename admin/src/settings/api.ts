/**
 * What the plugin's settings routes answer (src/services/mailboxes.ts, rules.ts, templates.ts, receipts.ts,
 * suppressions.ts, simulator.ts), and how a refusal is read: the server names the offending field in every 400.
 */
export const BASE = '/email-piping';

export type Security = 'tls' | 'starttls' | 'none';
export type AfterImport = 'mark-seen' | 'move' | 'delete';
export type AllowedMail = 'new-and-replies' | 'new-only' | 'replies-only';
export type AllowedSenders =
  { mode: 'anyone' } | { mode: 'registered' } | { mode: 'listed'; addresses: string[]; domains: string[] };

export const SECURITIES: Security[] = ['tls', 'starttls', 'none'];
export const AFTER_IMPORT: AfterImport[] = ['mark-seen', 'move', 'delete'];
export const ALLOWED_MAIL: AllowedMail[] = ['new-and-replies', 'new-only', 'replies-only'];
export const NOTIFICATION_SWITCHES = [
  'ticketAcknowledgement',
  'agentReply',
  'ticketResolved',
  'ticketClosed',
  'agentNewTicket',
  'agentCustomerReply',
  'refusedMail',
] as const;
export type NotificationSwitch = (typeof NOTIFICATION_SWITCHES)[number];

export interface MailboxProgress {
  done: number;
  total: number;
  running: boolean;
}

/** A mailbox as `GET /mailboxes` shows it: passwords never leave the server (`hasPassword` says one is stored). */
export interface Mailbox {
  id: number;
  name: string;
  address: string | null;
  fromName: string | null;
  host: string;
  port: number;
  security: Security;
  username: string;
  folder: string;
  afterImport: AfterImport;
  moveToFolder: string | null;
  schedule: string;
  enabled: boolean;
  smtpHost: string | null;
  smtpPort: number | null;
  smtpSecurity: Security;
  smtpUsername: string | null;
  notifications: Record<NotificationSwitch, boolean>;
  agentAddresses: string[];
  agentRoleIds: number[];
  closedTicketReplies: 'reopen' | 'new-ticket';
  allowedMail: AllowedMail;
  allowedSenders: AllowedSenders | null;
  contentPreference: 'html' | 'text';
  ccImport: boolean | null;
  forwardingAddresses: string[] | null;
  unmonitored: boolean | null;
  unmonitoredHelpText: string | null;
  verpBounces: boolean | null;
  trustedAuthservIds: string[] | null;
  unauthenticatedAnswers: 'suppress' | 'rate-limit-hard' | null;
  hasPassword: boolean;
  hasSmtpPassword: boolean;
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
}

export type ConnectionTest =
  { ok: true; messages: number; uidValidity?: string } | { ok: false; kind: string; message: string };

export type MatchMode = 'exact' | 'wildcard' | 'regex';
export const MATCH_MODES: MatchMode[] = ['exact', 'wildcard', 'regex'];
export const CONDITION_FIELDS = [
  'sender',
  'forwardingAddress',
  'to',
  'cc',
  'recipients',
  'subject',
  'body',
  'header',
  'authentication',
] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

export interface Condition {
  field: ConditionField;
  header?: string;
  mode: MatchMode;
  pattern: string;
  caseSensitive?: boolean;
  negate?: boolean;
}

export { PRIORITIES, STATUSES } from '../utils/api';
import { PRIORITIES, STATUSES } from '../utils/api';
export const ACTION_TYPES = [
  'setPriority',
  'setStatus',
  'addTags',
  'setCategory',
  'assign',
  'addRecipients',
  'skipNotifications',
  'stopProcessing',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export type RuleAction =
  | { type: 'setPriority'; value: (typeof PRIORITIES)[number] }
  | { type: 'setStatus'; value: (typeof STATUSES)[number] }
  | { type: 'addTags'; value: string[] }
  | { type: 'setCategory'; value: string }
  | { type: 'assign'; adminUserId: number }
  | { type: 'addRecipients'; value: string[] }
  | { type: 'skipNotifications' }
  | { type: 'stopProcessing' };

export interface PipingRule {
  id: number;
  name: string;
  enabled: boolean;
  match: 'all' | 'any';
  conditions: Condition[];
  actions: RuleAction[];
  position: number;
  mailboxId: number | null;
  hitCount: number | null;
  lastHitAt: string | null;
}

export interface BlockRule {
  id: number;
  field: 'sender' | 'subject';
  mode: MatchMode;
  pattern: string;
  caseSensitive: boolean | null;
  enabled: boolean;
  note: string | null;
  hitCount: number | null;
  lastHitAt: string | null;
}

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

export interface Paged<T> {
  results: T[];
  pagination: { page: number; pageSize: number; total: number; pageCount: number };
}

export interface Suppression {
  id: number;
  address: string;
  status: string | null;
  reason: string | null;
  suppressedUntil: string;
  ticketId: number | null;
  createdAt: string;
}

export interface SimulationResult {
  outcome: string;
  reason?: string | null;
  ruleId?: number;
  mail?: { from: string; to: string[]; cc: string[]; subject: string | null; messageId: string | null };
  flags?: { mailClass: string; reasons?: string[] } & Record<string, unknown>;
  automatic?: { automatic: boolean; reason: string | null };
  thread?: { kind: 'new' | 'existing'; ticketNumber?: number; via?: string; refused?: unknown };
  forwardingAddress?: string | null;
  plan?: { kind: string; notify?: string[]; newStatus?: string | null; reason?: string };
  rules?: {
    matched: Array<{ ruleId: number; name: string }>;
    priority?: string;
    status?: string;
    tags: string[];
    category?: string;
    assigneeId?: number;
    addRecipients: string[];
    skipNotifications: boolean;
    trace: string[];
  } | null;
  addedRecipients?: Array<{ address?: string; name?: string }>;
  notifications?: string[];
}

export const AUTOMATIC_KINDS = [
  'auto-reply',
  'out-of-office',
  'bounce',
  'read-receipt',
  'list',
  'own-mail',
  'automatic',
] as const;
export type AutomaticKind = (typeof AUTOMATIC_KINDS)[number];

export interface Stats {
  days: string[];
  ticketsByMailbox: Array<{ mailboxId: number | null; name: string | null; counts: number[]; total: number }>;
  automatic: Record<AutomaticKind, number[]>;
  loopsStopped: number[];
  totals: { tickets: number; automatic: number; loopsStopped: number };
}

/** A refusal as the admin shows it: one message, and the part of it that belongs to each named field. */
export interface ServerProblem {
  message: string;
  status?: number;
  fields: Record<string, string>;
}

interface ErrorBody {
  message?: string;
  status?: number;
  details?: {
    field?: string;
    errors?: Array<{ field: string; message: string }>;
    problems?: string[];
  };
}

/**
 * Reads a failed request of `useFetchClient` (a FetchError carrying the JSON body). The plugin's messages start with
 * the field they are about (`port: must be a whole number…`); `details` names it for sure.
 */
export function readServerError(error: unknown): ServerProblem {
  const failure = error as { message?: string; status?: number; response?: { data?: { error?: ErrorBody } } };
  const body = failure?.response?.data?.error;
  const message = body?.message ?? failure?.message ?? String(error);
  const fields: Record<string, string> = {};
  const strip = (field: string, text: string) =>
    text.startsWith(`${field}: `) ? text.slice(field.length + 2) : text;
  if (body?.details?.field) fields[body.details.field] = strip(body.details.field, message);
  for (const item of body?.details?.errors ?? []) {
    fields[item.field] = fields[item.field] ? `${fields[item.field]}; ${item.message}` : item.message;
  }
  for (const problem of body?.details?.problems ?? []) {
    const match = /^(subject|body): (.*)$/s.exec(problem);
    const field = match ? match[1] : 'template';
    const text = match ? match[2] : problem;
    fields[field] = fields[field] ? `${fields[field]}; ${text}` : text;
  }
  return { message, status: body?.status ?? failure?.status, fields };
}

export function splitLines(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}
