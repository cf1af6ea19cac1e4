/**
 * The persist step: what the importer decided, written through Strapi's query engine inside one transaction per
 * message (ticket, message, attachments, receipt, cursor). The Document Service would fire lifecycles for us but
 * costs ~65 creates/s here against thousands for the query engine, so this path emits the plugin's own events after
 * commit instead (see `events.ts`).
 */
import fs from 'node:fs';
import type { Core } from '@strapi/strapi';
import type { ImportStore, PendingServerAction } from '../ingest/importer';
import type { InboundOrigin, IngestOutcome, RecordOptions } from '../ingest/ingest-message';
import type { SpooledRaw } from '../ingest/spool';
import { classifyAutomatic } from '../mail/classify';
import { threadCandidateIds } from '../mail/message-ids';
import { trimQuotedHtml, trimQuotedText } from '../mail/quotes';
import { resolveThread, type ThreadLookups, type TicketRef } from '../mail/thread';
import { planInbound } from '../ingest/plan-inbound';
import { parseLanguagePreferences } from '../outbound/templates';
import type { ClosedTicketReplies } from '../schemas/mailbox';
import { requesterOf } from '../mail/requester';
import { storedAttachmentName } from '../mail/attachment-safety';
import type { ParsedMail, SpooledAttachment } from '../mail/types';
import { UID } from '../uids';
import { emitPluginEvent } from './events';

/** Upper bound for the subject kept on a receipt row (the full one lives on the message). */
const RECEIPT_SUBJECT_CHARS = 500;

type Row = Record<string, unknown> & { id: number };

export interface StoredInlinePart {
  contentId: string;
  fileId: number;
  url: string;
  filename: string;
  contentType: string;
}

