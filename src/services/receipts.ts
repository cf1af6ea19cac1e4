/** Receipts (one per message seen) for the admin, and the quarantine's raw source. */
import type { Core } from '@strapi/strapi';
import { InputError, NotFoundError } from '../errors';
import { MAIL_CLASSES } from '../../contracts/api';
import { UID } from '../uids';

const OUTCOMES = [
  'ticket-created',
  'reply-added',
  'quarantined',
  'skipped',
  'blocked',
  'refused',
  'bounce',
  'read-receipt',
  'own-mail',
  'unmonitored',
  'discarded',
];
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
  'mailClass',
  'flags',
  'authentication',
  'reason',
  'ticketId',
  'ticketMessageId',
  'serverAction',
  'serverActionError',
  'reprocessedAt',
  'createdAt',
  'updatedAt',
];

type ReceiptRow = Record<string, unknown> & { id: number };

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const receipts = () => strapi.db.query(UID.receipt as never);

  /**
   * `hasRawSource` on each row: whether "view" and "download" have anything to fetch. Asked with one query on ids
   * rather than by selecting the column: a page of quarantined mail would otherwise carry every message's source.
   */
  async function withRawSourceFlag(
    rows: ReceiptRow[]
  ): Promise<Array<ReceiptRow & { hasRawSource: boolean }>> {
    const withSource =
      rows.length === 0
        ? []
        : ((await receipts().findMany({
            select: ['id'],
            where: { id: { $in: rows.map((row) => row.id) }, rawSource: { $notNull: true, $ne: '' } },
          })) as Array<{ id: number }>);
    const ids = new Set(withSource.map((row) => row.id));
    return rows.map((row) => ({ ...row, hasRawSource: ids.has(row.id) }));
  }

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
      if (query.mailClass !== undefined) {
        if (!(MAIL_CLASSES as readonly string[]).includes(String(query.mailClass))) {
          throw new InputError(`mailClass: must be one of ${MAIL_CLASSES.join(', ')}`);
        }
        where.mailClass = String(query.mailClass);
      }
      if (query.mailbox !== undefined) {
        if (!/^\d+$/.test(String(query.mailbox))) throw new InputError('mailbox: must be a mailbox id');
        where.mailboxId = Number(query.mailbox);
      }
      const [rows, total] = await Promise.all([
        receipts().findMany({
          select: LIST_FIELDS,
          where,
          orderBy: [{ id: 'desc' }],
          offset: (page - 1) * pageSize,
          limit: pageSize,
        }) as Promise<ReceiptRow[]>,
        receipts().count({ where }),
      ]);
      return {
        results: await withRawSourceFlag(rows),
        pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) },
      };
    },

    /**
     * Discards a quarantined mail an admin has looked at and does not want: the receipt stays (what arrived, and
     * who discarded it when), its raw source goes. The one way mail leaves the quarantine without being imported.
     */
    async discard(id: number, user: { id: number; email: string }) {
      const row = (await receipts().findOne({ select: ['id', 'outcome', 'reason'], where: { id } })) as {
        id: number;
        outcome: string;
        reason: string | null;
      } | null;
      if (!row) throw new NotFoundError(`Receipt #${id} does not exist`);
      if (row.outcome !== 'quarantined') {
        throw new InputError(`Receipt #${id} is not in the quarantine (its outcome is ${row.outcome})`);
      }
      const reason = `discarded by ${user.email} on ${new Date().toISOString()}; was quarantined: ${row.reason ?? ''}`;
      await receipts().updateMany({ where: { id }, data: { outcome: 'discarded', rawSource: null, reason } });
      const [discarded] = await withRawSourceFlag([
        (await receipts().findOne({ select: LIST_FIELDS, where: { id } })) as ReceiptRow,
      ]);
      return discarded;
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
