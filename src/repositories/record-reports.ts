/**
 * The bounce part of the import store: delivery reports and read receipts, written as system events on the ticket
 * of the mail they are about (never a customer reply, never a new ticket). A bounce also marks that mail bounced,
 * and a permanent failure suppresses further mail to its recipient; a read receipt marks nothing.
 */
import type { Core } from '@strapi/strapi';
import type { IngestOutcome } from '../ingest/store';
import type { InboundDecision } from '../policy/decide-inbound';
import { UID } from '../uids';
import { systemEventData, type Recording } from './mail-rows';
import type { ReceiptsAndCursor } from './receipts-and-cursor';
import type { RowWriter } from './row-writer';
import { pluginService } from '../services/registry';

type BounceDecision = Extract<InboundDecision, { kind: 'bounce' }>;
type ReadReceiptDecision = Extract<InboundDecision, { kind: 'read-receipt' }>;

/** What an agent reads on the ticket when a mail to the customer bounced. */
function bounceNotice(decision: BounceDecision): string {
  const { report, match } = decision;
  const lines = [
    match ? `A mail to ${match.recipient} could not be delivered.` : 'A delivery failure report arrived.',
  ];
  for (const r of report?.recipients ?? []) {
    const what = r.action === 'delayed' ? 'delayed' : r.permanent ? 'failed permanently' : 'failed';
    lines.push(
      `- ${r.recipient}: ${what}${r.status ? ` (${r.status})` : ''}${r.diagnostic ? ` — ${r.diagnostic}` : ''}`
    );
  }
  if ((report?.recipients ?? []).some((r) => r.permanent)) {
    lines.push(
      'Mail to this address is suppressed for a while; lift it under Settings → Email piping if it works again.'
    );
  }
  return lines.join('\n');
}

/** What an agent reads on the ticket when a customer's client sent a read receipt for our mail. */
function readReceiptNotice(decision: ReadReceiptDecision): string {
  const { receipt, match } = decision;
  const who = receipt.finalRecipient ?? match?.recipient ?? 'the recipient';
  const what =
    receipt.disposition === 'deleted'
      ? 'was deleted without being displayed'
      : receipt.disposition === 'displayed' || receipt.disposition === null
        ? 'was displayed'
        : `was marked "${receipt.disposition}"`;
  return `Read receipt from ${who}: our mail to ${match?.recipient ?? who} ${what}.`;
}

export function createReportRecorder(strapi: Core.Strapi, rows: RowWriter, receipts: ReceiptsAndCursor) {
  const query = (uid: string) => strapi.db.query(uid as never);

  async function writeSystemEvent(recording: Recording, notice: string, ticketId: number): Promise<number> {
    const id = await rows.insert(UID.message, {
      ...systemEventData(recording.mail, recording.raw, notice),
      ...recording.classification,
    });
    await rows.link(UID.message, 'ticket', id, ticketId);
    return id;
  }

  return {
    /** An unmatched bounce is only recorded: nothing proves it is about our mail. */
    async recordBounce(recording: Recording, decision: BounceDecision): Promise<IngestOutcome> {
      const { origin, raw, mail, classification, options } = recording;
      const { report, match } = decision;
      const failures = report?.recipients ?? [];
      const final =
        failures.some((r) => r.action === 'failed' || r.permanent) || (failures.length === 0 && !!match);
      const permanent = failures.find((r) => r.permanent) ?? null;
      let ticketMessageId: number | null = null;
      if (match) {
        if (final) {
          await query(UID.outbox).updateMany({
            where: { id: match.outboxId },
            data: {
              status: 'bounced',
              bouncedAt: new Date(),
              bounceStatus: (permanent ?? failures[0])?.status ?? null,
            },
          });
        }
        if (match.ticketId !== null) {
          ticketMessageId = await writeSystemEvent(recording, bounceNotice(decision), match.ticketId);
        }
      }
      const receiptId = await receipts.writeReceipt(
        origin,
        raw,
        mail,
        {
          outcome: 'bounce',
          reason: decision.reason,
          ticketId: match?.ticketId ?? null,
          ticketMessageId,
          ...classification,
        },
        options
      );
      if (match && permanent) {
        await pluginService(strapi, 'suppressions').suppress({
          address: match.recipient,
          status: permanent.status,
          reason: `bounced: ${permanent.diagnostic ?? permanent.status ?? 'permanent failure'}`,
          receiptId,
          ticketId: match.ticketId,
          outboxId: match.outboxId,
        });
      }
      return {
        outcome: 'bounce' as const,
        receiptId,
        ticketId: match?.ticketId ?? null,
        reason: decision.reason,
      };
    },

    /** A read receipt: a system event on the ticket of the mail it names; otherwise only its receipt. */
    async recordReadReceipt(recording: Recording, decision: ReadReceiptDecision): Promise<IngestOutcome> {
      const { origin, raw, mail, classification, options } = recording;
      const ticketId = decision.match?.ticketId ?? null;
      const ticketMessageId =
        ticketId !== null ? await writeSystemEvent(recording, readReceiptNotice(decision), ticketId) : null;
      const receiptId = await receipts.writeReceipt(
        origin,
        raw,
        mail,
        { outcome: 'read-receipt', reason: decision.reason, ticketId, ticketMessageId, ...classification },
        options
      );
      return { outcome: 'read-receipt' as const, receiptId, ticketId, reason: decision.reason };
    },
  };
}