export function createImportStore(strapi: Core.Strapi): ImportStore {
  const query = (uid: string) => strapi.db.query(uid as never);

  async function findReceiptByOrigin(origin: InboundOrigin): Promise<Row | null> {
    return (await query(UID.receipt).findOne({
      select: ['id', 'outcome', 'ticketId'],
      where: { mailboxId: origin.mailboxId, uidValidity: origin.uidValidity, uid: origin.uid },
    })) as Row | null;
  }

  /** The answer for a message whose origin already has a receipt (a second importer got there first). */
  function alreadyRecorded(existing: Row): IngestOutcome {
    return { outcome: 'skipped', receiptId: existing.id, ticketId: null, reason: 'already recorded' };
  }

  /** Moves the cursor forward to this message; never backwards (reprocessing an old receipt leaves it alone). */
  async function advanceCursor(origin: InboundOrigin): Promise<void> {
    await query(UID.mailbox).update({
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
      await query(UID.receipt).update({
        where: { id: options.replaceReceiptId },
        data: { ...receiptFields(origin, raw, mail), ...data, reprocessedAt: new Date() },
      });
      return options.replaceReceiptId;
    }
    const created = (await query(UID.receipt).create({
      data: { ...receiptFields(origin, raw, mail), serverAction: 'pending', ...data },
    })) as Row;
    await advanceCursor(origin);
    return created.id;
  }

  async function ticketRef(where: Record<string, unknown>): Promise<TicketRef | null> {
    return (await query(UID.ticket).findOne({
      select: ['id', 'number', 'status'],
      where,
    })) as TicketRef | null;
  }

  /** How `resolveThread` reaches the database. */
  const threadLookups: ThreadLookups = {
    ticketByNumber: (ticketNumber) => ticketRef({ number: ticketNumber }),
    async ticketByMessageIds(messageIds) {
      const message = (await query(UID.message).findOne({
        select: ['id'],
        where: { messageId: { $in: messageIds }, ticket: { id: { $notNull: true } } },
        populate: { ticket: { select: ['id', 'number', 'status'] } },
        orderBy: { id: 'desc' },
      })) as { ticket?: TicketRef | null } | null;
      if (message?.ticket) return message.ticket;
      const sent = (await query(UID.outbox).findOne({
        select: ['ticketId'],
        where: { messageId: { $in: messageIds }, ticketId: { $notNull: true } },
        orderBy: { id: 'desc' },
      })) as { ticketId: number } | null;
      return sent ? ticketRef({ id: sent.ticketId }) : null;
    },
    async isParticipant(ticket, address) {
      const row = (await query(UID.ticket).findOne({
        select: ['requesterEmail', 'cc'],
        where: { id: ticket.id },
      })) as { requesterEmail: string | null; cc: Array<{ address: string }> | null } | null;
      if (!row) return false;
      if (row.requesterEmail?.toLowerCase() === address) return true;
      if ((row.cc ?? []).some((entry) => entry.address.toLowerCase() === address)) return true;
      const wrote = await query(UID.message).count({
        where: { ticket: { id: ticket.id }, fromAddress: address },
      });
      if (wrote > 0) return true;
      return (await query(UID.outbox).count({ where: { ticketId: ticket.id, recipient: address } })) > 0;
    },
  };

  async function nextTicketNumber(): Promise<number> {
    const last = (await query(UID.ticket).findOne({ select: ['number'], orderBy: { number: 'desc' } })) as
      (Row & { number: number }) | null;
    return (last?.number ?? 0) + 1;
  }

  /**
   * Stores bytes as they are, skipping the upload plugin's image processing (thumbnails, optimisation). Used when
   * that processing refuses a file (a truncated or damaged image): the attachment is kept rather than the message
   * being lost over a thumbnail.
   */
  async function uploadAsPlainFile(
    attachment: SpooledAttachment,
    displayName: string,
    storageName: string
  ): Promise<Row> {
    const uploads = strapi.plugin('upload');
    const entity = (await uploads
      .service('upload')
      .formatFileInfo(
        { filename: storageName, type: 'application/octet-stream', size: attachment.size },
        { name: displayName }
      )) as Record<string, unknown>;
    entity.filepath = attachment.tempPath;
    entity.getStream = () => fs.createReadStream(attachment.tempPath);
    await uploads.service('provider').checkFileSize(entity);
    await uploads.service('provider').upload(entity);
    entity.provider = (strapi.config.get('plugin::upload') as { provider: string }).provider;
    return (await query('plugin::upload.file').create({ data: entity })) as Row;
  }

  async function uploadOne(attachment: SpooledAttachment): Promise<Row> {
    const names = storedAttachmentName(attachment.filename, attachment.contentType);
    try {
      const [file] = (await strapi
        .plugin('upload')
        .service('upload')
        .upload({
          data: { fileInfo: { name: names.displayName } },
          files: {
            filepath: attachment.tempPath,
            originalFilename: names.storageName,
            mimetype: names.mimeType,
            size: attachment.size,
          },
        })) as Row[];
      return file;
    } catch (error) {
      if (!/not a valid image/i.test((error as Error).message)) throw error;
      return uploadAsPlainFile(attachment, names.displayName, names.storageName);
    }
  }

  async function uploadAttachments(
    mail: ParsedMail
  ): Promise<{ fileIds: number[]; inlineParts: StoredInlinePart[] }> {
    const fileIds: number[] = [];
    const inlineParts: StoredInlinePart[] = [];
    for (const attachment of mail.attachments) {
      const file = await uploadOne(attachment);
      fileIds.push(file.id);
      if (attachment.contentId) {
        inlineParts.push({
          contentId: attachment.contentId,
          fileId: file.id,
          url: String(file.url),
          filename: attachment.filename,
          contentType: attachment.contentType,
        });
      }
    }
    return { fileIds, inlineParts };
  }

  function messageData(
    mail: ParsedMail,
    raw: SpooledRaw,
    ticketId: number,
    author: 'customer' | 'agent' | 'system'
  ) {
    const sender = requesterOf(mail);
    const text = trimQuotedText(mail.text);
    const html = mail.html ? trimQuotedHtml(mail.html) : null;
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

  async function mailboxPolicy(mailboxId: number) {
    return (await query(UID.mailbox).findOne({
      select: ['id', 'closedTicketReplies', 'agentAddresses', 'agentRoleIds'],
      where: { id: mailboxId },
    })) as {
      id: number;
      closedTicketReplies: ClosedTicketReplies | null;
      agentAddresses: string[] | null;
      agentRoleIds: number[] | null;
    } | null;
  }

  /** Addresses the mail was delivered to: tokens may sit in any of them. */
  function deliveredTo(mail: ParsedMail): string[] {
    const headerAddresses = ['delivered-to', 'x-original-to']
      .flatMap((name) => [mail.headers[name] ?? []].flat())
      .map((value) =>
        String(value)
          .replace(/^.*<|>.*$/g, '')
          .trim()
      );
    return [...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address), ...headerAddresses];
  }

  return {
    async findImportedDuplicate(mailboxId, sha256) {
      const found = (await query(UID.receipt).findOne({
        select: ['id'],
        // Quarantined mail counts too: its source is already kept, a second copy would only clutter the quarantine.
        where: { mailboxId, sha256, outcome: { $in: ['ticket-created', 'reply-added', 'quarantined'] } },
      })) as Row | null;
      return found?.id ?? null;
    },

    async commitParsedMessage(origin, raw, mail, options): Promise<IngestOutcome> {
      const notifications = strapi.plugin('email-piping').service('notifications');
      return strapi.db.transaction(async ({ onCommit }) => {
        if (options?.replaceReceiptId === undefined) {
          const existing = await findReceiptByOrigin(origin);
          if (existing)
            return { ...alreadyRecorded(existing), ticketId: (existing.ticketId as number | null) ?? null };
        }
        const now = new Date();
        const sender = requesterOf(mail)!;
        const mailbox = await mailboxPolicy(origin.mailboxId);
        const decision = await resolveThread(
          {
            sender: sender.address,
            recipients: deliveredTo(mail),
            candidateIds: threadCandidateIds(mail),
            subject: mail.subject,
          },
          threadLookups,
          notifications.secret()
        );
        const agents: string[] = mailbox ? await notifications.agentsOf(mailbox) : [];
        const automatic = classifyAutomatic(mail.headers, sender.address);
        const plan = planInbound({
          decision,
          senderIsAgent: agents.includes(sender.address),
          automatic: automatic.automatic,
          closedTicketReplies: mailbox?.closedTicketReplies ?? 'reopen',
        });

        let ticketId: number;
        let ticketNumber: number;
        if (plan.kind === 'new-ticket') {
          const ticket = (await query(UID.ticket).create({
            data: {
              number: await nextTicketNumber(),
              subject: mail.subject,
              status: 'open',
              priority: 'normal',
              requesterEmail: sender.address,
              requesterName: sender.name || null,
              cc: mail.cc,
              language: parseLanguagePreferences(mail.headers).join(',') || null,
              lastMessageAt: now,
              mailbox: origin.mailboxId,
              previousTicket: plan.previousTicketId,
            },
          })) as Row & { number: number };
          ticketId = ticket.id;
          ticketNumber = ticket.number;
        } else {
          ticketId = plan.ticketId;
          ticketNumber = (decision as { ticket: TicketRef }).ticket.number;
          const data: Record<string, unknown> = { lastMessageAt: now };
          if (plan.kind === 'customer-reply' && plan.newStatus) data.status = plan.newStatus;
          await query(UID.ticket).update({ where: { id: ticketId }, data });
        }

        const author =
          plan.kind === 'agent-reply' ? 'agent' : plan.kind === 'agent-automatic' ? 'system' : 'customer';
        const { fileIds, inlineParts } = await uploadAttachments(mail);
        const data = messageData(mail, raw, ticketId, author);
        const message = (await query(UID.message).create({
          data: { ...data, attachments: fileIds, inlineParts },
        })) as Row;
        const outcome = plan.kind === 'new-ticket' ? ('ticket-created' as const) : ('reply-added' as const);
        const notes = [
          decision.kind === 'existing' ? `joined ticket #${ticketNumber} by ${decision.via}` : null,
          plan.kind === 'new-ticket' && plan.previousTicketId
            ? 'the ticket it answers is closed: opened a follow-up'
            : null,
          ...decision.refused,
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
        await query(UID.message).update({ where: { id: message.id }, data: { receiptId } });

        let queued = 0;
        for (const event of plan.notify) {
          queued += await notifications.notify(event, ticketId, {
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
        if (options?.replaceReceiptId === undefined) {
          const existing = await findReceiptByOrigin(origin);
          if (existing) return alreadyRecorded(existing);
        }
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
        const existing = await findReceiptByOrigin(origin);
        if (existing) return alreadyRecorded(existing);
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
