/**
 * The persist step: what the importer decided, written through Strapi's query engine. The importer wraps several
 * messages in one transaction (see ingest-message.ts); every call here joins it. The Document Service would fire
 * lifecycles for us but costs ~65 creates/s here against thousands for the query engine, so this path emits the
 * plugin's own events after commit instead (see `events.ts`), and uses `updateMany` where Strapi's `update` would
 * read the row before and after writing it.
 */
import fs from 'node:fs';
import type { Core } from '@strapi/strapi';
import type { ImportStore, PendingServerAction } from '../ingest/importer';
import type { InboundOrigin, IngestOutcome, RecordOptions } from '../ingest/ingest-message';
import { decideInbound } from '../ingest/decide-inbound';
import type { SpooledRaw } from '../ingest/spool';
import { trimQuotedHtml, trimQuotedText } from '../mail/quotes';
import { requesterOf } from '../mail/requester';
import type { TicketRef } from '../mail/thread';
import type { MailAddress, ParsedMail } from '../mail/types';
import { parseLanguagePreferences } from '../outbound/templates';
import type { ContentPreference } from '../schemas/mailbox';
import { UID } from '../uids';
import { createAttachmentStore } from './attachment-store';
import { emitPluginEvent } from './events';
import { createInboundContextLoader } from './inbound-context';
import { createThreadLookups } from './thread-lookups';

/** Upper bound for the subject kept on a receipt row (the full one lives on the message). */
const RECEIPT_SUBJECT_CHARS = 500;

type Row = Record<string, unknown> & { id: number };

