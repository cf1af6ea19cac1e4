/**
 * An in-memory help desk for unit tests of the road's decisions: tickets with their participants and message ids,
 * the mail we sent, and a mailbox's settings — everything `decideInbound` asks the database through its context,
 * answered from plain maps. Pure logic only; integration tests use the real Strapi.
 */
import { mailboxChoiceAndFlagDefaults } from '../../contracts/mailbox';
import type { InboundDecisionContext, InboundSettings, OutboundMatch } from '../../src/policy/decide-inbound';
import type { AuthenticationVerdict } from '../../src/mail/authenticate';
import { compileBlockRules, DEFAULT_BLOCK_RULES } from '../../src/mail/block';
import { compileRules } from '../../src/policy/rules/compile-rules';
import type { TicketRef } from '../../src/mail/thread';

export const DESK_SECRET = 'memory-desk-secret-memory-desk-secret-0123';

export function deskSettings(overrides: Partial<InboundSettings> = {}): InboundSettings {
  return {
    // Every choice and switch at its contract default, so a new one needs nothing here.
    ...mailboxChoiceAndFlagDefaults(),
    closedTicketReplies: 'reopen',
    allowedMail: 'new-and-replies',
    allowedSenders: { mode: 'anyone' },
    ccImport: true,
    forwardingAddresses: [],
    agents: ['agent@example.test'],
    ownAddresses: ['help@example.test'],
    rules: compileRules([]),
    blockRules: compileBlockRules(DEFAULT_BLOCK_RULES),
    replySecret: DESK_SECRET,
    instanceId: 'desk-instance',
    unmonitored: false,
    unauthenticatedAnswers: 'suppress',
    ...overrides,
  };
}

interface DeskTicket extends TicketRef {
  participants: string[];
  messageIds: string[];
}

interface SentMail {
  outboxId: number;
  ticketId: number | null;
  recipient: string;
  messageId: string;
  verpToken?: string;
}

export function memoryDesk() {
  const tickets: DeskTicket[] = [];
  const sent: SentMail[] = [];
  const registered = new Set<string>();
  return {
    addTicket(ticket: { number: number; status?: string; participants?: string[]; messageIds?: string[] }) {
      const row: DeskTicket = {
        id: 100 + ticket.number,
        number: ticket.number,
        status: ticket.status ?? 'open',
        participants: ticket.participants ?? [],
        messageIds: ticket.messageIds ?? [],
      } as DeskTicket;
      tickets.push(row);
      return row;
    },
    addSent(mail: SentMail) {
      sent.push(mail);
    },
    register(address: string) {
      registered.add(address);
    },
    context(settings: InboundSettings = deskSettings()): InboundDecisionContext {
      const match = (mail: SentMail, via: OutboundMatch['via']): OutboundMatch => ({
        outboxId: mail.outboxId,
        ticketId: mail.ticketId,
        recipient: mail.recipient,
        via,
      });
      return {
        settings,
        lookups: {
          ticketByNumber: async (n) => tickets.find((t) => t.number === n) ?? null,
          ticketByMessageIds: async (ids) =>
            [...tickets].reverse().find((t) => t.messageIds.some((id) => ids.includes(id))) ?? null,
          isParticipant: async (ticket, address) =>
            tickets.find((t) => t.id === ticket.id)?.participants.includes(address) ?? false,
        },
        outbound: {
          isOwnMessageId: async (id) => sent.some((m) => m.messageId === id),
          findByVerpToken: async (token) => {
            const found = sent.find((m) => m.verpToken === token);
            return found ? match(found, 'verp') : null;
          },
          findByMessageId: async (id) => {
            const found = sent.find((m) => m.messageId === id);
            return found ? match(found, 'message-id') : null;
          },
        },
        senderIsRegistered: async (address) => registered.has(address),
      };
    },
  };
}

/** A verdict as authenticate.ts would give it, for decisions that depend on it. */
export function verdict(
  result: AuthenticationVerdict['result'],
  reason = `test ${result}`
): AuthenticationVerdict {
  return {
    result,
    reason,
    dkim: [],
    dmarc: {
      domain: null,
      published: result === 'fail',
      policy: null,
      alignment: 'relaxed',
      temporaryError: false,
    },
    via: result === 'pass' ? 'dkim' : null,
    authservId: null,
    temporary: false,
  };
}
