/**
 * The mailbox form's state: text as typed (ports, lists one per line), turned into the API's body on save. Passwords
 * are write-only: empty means "keep the stored one".
 */
import {
  NOTIFICATION_SWITCHES,
  splitLines,
  type AfterImport,
  type AllowedMail,
  type Mailbox,
  type NotificationSwitch,
  type Security,
} from '../api';
import type { SetField } from '../hooks/useDraft';

export interface MailboxDraft {
  name: string;
  address: string;
  fromName: string;
  host: string;
  port: string;
  security: Security;
  username: string;
  password: string;
  folder: string;
  afterImport: AfterImport;
  moveToFolder: string;
  schedule: string;
  enabled: boolean;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: Security;
  smtpUsername: string;
  smtpPassword: string;
  removeSmtpPassword: boolean;
  notifications: Record<NotificationSwitch, boolean>;
  agentAddresses: string;
  agentRoleIds: string[];
  closedTicketReplies: 'reopen' | 'new-ticket';
  allowedMail: AllowedMail;
  sendersMode: 'anyone' | 'listed' | 'registered';
  senderAddresses: string;
  senderDomains: string;
  contentPreference: 'html' | 'text';
  ccImport: boolean;
  forwardingAddresses: string;
  unmonitored: boolean;
  unmonitoredHelpText: string;
  verpBounces: boolean;
  trustedAuthservIds: string;
  unauthenticatedAnswers: 'suppress' | 'rate-limit-hard';
}

export type SetDraft = SetField<MailboxDraft>;

const DEFAULT_NOTIFICATIONS: Record<NotificationSwitch, boolean> = {
  ticketAcknowledgement: true,
  agentReply: true,
  ticketResolved: true,
  ticketClosed: true,
  agentNewTicket: true,
  agentCustomerReply: true,
  refusedMail: false,
};

export function emptyDraft(): MailboxDraft {
  return {
    name: '',
    address: '',
    fromName: '',
    host: '',
    port: '993',
    security: 'tls',
    username: '',
    password: '',
    folder: 'INBOX',
    afterImport: 'mark-seen',
    moveToFolder: '',
    schedule: '',
    enabled: true,
    smtpHost: '',
    smtpPort: '',
    smtpSecurity: 'starttls',
    smtpUsername: '',
    smtpPassword: '',
    removeSmtpPassword: false,
    notifications: { ...DEFAULT_NOTIFICATIONS },
    agentAddresses: '',
    agentRoleIds: [],
    closedTicketReplies: 'reopen',
    allowedMail: 'new-and-replies',
    sendersMode: 'anyone',
    senderAddresses: '',
    senderDomains: '',
    contentPreference: 'html',
    ccImport: true,
    forwardingAddresses: '',
    unmonitored: false,
    unmonitoredHelpText: '',
    verpBounces: true,
    trustedAuthservIds: '',
    unauthenticatedAnswers: 'suppress',
  };
}

