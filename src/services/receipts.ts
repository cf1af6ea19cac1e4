/** Receipts (one per message seen) for the admin, and the quarantine's raw source. */
import type { Core } from '@strapi/strapi';
import { InputError, NotFoundError } from '../errors';
import { UID } from '../uids';

const OUTCOMES = ['ticket-created', 'reply-added', 'quarantined', 'skipped'];
const LIST_FIELDS = [
  'id',
  'mailboxId',
  'uidValidity',
  'uid',
  'messageId',
  'sha256',
  'subject',
  'fromAddress',
  'rawSize',
  'outcome',
  'reason',
  'ticketId',
  'ticketMessageId',
  'serverAction',
  'serverActionError',
  'reprocessedAt',
  'createdAt',
  'updatedAt',
];

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const receipts = () => strapi.db.query(UID.receipt as never);

  return {
    async list(query: Record<string, unknown>) {
      const page = Number(query.page ?? 1);
      const pageSize = Number(query.pageSize ?? 25);
      if (!Number.isInteger(page) || page < 1) throw new InputError('page: must be a whole number from 1');
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
        throw new InputError('pageSize: must be a whole number from 1 to 100');
      }
      const where: Record<string, unknown> = {};
      if (query.outcome !== undefined) {
        if (!OUTCOMES.includes(String(query.outcome))) {
          throw new InputError(`outcome: must be one of ${OUTCOMES.join(', ')}`);
        }
        where.outcome = String(query.outcome);
      }
      if (query.mailbox !== undefined) {
        if (!/^\d+$/.test(String(query.mailbox))) throw new InputError('mailbox: must be a mailbox id');
        where.mailboxId = Number(query.mailbox);
      }
      const [results, total] = await Promise.all([
        receipts().findMany({
          select: LIST_FIELDS,
          where,
          orderBy: [{ id: 'desc' }],
          offset: (page - 1) * pageSize,
          limit: pageSize,
        }),
        receipts().count({ where }),
      ]);
      return { results, pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) } };
    },

    async rawSource(id: number): Promise<{ filename: string; body: Buffer }> {
      const row = (await receipts().findOne({ select: ['id', 'rawSource'], where: { id } })) as {
        id: number;
        rawSource: string | null;
      } | null;
      if (!row) throw new NotFoundError(`Receipt #${id} does not exist`);
      if (!row.rawSource)
        throw new NotFoundError(`Receipt #${id} keeps no raw source (only quarantined mail does)`);
      return { filename: `receipt-${id}.eml`, body: Buffer.from(row.rawSource, 'base64') };
    },
  };
};
