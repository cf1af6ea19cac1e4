/**
 * What the admin may send to create or change a mailbox, checked before anything is stored. Each refusal names the
 * field and says what would be accepted.
 */
import cron from 'node-cron';
import { InputError } from '../errors';

export type Security = 'tls' | 'starttls' | 'none';
export type AfterImport = 'mark-seen' | 'move' | 'delete';

export interface MailboxInput {
  name: string;
  host: string;
  port: number;
  security: Security;
  username: string;
  /** Plain text as typed; encrypted before it is stored. Undefined on update means "keep the stored one". */
  password?: string;
  folder: string;
  afterImport: AfterImport;
  moveToFolder: string | null;
  schedule: string;
  enabled: boolean;
}

const SECURITIES: Security[] = ['tls', 'starttls', 'none'];
const AFTER_IMPORT: AfterImport[] = ['mark-seen', 'move', 'delete'];
const FIELDS = new Set([
  'name',
  'host',
  'port',
  'security',
  'username',
  'password',
  'folder',
  'afterImport',
  'moveToFolder',
  'schedule',
  'enabled',
]);

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

/**
 * `existing` is the stored mailbox when updating: fields left out keep their stored value, so a partial update
 * (e.g. only `enabled`) is accepted.
 */
export function parseMailboxInput(
  body: unknown,
  defaults: { schedule: string },
  existing?: Omit<MailboxInput, 'password'>
): MailboxInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('The request body must be a JSON object describing the mailbox');
  }
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key)) fail(key, 'is not a mailbox setting');
  }
  const pick = <K extends keyof MailboxInput>(field: K): unknown =>
    field in input ? input[field] : existing?.[field as keyof typeof existing];
  const merged: Record<string, unknown> = {};
  for (const field of FIELDS) if (field !== 'password') merged[field] = pick(field as keyof MailboxInput);

  const name = text(merged, 'name', true)!;
  const host = text(merged, 'host', true)!;
  if (!/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/.test(host)) fail('host', 'must be a host name or IP address');
  const port = Number(merged.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    fail('port', 'must be a whole number from 1 to 65535');
  const security = (merged.security ?? 'tls') as Security;
  if (!SECURITIES.includes(security)) fail('security', `must be one of ${SECURITIES.join(', ')}`);
  const username = text(merged, 'username', true)!;
  const folder = text(merged, 'folder', false) ?? 'INBOX';
  const afterImport = (merged.afterImport ?? 'mark-seen') as AfterImport;
  if (!AFTER_IMPORT.includes(afterImport)) fail('afterImport', `must be one of ${AFTER_IMPORT.join(', ')}`);
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
  const enabled = merged.enabled === undefined ? true : merged.enabled;
  if (typeof enabled !== 'boolean') fail('enabled', 'must be true or false');

  let password: string | undefined;
  if (
    'password' in input &&
    input.password !== undefined &&
    input.password !== null &&
    input.password !== ''
  ) {
    if (typeof input.password !== 'string') fail('password', 'must be text');
    if (input.password.length > 1024) fail('password', 'is too long');
    password = input.password;
  } else if (!existing) {
    fail('password', 'is required');
  }

  return {
    name,
    host,
    port,
    security,
    username,
    password,
    folder,
    afterImport,
    moveToFolder,
    schedule,
    enabled,
  };
}
