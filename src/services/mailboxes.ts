/**
 * Mailboxes as the admin sees them. The password is encrypted before it is stored and never leaves this service:
 * answers carry `hasPassword` instead.
 */
import type { Core } from '@strapi/strapi';
import type { ConnectionTest, MailboxAnswer, MailboxRunState } from '../../contracts/api';
import { createSecretBox, MissingEncryptionKeyError } from '../crypto/secrets';
import { InputError, NotFoundError } from '../errors';
import { describeImapFailure, testImapConnection, type ImapSettings } from '../ingest/imap-source';
import {
  DEFAULT_NOTIFICATIONS,
  parseConnectionTestInput,
  parseMailboxInput,
  type MailboxInput,
} from '../schemas/mailbox';
import { verpAddress } from '../mail/bounce/verp';
import type { SmtpSettings } from '../outbound/mailer';
import { UID } from '../uids';
import { pluginConfig } from '../plugin-config';
import { pluginService } from './registry';

export interface MailboxRow extends Omit<MailboxInput, 'password' | 'smtpPassword'>, MailboxRunState {
  id: number;
  password: string | null;
  smtpPassword: string | null;
  cursorUidValidity: string | number | null;
  cursorLastUid: string | number | null;
}

export type MailboxView = Omit<
  MailboxRow,
  'password' | 'smtpPassword' | 'cursorUidValidity' | 'cursorLastUid'
> & {
  hasPassword: boolean;
  hasSmtpPassword: boolean;
  cursor: { uidValidity: string | null; lastUid: number };
};

