/**
 * The accepted-mail part of the import store: a decision of kind `accepted` written as it says — a new ticket (with
 * the piping rules' fields) or the ticket it joins updated, the message with its attachments, the receipt, and the
 * notifications planned. It decides nothing: the plan, the rules' verdict and the recipients are the decision's.
 */
import type { Core } from '@strapi/strapi';
import type { IngestOutcome } from '../ingest/store';
import { withoutNul } from '../ingest/stored-values';
import { requesterOf } from '../mail/requester';
import type { TicketRef } from '../mail/thread';
import type { MailAddress } from '../mail/types';
import type { InboundDecision } from '../policy/decide-inbound';
import { MAX_TICKET_RECIPIENTS } from '../policy/mail-recipients';
import { UID } from '../uids';
import { createAttachmentStore } from './attachment-store';
import type { MailboxContext } from './inbound-context';
import { mailLanguages } from '../mail/language';
import { messageData, type Recording } from './mail-rows';
import type { ReceiptsAndCursor } from './receipts-and-cursor';
import type { RowWriter } from './row-writer';
import { createTicketNumbers } from './ticket-numbers';
import { unverifiedAgentNote } from './unverified-agent-mail';
import { emitPluginEvent } from '../plugin-events';
import { pluginService } from '../services/registry';

type AcceptedDecision = Extract<InboundDecision, { kind: 'accepted' }>;

/** The transaction the message is written in: its handle and hooks. */
export interface WritingTransaction {
  trx: object;
  onCommit(hook: () => void): void;
}

