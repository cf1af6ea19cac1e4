/**
 * Ticket numbers that several writers cannot clash on. Each new ticket inserts a row into its own allocation table
 * and takes the database's auto-increment id for it: a PostgreSQL sequence or a MySQL auto-increment is handed out
 * without waiting for other transactions (no lock held to commit, unlike a counter row), and SQLite has one writer
 * anyway. So no two transactions get one number, and no batch rolls back on a clash; a rolled-back transaction
 * leaves a gap, as a sequence does.
 *
 * Upgrades keep counting from the highest number there is: the first row records it as the base (written once,
 * before any import, at boot), and a number is base + (id − the base row's id). Two instances booting at once may
 * both write a base row; the lowest id wins, the same for all.
 */
import type { Core } from '@strapi/strapi';
import { UID } from '../uids';
import type { RowWriter } from './row-writer';

interface Base {
  rowId: number;
  number: number;
}

export function createTicketNumbers(strapi: Core.Strapi, rows: RowWriter) {
  const query = (uid: string) => strapi.db.query(uid as never);
  let cached: Base | null = null;

  async function readBase(): Promise<Base | null> {
    const row = (await query(UID.ticketNumber).findOne({
      select: ['id', 'base'],
      where: { base: { $notNull: true } },
      orderBy: { id: 'asc' },
    })) as { id: number; base: number } | null;
    return row ? { rowId: row.id, number: Number(row.base) } : null;
  }

  async function highestTicketNumber(): Promise<number> {
    const row = (await query(UID.ticket).findOne({ select: ['number'], orderBy: { number: 'desc' } })) as {
      number: number;
    } | null;
    return Number(row?.number ?? 0);
  }

  return {
    /** At boot, outside any transaction: writes the base row once. */
    async ensureBase(): Promise<void> {
      if (!(await readBase())) await rows.insert(UID.ticketNumber, { base: await highestTicketNumber() });
      cached = await readBase();
    },

    /** The next ticket number; joins the caller's transaction. */
    async next(): Promise<number> {
      if (!cached) {
        const base = await readBase();
        if (!base) {
          // No boot wrote it (a script on a bare store): this transaction writes it, and caches nothing it could
          // roll back.
          const rowId = await rows.insert(UID.ticketNumber, { base: await highestTicketNumber() });
          const id = await rows.insert(UID.ticketNumber, {});
          const found = await readBase();
          return (found?.number ?? 0) + id - (found?.rowId ?? rowId);
        }
        cached = base;
      }
      const id = await rows.insert(UID.ticketNumber, {});
      return cached.number + id - cached.rowId;
    },
  };
}

export type TicketNumbers = ReturnType<typeof createTicketNumbers>;
