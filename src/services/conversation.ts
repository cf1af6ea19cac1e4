/**
 * What agents do to a ticket from the admin: reply (an outbound message whose mail goes to the requester and CC
 * through the outbox) and change status, priority or assignee (resolved and closed tell the customer). Each change
 * and the mails it causes are committed together.
 */
import type { Core } from '@strapi/strapi';
import { InputError, NotFoundError } from '../errors';
import { PRIORITIES as TICKET_PRIORITIES, STATUSES as TICKET_STATUSES } from '../../contracts/ticket';
import { UID } from '../uids';
import { pluginService } from './registry';

const STATUSES: readonly string[] = TICKET_STATUSES;
const PRIORITIES: readonly string[] = TICKET_PRIORITIES;
const MAX_REPLY_CHARS = 100_000;
const UPDATABLE_FIELDS = ['status', 'priority', 'assigneeId'];

export interface AdminUser {
  id: number;
  email: string;
  firstname?: string | null;
  lastname?: string | null;
}

function agentName(user: AdminUser): string {
  return [user.firstname, user.lastname].filter(Boolean).join(' ') || user.email;
}

interface LastInbound {
  id: number;
  messageId: string | null;
  references: string[] | null;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const query = (uid: string) => strapi.db.query(uid as never);
  const notifications = () => pluginService(strapi, 'notifications');
  const outbox = () => pluginService(strapi, 'outbox');
  const assignees = () => pluginService(strapi, 'assignees');

  async function ticketOrFail(id: number) {
    const ticket = (await query(UID.ticket).findOne({ where: { id } })) as {
      id: number;
      number: number;
      status: string;
      priority: string;
    } | null;
    if (!ticket) throw new NotFoundError(`Ticket #${id} does not exist`);
    return ticket;
  }

  /** The customer's latest mail: the agent's reply answers it (In-Reply-To / References). */
  async function lastInbound(ticketId: number): Promise<LastInbound | null> {
    return (await query(UID.message).findOne({
      select: ['id', 'messageId', 'references'],
      where: { ticket: { id: ticketId }, direction: 'inbound', messageId: { $notNull: true } },
      orderBy: [{ id: 'desc' }],
    })) as LastInbound | null;
  }

  return {
    async reply(ticketId: number, user: AdminUser, body: unknown) {
      const input = (body ?? {}) as { text?: unknown; status?: unknown };
      if (typeof input.text !== 'string' || input.text.trim() === '')
        throw new InputError('text: is required');
      if (input.text.length > MAX_REPLY_CHARS)
        throw new InputError(`text: must be at most ${MAX_REPLY_CHARS} characters`);
      if (input.status !== undefined && !STATUSES.includes(String(input.status))) {
        throw new InputError(`status: must be one of ${STATUSES.join(', ')}`);
      }
      const text = input.text.replace(/\r\n/g, '\n').trim();
      const ticket = await ticketOrFail(ticketId);
      const result = await strapi.db.transaction(async ({ onCommit }) => {
        const now = new Date();
        const answered = await lastInbound(ticketId);
        const message = (await query(UID.message).create({
          data: {
            ticket: ticketId,
            direction: 'outbound',
            author: 'agent',
            adminUserId: user.id,
            fromAddress: user.email.toLowerCase(),
            fromName: agentName(user),
            textBody: text,
            inReplyTo: answered?.messageId ? [answered.messageId] : [],
            sentAt: now,
          },
        })) as { id: number };
        // An agent's answer usually waits on the customer; the agent may say otherwise.
        const status =
          (input.status as string | undefined) ?? (ticket.status === 'closed' ? 'closed' : 'pending');
        await query(UID.ticket).update({ where: { id: ticketId }, data: { lastMessageAt: now, status } });
        const queued = await notifications().notify('agent-reply', ticketId, {
          message: {
            id: message.id,
            text,
            from: agentName(user),
            messageId: answered?.messageId ?? null,
            references: answered?.references ?? [],
          },
          agentName: agentName(user),
          exclude: [user.email],
        });
        onCommit(() => outbox().kick());
        return { messageId: message.id, queued, status };
      });
      return result;
    },

    /**
     * An internal note: a `system` message by an agent that stays in the admin. It is never mailed (no outbox row),
     * and it changes neither the ticket's status nor its last-message time.
     */
    async addNote(ticketId: number, user: AdminUser, body: unknown) {
      const input = (body ?? {}) as { text?: unknown };
      if (typeof input.text !== 'string' || input.text.trim() === '')
        throw new InputError('text: is required');
      if (input.text.length > MAX_REPLY_CHARS)
        throw new InputError(`text: must be at most ${MAX_REPLY_CHARS} characters`);
      await ticketOrFail(ticketId);
      const message = (await query(UID.message).create({
        data: {
          ticket: ticketId,
          direction: 'system',
          author: 'agent',
          adminUserId: user.id,
          fromName: agentName(user),
          textBody: input.text.replace(/\r\n/g, '\n').trim(),
        },
      })) as { id: number };
      return { messageId: message.id };
    },

    async update(ticketId: number, user: AdminUser, body: unknown) {
      const input = (body ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(input)) {
        if (!UPDATABLE_FIELDS.includes(key)) throw new InputError(`${key}: cannot be changed here`);
      }
      if (input.status !== undefined && !STATUSES.includes(String(input.status))) {
        throw new InputError(`status: must be one of ${STATUSES.join(', ')}`);
      }
      if (input.priority !== undefined && !PRIORITIES.includes(String(input.priority))) {
        throw new InputError(`priority: must be one of ${PRIORITIES.join(', ')}`);
      }
      const ticket = await ticketOrFail(ticketId);
      const assigneeId =
        input.assigneeId === undefined ? undefined : await assignees().parseAssigneeId(input.assigneeId);
      return strapi.db.transaction(async ({ onCommit }) => {
        const data: Record<string, unknown> = {};
        if (input.status !== undefined) data.status = input.status;
        if (input.priority !== undefined) data.priority = input.priority;
        if (assigneeId !== undefined) data.assigneeId = assigneeId;
        await query(UID.ticket).update({ where: { id: ticketId }, data });
        let queued = 0;
        const becameResolved = input.status === 'resolved' && ticket.status !== 'resolved';
        const becameClosed = input.status === 'closed' && ticket.status !== 'closed';
        if (becameResolved || becameClosed) {
          const answered = await lastInbound(ticketId);
          queued = await notifications().notify(
            becameClosed ? 'ticket-closed' : 'ticket-resolved',
            ticketId,
            {
              message: answered
                ? {
                    id: answered.id,
                    text: '',
                    from: '',
                    messageId: answered.messageId,
                    references: answered.references ?? [],
                  }
                : null,
              agentName: agentName(user),
            }
          );
        }
        onCommit(() => queued > 0 && outbox().kick());
        return { ...ticket, ...data, queued };
      });
    },
  };
};
