/** Tickets for the admin: a filtered, searched, paged list with counts per status, and one ticket with its thread. */
import type { Core } from '@strapi/strapi';
import { NotFoundError } from '../errors';
import { resolveCidReferences } from '../mail/cid';
import { parseTicketListQuery } from '../schemas/ticket-query';
import { UID } from '../uids';
import { STATUSES } from '../../contracts/ticket';
import { pluginService } from './registry';

type Row = Record<string, unknown> & { id: number };

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const tickets = () => strapi.db.query(UID.ticket as never);
  const messages = () => strapi.db.query(UID.message as never);

  return {
    /** `requestingUserId` is the admin user asking: what `assignee=me` means. */
    async list(rawQuery: Record<string, unknown>, requestingUserId?: number) {
      const { page, pageSize, where, searchWhere, orderBy } = parseTicketListQuery(rawQuery, {
        userId: requestingUserId,
      });
      const filtered = { $and: [where, searchWhere] };
      const [results, total] = await Promise.all([
        tickets().findMany({
          where: filtered,
          orderBy,
          offset: (page - 1) * pageSize,
          limit: pageSize,
          populate: { mailbox: { select: ['id', 'name'] } },
        }),
        tickets().count({ where: filtered }),
      ]);
      // Counts per status ignore the status filter, so the tabs in the admin show what each would hold.
      const { status: _status, ...withoutStatus } = where as Record<string, unknown>;
      const counts: Record<string, number> = {};
      for (const status of STATUSES) {
        counts[status] = await tickets().count({ where: { $and: [withoutStatus, searchWhere, { status }] } });
      }
      return {
        results,
        pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) },
        counts,
      };
    },

    async get(id: number) {
      const ticket = (await tickets().findOne({
        where: { id },
        populate: { mailbox: { select: ['id', 'name'] } },
      })) as Row | null;
      if (!ticket) throw new NotFoundError(`Ticket #${id} does not exist`);
      const thread = (await messages().findMany({
        where: { ticket: { id } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        populate: { attachments: { select: ['id', 'name', 'url', 'mime', 'size', 'ext'] } },
      })) as Array<
        Row & { htmlBody: string | null; inlineParts: Array<{ contentId: string; url: string }> | null }
      >;
      const outbox = await pluginService(strapi, 'outbox').listForTicket(id);
      return {
        ...ticket,
        outbox,
        messages: thread.map(({ headers: _headers, ...message }) => ({
          ...message,
          htmlBody: message.htmlBody
            ? resolveCidReferences(message.htmlBody, message.inlineParts ?? [])
            : null,
        })),
      };
    },
  };
};
