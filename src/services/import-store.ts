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
import { threadCandidateIds } from '../mail/message-ids';
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

  async function findThreadTicket(mail: ParsedMail): Promise<Row | null> {
    const candidates = threadCandidateIds(mail);
    if (candidates.length === 0) return null;
    const message = (await query(UID.message).findOne({
      select: ['id'],
      where: { messageId: { $in: candidates }, ticket: { id: { $notNull: true } } },
      populate: { ticket: { select: ['id', 'number', 'status'] } },
      orderBy: { id: 'desc' },
    })) as (Row & { ticket?: Row | null }) | null;
    return message?.ticket ?? null;
  }

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

  function messageData(mail: ParsedMail, raw: SpooledRaw, ticketId: number) {
    const sender = requesterOf(mail);
    return {
      ticket: ticketId,
      direction: 'inbound',
      fromAddress: sender?.address ?? null,
      fromName: sender?.name ?? null,
      to: mail.to,
      cc: mail.cc,
      subject: mail.subject,
      messageId: mail.messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      textBody: mail.text,
      htmlBody: mail.html,
      headers: mail.headers,
      rawSize: raw.size,
      sentAt: mail.date,
    };
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
      const committed = await strapi.db.transaction(async ({ onCommit }) => {
        if (options?.replaceReceiptId === undefined) {
          const existing = await findReceiptByOrigin(origin);
          if (existing) {
            return {
              outcome: 'skipped' as const,
              receiptId: existing.id,
              ticketId: (existing.ticketId as number | null) ?? null,
              reason: 'already imported',
            };
          }
        }
        const now = new Date();
        const requester = requesterOf(mail);
        let ticket = await findThreadTicket(mail);
        const isReply = ticket !== null;
        if (ticket) {
          // A customer's answer puts a ticket that waited on them, or that was resolved, back in the queue.
          const status = ticket.status === 'pending' || ticket.status === 'resolved' ? 'open' : ticket.status;
          await query(UID.ticket).update({ where: { id: ticket.id }, data: { lastMessageAt: now, status } });
        } else {
          ticket = (await query(UID.ticket).create({
            data: {
              number: await nextTicketNumber(),
              subject: mail.subject,
              status: 'open',
              priority: 'normal',
              requesterEmail: requester?.address ?? null,
              requesterName: requester?.name || null,
              cc: mail.cc,
              lastMessageAt: now,
              mailbox: origin.mailboxId,
            },
          })) as Row;
        }
        const ticketId = ticket.id;
        const { fileIds, inlineParts } = await uploadAttachments(mail);
        const message = (await query(UID.message).create({
          data: { ...messageData(mail, raw, ticketId), attachments: fileIds, inlineParts },
        })) as Row;
        const outcome = isReply ? ('reply-added' as const) : ('ticket-created' as const);
        const receiptId = await writeReceipt(
          origin,
          raw,
          mail,
          { outcome, reason: null, ticketId, ticketMessageId: message.id, rawSource: null },
          options
        );
        await query(UID.message).update({ where: { id: message.id }, data: { receiptId } });
        onCommit(() => {
          if (!isReply) emitPluginEvent(strapi, 'ticket.created', { ticketId, number: ticket?.number });
          emitPluginEvent(strapi, 'message.created', {
            ticketId,
            messageId: message.id,
            direction: 'inbound',
          });
        });
        return { outcome, receiptId, ticketId };
      });
      return committed;
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