export function draftFromMailbox(mailbox: Mailbox): MailboxDraft {
  const senders = mailbox.allowedSenders ?? { mode: 'anyone' };
  return {
    name: mailbox.name ?? '',
    address: mailbox.address ?? '',
    fromName: mailbox.fromName ?? '',
    host: mailbox.host ?? '',
    port: mailbox.port ? String(mailbox.port) : '',
    security: mailbox.security ?? 'tls',
    username: mailbox.username ?? '',
    password: '',
    folder: mailbox.folder ?? 'INBOX',
    afterImport: mailbox.afterImport ?? 'mark-seen',
    moveToFolder: mailbox.moveToFolder ?? '',
    schedule: mailbox.schedule ?? '',
    enabled: mailbox.enabled !== false,
    smtpHost: mailbox.smtpHost ?? '',
    smtpPort: mailbox.smtpPort ? String(mailbox.smtpPort) : '',
    smtpSecurity: mailbox.smtpSecurity ?? 'starttls',
    smtpUsername: mailbox.smtpUsername ?? '',
    smtpPassword: '',
    removeSmtpPassword: false,
    notifications: { ...DEFAULT_NOTIFICATIONS, ...(mailbox.notifications ?? {}) },
    agentAddresses: (mailbox.agentAddresses ?? []).join('\n'),
    agentRoleIds: (mailbox.agentRoleIds ?? []).map(String),
    closedTicketReplies: mailbox.closedTicketReplies ?? 'reopen',
    allowedMail: mailbox.allowedMail ?? 'new-and-replies',
    sendersMode: senders.mode,
    senderAddresses: senders.mode === 'listed' ? senders.addresses.join('\n') : '',
    senderDomains: senders.mode === 'listed' ? senders.domains.join('\n') : '',
    contentPreference: mailbox.contentPreference ?? 'html',
    ccImport: mailbox.ccImport !== false,
    forwardingAddresses: (mailbox.forwardingAddresses ?? []).join('\n'),
    unmonitored: mailbox.unmonitored === true,
    unmonitoredHelpText: mailbox.unmonitoredHelpText ?? '',
    verpBounces: mailbox.verpBounces !== false,
    trustedAuthservIds: (mailbox.trustedAuthservIds ?? []).join('\n'),
    unauthenticatedAnswers: mailbox.unauthenticatedAnswers ?? 'suppress',
  };
}

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());
const portOrText = (value: string) => (/^\d+$/.test(value.trim()) ? Number(value.trim()) : value.trim());

export function allowedSendersBody(draft: MailboxDraft) {
  if (draft.sendersMode !== 'listed') return { mode: draft.sendersMode };
  return {
    mode: 'listed' as const,
    addresses: splitLines(draft.senderAddresses),
    domains: splitLines(draft.senderDomains),
  };
}

/** Only the fields of the IMAP connection (and what the server needs to check them): the connection test. */
export function connectionBody(draft: MailboxDraft) {
  const body: Record<string, unknown> = {
    name: draft.name.trim() || draft.username.trim() || 'test',
    host: draft.host.trim(),
    port: portOrText(draft.port),
    security: draft.security,
    username: draft.username.trim(),
    folder: orNull(draft.folder),
  };
  if (draft.password !== '') body.password = draft.password;
  return body;
}

/** The whole mailbox as `POST /mailboxes` and `PUT /mailboxes/:id` take it. */
export function mailboxBody(draft: MailboxDraft, options: { existing: boolean }) {
  const body: Record<string, unknown> = {
    name: draft.name.trim(),
    address: orNull(draft.address),
    fromName: orNull(draft.fromName),
    host: draft.host.trim(),
    port: portOrText(draft.port),
    security: draft.security,
    username: draft.username.trim(),
    folder: orNull(draft.folder),
    afterImport: draft.afterImport,
    moveToFolder: draft.afterImport === 'move' ? orNull(draft.moveToFolder) : null,
    schedule: orNull(draft.schedule),
    enabled: draft.enabled,
    smtpHost: orNull(draft.smtpHost),
    smtpPort: draft.smtpPort.trim() === '' ? null : portOrText(draft.smtpPort),
    smtpSecurity: draft.smtpSecurity,
    smtpUsername: orNull(draft.smtpUsername),
    notifications: { ...draft.notifications },
    agentAddresses: splitLines(draft.agentAddresses),
    agentRoleIds: draft.agentRoleIds.map(Number).filter((id) => Number.isInteger(id) && id > 0),
    closedTicketReplies: draft.closedTicketReplies,
    allowedMail: draft.allowedMail,
    allowedSenders: allowedSendersBody(draft),
    contentPreference: draft.contentPreference,
    ccImport: draft.ccImport,
    forwardingAddresses: splitLines(draft.forwardingAddresses),
    unmonitored: draft.unmonitored,
    unmonitoredHelpText: orNull(draft.unmonitoredHelpText),
    verpBounces: draft.verpBounces,
    trustedAuthservIds: splitLines(draft.trustedAuthservIds),
    unauthenticatedAnswers: draft.unauthenticatedAnswers,
  };
  if (draft.password !== '') body.password = draft.password;
  if (draft.smtpPassword !== '') body.smtpPassword = draft.smtpPassword;
  else if (options.existing && draft.removeSmtpPassword) body.smtpPassword = '';
  return body;
}

export { NOTIFICATION_SWITCHES };
