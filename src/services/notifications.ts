/**
 * Loads what `planNotifications` needs (ticket, mailbox, agents, templates, secret) and queues the planned mails in
 * the outbox. Call `notify` inside the transaction of the change that causes the event: the mails are committed
 * with it, or not at all.
 */
import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { planNotifications, planRefusalAnswer, type TriggerMessage } from '../outbound/notify';
import type { NotificationEvent, Template } from '../outbound/templates';
import { DEFAULT_NOTIFICATIONS, type NotificationSwitches } from '../schemas/mailbox';
import type { MailAddress } from '../mail/types';
import { UID } from '../uids';
import { pluginConfig } from './plugin-config';

export interface NotificationTicketRow {
  id: number;
  number: number;
  subject: string | null;
  status: string;
  priority: string;
  requesterEmail: string | null;
  requesterName: string | null;
  cc: MailAddress[] | null;
  language: string | null;
  /** The forwarding address the ticket came in through: its notifications are sent from there. */
  forwardingAddress: string | null;
  mailbox: { id: number } | null;
}

export interface NotificationMailboxRow {
  id: number;
  name: string;
  address: string | null;
  fromName: string | null;
  smtpHost: string | null;
  notifications: Partial<NotificationSwitches> | null;
  agentAddresses: string[] | null;
  agentRoleIds: number[] | null;
}

/** The mailbox fields notifications need; the importer reads the same ones once per run. */
export const NOTIFICATION_MAILBOX_FIELDS = [
  'id',
  'name',
  'address',
  'fromName',
  'smtpHost',
  'notifications',
  'agentAddresses',
  'agentRoleIds',
] as const;

export interface NotifyOptions {
  /** The ticket's mailbox when the caller has it already (the importer does), saving a read per mail. */
  mailbox?: NotificationMailboxRow;
  message?: TriggerMessage | null;
  agentName?: string;
  /** The mailbox's agents and our own addresses when the caller has them already (the importer's context). */
  agents?: string[];
  ownAddresses?: string[];
  /** Addresses that must not get this mail (e.g. the agent whose reply causes it). */
  exclude?: string[];
}

