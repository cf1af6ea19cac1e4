/**
 * The mailbox form's state: text as typed (ports, lists one per line), turned into the API's body on save. Passwords
 * are write-only: empty means "keep the stored one". Choices and on/off switches are taken as they are, with their
 * defaults from contracts/mailbox.ts, so a new one needs no line here.
 */
import {
  DEFAULT_NOTIFICATIONS,
  MAILBOX_CHOICES,
  MAILBOX_FLAGS,
  mailboxChoiceAndFlagDefaults,
  type AllowedSendersSetting,
  type MailboxChoice,
  type MailboxChoiceValues,
  type MailboxFlag,
  type MailboxFlagValues,
  type NotificationSwitches,
} from '../../../../contracts/mailbox';
import { splitLines, type Mailbox } from '../api';
import type { SetField } from '../hooks/useDraft';

/** The settings typed as text here; choices and switches (MailboxChoiceValues, MailboxFlagValues) as they are. */
export interface MailboxDraft extends MailboxChoiceValues, MailboxFlagValues {
  name: string;
  address: string;
  fromName: string;
  host: string;
  port: string;
  username: string;
  password: string;
  folder: string;
  moveToFolder: string;
  schedule: string;
  smtpHost: string;
  smtpPort: string;
  smtpUsername: string;
  smtpPassword: string;
  removeSmtpPassword: boolean;
  notifications: NotificationSwitches;
  agentAddresses: string;
  agentRoleIds: string[];
  sendersMode: AllowedSendersSetting['mode'];
  senderAddresses: string;
  senderDomains: string;
  forwardingAddresses: string;
  unmonitoredHelpText: string;
  trustedAuthservIds: string;
}

export type SetDraft = SetField<MailboxDraft>;

/** A choice's options for a SelectField, in the contract's order; `labels` must name every value (or it fails to compile). */
export function choiceOptions<K extends MailboxChoice>(
  field: K,
  labels: Record<MailboxChoiceValues[K], string>
): Array<{ value: MailboxChoiceValues[K]; label: string }> {
  return MAILBOX_CHOICES[field].values.map((value) => ({
    value: value as MailboxChoiceValues[K],
    label: labels[value as MailboxChoiceValues[K]],
  }));
}

/** A stored mailbox's choices and switches; a row stored before a setting existed holds null, read as its default. */
function choicesAndFlags(mailbox: Mailbox): MailboxChoiceValues & MailboxFlagValues {
  const values: Record<string, unknown> = mailboxChoiceAndFlagDefaults();
  for (const key of Object.keys(MAILBOX_CHOICES) as MailboxChoice[])
    values[key] = mailbox[key] ?? values[key];
  for (const key of Object.keys(MAILBOX_FLAGS) as MailboxFlag[]) values[key] = mailbox[key] ?? values[key];
  return values as MailboxChoiceValues & MailboxFlagValues;
}

/** The choices and switches of a draft, for the API's body. */
function choicesAndFlagsBody(draft: MailboxDraft): MailboxChoiceValues & MailboxFlagValues {
  const body: Record<string, unknown> = {};
  for (const key of [...Object.keys(MAILBOX_CHOICES), ...Object.keys(MAILBOX_FLAGS)]) {
    body[key] = draft[key as MailboxChoice | MailboxFlag];
  }
  return body as MailboxChoiceValues & MailboxFlagValues;
}

export function emptyDraft(): MailboxDraft {
  return {
    ...mailboxChoiceAndFlagDefaults(),
    name: '',
    address: '',
    fromName: '',
    host: '',
    port: '993',
    username: '',
    password: '',
    folder: 'INBOX',
    moveToFolder: '',
    schedule: '',
    smtpHost: '',
    smtpPort: '',
    smtpUsername: '',
    smtpPassword: '',
    removeSmtpPassword: false,
    notifications: { ...DEFAULT_NOTIFICATIONS },
    agentAddresses: '',
    agentRoleIds: [],
    sendersMode: 'anyone',
    senderAddresses: '',
    senderDomains: '',
    forwardingAddresses: '',
    unmonitoredHelpText: '',
    trustedAuthservIds: '',
  };
}

export function draftFromMailbox(mailbox: Mailbox): MailboxDraft {
  const senders = mailbox.allowedSenders ?? { mode: 'anyone' };
  return {
    ...choicesAndFlags(mailbox),
    name: mailbox.name ?? '',
    address: mailbox.address ?? '',
    fromName: mailbox.fromName ?? '',
    host: mailbox.host ?? '',
    port: mailbox.port ? String(mailbox.port) : '',
    username: mailbox.username ?? '',
    password: '',
    folder: mailbox.folder ?? 'INBOX',
    moveToFolder: mailbox.moveToFolder ?? '',
    schedule: mailbox.schedule ?? '',
    smtpHost: mailbox.smtpHost ?? '',
    smtpPort: mailbox.smtpPort ? String(mailbox.smtpPort) : '',
    smtpUsername: mailbox.smtpUsername ?? '',
    smtpPassword: '',
    removeSmtpPassword: false,
    notifications: { ...DEFAULT_NOTIFICATIONS, ...(mailbox.notifications ?? {}) },
    agentAddresses: (mailbox.agentAddresses ?? []).join('\n'),
    agentRoleIds: (mailbox.agentRoleIds ?? []).map(String),
    sendersMode: senders.mode,
    senderAddresses: senders.mode === 'listed' ? senders.addresses.join('\n') : '',
    senderDomains: senders.mode === 'listed' ? senders.domains.join('\n') : '',
    forwardingAddresses: (mailbox.forwardingAddresses ?? []).join('\n'),
    unmonitoredHelpText: mailbox.unmonitoredHelpText ?? '',
    trustedAuthservIds: (mailbox.trustedAuthservIds ?? []).join('\n'),
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
    ...choicesAndFlagsBody(draft),
    name: draft.name.trim(),
    address: orNull(draft.address),
    fromName: orNull(draft.fromName),
    host: draft.host.trim(),
    port: portOrText(draft.port),
    username: draft.username.trim(),
    folder: orNull(draft.folder),
    moveToFolder: draft.afterImport === 'move' ? orNull(draft.moveToFolder) : null,
    schedule: orNull(draft.schedule),
    smtpHost: orNull(draft.smtpHost),
    smtpPort: draft.smtpPort.trim() === '' ? null : portOrText(draft.smtpPort),
    smtpUsername: orNull(draft.smtpUsername),
    notifications: { ...draft.notifications },
    agentAddresses: splitLines(draft.agentAddresses),
    agentRoleIds: draft.agentRoleIds.map(Number).filter((id) => Number.isInteger(id) && id > 0),
    allowedSenders: allowedSendersBody(draft),
    forwardingAddresses: splitLines(draft.forwardingAddresses),
    unmonitoredHelpText: orNull(draft.unmonitoredHelpText),
    trustedAuthservIds: splitLines(draft.trustedAuthservIds),
  };
  if (draft.password !== '') body.password = draft.password;
  if (draft.smtpPassword !== '') body.smtpPassword = draft.smtpPassword;
  else if (options.existing && draft.removeSmtpPassword) body.smtpPassword = '';
  return body;
}
