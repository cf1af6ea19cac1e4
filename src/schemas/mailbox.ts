/**
 * What the admin may send to create or change a mailbox, checked before anything is stored. Each refusal names the
 * field and says what would be accepted.
 */
import cron from 'node-cron';
import { InputError } from '../errors';

import {
  DEFAULT_NOTIFICATIONS,
  MAILBOX_CHOICES,
  MAILBOX_FLAGS,
  MAILBOX_SECRET_FIELDS,
  MAILBOX_SETTING_FIELDS,
  type AllowedSendersSetting,
  type MailboxChoice,
  type MailboxChoiceValues,
  type MailboxFlag,
  type MailboxSettings,
  type NotificationSwitches,
} from '../../contracts/mailbox';

export {
  DEFAULT_NOTIFICATIONS,
  UNAUTHENTICATED_ANSWERS,
  type AfterImport,
  type AllowedMailSetting,
  type AllowedSendersSetting,
  type ClosedTicketReplies,
  type ContentPreference,
  type NotificationSwitches,
  type Security,
  type UnauthenticatedAnswers,
} from '../../contracts/mailbox';

export interface MailboxInput extends MailboxSettings {
  /** Plain text as typed; encrypted before it is stored. Undefined on update means "keep the stored one". */
  password?: string;
  /** Like `password`: undefined keeps the stored one, empty string on update removes it. */
  smtpPassword?: string | null;
}

const DOMAIN = /^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const STORED_FIELDS = MAILBOX_SETTING_FIELDS;
const FIELDS = new Set<string>([...STORED_FIELDS, ...MAILBOX_SECRET_FIELDS]);
const EMAIL = /^[^\s@<>()[\],;:"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

export type StoredMailboxFields = Omit<MailboxInput, 'password' | 'smtpPassword'>;

function fail(field: string, message: string): never {
  throw new InputError(`${field}: ${message}`, { field });
}

function text(
  body: Record<string, unknown>,
  field: string,
  required: boolean,
  max = 255
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    if (required) fail(field, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') fail(field, 'must be text');
  const trimmed = value.trim();
  if (required && trimmed === '') fail(field, 'is required');
  if (trimmed.length > max) fail(field, `must be at most ${max} characters`);
  if (/[\r\n\0]/.test(trimmed)) fail(field, 'must not contain line breaks');
  return trimmed;
}

/** Text that may span lines (shown in a mail body), without NUL, bounded. */
function multilineText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') fail(field, 'must be text');
  const trimmed = value.trim();
  if (trimmed.length > max) fail(field, `must be at most ${max} characters`);
  if (trimmed.includes('\0')) fail(field, 'must not contain NUL characters');
  return trimmed || null;
}

function hostName(value: string, field: string): string {
  if (!/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/.test(value)) fail(field, 'must be a host name or IP address');
  return value;
}

function portNumber(value: unknown, field: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    fail(field, 'must be a whole number from 1 to 65535');
  return port;
}

/** A setting that is one of a list (MAILBOX_CHOICES): its value, or its default when the body leaves it out. */
function choice<K extends MailboxChoice>(merged: Record<string, unknown>, field: K): MailboxChoiceValues[K] {
  const { values, default: fallback } = MAILBOX_CHOICES[field];
  const chosen = (merged[field] ?? fallback) as MailboxChoiceValues[K];
  if (!(values as readonly string[]).includes(chosen)) fail(field, `must be one of ${values.join(', ')}`);
  return chosen;
}

function secret(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') fail(field, 'must be text');
  if (value.length > 1024) fail(field, 'is too long');
  return value;
}

function emailAddress(value: string | undefined, field: string): string | null {
  if (value === undefined) return null;
  if (!EMAIL.test(value)) fail(field, `"${value}" is not an email address`);
  return value.toLowerCase();
}

function notificationSwitches(value: unknown): NotificationSwitches {
  if (value === undefined || value === null) return { ...DEFAULT_NOTIFICATIONS };
  if (typeof value !== 'object' || Array.isArray(value))
    fail('notifications', 'must be an object of on/off switches');
  const switches = { ...DEFAULT_NOTIFICATIONS };
  for (const [key, on] of Object.entries(value as Record<string, unknown>)) {
    if (!(key in DEFAULT_NOTIFICATIONS)) {
      fail(
        'notifications',
        `"${key}" is not a notification (one of ${Object.keys(DEFAULT_NOTIFICATIONS).join(', ')})`
      );
    }
    if (typeof on !== 'boolean') fail('notifications', `"${key}" must be true or false`);
    switches[key as keyof NotificationSwitches] = on;
  }
  return switches;
}

function addressList(value: unknown, field = 'agentAddresses'): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(field, 'must be a list of email addresses');
  const addresses = value.map((item) => {
    if (typeof item !== 'string') fail(field, 'must be a list of email addresses');
    return emailAddress(item.trim(), field)!;
  });
  return [...new Set(addresses)];
}