export function createImportStore(strapi: Core.Strapi): ImportStore {
  const query = (uid: string) => strapi.db.query(uid as never);

  async function findReceiptByOrigin(origin: InboundOrigin): Promise<Row | null> {
    return (await query(UID.receipt).findOne({
      select: ['id', 'outcome', 'ticketId'],
      where: { mailboxId: origin.mailboxId, uidValidity: origin.uidValidity, uid: origin.uid },
    })) as Row | null;
  }

  const threadLookups = createThreadLookups(strapi);
  const rules = {
    recordHits: (kind: 'piping' | 'block', ids: number[]) =>
      strapi.plugin('email-piping').service('rules').recordHits(kind, ids) as Promise<void>,
  };
  const { uploadAttachments } = createAttachmentStore(strapi);
  const inbound = createInboundContextLoader(strapi);

  /** Moves the cursor to this message (the caller only ever moves it forward, inside the same transaction). */
  async function advanceCursor(origin: InboundOrigin): Promise<void> {
    await query(UID.mailbox).updateMany({
      where: { id: origin.mailboxId },
      data: { cursorUidValidity: origin.uidValidity, cursorLastUid: origin.uid },
    });
  }

  function receiptFields(origin: InboundOrigin, raw: SpooledRaw, mail: ParsedMail | null) {
    return {
      mailboxId: origin.mailboxId,
      uidValidity: origin.uidValidity,
      uid: origin.uid,
      sha256: raw.sha256,
      rawSize: raw.size,
      messageId: mail?.messageId ?? null,
      subject: mail ? mail.subject.slice(0, RECEIPT_SUBJECT_CHARS) : null,
      fromAddress: mail ? (requesterOf(mail)?.address ?? null) : null,
    };
  }

  /** Writes a new receipt, or (reprocessing) rewrites the quarantined one. Returns its id. */
  async function writeReceipt(
    origin: InboundOrigin,
    raw: SpooledRaw,
    mail: ParsedMail | null,
    data: Record<string, unknown>,
    options?: RecordOptions
  ): Promise<number> {
    if (options?.replaceReceiptId !== undefined) {
      await query(UID.receipt).updateMany({
        where: { id: options.replaceReceiptId },
        data: { ...receiptFields(origin, raw, mail), ...data, reprocessedAt: new Date() },
      });
      return options.replaceReceiptId;
    }
    // createMany of one row: a single INSERT, where create() would read the row back afterwards.
    const created = (await query(UID.receipt).createMany({
      data: [{ ...receiptFields(origin, raw, mail), serverAction: 'pending', ...data }],
    })) as { ids: number[] };
    return created.ids[0];
  }

  /**
   * The last ticket number handed out per transaction: a batch reads the highest number once and counts on from
   * there. Keyed by the transaction, so concurrent imports never share a counter; the unique index on the number
   * guards against any other writer (a clash rolls the batch back, and the one-by-one retry reads afresh).
   */
  const lastNumberByTransaction = new WeakMap<object, number>();

  async function nextTicketNumber(transaction: object): Promise<number> {
    let last = lastNumberByTransaction.get(transaction);
    if (last === undefined) {
      const row = (await query(UID.ticket).findOne({ select: ['number'], orderBy: { number: 'desc' } })) as
        (Row & { number: number }) | null;
      last = row?.number ?? 0;
    }
    lastNumberByTransaction.set(transaction, last + 1);
    return last + 1;
  }

  function messageData(
    mail: ParsedMail,
    raw: SpooledRaw,
    ticketId: number,
    author: 'customer' | 'agent' | 'system',
    contentPreference: ContentPreference
  ) {
    const sender = requesterOf(mail);
    const text = trimQuotedText(mail.text);
    // "Plain text" mailboxes keep no HTML at all: nothing hostile to store, nothing to render.
    const html = mail.html && contentPreference === 'html' ? trimQuotedHtml(mail.html) : null;
    return {
      ticket: ticketId,
      direction: author === 'agent' ? 'outbound' : 'inbound',
      author,
      fromAddress: sender?.address ?? null,
      fromName: sender?.name ?? null,
      to: mail.to,
      cc: mail.cc,
      subject: mail.subject,
      messageId: mail.messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      textBody: text.visible,
      quotedText: text.quoted,
      htmlBody: html?.visible ?? null,
      quotedHtml: html?.quoted ?? null,
      headers: mail.headers,
      rawSize: raw.size,
      sentAt: mail.date,
    };
  }

  return {
    transaction: <T>(work: () => Promise<T>) => strapi.db.transaction(() => work()) as Promise<T>,

    async findReceipt(origin) {
      const row = await findReceiptByOrigin(origin);
      return row ? { id: row.id, ticketId: (row.ticketId as number | null) ?? null } : null;
    },

    async findImportedDuplicates(mailboxId, sha256s) {
      const rows = (await query(UID.receipt).findMany({
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
      for (const row of rows) if (!found.has(row.sha256)) found.set(row.sha256, row.id);
      return found;
    },

    advanceCursor,

    async commitParsedMessage(origin, raw, mail, options): Promise<IngestOutcome> {
      const notifications = strapi.plugin('email-piping').service('notifications');
      return strapi.db.transaction(async ({ trx, onCommit }) => {
        const now = new Date();
        const sender = requesterOf(mail)!;
        const context = await inbound.contextFor(origin.mailboxId);
        if (!context) throw new Error(`mailbox #${origin.mailboxId} no longer exists`);
        const decision = await decideInbound({
          mail,
          settings: context.settings,
          lookups: threadLookups,
          senderIsRegistered: inbound.senderIsRegistered,
        });
        if (decision.kind === 'blocked') {
          await rules.recordHits('block', [decision.ruleId]);
          const receiptId = await writeReceipt(
            origin,
            raw,
            mail,
            { outcome: 'blocked', reason: decision.reason, ruleId: decision.ruleId },
            options
          );
          return { outcome: 'blocked' as const, receiptId, ticketId: null, reason: decision.reason };
        }
        if (decision.kind === 'refused') {
          // A person (never a machine) is told once why their mail was not taken.
          if (context.sends && !decision.automatic.automatic) {
            const answered = await notifications.answerRefusal(context.row, {
              sender: decision.sender,
              senderName: sender.name,
              reason: decision.reason,
              languages: parseLanguagePreferences(mail.headers),
              messageId: mail.messageId,
              references: mail.references,
            });
            if (answered) onCommit(() => strapi.plugin('email-piping').service('outbox').kick());
          }
          const receiptId = await writeReceipt(
            origin,
            raw,
            mail,
            { outcome: 'refused', reason: decision.reason },
            options
          );
          return { outcome: 'refused' as const, receiptId, ticketId: null, reason: decision.reason };
        }
        const { plan, thread, automatic } = decision;
        const ruled = decision.rules;
        if (ruled && ruled.matched.length > 0)
          await rules.recordHits(
            'piping',
            ruled.matched.map((m) => m.ruleId)
          );

        let ticketId: number;
        let ticketNumber: number;
        if (plan.kind === 'new-ticket') {
          const ticket = (await query(UID.ticket).create({
            data: {
              number: await nextTicketNumber(trx),
              subject: mail.subject,
              status: ruled?.status ?? 'open',
              priority: ruled?.priority ?? 'normal',
              category: ruled?.category ?? null,
              tags: ruled && ruled.tags.length > 0 ? ruled.tags : null,
              assigneeId: ruled?.assigneeId ?? null,
              requesterEmail: sender.address,
              requesterName: sender.name || null,
              cc: decision.addedRecipients,
              forwardingAddress: decision.forwardingAddress,
              language: parseLanguagePreferences(mail.headers).join(',') || null,
              lastMessageAt: now,
              mailbox: origin.mailboxId,
              previousTicket: plan.previousTicketId,
            },
            select: ['id', 'number'],
          })) as Row & { number: number };
          ticketId = ticket.id;
          ticketNumber = ticket.number;
        } else {
          ticketId = plan.ticketId;
          ticketNumber = (thread as { ticket: TicketRef }).ticket.number;
          const data: Record<string, unknown> = { lastMessageAt: now };
          if (plan.kind === 'customer-reply' && plan.newStatus) data.status = plan.newStatus;
          if (decision.addedRecipients.length > 0) {
            // Someone the customer brought into the conversation joins the ticket's recipients (CC import).
            const current = (await query(UID.ticket).findOne({
              select: ['cc'],
              where: { id: ticketId },
            })) as {
              cc: MailAddress[] | null;
            } | null;
            const known = new Set((current?.cc ?? []).map((entry) => entry.address));
            const added = decision.addedRecipients.filter((entry) => !known.has(entry.address));
            if (added.length > 0) data.cc = [...(current?.cc ?? []), ...added];
          }
          await query(UID.ticket).updateMany({ where: { id: ticketId }, data });
        }

        const author =
          plan.kind === 'agent-reply' ? 'agent' : plan.kind === 'agent-automatic' ? 'system' : 'customer';
        const { fileIds, inlineParts } = await uploadAttachments(mail);
        const data = messageData(mail, raw, ticketId, author, context.row.contentPreference ?? 'html');
        const message = (await query(UID.message).create({
          data: { ...data, attachments: fileIds, inlineParts },
          select: ['id'],
        })) as Row;
        const outcome = plan.kind === 'new-ticket' ? ('ticket-created' as const) : ('reply-added' as const);
        const notes = [
          thread.kind === 'existing' && plan.kind !== 'new-ticket'
            ? `joined ticket #${ticketNumber} by ${thread.via}`
            : null,
          plan.kind === 'new-ticket' && plan.previousTicketId
            ? 'the ticket it answers is closed: opened a follow-up'
            : null,
          ...thread.refused,
          ...(ruled?.matched ?? []).map((rule) => `piping rule #${rule.ruleId} "${rule.name}" applied`),
          automatic.automatic ? `automatic mail (${automatic.reason}): nothing sent in answer` : null,
        ].filter(Boolean);
        const receiptId = await writeReceipt(
          origin,
          raw,
          mail,
          {
            outcome,
            reason: notes.join('; ') || null,
            ticketId,
            ticketMessageId: message.id,
            rawSource: null,
          },
          options
        );
        let queued = 0;
        // A mailbox without SMTP settings sends nothing: skip planning (and its queries) altogether.
        for (const event of context.sends ? plan.notify : []) {
          queued += await notifications.notify(event, ticketId, {
            mailbox: context.row,
            agents: context.settings.agents,
            ownAddresses: context.settings.ownAddresses,
            message: {
              id: message.id,
              text: data.textBody,
              from: sender.name ? `${sender.name} <${sender.address}>` : sender.address,
              messageId: mail.messageId,
              references: mail.references,
            },
            agentName: plan.kind === 'agent-reply' ? sender.name || sender.address : undefined,
            exclude: plan.kind === 'agent-reply' || event === 'agent-customer-reply' ? [sender.address] : [],
          });
        }
        onCommit(() => {
          if (plan.kind === 'new-ticket')
            emitPluginEvent(strapi, 'ticket.created', { ticketId, number: ticketNumber });
          emitPluginEvent(strapi, 'message.created', {
            ticketId,
            messageId: message.id,
            direction: data.direction,
          });
          if (queued > 0) strapi.plugin('email-piping').service('outbox').kick();
        });
        return { outcome, receiptId, ticketId };
      });
    },

    async recordQuarantined(origin, raw, reason, mail, options) {
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

    async recordSkipped(origin, raw, reason, mail) {
      return strapi.db.transaction(async () => {
        const receiptId = await writeReceipt(origin, raw, mail, { outcome: 'skipped', reason });
        return { outcome: 'skipped' as const, receiptId, ticketId: null, reason };
      });
    },

    async recordNotDownloaded(origin, reason) {
      await strapi.db.transaction(async () => {
        if (await findReceiptByOrigin(origin)) return;
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

    async pendingServerActions(mailboxId, uidValidity): Promise<PendingServerAction[]> {
      const rows = (await query(UID.receipt).findMany({
        select: ['id', 'uid'],
        where: { mailboxId, uidValidity, serverAction: 'pending' },
        orderBy: { uid: 'asc' },
      })) as Row[];
      return rows.map((row) => ({ receiptId: row.id, uid: Number(row.uid) }));
    },

    async settleServerActions(receiptIds, status, error) {
      if (receiptIds.length === 0) return;
      await query(UID.receipt).updateMany({
        where: { id: { $in: receiptIds } },
        data: { serverAction: status, serverActionError: error ?? null },
      });
    },
  };
}
