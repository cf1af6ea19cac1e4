/** How `resolveThread` (mail/thread.ts) reaches the database. */
import type { Core } from '@strapi/strapi';
import type { ThreadLookups, TicketRef } from '../mail/thread';
import { UID } from '../uids';

export function createThreadLookups(strapi: Core.Strapi): ThreadLookups {
  const query = (uid: string) => strapi.db.query(uid as never);

  async function ticketRef(where: Record<string, unknown>): Promise<TicketRef | null> {
    return (await query(UID.ticket).findOne({
      select: ['id', 'number', 'status'],
      where,
    })) as TicketRef | null;
  }

  return {
    ticketByNumber: (ticketNumber) => ticketRef({ number: ticketNumber }),
    async ticketByMessageIds(messageIds) {
      const message = (await query(UID.message).findOne({
        select: ['id'],
        where: { messageId: { $in: messageIds }, ticket: { id: { $notNull: true } } },
        populate: { ticket: { select: ['id', 'number', 'status'] } },
        orderBy: { id: 'desc' },
      })) as { ticket?: TicketRef | null } | null;
      if (message?.ticket) return message.ticket;
      const sent = (await query(UID.outbox).findOne({
        select: ['ticketId'],
        where: { messageId: { $in: messageIds }, ticketId: { $notNull: true } },
        orderBy: { id: 'desc' },
      })) as { ticketId: number } | null;
      return sent ? ticketRef({ id: sent.ticketId }) : null;
    },
    async isParticipant(ticket, address) {
      const row = (await query(UID.ticket).findOne({
        select: ['requesterEmail', 'cc'],
        where: { id: ticket.id },
      })) as { requesterEmail: string | null; cc: Array<{ address: string }> | null } | null;
      if (!row) return false;
      if (row.requesterEmail?.toLowerCase() === address) return true;
      if ((row.cc ?? []).some((entry) => entry.address.toLowerCase() === address)) return true;
      const wrote = await query(UID.message).count({
        where: { ticket: { id: ticket.id }, fromAddress: address },
      });
      if (wrote > 0) return true;
      return (await query(UID.outbox).count({ where: { ticketId: ticket.id, recipient: address } })) > 0;
    },
  };
}
