/**
 * Loads what `planNotifications` needs (ticket, mailbox, agents, templates, secret) and queues the planned mails in
 * the outbox. Call `notify` inside the transaction of the change that causes the event: the mails are committed
 * with it, or not at all.
 */
import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import {
  planNotifications,
  planOneTimeAnswer,
  type NotificationMailbox,
  type OneTimeAnswerKind,
  type TriggerMessage,
} from '../outbound/plan-notifications';
import type { NotificationEvent, Template } from '../../contracts/templates';
import {
  DEFAULT_NOTIFICATIONS,
  type NotificationSwitches,
  type UnauthenticatedAnswers,
} from '../schemas/mailbox';
import type { MailAddress } from '../mail/types';
import { UID } from '../uids';
import { pluginConfig } from '../plugin-config';
import { pluginService } from './registry';

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
  /** The inbound mail's sender fails DMARC: what its automatic answers get (see repositories/send-permission.ts). */
  unauthenticated?: UnauthenticatedAnswers | null;
}

/** The mail a one-time answer goes back to. */
export interface OneTimeAnswerRequest {
  sender: string;
  senderName: string;
  languages: string[];
  messageId: string | null;
  references: string[];
  unauthenticated?: UnauthenticatedAnswers | null;
}

/** The mailbox as the planners see it, sending from `address`. */
function sendingMailbox(mailbox: NotificationMailboxRow, address: string): NotificationMailbox {
  return {
    id: mailbox.id,
    name: mailbox.name,
    address,
    fromName: mailbox.fromName,
    notifications: { ...DEFAULT_NOTIFICATIONS, ...(mailbox.notifications ?? {}) },
  };
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

  /** A one-time answer (refused mail, unmonitored mailbox): at most one per sender and kind per `periodHours`. */
  async function answerOnce(
    kind: OneTimeAnswerKind,
    mailbox: NotificationMailboxRow,
    request: OneTimeAnswerRequest & { reason?: string; helpText?: string | null },
    periodHours: number
  ): Promise<boolean> {
    if (!mailbox.address || !mailbox.smtpHost) return false;
    const since = new Date(Date.now() - periodHours * 3600 * 1000);
    const recent = await query(UID.outbox).count({
      where: { event: kind, recipient: request.sender, mailboxId: mailbox.id, createdAt: { $gte: since } },
    });
    if (recent > 0) return false;
    const config = pluginConfig(strapi);
    const planned = planOneTimeAnswer({
      kind,
      mailbox: sendingMailbox(mailbox, mailbox.address),
      recipient: request.sender,
      recipientName: request.senderName,
      reason: request.reason,
      helpText: request.helpText,
      languages: request.languages,
      templates: await siteTemplates(),
      siteName: config.siteName,
      inReplyTo: request.messageId,
      references: request.references,
      instanceId: instanceId(replySecretOf(config)),
    });
    if (!planned) return false;
    if (request.unauthenticated) planned.unauthenticatedSender = request.unauthenticated;
    const queued = await pluginService(strapi, 'outbox').enqueue([planned]);
    return queued.length > 0;
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
    answerRefusal(mailbox: NotificationMailboxRow, refused: OneTimeAnswerRequest & { reason: string }) {
      return answerOnce('mail-refused', mailbox, refused, pluginConfig(strapi).refusedMailAnswerHours);
    },

    /**
     * Answers mail to an unmonitored mailbox once per sender per `unmonitoredAnswerHours` with where help is
     * available; never automatic mail (the caller checks). Call inside the import transaction.
     */
    answerUnmonitored(
      mailbox: NotificationMailboxRow & { unmonitoredHelpText: string | null },
      request: OneTimeAnswerRequest
    ) {
      return answerOnce(
        'mailbox-unmonitored',
        mailbox,
        { ...request, helpText: mailbox.unmonitoredHelpText },
        pluginConfig(strapi).unmonitoredAnswerHours
      );
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
        // sales@ forwarded into support@: the customer wrote to sales@, so sales@ answers.
        mailbox: sendingMailbox(mailbox, ticket.forwardingAddress ?? mailbox.address),
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
      if (options.unauthenticated) {
        for (const mail of planned) mail.unauthenticatedSender = options.unauthenticated;
      }
      const queued = await pluginService(strapi, 'outbox').enqueue(planned);
      return queued.length;
    },
  };
};
