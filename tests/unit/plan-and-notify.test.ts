import { describe, expect, it } from 'vitest';
import { planInbound } from '../../src/policy/plan-inbound';
import { planNotifications, type NotificationInput } from '../../src/outbound/plan-notifications';
import { verifyMac, tokenFromAddress, tokenFromMessageId } from '../../src/mail/tokens';
import { DEFAULT_NOTIFICATIONS } from '../../src/schemas/mailbox';

const ticket = { id: 3, number: 41, status: 'open' };

describe('planInbound', () => {
  const base = { senderIsAgent: false, automatic: false, closedTicketReplies: 'reopen' as const };

  it('opens a ticket and acknowledges it, unless the mail is automatic', () => {
    expect(planInbound({ ...base, decision: { kind: 'new', refused: [] } })).toEqual({
      kind: 'new-ticket',
      previousTicketId: null,
      notify: ['ticket-acknowledgement', 'agent-new-ticket'],
    });
    expect(planInbound({ ...base, automatic: true, decision: { kind: 'new', refused: [] } }).notify).toEqual(
      []
    );
  });

  it('adds a customer reply and puts a waiting ticket back in the queue', () => {
    for (const [status, newStatus] of [
      ['open', null],
      ['pending', 'open'],
      ['resolved', 'open'],
    ] as const) {
      const decision = {
        kind: 'existing' as const,
        via: 'reply-token' as const,
        refused: [],
        ticket: { ...ticket, status },
      };
      expect(planInbound({ ...base, decision })).toEqual({
        kind: 'customer-reply',
        ticketId: 3,
        newStatus,
        notify: ['agent-customer-reply'],
      });
    }
  });

  it('follows the mailbox policy for replies to closed tickets', () => {
    const decision = {
      kind: 'existing' as const,
      via: 'references' as const,
      refused: [],
      ticket: { ...ticket, status: 'closed' },
    };
    expect(planInbound({ ...base, decision })).toMatchObject({ kind: 'customer-reply', newStatus: 'open' });
    expect(planInbound({ ...base, closedTicketReplies: 'new-ticket', decision })).toMatchObject({
      kind: 'new-ticket',
      previousTicketId: 3,
    });
  });

  it('changes nothing for an auto-reply to an existing ticket, and never forwards an agent’s out-of-office', () => {
    const decision = {
      kind: 'existing' as const,
      via: 'reply-token' as const,
      refused: [],
      ticket: { ...ticket, status: 'resolved' },
    };
    expect(planInbound({ ...base, automatic: true, decision })).toEqual({
      kind: 'customer-reply',
      ticketId: 3,
      newStatus: null,
      notify: [],
    });
    expect(planInbound({ ...base, senderIsAgent: true, automatic: true, decision })).toEqual({
      kind: 'agent-automatic',
      ticketId: 3,
      notify: [],
    });
    expect(planInbound({ ...base, senderIsAgent: true, decision })).toEqual({
      kind: 'agent-reply',
      ticketId: 3,
      notify: ['agent-reply'],
    });
  });
});

describe('planNotifications', () => {
  const SECRET = 'notify-secret-0123456789abcdef0123';
  const input: NotificationInput = {
    event: 'ticket-acknowledgement',
    ticket: {
      id: 3,
      number: 41,
      subject: 'Broken',
      status: 'open',
      priority: 'normal',
      requesterEmail: 'jane@customer.test',
      requesterName: 'Jane',
      cc: [
        { address: 'bob@customer.test', name: 'Bob' },
        { address: 'support@example.test', name: 'Us' },
      ],
      languages: ['pl'],
    },
    mailbox: {
      id: 1,
      name: 'Internal label',
      address: 'support@example.test',
      fromName: 'Example Support',
      notifications: DEFAULT_NOTIFICATIONS,
    },
    message: {
      id: 9,
      text: 'Help',
      from: 'Jane',
      messageId: 'orig@customer.test',
      references: ['root@customer.test'],
    },
    agents: ['agent@example.test'],
    templates: [],
    secret: SECRET,
    siteName: 'Shop',
    adminUrl: 'https://cms.example.test/admin',
    exclude: ['support@example.test'],
    instanceId: 'abc',
  };

  it('writes one mail per customer recipient, each with its own verifiable token, never to our own address', () => {
    const mails = planNotifications(input);
    expect(mails.map((mail) => mail.recipient)).toEqual(['jane@customer.test', 'bob@customer.test']);
    for (const mail of mails) {
      const reply = tokenFromAddress(mail.replyTo)!;
      expect(verifyMac(SECRET, 41, mail.recipient, 'reply', reply.mac)).toBe(true);
      const id = tokenFromMessageId(mail.messageId)!;
      expect(verifyMac(SECRET, 41, mail.recipient, 'message-id', id.mac)).toBe(true);
      expect(mail.inReplyTo).toBe('orig@customer.test');
      expect(mail.references).toEqual(['root@customer.test', 'orig@customer.test']);
      expect(mail.headers['Auto-Submitted']).toBe('auto-replied');
      expect(mail.language).toBe('pl');
      expect(mail.textBody).toContain('Example Support');
      expect(mail.textBody).not.toContain('Internal label');
    }
    expect(mails[0].replyTo).not.toBe(mails[1].replyTo);
  });

  it('sends agent events to agents, and nothing for a switched-off event', () => {
    const agentMails = planNotifications({ ...input, event: 'agent-new-ticket' });
    expect(agentMails.map((mail) => mail.recipient)).toEqual(['agent@example.test']);
    expect(agentMails[0].textBody).toContain('https://cms.example.test/admin/plugins/email-piping/tickets/3');
    expect(
      planNotifications({
        ...input,
        mailbox: {
          ...input.mailbox,
          notifications: { ...DEFAULT_NOTIFICATIONS, ticketAcknowledgement: false },
        },
      })
    ).toEqual([]);
  });

  it('marks an agent reply as a person’s mail, without automatic headers', () => {
    const [reply] = planNotifications({ ...input, event: 'agent-reply', agentName: 'Alex' });
    expect(reply.automatic).toBe(false);
    expect(reply.headers).toEqual({});
  });

  it('falls back to the support address when there is no secret', () => {
    const [mail] = planNotifications({ ...input, secret: null });
    expect(mail.replyTo).toBe('support@example.test');
    expect(mail.messageId).toMatch(/^ep\.[0-9a-f]{24}@example\.test$/);
  });
});
