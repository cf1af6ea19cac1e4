/**
 * Which mails an event causes, to whom, and what each says — decided without a database, so the Strapi side only
 * loads the inputs and stores the result as outbox rows. One mail per recipient: each carries its own reply token
 * and Message-ID, bound to that recipient, so a reply can be traced to the one person it was sent to.
 */
import crypto from 'node:crypto';
import type { MailAddress } from '../mail/types';
import { REPLY_ABOVE_MARKER } from '../mail/quotes/reply-marker';
import { replyAddress, subjectToken, tokenMessageId, normaliseAddress } from '../mail/tokens';
import type { NotificationSwitches, UnauthenticatedAnswers } from '../schemas/mailbox';
import { automaticMailHeaders, replyReferences, type AutomaticKind } from './headers';
import { clipName, clipSubject, isReferableId } from './header-limits';
import { isCustomerEvent, type NotificationEvent, type Template } from '../../contracts/templates';
import { chooseTemplate, mergeTemplates } from './templates/choose';
import { renderTemplate } from './templates/render';

export interface NotificationTicket {
  id: number;
  number: number;
  subject: string;
  status: string;
  priority: string;
  requesterEmail: string | null;
  requesterName: string | null;
  cc: MailAddress[];
  /** Preferred languages of the requester, best first (from their mail's Content-Language / Accept-Language). */
  languages: string[];
}

export interface NotificationMailbox {
  id: number;
  name: string;
  address: string;
  fromName: string | null;
  notifications: NotificationSwitches;
}

export interface TriggerMessage {
  id: number;
  /** The latest message's new text (quotes trimmed). */
  text: string;
  from: string;
  /** Message-ID of the mail being answered (without brackets), if any. */
  messageId: string | null;
  references: string[];
}

export interface PlannedMail {
  event: NotificationEvent;
  automatic: boolean;
  recipient: string;
  fromAddress: string;
  fromName: string | null;
  replyTo: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  language: string;
  headers: Record<string, string>;
  /** Null for the mails that have no ticket: the one-time answers (refused mail, unmonitored mailbox). */
  ticketId: number | null;
  mailboxId: number;
  ticketMessageId: number | null;
  /**
   * The mail answers a sender whose domain fails DMARC (see ingest/agent-trust.ts): the guard suppresses it or holds
   * it to the hard rate limit. Unset for everything else.
   */
  unauthenticatedSender?: UnauthenticatedAnswers | null;
}

export interface NotificationInput {
  event: NotificationEvent;
  ticket: NotificationTicket;
  mailbox: NotificationMailbox;
  message: TriggerMessage | null;
  /** Addresses that get agent notifications. */
  agents: string[];
  agentName?: string;
  /** Site owners' templates; the shipped defaults fill the gaps. */
  templates: Template[];
  /** Signs reply tokens; without it replies thread by Message-ID and participants only. */
  secret: string | null;
  siteName: string;
  adminUrl: string | null;
  /** Never mailed: the plugin's own addresses, the person whose action caused the event. */
  exclude: string[];
  instanceId: string;
}

/**
 * The mailbox switch that turns each event on or off. `mailbox-unmonitored` has none: it is governed by the
 * mailbox's unmonitored flag, which the caller checks, and it never belongs to a ticket.
 */
const SWITCH_OF: Record<NotificationEvent, keyof NotificationSwitches | null> = {
  'ticket-acknowledgement': 'ticketAcknowledgement',
  'agent-reply': 'agentReply',
  'ticket-resolved': 'ticketResolved',
  'ticket-closed': 'ticketClosed',
  'agent-new-ticket': 'agentNewTicket',
  'agent-customer-reply': 'agentCustomerReply',
  'mail-refused': 'refusedMail',
  'mailbox-unmonitored': null,
};

/** An agent's reply is a person's mail; everything else the plugin sends on its own. */
function automaticKind(event: NotificationEvent): AutomaticKind | null {
  if (event === 'agent-reply') return null;
  return event === 'ticket-acknowledgement' || event === 'mailbox-unmonitored'
    ? 'auto-replied'
    : 'auto-generated';
}

function recipientsOf(input: NotificationInput): string[] {
  const excluded = new Set(input.exclude.map(normaliseAddress));
  const candidates = isCustomerEvent(input.event)
    ? [input.ticket.requesterEmail, ...input.ticket.cc.map((entry) => entry.address)]
    : input.agents;
  const unique: string[] = [];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const address = normaliseAddress(candidate);
    if (!excluded.has(address) && !unique.includes(address)) unique.push(address);
  }
  return unique;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

