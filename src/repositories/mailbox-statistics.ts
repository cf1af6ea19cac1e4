/**
 * The mailbox counters (tickets created, replies added, quarantined, skipped) kept equal to the receipts: each
 * receipt written counts its outcome in the transaction that writes it, and the counts of a transaction are added
 * with one `col = col + n` update before it commits (when the cursor moves, the last write of every such
 * transaction). So a kill loses no count and adds none, two instances never overwrite each other's sums (no
 * read-modify-write), and mail another instance recorded first is not counted here at all.
 */
import type { Core } from '@strapi/strapi';
import type { IngestOutcomeKind } from '../ingest/store';
import { UID } from '../uids';

export type StatisticsColumn = 'ticketsCreated' | 'repliesAdded' | 'quarantinedCount' | 'skippedCount';

/** Blocked, refused, bounced, unmonitored and our own returning mail count like skipped mail: no ticket. */
export function statisticsColumn(outcome: IngestOutcomeKind): StatisticsColumn {
  if (outcome === 'ticket-created') return 'ticketsCreated';
  if (outcome === 'reply-added') return 'repliesAdded';
  if (outcome === 'quarantined') return 'quarantinedCount';
  return 'skippedCount';
}

export function createMailboxStatistics(strapi: Core.Strapi) {
  /** Counts not yet written, per transaction and mailbox. */
  const pending = new WeakMap<object, Map<number, Map<StatisticsColumn, number>>>();

  const inTransaction = <T>(work: (trx: object) => Promise<T> | T) =>
    strapi.db.transaction(async ({ trx }) => work(trx as object)) as Promise<T>;

  return {
    /** Counts one outcome (or takes one back: `delta` −1) in the current transaction. */
    count(mailboxId: number, outcome: IngestOutcomeKind, delta = 1): Promise<void> {
      return inTransaction((trx) => {
        let byMailbox = pending.get(trx);
        if (!byMailbox) pending.set(trx, (byMailbox = new Map()));
        let counts = byMailbox.get(mailboxId);
        if (!counts) byMailbox.set(mailboxId, (counts = new Map()));
        const column = statisticsColumn(outcome);
        counts.set(column, (counts.get(column) ?? 0) + delta);
      });
    },

    /** Adds the current transaction's counts for the mailbox to its row. */
    flush(mailboxId: number): Promise<void> {
      return inTransaction(async (trx) => {
        const counts = pending.get(trx)?.get(mailboxId);
        if (!counts || counts.size === 0) return;
        pending.get(trx)!.delete(mailboxId);
        const meta = strapi.db.metadata.get(UID.mailbox as never) as unknown as {
          tableName: string;
          attributes: Record<string, { columnName?: string }>;
        };
        const knex = strapi.db.connection;
        const increments: Record<string, unknown> = {};
        for (const [attribute, n] of counts) {
          const column = meta.attributes[attribute].columnName ?? attribute;
          // COALESCE: a row from before the counters had defaults may hold NULL, and NULL + n stays NULL.
          if (n !== 0) increments[column] = knex.raw('COALESCE(??, 0) + ?', [column, n]);
        }
        if (Object.keys(increments).length === 0) return;
        await knex(meta.tableName)
          .transacting(trx as never)
          .where(meta.attributes.id?.columnName ?? 'id', mailboxId)
          .update(increments);
      });
    },
  };
}
