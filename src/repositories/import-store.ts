/**
 * The import store: what the road decided, written through Strapi's query engine (see ingest/store.ts for the
 * contract). The road wraps several messages in one transaction (ingest-message.ts); every call here joins it. The
 * Document Service would fire lifecycles for us but costs ~65 creates/s here against thousands for the query engine,
 * so this path emits the plugin's own events after commit instead (see `src/plugin-events.ts`), and uses `updateMany` where
 * Strapi's `update` would read the row before and after writing it.
 *
 * Its parts, each in its own file: receipts and the cursor (receipts-and-cursor.ts), accepted mail
 * (record-accepted.ts), bounces and read receipts (record-reports.ts), and the one mail-to-row mapping
 * (mail-rows.ts). Here: the mailbox facts the road asks for, and mail that makes no ticket.
 */
import type { Core } from '@strapi/strapi';
import { createDnsResolverSource } from '../ingest/dns-resolver';
import type { ImportStore, IngestOutcome } from '../ingest/store';
import { withoutNul } from '../ingest/stored-values';
import { requesterOf } from '../mail/requester';
import { pluginConfig } from '../plugin-config';
import { createAttachmentStore } from './attachment-store';
import { createConnectionTurns } from './connection-turns';
import { createAcceptedRecorder } from './record-accepted';
import { createInboundContextLoader } from './inbound-context';
import { mailLanguages } from '../mail/language';
import { classificationOf, type Recording } from './mail-rows';
import { createOutboundLookups } from './outbound-lookups';
import { createReceiptsAndCursor } from './receipts-and-cursor';
import { createReportRecorder } from './record-reports';
import { createRowWriter, type RowWriter } from './row-writer';
import { createThreadLookups } from './thread-lookups';
import { pluginService } from '../services/registry';

export function createImportStore(strapi: Core.Strapi): ImportStore {
  const writer = createRowWriter(strapi);
  // Every row the import writes goes through here without NUL, which PostgreSQL refuses (see stored-values.ts).
  const rows: RowWriter = {
    insert: (uid, data) => writer.insert(uid, withoutNul(data)),
    link: (...args) => writer.link(...args),
  };
  const receipts = createReceiptsAndCursor(strapi, rows);
  const reports = createReportRecorder(strapi, rows, receipts);
  const recordAccepted = createAcceptedRecorder(strapi, rows, receipts);
  const inbound = createInboundContextLoader(strapi);
  const threadLookups = createThreadLookups(strapi);
  const outboundLookups = createOutboundLookups(strapi);
  const dnsResolver = createDnsResolverSource();
  const attachments = createAttachmentStore(strapi);

  async function contextFor(mailboxId: number) {
    const context = await inbound.contextFor(mailboxId);
    if (!context) throw new Error(`mailbox #${mailboxId} no longer exists`);
    return context;
  }

  return {
    ...receipts,

    transaction: <T>(work: () => Promise<T>) => strapi.db.transaction(() => work()) as Promise<T>,
    turns: createConnectionTurns(strapi),
    stageAttachments: (mail) => attachments.uploadAttachments(mail),
    discardStaged: (staged) => attachments.discard(staged),

    async preparationFor(mailboxId) {
      const context = await contextFor(mailboxId);
      return {
        identity: { instanceId: context.settings.instanceId, addresses: context.settings.ownAddresses },
        trustedAuthservIds: context.row.trustedAuthservIds ?? [],
        resolver: dnsResolver(pluginConfig(strapi).dnsResolver),
      };
    },

    async decisionContextFor(mailboxId) {
      const context = await contextFor(mailboxId);
      return {
        settings: context.settings,
        lookups: threadLookups,
        outbound: outboundLookups,
        senderIsRegistered: inbound.senderIsRegistered,
      };
    },

    async recordDecision(origin, raw, mail, decision, options): Promise<IngestOutcome> {
      return strapi.db.transaction(async ({ trx, onCommit }) => {
        const context = await contextFor(origin.mailboxId);
        const recording: Recording = {
          origin,
          raw,
          mail,
          options,
          classification: classificationOf(decision),
        };
        if (decision.kind === 'bounce') return reports.recordBounce(recording, decision);
        if (decision.kind === 'read-receipt') return reports.recordReadReceipt(recording, decision);
        if (decision.kind === 'accepted')
          return recordAccepted(recording, decision, context, { trx, onCommit });

        /** Mail that makes no ticket: its receipt, after a one-time answer when one is due. */
        const withoutTicket = async (
          extra: Record<string, unknown>,
          answer: (() => Promise<boolean>) | null
        ): Promise<IngestOutcome> => {
          if (answer && (await answer())) onCommit(() => pluginService(strapi, 'outbox').kick());
          const receiptId = await receipts.writeReceipt(
            origin,
            raw,
            mail,
            { outcome: decision.kind, reason: decision.reason, ...extra, ...recording.classification },
            options
          );
          return { outcome: decision.kind, receiptId, ticketId: null, reason: decision.reason };
        };
        if (decision.kind === 'own-mail') return withoutTicket({}, null);
        if (decision.kind === 'blocked') {
          await pluginService(strapi, 'rules').recordHits('block', [decision.ruleId]);
          return withoutTicket({ ruleId: decision.ruleId }, null);
        }

        // The decision says whether a one-time answer is due; it goes out if the mailbox can send at all.
        const answerable = context.sends && decision.answerOnce;
        const notifications = pluginService(strapi, 'notifications');
        const answerRequest = async () => ({
          sender: decision.sender,
          senderName: (requesterOf(mail) ?? { name: '' }).name,
          languages: await mailLanguages(mail),
          messageId: mail.messageId,
          references: mail.references,
          unauthenticated: decision.answerPolicy,
        });
        if (decision.kind === 'unmonitored') {
          return withoutTicket(
            {},
            answerable
              ? async () => notifications.answerUnmonitored(context.row, await answerRequest())
              : null
          );
        }
        const reason = decision.reason;
        return withoutTicket(
          {},
          answerable
            ? async () => notifications.answerRefusal(context.row, { ...(await answerRequest()), reason })
            : null
        );
      });
    },
  };
}