export function planNotifications(input: NotificationInput): PlannedMail[] {
  const switchName = SWITCH_OF[input.event];
  // No switch: an answer that belongs to no ticket (planOneTimeAnswer plans it), never a ticket notification.
  if (switchName === null || !input.mailbox.notifications[switchName]) return [];
  const customerFacing = isCustomerEvent(input.event);
  const template = chooseTemplate(
    mergeTemplates(input.templates),
    input.event,
    customerFacing ? input.ticket.languages : ['en']
  );
  const kind = automaticKind(input.event);
  const references = replyReferences(input.message?.references ?? [], input.message?.messageId ?? null);
  const domain = domainOf(input.mailbox.address);

  return recipientsOf(input).map((recipient) => {
    const rendered = renderTemplate(
      template,
      {
        ticket: {
          number: input.ticket.number,
          subject: input.ticket.subject || '(no subject)',
          status: input.ticket.status,
          priority: input.ticket.priority,
          adminUrl: input.adminUrl
            ? `${input.adminUrl.replace(/\/$/, '')}/plugins/email-piping/tickets/${input.ticket.id}`
            : '',
        },
        requester: {
          name: input.ticket.requesterName || input.ticket.requesterEmail || '',
          email: input.ticket.requesterEmail ?? '',
        },
        message: input.message ? { text: input.message.text, from: input.message.from } : undefined,
        agent: input.agentName ? { name: input.agentName } : undefined,
        site: { name: input.siteName },
        // The signature of every mail: the public sender name when there is one, not an internal label.
        mailbox: { name: input.mailbox.fromName || input.mailbox.name },
      },
      {
        replyAboveMarker: customerFacing ? REPLY_ABOVE_MARKER : undefined,
        subjectToken: subjectToken(input.ticket.number),
      }
    );
    return {
      event: input.event,
      automatic: kind !== null,
      recipient,
      fromAddress: input.mailbox.address,
      fromName: clipName(input.mailbox.fromName),
      replyTo: input.secret
        ? replyAddress(input.mailbox.address, input.ticket.number, recipient, input.secret)
        : input.mailbox.address,
      subject: clipSubject(rendered.subject),
      textBody: rendered.text,
      htmlBody: rendered.html,
      messageId: input.secret
        ? tokenMessageId(domain, input.ticket.number, recipient, input.secret)
        : `ep.${crypto.randomBytes(12).toString('hex')}@${domain}`,
      inReplyTo: isReferableId(input.message?.messageId) ? input.message.messageId : null,
      references,
      language: rendered.language,
      headers: automaticMailHeaders(kind, input.instanceId),
      ticketId: input.ticket.id,
      mailboxId: input.mailbox.id,
      ticketMessageId: input.message?.id ?? null,
    };
  });
}

/** The answers that belong to no ticket and go out at most once per sender per period (the caller counts). */
export type OneTimeAnswerKind = 'mail-refused' | 'mailbox-unmonitored';

export interface OneTimeAnswerInput {
  kind: OneTimeAnswerKind;
  mailbox: NotificationMailbox;
  recipient: string;
  recipientName: string;
  /** Why the mail was refused (`mail-refused`); ignored otherwise. */
  reason?: string;
  /** Where help is available instead (`mailbox-unmonitored`): shown as `{{mailbox.helpText}}`. */
  helpText?: string | null;
  languages: string[];
  templates: Template[];
  siteName: string;
  /** The answered mail's Message-ID and References, so the answer threads under it in the sender's client. */
  inReplyTo: string | null;
  references: string[];
  instanceId: string;
}

/**
 * A one-time answer: to mail a mailbox refuses (allowed mail / senders), or to mail sent to an unmonitored mailbox.
 * It belongs to no ticket, so it carries no reply token: an answer to it is just a new mail, judged like any other.
 *
 * `mail-refused` is sent only when the mailbox's `refusedMail` switch is on. `mailbox-unmonitored` ignores the
 * switches: marking a mailbox unmonitored is the site owner's choice to answer, and the caller checks that flag.
 * Never call either for automatic mail; the caller decides that too (and the outbound guard has the last word).
 */
export function planOneTimeAnswer(input: OneTimeAnswerInput): PlannedMail | null {
  if (input.kind === 'mail-refused' && !input.mailbox.notifications.refusedMail) return null;
  const template = chooseTemplate(mergeTemplates(input.templates), input.kind, input.languages);
  const rendered = renderTemplate(
    template,
    {
      ticket: { number: '', subject: '', status: '', priority: '' },
      requester: { name: input.recipientName || input.recipient, email: input.recipient },
      site: { name: input.siteName },
      mailbox: { name: input.mailbox.fromName || input.mailbox.name, helpText: input.helpText ?? null },
      refusal: input.kind === 'mail-refused' ? { reason: input.reason ?? '' } : null,
    },
    { subjectToken: '' }
  );
  // Random, without a ticket token (there is no ticket); `r` or `u` only tells the two answers apart when read.
  const marker = input.kind === 'mail-refused' ? 'r' : 'u';
  const random = crypto.randomBytes(12).toString('hex');
  return {
    event: input.kind,
    automatic: true,
    recipient: normaliseAddress(input.recipient),
    fromAddress: input.mailbox.address,
    fromName: clipName(input.mailbox.fromName),
    replyTo: input.mailbox.address,
    subject: clipSubject(rendered.subject),
    textBody: rendered.text,
    htmlBody: rendered.html,
    messageId: `ep.${marker}.${random}@${domainOf(input.mailbox.address)}`,
    inReplyTo: isReferableId(input.inReplyTo) ? input.inReplyTo : null,
    references: replyReferences(input.references, input.inReplyTo),
    language: rendered.language,
    headers: automaticMailHeaders('auto-replied', input.instanceId),
    ticketId: null,
    mailboxId: input.mailbox.id,
    ticketMessageId: null,
  };
}
