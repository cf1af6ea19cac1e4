/**
 * Apply: what an inbound mail does to the help desk once its thread is known — open a ticket, add a customer's reply,
 * or pass an agent's emailed reply on to the customer — and which notifications that causes. Pure: the import store
 * loads the facts and carries the plan out inside its transaction.
 */
import type { ThreadDecision } from '../mail/thread';
import type { NotificationEvent } from '../../contracts/templates';
import type { ClosedTicketReplies } from '../schemas/mailbox';

export interface InboundFacts {
  decision: ThreadDecision;
  /** The sender is one of the mailbox's agents. */
  senderIsAgent: boolean;
  /**
   * Why an agent's mail to this ticket is not trusted (no token issued to them, or not authenticated; see
   * agent-trust.ts), or null. Such mail is kept as an internal note and mailed to nobody.
   */
  unverifiedAgentMail?: string | null;
  /** Written by a machine (auto-reply, list, bounce…): imported, but never answered automatically. */
  automatic: boolean;
  /**
   * The sender asked for no automatic answers (X-Auto-Response-Suppress) without being a machine itself: no
   * acknowledgement goes back, agents are still told.
   */
  suppressAutoResponse?: boolean;
  closedTicketReplies: ClosedTicketReplies;
}

export type InboundPlan =
  | { kind: 'new-ticket'; previousTicketId: number | null; notify: NotificationEvent[] }
  | { kind: 'customer-reply'; ticketId: number; newStatus: string | null; notify: NotificationEvent[] }
  | { kind: 'agent-reply'; ticketId: number; notify: NotificationEvent[] }
  /** An agent's auto-reply (out of office) to a notification: kept on the ticket, never forwarded to the customer. */
  | { kind: 'agent-automatic'; ticketId: number; notify: NotificationEvent[] }
  /** Mail from an agent address without both proofs: an internal note with a warning, never forwarded. */
  | { kind: 'unverified-agent-mail'; ticketId: number; reason: string; notify: NotificationEvent[] };

const REOPENED_BY_CUSTOMER = new Set(['pending', 'resolved']);

export function planInbound(facts: InboundFacts): InboundPlan {
  const plan = planEvents(facts);
  if (facts.suppressAutoResponse)
    plan.notify = plan.notify.filter((event) => event !== 'ticket-acknowledgement');
  return plan;
}

function planEvents(facts: InboundFacts): InboundPlan {
  const quiet = facts.automatic;
  if (facts.decision.kind === 'new') {
    return {
      kind: 'new-ticket',
      previousTicketId: null,
      notify: quiet ? [] : ['ticket-acknowledgement', 'agent-new-ticket'],
    };
  }
  const ticket = facts.decision.ticket;
  if (facts.senderIsAgent && facts.unverifiedAgentMail) {
    return {
      kind: 'unverified-agent-mail',
      ticketId: ticket.id,
      reason: facts.unverifiedAgentMail,
      notify: [],
    };
  }
  if (facts.senderIsAgent) {
    return quiet
      ? { kind: 'agent-automatic', ticketId: ticket.id, notify: [] }
      : { kind: 'agent-reply', ticketId: ticket.id, notify: ['agent-reply'] };
  }
  if (quiet) {
    // An auto-reply (out of office to our resolved notice, say) is kept on the ticket but changes nothing.
    return { kind: 'customer-reply', ticketId: ticket.id, newStatus: null, notify: [] };
  }
  if (ticket.status === 'closed') {
    if (facts.closedTicketReplies === 'new-ticket') {
      return {
        kind: 'new-ticket',
        previousTicketId: ticket.id,
        notify: ['ticket-acknowledgement', 'agent-new-ticket'],
      };
    }
    return {
      kind: 'customer-reply',
      ticketId: ticket.id,
      newStatus: 'open',
      notify: ['agent-customer-reply'],
    };
  }
  return {
    kind: 'customer-reply',
    ticketId: ticket.id,
    newStatus: REOPENED_BY_CUSTOMER.has(ticket.status) ? 'open' : null,
    notify: ['agent-customer-reply'],
  };
}