/** The answer of every mailbox route; typed with the admin's MailboxAnswer too, so the two cannot drift. */
export function toMailboxView(row: MailboxRow): MailboxView {
  const { password, smtpPassword, cursorUidValidity, cursorLastUid, ...rest } = row;
  const view: MailboxView = {
    ...rest,
    notifications: { ...DEFAULT_NOTIFICATIONS, ...(rest.notifications ?? {}) },
    agentAddresses: rest.agentAddresses ?? [],
    agentRoleIds: rest.agentRoleIds ?? [],
    hasPassword: Boolean(password),
    hasSmtpPassword: Boolean(smtpPassword),
    cursor: {
      uidValidity:
        cursorUidValidity === null || cursorUidValidity === undefined ? null : String(cursorUidValidity),
      lastUid: Number(cursorLastUid ?? 0),
    },
  };
  return view satisfies MailboxAnswer;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const query = () => strapi.db.query(UID.mailbox as never);

  function secretBox() {
    return createSecretBox(pluginConfig(strapi).encryptionKey);
  }

  function encryptPassword(password: string): string {
    const box = secretBox();
    if (!box)
      throw new InputError(`password: ${new MissingEncryptionKeyError().message}`, { field: 'password' });
    return box.encrypt(password);
  }

  async function findRow(id: number): Promise<MailboxRow> {
    const row = (await query().findOne({ where: { id } })) as MailboxRow | null;
    if (!row) throw new NotFoundError(`Mailbox #${id} does not exist`);
    return row;
  }

  function imapSettings(
    row: Pick<MailboxRow, 'host' | 'port' | 'security' | 'username' | 'folder'>,
    password: string
  ): ImapSettings {
    return {
      host: row.host,
      port: row.port,
      security: row.security,
      username: row.username,
      password,
      folder: row.folder || 'INBOX',
      timeoutMs: pluginConfig(strapi).imapTimeoutMs,
    };
  }

  function decryptPassword(row: MailboxRow): string {
    if (!row.password) throw new InputError(`Mailbox "${row.name}" has no password stored`);
    const box = secretBox();
    if (!box) throw new MissingEncryptionKeyError();
    return box.decrypt(row.password);
  }

  function rescheduleSoon() {
    // Lazily resolved: the importer service owns the scheduler, the push service the IDLE watchers.
    void pluginService(strapi, 'importer').syncSchedules();
    void pluginService(strapi, 'push').syncFromDatabase();
  }

  return {
    async list(): Promise<MailboxView[]> {
      const rows = (await query().findMany({ orderBy: { id: 'asc' } })) as MailboxRow[];
      return rows.map(toMailboxView);
    },

    async get(id: number): Promise<MailboxView> {
      return toMailboxView(await findRow(id));
    },

    /** Internal: the row with its encrypted password, for the importer. */
    findRow,

    /** Internal: decrypted IMAP settings for a stored mailbox. */
    async connectionSettings(id: number): Promise<ImapSettings> {
      const row = await findRow(id);
      return imapSettings(row, decryptPassword(row));
    },

    /** Internal: decrypted SMTP settings, or null when the mailbox sends no mail. */
    /**
     * How a mailbox sends: its SMTP transport settings, and the envelope sender for a mail (VERP: the mailbox
     * address with `+b<token>`, so a bounce names the mail it is about; the plain address when VERP is off).
     */
    async deliveryProfile(
      id: number,
      verpToken: string | null
    ): Promise<{ smtp: SmtpSettings; envelopeFrom: string } | null> {
      const row = await findRow(id);
      if (!row.smtpHost || !row.smtpPort || !row.address) return null;
      const box = secretBox();
      if (row.smtpPassword && !box) throw new MissingEncryptionKeyError();
      const at = row.address.lastIndexOf('@');
      const envelopeFrom =
        verpToken && row.verpBounces !== false
          ? verpAddress(row.address.slice(0, at), row.address.slice(at + 1), verpToken)
          : row.address;
      return {
        smtp: {
          host: row.smtpHost,
          port: row.smtpPort,
          security: row.smtpSecurity,
          username: row.smtpUsername,
          password: row.smtpPassword ? box!.decrypt(row.smtpPassword) : null,
          timeoutMs: pluginConfig(strapi).imapTimeoutMs,
        },
        envelopeFrom,
      };
    },

    async create(body: unknown): Promise<MailboxView> {
      const input = parseMailboxInput(body, { schedule: pluginConfig(strapi).defaultSchedule });
      const { password, smtpPassword, ...fields } = input;
      const row = (await query().create({
        data: {
          ...fields,
          password: encryptPassword(password!),
          smtpPassword: smtpPassword ? encryptPassword(smtpPassword) : null,
          consecutiveFailures: 0,
        },
      })) as MailboxRow;
      rescheduleSoon();
      return toMailboxView(row);
    },

    async resumeAutoMail(id: number): Promise<MailboxView> {
      await findRow(id);
      await query().updateMany({
        where: { id },
        data: { autoMailPausedAt: null, autoMailPausedReason: null },
      });
      return toMailboxView(await findRow(id));
    },

    async update(id: number, body: unknown): Promise<MailboxView> {
      const existing = await findRow(id);
      const input = parseMailboxInput(body, { schedule: pluginConfig(strapi).defaultSchedule }, existing);
      const { password, smtpPassword, ...fields } = input;
      const data: Record<string, unknown> = { ...fields };
      if (password !== undefined) data.password = encryptPassword(password);
      if (smtpPassword === null) data.smtpPassword = null;
      else if (smtpPassword !== undefined) data.smtpPassword = encryptPassword(smtpPassword);
      // A changed server, account or folder is a different mail store: its UIDs mean nothing against the old cursor.
      const sameStore =
        existing.host === fields.host &&
        existing.username === fields.username &&
        existing.folder === fields.folder;
      if (!sameStore) Object.assign(data, { cursorUidValidity: null, cursorLastUid: null });
      if (fields.enabled && !existing.enabled)
        Object.assign(data, { consecutiveFailures: 0, nextAttemptAt: null });
      const row = (await query().update({ where: { id }, data })) as MailboxRow;
      rescheduleSoon();
      return toMailboxView(row);
    },

    async remove(id: number): Promise<{ id: number }> {
      await findRow(id);
      await query().delete({ where: { id } });
      rescheduleSoon();
      return { id };
    },

    /**
     * Login and folder check, from the connection fields alone. `body` may describe unsaved settings (the create
     * form); with `id` the stored mailbox is used, and fields in `body` override it (a password left empty keeps the
     * stored one).
     */
    async testConnection(id: number | null, body: unknown): Promise<ConnectionTest> {
      const existing = id === null ? undefined : await findRow(id);
      const input = parseConnectionTestInput(body ?? {}, existing);
      const password = input.password ?? (existing ? decryptPassword(existing) : '');
      const settings = imapSettings(input, password);
      try {
        const result = await testImapConnection(settings);
        return { ok: true, ...result };
      } catch (error) {
        const failure = describeImapFailure(error, settings);
        return { ok: false, kind: failure.kind, message: failure.message };
      }
    },
  };
};
