/**
 * Figures for the dashboard: tickets created per day and mailbox, automatic mail recognised per day and kind, and
 * loops stopped (automatic mail held back) per day. Days are UTC calendar days. Rows are read with only the columns
 * needed and bucketed here rather than grouped in SQL: date functions differ between SQLite, PostgreSQL and MySQL,
 * and a dashboard's window holds at most a few hundred thousand rows.
 */
import type { Core } from '@strapi/strapi';
import type { Stats } from '../../contracts/api';
import { InputError } from '../errors';
import { MAIL_CLASSES } from '../../contracts/api';
import { UID } from '../uids';

const MAX_DAYS = 90;
const AUTOMATIC_CLASSES = MAIL_CLASSES.filter((name) => name !== 'person');

function dayOf(value: string | Date): string {
  return new Date(value).toISOString().slice(0, 10);
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const query = (uid: string) => strapi.db.query(uid as never);

  return {
    async overview(input: Record<string, unknown>): Promise<Stats> {
      const days = input.days === undefined ? 30 : Number(input.days);
      if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
        throw new InputError(`days: must be a whole number from 1 to ${MAX_DAYS}`);
      }
      const today = new Date();
      const start = new Date(
        Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (days - 1))
      );
      const labels = Array.from({ length: days }, (_, i) =>
        dayOf(new Date(start.getTime() + i * 86_400_000))
      );
      const index = new Map(labels.map((label, i) => [label, i]));
      const series = () => new Array<number>(days).fill(0);
      const since = { $gte: start };

      const [mailboxes, tickets, receipts, held] = await Promise.all([
        query(UID.mailbox).findMany({ select: ['id', 'name'], orderBy: { id: 'asc' } }) as Promise<
          Array<{ id: number; name: string }>
        >,
        query(UID.ticket).findMany({
          select: ['createdAt'],
          where: { createdAt: since },
          populate: { mailbox: { select: ['id'] } },
        }) as Promise<Array<{ createdAt: string; mailbox: { id: number } | null }>>,
        query(UID.receipt).findMany({
          select: ['createdAt', 'mailClass'],
          where: { createdAt: since, mailClass: { $in: [...AUTOMATIC_CLASSES] } },
        }) as Promise<Array<{ createdAt: string; mailClass: (typeof AUTOMATIC_CLASSES)[number] }>>,
        query(UID.outbox).findMany({
          select: ['createdAt'],
          where: { createdAt: since, automatic: true, status: 'suppressed' },
        }) as Promise<Array<{ createdAt: string }>>,
      ]);

      const perMailbox = new Map<number | null, number[]>();
      for (const ticket of tickets) {
        const day = index.get(dayOf(ticket.createdAt));
        if (day === undefined) continue;
        const key = ticket.mailbox?.id ?? null;
        if (!perMailbox.has(key)) perMailbox.set(key, series());
        perMailbox.get(key)![day] += 1;
      }
      const automatic = Object.fromEntries(AUTOMATIC_CLASSES.map((kind) => [kind, series()])) as Record<
        (typeof AUTOMATIC_CLASSES)[number],
        number[]
      >;
      for (const receipt of receipts) {
        const day = index.get(dayOf(receipt.createdAt));
        if (day !== undefined) automatic[receipt.mailClass][day] += 1;
      }
      const loopsStopped = series();
      for (const row of held) {
        const day = index.get(dayOf(row.createdAt));
        if (day !== undefined) loopsStopped[day] += 1;
      }
      const names = new Map(mailboxes.map((mailbox) => [mailbox.id, mailbox.name]));
      return {
        days: labels,
        ticketsByMailbox: [...perMailbox.entries()].map(([mailboxId, counts]) => ({
          mailboxId,
          name: mailboxId === null ? null : (names.get(mailboxId) ?? `#${mailboxId}`),
          counts,
          total: counts.reduce((a, b) => a + b, 0),
        })),
        automatic,
        loopsStopped,
        totals: {
          tickets: tickets.length,
          automatic: receipts.length,
          loopsStopped: held.length,
        },
      };
    },
  };
};
