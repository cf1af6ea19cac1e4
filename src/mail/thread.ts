/**
 * Thread: which ticket, if any, an inbound mail belongs to. One place decides it, in this order:
 *
 *   1. a reply token in To / Cc / Delivered-To / X-Original-To that verifies for the sender;
 *   2. In-Reply-To / References naming one of our Message-IDs whose token verifies for the sender;
 *   3. In-Reply-To / References naming a Message-ID stored on a ticket, when the sender takes part in that ticket;
 *   4. the subject token `[#1234]`, when the sender takes part in that ticket.
 *
 * Anything else opens a new ticket. A sender who takes no part in a ticket — a forged From with a guessed number, a
 * forwarded notification, a token issued to someone else, a tampered token — never lands in it; the reasons are
 * returned so the receipt can say why a mail that looked like a reply opened a ticket of its own.
 *
 * The database is reached only through `ThreadLookups`, so this file stays free of Strapi and is unit-tested alone
 * (and reused by the rule simulator).
 */
import {
  subjectTicketNumber,
  tokenFromAddress,
  tokenFromMessageId,
  verifyMac,
  normaliseAddress,
} from './tokens';

export interface TicketRef {
  id: number;
  number: number;
  status: string;
}

export interface ThreadLookups {
  ticketByNumber(ticketNumber: number): Promise<TicketRef | null>;
  /** The ticket holding a message (inbound or outbound) with one of these Message-IDs; the newest wins. */
  ticketByMessageIds(messageIds: string[]): Promise<TicketRef | null>;
  /** Requester, CC, anyone the ticket has mailed or heard from. */
  isParticipant(ticket: TicketRef, address: string): Promise<boolean>;
}

export interface ThreadInput {
  sender: string;
  /** To, Cc, Delivered-To and X-Original-To addresses. */
  recipients: string[];
  /** In-Reply-To first, then References newest first (see `threadCandidateIds`). */
  candidateIds: string[];
  subject: string;
}

export type ThreadVia = 'reply-token' | 'message-id-token' | 'references' | 'subject-token';

export type ThreadDecision =
  | { kind: 'existing'; ticket: TicketRef; via: ThreadVia; refused: string[] }
  | { kind: 'new'; refused: string[] };

export async function resolveThread(
  input: ThreadInput,
  lookups: ThreadLookups,
  secret: string | null
): Promise<ThreadDecision> {
  const sender = normaliseAddress(input.sender);
  const refused: string[] = [];
  const existing = (ticket: TicketRef, via: ThreadVia): ThreadDecision => ({
    kind: 'existing',
    ticket,
    via,
    refused,
  });

  if (secret) {
    for (const recipient of input.recipients) {
      const token = tokenFromAddress(recipient);
      if (!token) continue;
      if (verifyMac(secret, token.ticketNumber, sender, 'reply', token.mac)) {
        const ticket = await lookups.ticketByNumber(token.ticketNumber);
        if (ticket) return existing(ticket, 'reply-token');
      } else {
        refused.push(`reply address for ticket #${token.ticketNumber} was not issued to ${sender}`);
      }
    }
    for (const messageId of input.candidateIds) {
      const token = tokenFromMessageId(messageId);
      if (!token) continue;
      if (verifyMac(secret, token.ticketNumber, sender, 'message-id', token.mac)) {
        const ticket = await lookups.ticketByNumber(token.ticketNumber);
        if (ticket) return existing(ticket, 'message-id-token');
      } else {
        refused.push(
          `answers a notification of ticket #${token.ticketNumber} that was not sent to ${sender}`
        );
      }
    }
  }

  if (input.candidateIds.length > 0) {
    const ticket = await lookups.ticketByMessageIds(input.candidateIds);
    if (ticket) {
      if (await lookups.isParticipant(ticket, sender)) return existing(ticket, 'references');
      refused.push(`references ticket #${ticket.number}, in which ${sender} takes no part`);
    }
  }

  const numberInSubject = subjectTicketNumber(input.subject);
  if (numberInSubject !== null) {
    const ticket = await lookups.ticketByNumber(numberInSubject);
    if (ticket) {
      if (await lookups.isParticipant(ticket, sender)) return existing(ticket, 'subject-token');
      refused.push(`subject names ticket #${ticket.number}, in which ${sender} takes no part`);
    }
  }

  return { kind: 'new', refused };
}
