import { describe, expect, it } from 'vitest';
import { agentMailTrust, answerPolicyFor } from '../../src/policy/agent-trust';
import { decideInbound, type InboundSettings } from '../../src/policy/decide-inbound';
import type { AuthenticationVerdict } from '../../src/mail/authenticate';
import { compileBlockRules } from '../../src/mail/block';
import { compileRules } from '../../src/policy/rules/compile-rules';
import { replyAddress } from '../../src/mail/tokens';
import type { ParsedMail } from '../../src/mail/types';

const SECRET = 'agent-trust-secret-0123456789abcdef';
const AGENT = 'agent@desk.test';

function verdict(result: AuthenticationVerdict['result']): AuthenticationVerdict {
  return {
    result,
    reason: `test ${result}`,
    dkim: [],
    dmarc: {
      domain: 'desk.test',
      published: true,
      policy: 'reject',
      alignment: 'relaxed',
      temporaryError: false,
    },
    via: result === 'pass' ? 'dkim' : null,
    authservId: null,
    temporary: false,
  };
}

describe('agentMailTrust', () => {
  it('trusts only a token issued to the agent together with an authenticated sender', () => {
    expect(agentMailTrust('reply-token', verdict('pass'))).toEqual({ trusted: true });
    expect(agentMailTrust('message-id-token', verdict('pass'))).toEqual({ trusted: true });
    for (const via of ['subject-token', 'references'] as const) {
      const trust = agentMailTrust(via, verdict('pass'));
      expect(trust.trusted).toBe(false);
      expect(trust).toMatchObject({ reason: expect.stringContaining(`joined by ${via}`) });
    }
    for (const result of ['fail', 'none'] as const) {
      expect(agentMailTrust('reply-token', verdict(result))).toMatchObject({
        trusted: false,
        reason: expect.stringContaining(`the sender is not authenticated (${result}`),
      });
    }
    expect(agentMailTrust('reply-token', null)).toMatchObject({ trusted: false });
  });

  it('holds back automatic answers only for a DMARC fail', () => {
    expect(answerPolicyFor(verdict('fail'), 'suppress')).toBe('suppress');
    expect(answerPolicyFor(verdict('fail'), 'rate-limit-hard')).toBe('rate-limit-hard');
    expect(answerPolicyFor(verdict('none'), 'suppress')).toBeNull();
    expect(answerPolicyFor(verdict('pass'), 'suppress')).toBeNull();
  });
});

describe('decideInbound: agent mail', () => {
  const settings: InboundSettings = {
    closedTicketReplies: 'reopen',
    allowedMail: 'new-and-replies',
    allowedSenders: { mode: 'anyone' },
    ccImport: true,
    forwardingAddresses: [],
    agents: [AGENT],
    ownAddresses: ['support@desk.test'],
    rules: compileRules([]),
    blockRules: compileBlockRules([]),
    replySecret: SECRET,
    instanceId: 'test-instance',
    unmonitored: false,
    unauthenticatedAnswers: 'suppress',
  };
  const ticket = { id: 7, number: 1, status: 'open' };
  const lookups = {
    ticketByNumber: async (n: number) => (n === 1 ? ticket : null),
    ticketByMessageIds: async () => null,
    // The ticket mailed the agent: they take part in it, which is all a subject token asks.
    isParticipant: async () => true,
  };
  const outbound = {
    isOwnMessageId: async () => false,
    findByVerpToken: async () => null,
    findByMessageId: async () => null,
  };

  function mail(to: string, from = AGENT, subject = 'Re: [#1] Printer on fire'): ParsedMail {
    return {
      messageId: 'x1@desk.test',
      inReplyTo: [],
      references: [],
      from: { address: from, name: 'Agent' },
      replyTo: [],
      to: [{ address: to, name: '' }],
      cc: [],
      subject,
      date: null,
      headers: {},
      text: 'Please send your bank details.',
      html: null,
      attachments: [],
      warnings: [],
    };
  }

  const decide = (m: ParsedMail, authentication: AuthenticationVerdict | null) =>
    decideInbound({
      mail: m,
      settings,
      lookups,
      outbound,
      senderIsRegistered: async () => false,
      authentication,
    });

  it('a forged reply by subject token is kept as unverified agent mail, mailed to nobody', async () => {
    for (const authentication of [verdict('fail'), verdict('none'), verdict('pass'), null]) {
      const decision = await decide(mail('support@desk.test'), authentication);
      expect(decision.kind).toBe('accepted');
      if (decision.kind !== 'accepted') continue;
      expect(decision.plan).toMatchObject({ kind: 'unverified-agent-mail', ticketId: 7, notify: [] });
    }
  });

  it("the agent's own token without authentication is unverified; with it, an agent reply", async () => {
    const to = replyAddress('support@desk.test', 1, AGENT, SECRET);
    const unverified = await decide(mail(to), verdict('none'));
    expect(unverified).toMatchObject({
      plan: { kind: 'unverified-agent-mail', reason: expect.stringContaining('not authenticated') },
    });
    const genuine = await decide(mail(to), verdict('pass'));
    expect(genuine).toMatchObject({ plan: { kind: 'agent-reply', ticketId: 7, notify: ['agent-reply'] } });
  });

  it('a customer failing DMARC still opens a ticket, its answers marked for suppression', async () => {
    const decision = await decide(mail('support@desk.test', 'ann@shop.test', 'Printer'), verdict('fail'));
    expect(decision).toMatchObject({
      kind: 'accepted',
      answerPolicy: 'suppress',
      plan: { kind: 'new-ticket', notify: ['ticket-acknowledgement', 'agent-new-ticket'] },
    });
  });
});