/** The reply-token secret: configured, or derived from the encryption key so one secret is enough to set. */
export function replySecretOf(config: { replySecret?: string; encryptionKey?: string }): string | null {
  if (config.replySecret) return config.replySecret;
  if (!config.encryptionKey) return null;
  return crypto
    .createHmac('sha256', config.encryptionKey)
    .update('email-piping reply tokens v1')
    .digest('hex');
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const query = (uid: string) => strapi.db.query(uid as never);

  async function mailboxOf(id: number): Promise<NotificationMailboxRow | null> {
    return (await query(UID.mailbox).findOne({
      select: [...NOTIFICATION_MAILBOX_FIELDS],
      where: { id },
    })) as NotificationMailboxRow | null;
  }

  /** The mailbox's agents: its configured addresses plus the active admin users holding one of its agent roles. */
  async function agentsOf(
    mailbox: Pick<NotificationMailboxRow, 'agentAddresses' | 'agentRoleIds'>
  ): Promise<string[]> {
    const addresses = new Set((mailbox.agentAddresses ?? []).map((address) => address.toLowerCase()));
    if ((mailbox.agentRoleIds ?? []).length > 0) {
      const users = (await query('admin::user').findMany({
        select: ['email'],
        where: { isActive: true, blocked: { $ne: true }, roles: { id: { $in: mailbox.agentRoleIds } } },
      })) as Array<{ email: string }>;
      for (const user of users) addresses.add(user.email.toLowerCase());
    }
    return [...addresses];
  }

  /** Every address that is ours: mailbox addresses, and IMAP logins that are addresses (they usually are). */
  async function ownAddresses(): Promise<string[]> {
    const rows = (await query(UID.mailbox).findMany({ select: ['address', 'username'] })) as Array<{
      address: string | null;
      username: string | null;
    }>;
    const own = new Set<string>();
    for (const row of rows) {
      for (const value of [row.address, row.username]) {
        if (value && /^[^\s@]+@[^\s@]+$/.test(value)) own.add(value.toLowerCase());
      }
    }
    return [...own];
  }

  async function siteTemplates(): Promise<Template[]> {
    return (await query(UID.template).findMany({
      select: ['event', 'language', 'subject', 'body'],
      orderBy: [{ id: 'asc' }],
    })) as Template[];
  }

  function instanceId(secret: string | null): string {
    return crypto
      .createHash('sha256')
      .update(secret ?? 'unsigned')
      .digest('hex')
      .slice(0, 16);
  }

  return {
    agentsOf,
    ownAddresses,

    secret(): string | null {
      return replySecretOf(pluginConfig(strapi));
    },

    loopHeaderValue(): string {
      return instanceId(replySecretOf(pluginConfig(strapi)));
    },

    /**
     * Answers refused mail once per sender per `refusedMailAnswerHours`, if the mailbox asks for it; never automatic
     * mail (the caller checks). Call inside the import transaction. Answers whether a mail was queued.
     */
    async answerRefusal(
      mailbox: NotificationMailboxRow,
      refused: {
        sender: string;
        senderName: string;
        reason: string;
        languages: string[];
        messageId: string | null;
        references: string[];
      }
    ): Promise<boolean> {
      if (!mailbox.address || !mailbox.smtpHost) return false;
      const config = pluginConfig(strapi);
      const since = new Date(Date.now() - config.refusedMailAnswerHours * 3600 * 1000);
      const recent = await query(UID.outbox).count({
        where: {
          event: 'mail-refused',
          recipient: refused.sender,
          mailboxId: mailbox.id,
          createdAt: { $gte: since },
        },
      });
      if (recent > 0) return false;
      const secret = replySecretOf(config);
      const planned = planRefusalAnswer({
        mailbox: {
          id: mailbox.id,
          name: mailbox.name,
          address: mailbox.address,
          fromName: mailbox.fromName,
          notifications: { ...DEFAULT_NOTIFICATIONS, ...(mailbox.notifications ?? {}) },
        },
        recipient: refused.sender,
        recipientName: refused.senderName,
        reason: refused.reason,
        languages: refused.languages,
        templates: await siteTemplates(),
        siteName: config.siteName,
        inReplyTo: refused.messageId,
        references: refused.references,
        instanceId: instanceId(secret),
      });
      if (!planned) return false;
      await strapi.plugin('email-piping').service('outbox').enqueue([planned]);
      return true;
    },

    /** Queues the mails an event causes; answers how many. No SMTP settings on the mailbox: nothing is queued. */
    async notify(event: NotificationEvent, ticketId: number, options: NotifyOptions = {}): Promise<number> {
      const ticket = (await query(UID.ticket).findOne({
        where: { id: ticketId },
        populate: options.mailbox ? undefined : { mailbox: { select: ['id'] } },
      })) as NotificationTicketRow | null;
      if (!ticket) return 0;
      const mailbox = options.mailbox ?? (ticket.mailbox ? await mailboxOf(ticket.mailbox.id) : null);
      if (!mailbox?.address || !mailbox.smtpHost) return 0;
      const config = pluginConfig(strapi);
      const secret = replySecretOf(config);
      const planned = planNotifications({
        event,
        ticket: {
          id: ticket.id,
          number: ticket.number,
          subject: ticket.subject ?? '',
          status: ticket.status,
          priority: ticket.priority,
          requesterEmail: ticket.requesterEmail,
          requesterName: ticket.requesterName,
          cc: ticket.cc ?? [],
          languages: (ticket.language ?? '').split(',').filter(Boolean),
        },
        mailbox: {
          id: mailbox.id,
          name: mailbox.name,
          // sales@ forwarded into support@: the customer wrote to sales@, so sales@ answers.
          address: ticket.forwardingAddress ?? mailbox.address,
          fromName: mailbox.fromName,
          notifications: { ...DEFAULT_NOTIFICATIONS, ...(mailbox.notifications ?? {}) },
        },
        message: options.message ?? null,
        agents: options.agents ?? (await agentsOf(mailbox)),
        agentName: options.agentName,
        templates: await siteTemplates(),
        secret,
        siteName: config.siteName,
        adminUrl: config.adminUrl ?? null,
        exclude: [...(options.ownAddresses ?? (await ownAddresses())), ...(options.exclude ?? [])],
        instanceId: instanceId(secret),
      });
      await strapi.plugin('email-piping').service('outbox').enqueue(planned);
      return planned.length;
    },
  };
};
