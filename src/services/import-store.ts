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
import { decideInbound, mailClassOf, type InboundDecision } from '../ingest/decide-inbound';
import type { InboundFlags } from '../policy/classify/inbound-flags';
import type { SpooledRaw } from '../ingest/spool';
import { requesterOf } from '../mail/requester';
import type { TicketRef } from '../mail/thread';
import type { MailAddress, ParsedMail } from '../mail/types';
import { languagesOfMail } from '../mail/language';
import { parseLanguagePreferences } from '../outbound/templates';
import type { ContentPreference } from '../schemas/mailbox';
import { UID } from '../uids';
import { createAttachmentStore } from './attachment-store';
import { emitPluginEvent } from './events';
import { createInboundContextLoader } from './inbound-context';
import { createRowWriter, type RowWriter } from './row-writer';
import { QUARANTINE_FIELD_MAX_CHARS, clipChars, clipUtf8, withoutNul } from '../ingest/stored-values';
import type { AuthenticationVerdict } from '../mail/authenticate';
import { createSenderAuthenticator } from './sender-authentication';
import { unverifiedAgentNote } from './unverified-agent-mail';
import { createOutboundLookups } from './outbound-lookups';
import { createThreadLookups } from './thread-lookups';

/** Upper bound for the subject kept on a receipt row (the full one lives on the message). */
const RECEIPT_SUBJECT_CHARS = 500;

type Row = Record<string, unknown> & { id: number };

/** The flags as stored on a receipt and a message: the booleans that are set, and why. */
function storedFlags(flags: InboundFlags): Record<string, unknown> {
  const set = (
    [
      'autoReply',
      'outOfOffice',
      'bounce',
      'readReceipt',
      'list',
      'ownMail',
      'automatic',
      'suppressAutoResponse',
    ] as const
  ).filter((name) => flags[name]);
  return { set, reasons: flags.reasons, reportType: flags.reportType };
}