export function createAcceptedRecorder(strapi: Core.Strapi, rows: RowWriter, receipts: ReceiptsAndCursor) {
  const query = (uid: string) => strapi.db.query(uid as never);
  const { uploadAttachments } = createAttachmentStore(strapi);
  const ticketNumbers = createTicketNumbers(strapi, rows);

  /** The ticket the mail opens; its fields are the rules' where they set one. */
  async function openTicket(
    recording: Recording,
    decision: AcceptedDecision,
    plan: Extract<AcceptedDecision['plan'], { kind: 'new-ticket' }>
  ) {
    const { mail, origin } = recording;
    const ruled = decision.rules;
    const sender = requesterOf(mail) ?? { address: '', name: '' };
    const number = await ticketNumbers.next();
    const id = await rows.insert(UID.ticket, {
      number,
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
      language: (await mailLanguages(mail)).join(',') || null,
      lastMessageAt: new Date(),
    });
    await rows.link(UID.ticket, 'mailbox', id, origin.mailboxId);
    if (plan.previousTicketId !== null)
      await rows.link(UID.ticket, 'previousTicket', id, plan.previousTicketId);
    return { id, number };
  }

  /** The ticket the mail joins: its activity time, a status the plan changes, recipients the customer brought in. */
  async function updateJoinedTicket(decision: AcceptedDecision, ticketId: number): Promise<void> {
    const { plan } = decision;
    // Unverified agent mail changes nothing on the ticket: it is only kept for the agents to look at.
    const data: Record<string, unknown> =
      plan.kind === 'unverified-agent-mail' ? {} : { lastMessageAt: new Date() };
    if (plan.kind === 'customer-reply' && plan.newStatus) data.status = plan.newStatus;
    if (decision.addedRecipients.length > 0) {
      // Someone the customer brought into the conversation joins the ticket's recipients (CC import).
      const current = (await query(UID.ticket).findOne({ select: ['cc'], where: { id: ticketId } })) as {
        cc: MailAddress[] | null;
      } | null;
      const known = new Set((current?.cc ?? []).map((entry) => entry.address));
      const room = Math.max(0, MAX_TICKET_RECIPIENTS - known.size);
      const added = decision.addedRecipients.filter((entry) => !known.has(entry.address)).slice(0, room);
      if (added.length > 0) data.cc = [...(current?.cc ?? []), ...added];
    }
    if (Object.keys(data).length > 0)
      await query(UID.ticket).updateMany({ where: { id: ticketId }, data: withoutNul(data) });
  }

  /** The receipt's reason: how the mail was joined, what the rules did, why nothing was sent. */
  function receiptNotes(
    decision: AcceptedDecision,
    ticketNumber: number,
    context: MailboxContext
  ): string | null {
    const { plan, thread, automatic, authentication } = decision;
    const notes = [
      thread.kind === 'existing' && plan.kind !== 'new-ticket'
        ? `joined ticket #${ticketNumber} by ${thread.via}`
        : null,
      plan.kind === 'new-ticket' && plan.previousTicketId
        ? 'the ticket it answers is closed: opened a follow-up'
        : null,
      ...thread.refused,
      ...(decision.rules?.matched ?? []).map((rule) => `piping rule #${rule.ruleId} "${rule.name}" applied`),
      automatic.automatic ? `automatic mail (${automatic.reason}): nothing sent in answer` : null,
      plan.kind === 'unverified-agent-mail'
        ? `unverified agent mail, not sent to anyone: ${plan.reason}`
        : null,
      decision.answerPolicy && context.sends && plan.notify.includes('ticket-acknowledgement')
        ? `acknowledgement ${decision.answerPolicy === 'suppress' ? 'suppressed' : 'held to the hard rate limit'}: sender not authenticated (${authentication?.reason ?? 'not checked'})`
        : null,
    ].filter(Boolean);
    return notes.join('; ') || null;
  }

  return async function recordAccepted(
    recording: Recording,
    decision: AcceptedDecision,
    context: MailboxContext,
    { onCommit }: WritingTransaction
  ): Promise<IngestOutcome> {
    const { origin, raw, mail, classification, options } = recording;
    const { plan, thread } = decision;
    const sender = requesterOf(mail) ?? { address: '', name: '' };
    const ruled = decision.rules;
    if (ruled && ruled.matched.length > 0)
      await pluginService(strapi, 'rules').recordHits(
        'piping',
        ruled.matched.map((m) => m.ruleId)
      );

    let ticketId: number;
    let ticketNumber: number;
    if (plan.kind === 'new-ticket') {
      ({ id: ticketId, number: ticketNumber } = await openTicket(recording, decision, plan));
    } else {
      ticketId = plan.ticketId;
      ticketNumber = (thread as { ticket: TicketRef }).ticket.number;
      await updateJoinedTicket(decision, ticketId);
    }

    const author =
      plan.kind === 'agent-reply' ? 'agent' : plan.kind === 'agent-automatic' ? 'system' : 'customer';
    // Uploaded ahead of the transaction by the import; reprocessing and single messages upload here.
    const { fileIds, inlineParts } = options?.staged ?? (await uploadAttachments(mail));
    const mailData = messageData(mail, raw, author, context.row.contentPreference ?? 'html');
    const data =
      plan.kind === 'unverified-agent-mail' ? unverifiedAgentNote(mailData, plan.reason) : mailData;
    const messageId = await rows.insert(UID.message, {
      ...data,
      inlineParts,
      ...classification,
      // An HTML body over the budget is not shown (parse.ts): the message's flags say why, for the ticket view.
      ...(mail.htmlNotice ? { flags: { ...classification.flags, htmlNotice: mail.htmlNotice } } : {}),
    });
    await rows.link(UID.message, 'ticket', messageId, ticketId, { targetIsNew: plan.kind === 'new-ticket' });
    if (fileIds.length > 0) {
      // Media Library links are polymorphic: the upload plugin's bookkeeping stays with the query engine.
      await query(UID.message).update({
        where: { id: messageId },
        data: { attachments: fileIds },
        select: ['id'],
      });
    }
    const outcome = plan.kind === 'new-ticket' ? ('ticket-created' as const) : ('reply-added' as const);
    const receiptId = await receipts.writeReceipt(
      origin,
      raw,
      mail,
      {
        outcome,
        reason: receiptNotes(decision, ticketNumber, context),
        ticketId,
        ticketMessageId: messageId,
        rawSource: null,
        ...classification,
      },
      options
    );
    let queued = 0;
    const notifications = pluginService(strapi, 'notifications');
    // A mailbox without SMTP settings sends nothing: skip planning (and its queries) altogether.
    for (const event of context.sends ? plan.notify : []) {
      queued += await notifications.notify(event, ticketId, {
        mailbox: context.row,
        agents: context.settings.agents,
        ownAddresses: context.settings.ownAddresses,
        message: {
          id: messageId,
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
      emitPluginEvent(strapi, 'message.created', { ticketId, messageId, direction: data.direction });
      if (queued > 0) pluginService(strapi, 'outbox').kick();
    });
    return { outcome, receiptId, ticketId };
  };
}
