/**
 * The receipt-and-cursor part of the import store: one receipt per message received, whatever it became, and the
 * mailbox cursor that moves only in the transaction that recorded the receipts before it. Also what a run needs
 * around the messages: duplicates by source hash, the quarantine, and the after-import acknowledgements still due.
 */
import fs from 'node:fs';
import type { Core } from '@strapi/strapi';
import type { SpooledRaw } from '../ingest/spool';
import type {
  InboundOrigin,
  IngestOutcome,
  IngestOutcomeKind,
  PendingServerAction,
  RecordOptions,
} from '../ingest/store';
import { withoutNul } from '../ingest/stored-values';
import type { ParsedMail } from '../mail/types';
import { UID } from '../uids';
import { createMailboxStatistics } from './mailbox-statistics';
import { receiptFields } from './mail-rows';
import type { RowWriter } from './row-writer';

type Row = Record<string, unknown> & { id: number };

export function createReceiptsAndCursor(strapi: Core.Strapi, rows: RowWriter) {
  const query = (uid: string) => strapi.db.query(uid as never);
  const statistics = createMailboxStatistics(strapi);

  async function findReceiptByOrigin(origin: InboundOrigin): Promise<Row | null> {
    return (await query(UID.receipt).findOne({
      select: ['id', 'outcome', 'ticketId'],
      where: { mailboxId: origin.mailboxId, uidValidity: origin.uidValidity, uid: origin.uid },
    })) as Row | null;
  }

  /**
   * Moves the cursor to this message (the caller only ever moves it forward, inside the same transaction), and adds
   * the transaction's outcome counts to the mailbox's statistics: the last write of every transaction that records
   * new receipts.
   */
  async function advanceCursor(origin: InboundOrigin): Promise<void> {
    await query(UID.mailbox).updateMany({
      where: { id: origin.mailboxId },
      data: { cursorUidValidity: origin.uidValidity, cursorLastUid: origin.uid },
    });
    await statistics.flush(origin.mailboxId);
  }

  /** Writes a new receipt, or (reprocessing) rewrites the quarantined one. Returns its id. */
  async function writeReceipt(
    origin: InboundOrigin,
    raw: SpooledRaw,
    mail: ParsedMail | null,
    data: Record<string, unknown>,
    options?: RecordOptions
  ): Promise<number> {
    const outcome = data.outcome as IngestOutcomeKind;
    if (options?.replaceReceiptId !== undefined) {
      await query(UID.receipt).updateMany({
        where: { id: options.replaceReceiptId },
        data: withoutNul({ ...receiptFields(origin, raw, mail), ...data, reprocessedAt: new Date() }),
      });
      // A reprocessed mail leaves the quarantine for what it became; no cursor moves, so the counts go in now.
      await statistics.count(origin.mailboxId, 'quarantined', -1);
      await statistics.count(origin.mailboxId, outcome);
      await statistics.flush(origin.mailboxId);
      return options.replaceReceiptId;
    }
    await statistics.count(origin.mailboxId, outcome);
    // A single INSERT, where create() would read the row back afterwards.
    return rows.insert(UID.receipt, {
      ...receiptFields(origin, raw, mail),
      serverAction: 'pending',
      ...data,
    });
  }

  return {
    writeReceipt,
    advanceCursor,

    async findReceipt(origin: InboundOrigin) {
      const row = await findReceiptByOrigin(origin);
      return row ? { id: row.id, ticketId: (row.ticketId as number | null) ?? null } : null;
    },

    async findImportedDuplicates(mailboxId: number, sha256s: string[]) {
      const receipts = (await query(UID.receipt).findMany({
        select: ['id', 'sha256'],
        // Quarantined mail counts too: its source is already kept, a second copy would only clutter the quarantine.
        where: {
          mailboxId,
          sha256: { $in: [...new Set(sha256s)] },
          outcome: { $in: ['ticket-created', 'reply-added', 'quarantined'] },
        },
        orderBy: [{ id: 'asc' }],
      })) as Array<{ id: number; sha256: string }>;
      const found = new Map<string, number>();
      for (const row of receipts) if (!found.has(row.sha256)) found.set(row.sha256, row.id);
      return found;
    },

    async recordQuarantined(
      origin: InboundOrigin,
      raw: SpooledRaw,
      reason: string,
      mail: ParsedMail | null,
      options?: RecordOptions
    ): Promise<IngestOutcome> {
      const rawSource = (await fs.promises.readFile(raw.path)).toString('base64');
      return strapi.db.transaction(async () => {
        const receiptId = await writeReceipt(
          origin,
          raw,
          mail,
          { outcome: 'quarantined', reason, rawSource, ticketId: null, ticketMessageId: null },
          options
        );
        return { outcome: 'quarantined' as const, receiptId, ticketId: null, reason };
      });
    },

    async recordSkipped(
      origin: InboundOrigin,
      raw: SpooledRaw,
      reason: string,
      mail: ParsedMail | null
    ): Promise<IngestOutcome> {
      return strapi.db.transaction(async () => {
        const receiptId = await writeReceipt(origin, raw, mail, { outcome: 'skipped', reason });
        return { outcome: 'skipped' as const, receiptId, ticketId: null, reason };
      });
    },

    async recordNotDownloaded(origin: InboundOrigin, reason: string): Promise<void> {
      await strapi.db.transaction(async () => {
        if (await findReceiptByOrigin(origin)) return;
        await statistics.count(origin.mailboxId, 'quarantined');
        await query(UID.receipt).create({
          data: {
            mailboxId: origin.mailboxId,
            uidValidity: origin.uidValidity,
            uid: origin.uid,
            outcome: 'quarantined',
            reason,
            // Nothing to tidy on the server: the message stays there untouched.
            serverAction: 'done',
          },
        });
        await advanceCursor(origin);
      });
    },

    async pendingServerActions(mailboxId: number, uidValidity: string): Promise<PendingServerAction[]> {
      const found = (await query(UID.receipt).findMany({
        select: ['id', 'uid'],
        where: { mailboxId, uidValidity, serverAction: 'pending' },
        orderBy: { uid: 'asc' },
      })) as Row[];
      return found.map((row) => ({ receiptId: row.id, uid: Number(row.uid) }));
    },

    async settleServerActions(receiptIds: number[], status: 'done' | 'failed', error?: string) {
      if (receiptIds.length === 0) return;
      await query(UID.receipt).updateMany({
        where: { id: { $in: receiptIds } },
        data: { serverAction: status, serverActionError: error ?? null },
      });
    },
  };
}

export type ReceiptsAndCursor = ReturnType<typeof createReceiptsAndCursor>;