/** What an agent reads on the ticket when a mail to the customer bounced. */
function bounceNotice(decision: Extract<InboundDecision, { kind: 'bounce' }>): string {
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
function readReceiptNotice(decision: Extract<InboundDecision, { kind: 'read-receipt' }>): string {
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

export function createImportStore(strapi: Core.Strapi): ImportStore {
  const query = (uid: string) => strapi.db.query(uid as never);

  async function findReceiptByOrigin(origin: InboundOrigin): Promise<Row | null> {
    return (await query(UID.receipt).findOne({
      select: ['id', 'outcome', 'ticketId'],
      where: { mailboxId: origin.mailboxId, uidValidity: origin.uidValidity, uid: origin.uid },
    })) as Row | null;
  }

  const threadLookups = createThreadLookups(strapi);
  const outboundLookups = createOutboundLookups(strapi);
  const rules = {
    recordHits: (kind: 'piping' | 'block', ids: number[]) =>
      strapi.plugin('email-piping').service('rules').recordHits(kind, ids) as Promise<void>,
  };
  const { uploadAttachments } = createAttachmentStore(strapi);
  const writer = createRowWriter(strapi);
  // Every row the import writes goes through here without NUL, which PostgreSQL refuses (see stored-values.ts).
  const rows: RowWriter = {
    insert: (uid, data) => writer.insert(uid, withoutNul(data)),
    link: (...args) => writer.link(...args),
  };
  const inbound = createInboundContextLoader(strapi);
  const senders = createSenderAuthenticator(strapi);
  /** Verdicts found before the transaction (see `beforeTransaction`), by the mail they are about. */
  const verdicts = new WeakMap<ParsedMail, AuthenticationVerdict>();
  async function authenticateSender(raw: SpooledRaw, mail: ParsedMail, mailboxId: number) {
    const known = verdicts.get(mail);
    if (known) return known;
    const context = await inbound.contextFor(mailboxId);
    const verdict = await senders.authenticate(raw, mail, context?.row.trustedAuthservIds ?? []);
    verdicts.set(mail, verdict);
    return verdict;
  }

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
      // Clipped: a receipt is the log line, and the quarantine must not fail on the value that broke the store.
      // The full values are on the message and in the raw source.
      messageId: clipChars(mail?.messageId ?? null, QUARANTINE_FIELD_MAX_CHARS),
      subject: mail ? mail.subject.slice(0, RECEIPT_SUBJECT_CHARS) : null,
      fromAddress: clipChars(mail ? (requesterOf(mail)?.address ?? null) : null, QUARANTINE_FIELD_MAX_CHARS),
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
        data: withoutNul({ ...receiptFields(origin, raw, mail), ...data, reprocessedAt: new Date() }),
      });
      return options.replaceReceiptId;
    }
    // A single INSERT, where create() would read the row back afterwards.
    return rows.insert(UID.receipt, {
      ...receiptFields(origin, raw, mail),
      serverAction: 'pending',
      ...data,
    });
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

  /** What every stored message takes from its mail, whatever the message becomes. */
  function mailFields(mail: ParsedMail, raw: SpooledRaw) {
    return {
      // Both indexed: clipped to what a btree entry holds (see stored-values.ts).
      fromAddress: clipUtf8(requesterOf(mail)?.address ?? null),
      to: mail.to,
      cc: mail.cc,
      subject: mail.subject,
      messageId: clipUtf8(mail.messageId),
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      headers: mail.headers,
      rawSize: raw.size,
      sentAt: mail.date,
    };
  }

  function messageData(
    mail: ParsedMail,
    raw: SpooledRaw,
    author: 'customer' | 'agent' | 'system',
    contentPreference: ContentPreference
  ) {
    const sender = requesterOf(mail);
    // Trimmed by the parse worker (prepareMessage): no DOM work here, on the main thread.
    const text = mail.trimmed?.text ?? { visible: mail.text, quoted: null };
    // "Plain text" mailboxes keep no HTML at all: nothing hostile to store, nothing to render.
    const html =
      mail.html && contentPreference === 'html'
        ? (mail.trimmed?.html ?? { visible: mail.html, quoted: null })
        : null;
    return {
      ...mailFields(mail, raw),
      direction: author === 'agent' ? 'outbound' : 'inbound',
      author,
      fromName: sender?.name ?? null,
      textBody: text.visible,
      quotedText: text.quoted,
      htmlBody: html?.visible ?? null,
      quotedHtml: html?.quoted ?? null,
    };
  }

  /** A system event on a ticket (a bounce, a read receipt): the mail's fields, and the notice an agent reads. */
  async function writeSystemEvent(
    raw: SpooledRaw,
    mail: ParsedMail,
    notice: string,
    classification: Record<string, unknown>,
    ticketId: number
  ): Promise<number> {
    const id = await rows.insert(UID.message, {
      ...mailFields(mail, raw),
      direction: 'system',
      author: 'system',
      fromName: requesterOf(mail)?.name || null,
      textBody: notice,
      ...classification,
    });
    await rows.link(UID.message, 'ticket', id, ticketId);
    return id;
  }

  /**
   * A bounce: recorded on the ticket of the mail it reports on as a system event (never a customer reply, never a
   * new ticket); that mail is marked bounced, and a permanent failure suppresses further mail to its recipient. An
   * unmatched bounce is only recorded: nothing proves it is about our mail.
   */
  async function recordBounce(
    origin: InboundOrigin,
    raw: SpooledRaw,
    mail: ParsedMail,
    decision: Extract<InboundDecision, { kind: 'bounce' }>,
    classification: Record<string, unknown>,
    options: RecordOptions | undefined,
    now: Date
  ): Promise<IngestOutcome> {
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
            bouncedAt: now,
            bounceStatus: (permanent ?? failures[0])?.status ?? null,
          },
        });
      }
      if (match.ticketId !== null) {
        ticketMessageId = await writeSystemEvent(
          raw,
          mail,
          bounceNotice(decision),
          classification,
          match.ticketId
        );
      }
    }
    const receiptId = await writeReceipt(
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
      await strapi
        .plugin('email-piping')
        .service('suppressions')
        .suppress({
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
  }

  /**
   * A read receipt: a system event on the ticket of the mail it names; otherwise only its receipt. Never a ticket,
   * never a reply, and never a bounce (nothing is marked bounced or suppressed).
   */
  async function recordReadReceipt(
    origin: InboundOrigin,
    raw: SpooledRaw,
    mail: ParsedMail,
    decision: Extract<InboundDecision, { kind: 'read-receipt' }>,
    classification: Record<string, unknown>,
    options: RecordOptions | undefined
  ): Promise<IngestOutcome> {
    const ticketId = decision.match?.ticketId ?? null;
    let ticketMessageId: number | null = null;
    if (ticketId !== null) {
      ticketMessageId = await writeSystemEvent(
        raw,
        mail,
        readReceiptNotice(decision),
        classification,
        ticketId
      );
    }
    const receiptId = await writeReceipt(
      origin,
      raw,
      mail,
      { outcome: 'read-receipt', reason: decision.reason, ticketId, ticketMessageId, ...classification },
      options
    );
    return { outcome: 'read-receipt' as const, receiptId, ticketId, reason: decision.reason };
  }

  return {
    transaction: <T>(work: () => Promise<T>) => strapi.db.transaction(() => work()) as Promise<T>,

    async beforeTransaction(items) {
      for (const item of items) {
        if (item.mail) await authenticateSender(item.raw, item.mail, item.origin.mailboxId);
      }
    },

    async findReceipt(origin) {
      const row = await findReceiptByOrigin(origin);
      return row ? { id: row.id, ticketId: (row.ticketId as number | null) ?? null } : null;
    },

    async findImportedDuplicates(mailboxId, sha256s) {
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

    advanceCursor,

    async commitParsedMessage(origin, raw, mail, options): Promise<IngestOutcome> {
      const notifications = strapi.plugin('email-piping').service('notifications');
      return strapi.db.transaction(async ({ trx, onCommit }) => {
        const now = new Date();
        // Only a bounce comes without a sender (see prepareMessage), and a bounce never uses it.
        const sender = requesterOf(mail) ?? { address: '', name: '' };
        const context = await inbound.contextFor(origin.mailboxId);
        if (!context) throw new Error(`mailbox #${origin.mailboxId} no longer exists`);
        const authentication = await authenticateSender(raw, mail, origin.mailboxId);
        const decision = await decideInbound({
          mail,
          settings: context.settings,
          lookups: threadLookups,
          outbound: outboundLookups,
          senderIsRegistered: inbound.senderIsRegistered,
          authentication,
        });
        const classification = {
          mailClass: mailClassOf(decision.flags),
          flags: storedFlags(decision.flags),
          authentication,
        };
        if (decision.kind === 'own-mail') {
          const receiptId = await writeReceipt(
            origin,
            raw,
            mail,
            { outcome: 'own-mail', reason: decision.reason, ...classification },
            options
          );
          return { outcome: 'own-mail' as const, receiptId, ticketId: null, reason: decision.reason };
        }
        if (decision.kind === 'bounce') {
          return recordBounce(origin, raw, mail, decision, classification, options, now);
        }
        if (decision.kind === 'read-receipt') {
          return recordReadReceipt(origin, raw, mail, decision, classification, options);
        }
        /** Mail that makes no ticket: its receipt, after a one-time answer when one is due. */
        const withoutTicket = async (
          outcome: 'unmonitored' | 'blocked' | 'refused',
          reason: string,
          extra: Record<string, unknown>,
          answer: (() => Promise<boolean>) | null
        ): Promise<IngestOutcome> => {
          if (answer && (await answer()))
            onCommit(() => strapi.plugin('email-piping').service('outbox').kick());
          const receiptId = await writeReceipt(
            origin,
            raw,
            mail,
            { outcome, reason, ...extra, ...classification },
            options
          );
          return { outcome, receiptId, ticketId: null, reason };
        };
        // One-time answers go to people only: never to a machine, never to who asked for no automatic answer.
        const answerable =
          context.sends && !decision.automatic.automatic && !decision.flags.suppressAutoResponse;
        // Headers first, else the language the text is written in; detected only for mail that needs it.
        const languages = () =>
          languagesOfMail(parseLanguagePreferences(mail.headers), mail.text || mail.subject);
        const answerRequest = async () => ({
          sender: decision.sender,
          senderName: sender.name,
          languages: await languages(),
          messageId: mail.messageId,
          references: mail.references,
          unauthenticated: decision.answerPolicy,
        });
        if (decision.kind === 'unmonitored') {
          return withoutTicket(
            'unmonitored',
            decision.reason,
            {},
            answerable
              ? async () => notifications.answerUnmonitored(context.row, await answerRequest())
              : null
          );
        }
        if (decision.kind === 'blocked') {
          await rules.recordHits('block', [decision.ruleId]);
          return withoutTicket('blocked', decision.reason, { ruleId: decision.ruleId }, null);
        }
        if (decision.kind === 'refused') {
          const reason = decision.reason;
          return withoutTicket(
            'refused',
            reason,
            {},
            answerable
              ? async () => notifications.answerRefusal(context.row, { ...(await answerRequest()), reason })
              : null
          );
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
          ticketNumber = await nextTicketNumber(trx);
          ticketId = await rows.insert(UID.ticket, {
            number: ticketNumber,
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
            language: (await languages()).join(',') || null,
            lastMessageAt: now,
          });
          await rows.link(UID.ticket, 'mailbox', ticketId, origin.mailboxId);
          if (plan.previousTicketId !== null) {
            await rows.link(UID.ticket, 'previousTicket', ticketId, plan.previousTicketId);
          }
        } else {
          ticketId = plan.ticketId;
          ticketNumber = (thread as { ticket: TicketRef }).ticket.number;
          // Unverified agent mail changes nothing on the ticket: it is only kept for the agents to look at.
          const data: Record<string, unknown> =
            plan.kind === 'unverified-agent-mail' ? {} : { lastMessageAt: now };
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
          if (Object.keys(data).length > 0)
            await query(UID.ticket).updateMany({ where: { id: ticketId }, data: withoutNul(data) });
        }

        const author =
          plan.kind === 'agent-reply' ? 'agent' : plan.kind === 'agent-automatic' ? 'system' : 'customer';
        const { fileIds, inlineParts } = await uploadAttachments(mail);
        const mailData = messageData(mail, raw, author, context.row.contentPreference ?? 'html');
        const data =
          plan.kind === 'unverified-agent-mail' ? unverifiedAgentNote(mailData, plan.reason) : mailData;
        const message = {
          // An HTML body over the budget is not shown (parse.ts): the message's flags say why, for the ticket view.
          id: await rows.insert(UID.message, {
            ...data,
            inlineParts,
            ...classification,
            ...(mail.htmlNotice ? { flags: { ...classification.flags, htmlNotice: mail.htmlNotice } } : {}),
          }),
        };
        await rows.link(UID.message, 'ticket', message.id, ticketId, {
          targetIsNew: plan.kind === 'new-ticket',
        });
        if (fileIds.length > 0) {
          // Media Library links are polymorphic: the upload plugin's bookkeeping stays with the query engine.
          await query(UID.message).update({
            where: { id: message.id },
            data: { attachments: fileIds },
            select: ['id'],
          });
        }
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
          plan.kind === 'unverified-agent-mail'
            ? `unverified agent mail, not sent to anyone: ${plan.reason}`
            : null,
          decision.answerPolicy && context.sends && plan.notify.includes('ticket-acknowledgement')
            ? `acknowledgement ${decision.answerPolicy === 'suppress' ? 'suppressed' : 'held to the hard rate limit'}: sender not authenticated (${authentication.reason})`
            : null,
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
            ...classification,
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
            unauthenticated: decision.answerPolicy,
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
