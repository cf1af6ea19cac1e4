/** How `decideInbound` reaches the outbox: is a Message-ID ours, and which sent mail does a bounce report on. */
import type { Core } from '@strapi/strapi';
import type { OutboundLookups, OutboundMatch } from '../policy/decide-inbound';
import { UID } from '../uids';

interface OutboxRef {
  id: number;
  ticketId: number | null;
  recipient: string;
}

export function createOutboundLookups(strapi: Core.Strapi): OutboundLookups {
  const outbox = () => strapi.db.query(UID.outbox as never);

  async function find(
    where: Record<string, unknown>,
    via: OutboundMatch['via']
  ): Promise<OutboundMatch | null> {
    const row = (await outbox().findOne({
      select: ['id', 'ticketId', 'recipient'],
      where,
    })) as OutboxRef | null;
    return row ? { outboxId: row.id, ticketId: row.ticketId ?? null, recipient: row.recipient, via } : null;
  }

  return {
    async isOwnMessageId(messageId) {
      return (await outbox().count({ where: { messageId } })) > 0;
    },
    findByVerpToken: (token) => find({ verpToken: token }, 'verp'),
    findByMessageId: (messageId) => find({ messageId }, 'message-id'),
  };
}