function allowedSenders(value: unknown): AllowedSendersSetting {
  if (value === undefined || value === null) return { mode: 'anyone' };
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail('allowedSenders', 'must be an object such as {"mode": "anyone"}');
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!['mode', 'addresses', 'domains'].includes(key)) fail('allowedSenders', `"${key}" is not a setting`);
  }
  if (input.mode === 'anyone' || input.mode === 'registered') return { mode: input.mode };
  if (input.mode !== 'listed') fail('allowedSenders', 'mode must be one of anyone, listed, registered');
  const addresses = addressList(input.addresses, 'allowedSenders.addresses');
  if (input.domains !== undefined && !Array.isArray(input.domains)) {
    fail('allowedSenders.domains', 'must be a list of domains');
  }
  const domains = ((input.domains as unknown[] | undefined) ?? []).map((domain) => {
    if (typeof domain !== 'string' || !DOMAIN.test(domain.trim())) {
      fail(
        'allowedSenders.domains',
        `"${String(domain)}" is not a domain (example.com, or *.example.com for subdomains)`
      );
    }
    return domain.trim().toLowerCase();
  });
  if (addresses.length === 0 && domains.length === 0) {
    fail('allowedSenders', 'a "listed" mode needs at least one address or domain');
  }
  return { mode: 'listed', addresses, domains };
}

/** An authserv-id is a host name in practice (RFC 8601 §2.5 recommends the server's FQDN). */
const AUTHSERV_ID = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?$/;
const MAX_AUTHSERV_IDS = 20;

function authservIds(value: unknown): string[] {
  const field = 'trustedAuthservIds';
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(field, 'must be a list of host names (e.g. ["mx.google.com"])');
  if (value.length > MAX_AUTHSERV_IDS) fail(field, `must list at most ${MAX_AUTHSERV_IDS} servers`);
  const ids = value.map((item) => {
    const id = typeof item === 'string' ? item.trim().toLowerCase().replace(/\.$/, '') : '';
    if (!id || id.length > 253 || !AUTHSERV_ID.test(id)) {
      fail(
        field,
        `"${String(item)}" is not a host name; use the first word of the Authentication-Results header your own mail server adds (e.g. mx.google.com)`
      );
    }
    return id;
  });
  return [...new Set(ids)];
}

/** An on/off setting (MAILBOX_FLAGS): true or false, or its default when the body leaves it out. */
function flag(merged: Record<string, unknown>, field: MailboxFlag): boolean {
  const value = merged[field];
  if (value === undefined || value === null) return MAILBOX_FLAGS[field];
  if (typeof value !== 'boolean') fail(field, 'must be true or false');
  return value;
}

function roleIds(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((id) => Number.isInteger(id) && id > 0)) {
    fail('agentRoleIds', 'must be a list of admin role ids');
  }
  return [...new Set(value as number[])];
}

/** The settings with a shape of their own (lists, objects), each checked by its function. */
const SHAPED = {
  notifications: notificationSwitches,
  agentAddresses: (value: unknown) => addressList(value),
  agentRoleIds: roleIds,
  allowedSenders,
  forwardingAddresses: (value: unknown) => addressList(value, 'forwardingAddresses'),
  trustedAuthservIds: authservIds,
} satisfies Partial<Record<keyof MailboxSettings, (value: unknown) => unknown>>;

/** What an IMAP login and folder check needs: the connection test takes these alone. */
export type ConnectionInput = Pick<
  MailboxInput,
  'host' | 'port' | 'security' | 'username' | 'password' | 'folder'
>;

/** The body as an object whose keys are all mailbox settings, merged over the stored mailbox's fields. */
function mailboxBody(
  body: unknown,
  existing: StoredMailboxFields | undefined
): { input: Record<string, unknown>; merged: Record<string, unknown> } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('The request body must be a JSON object describing the mailbox');
  }
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key)) fail(key, 'is not a mailbox setting');
  }
  const merged: Record<string, unknown> = {};
  for (const field of STORED_FIELDS) merged[field] = field in input ? input[field] : existing?.[field];
  return { input, merged };
}

/** The connection fields; a new mailbox (no `existing`) must bring its password, a stored one keeps its own. */
function connection(
  input: Record<string, unknown>,
  merged: Record<string, unknown>,
  existing: StoredMailboxFields | undefined
): ConnectionInput {
  const host = hostName(text(merged, 'host', true)!, 'host');
  const port = portNumber(merged.port, 'port');
  const security = choice(merged, 'security');
  const username = text(merged, 'username', true)!;
  const folder = text(merged, 'folder', false) ?? 'INBOX';
  const password = secret(input, 'password');
  if (password === undefined && !existing) fail('password', 'is required');
  return { host, port, security, username, password, folder };
}

/**
 * The connection test's body: only the connection fields are checked (a form may send the whole draft; the other
 * settings play no part in a login and are not validated here). With `existing` (testing a saved mailbox) fields
 * left out, the password included, are the stored ones.
 */
export function parseConnectionTestInput(body: unknown, existing?: StoredMailboxFields): ConnectionInput {
  const { input, merged } = mailboxBody(body, existing);
  return connection(input, merged, existing);
}

/**
 * `existing` is the stored mailbox when updating: fields left out keep their stored value, so a partial update
 * (e.g. only `enabled`) is accepted.
 */
export function parseMailboxInput(
  body: unknown,
  defaults: { schedule: string },
  existing?: StoredMailboxFields
): MailboxInput {
  const { input, merged } = mailboxBody(body, existing);
  const name = text(merged, 'name', true)!;
  const address = emailAddress(text(merged, 'address', false), 'address');
  const fromName = text(merged, 'fromName', false) ?? null;
  const { host, port, security, username, password, folder } = connection(input, merged, existing);
  const afterImport = choice(merged, 'afterImport');
  const moveToFolder = text(merged, 'moveToFolder', false) ?? null;
  if (afterImport === 'move' && !moveToFolder) fail('moveToFolder', 'is required when afterImport is "move"');
  if (afterImport === 'move' && moveToFolder === folder) {
    fail('moveToFolder', 'must differ from the folder mail is imported from');
  }
  const schedule = text(merged, 'schedule', false) ?? defaults.schedule;
  if (!cron.validate(schedule)) {
    fail(
      'schedule',
      `"${schedule}" is not a valid cron expression (example: "*/5 * * * *" for every five minutes)`
    );
  }
  const enabled = flag(merged, 'enabled');

  const smtpHostText = text(merged, 'smtpHost', false);
  const smtpHost = smtpHostText === undefined ? null : hostName(smtpHostText, 'smtpHost');
  const smtpPort =
    merged.smtpPort === undefined || merged.smtpPort === null || merged.smtpPort === ''
      ? null
      : portNumber(merged.smtpPort, 'smtpPort');
  const smtpSecurity = choice(merged, 'smtpSecurity');
  const smtpUsername = text(merged, 'smtpUsername', false) ?? null;
  if (smtpHost && !smtpPort) fail('smtpPort', 'is required when smtpHost is set');
  if (smtpHost && !address)
    fail('address', 'is required to send mail (it is the From address of notifications)');

  const unmonitored = flag(merged, 'unmonitored');
  const unmonitoredHelpText = multilineText(merged.unmonitoredHelpText, 'unmonitoredHelpText', 2000);
  if (unmonitored && !unmonitoredHelpText) {
    fail('unmonitoredHelpText', 'is required for an unmonitored mailbox: say where help is available');
  }

  // An explicit empty SMTP password on update removes the stored one (servers that relay without login).
  let smtpPassword: string | null | undefined = secret(input, 'smtpPassword');
  if (smtpPassword === undefined && 'smtpPassword' in input && existing) smtpPassword = null;

  const head = {
    name,
    address,
    fromName,
    host,
    port,
    security,
    username,
    folder,
    afterImport,
    moveToFolder,
    schedule,
    enabled,
    smtpHost,
    smtpPort,
    smtpSecurity,
    smtpUsername,
    unmonitored,
    unmonitoredHelpText,
  };
  // The other settings in MAILBOX_SETTING_FIELDS order: a shaped one by its own check, a choice or a switch by the
  // contract's values and default.
  const settings: Record<string, unknown> = { ...head };
  for (const field of STORED_FIELDS) {
    if (field in settings) continue;
    if (field in SHAPED) settings[field] = SHAPED[field as keyof typeof SHAPED](merged[field]);
    else if (field in MAILBOX_CHOICES) settings[field] = choice(merged, field as MailboxChoice);
    else if (field in MAILBOX_FLAGS) settings[field] = flag(merged, field as MailboxFlag);
    else throw new Error(`Mailbox setting ${field} has no check`);
  }
  return { ...(settings as unknown as MailboxSettings), password, smtpPassword };
}
