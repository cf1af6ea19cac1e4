/**
 * Exchange: its out-of-office (X-Auto-Response-Suppress with the inbox-rules loop header) and its other generated
 * mail.
 */
import { firstHeader, quote } from './bounded-reads';
import type { CheckFinding, InboundCheck } from './inbound-check';

export const exchangeCheck: InboundCheck = {
  name: 'exchange-check',
  run(mail) {
    const findings: CheckFinding[] = [];
    const responseSuppress = mail.responseSuppress;
    const inboxRulesLoop = firstHeader(mail.headers, 'x-ms-exchange-inbox-rules-loop');
    if (responseSuppress !== null && /\b(?:all|oof)\b/i.test(responseSuppress) && inboxRulesLoop !== null) {
      findings.push({
        reason: 'Exchange out-of-office (X-Auto-Response-Suppress with X-MS-Exchange-Inbox-Rules-Loop)',
        sets: ['autoReply', 'outOfOffice'],
      });
    }
    const generatedBy = firstHeader(mail.headers, 'x-ms-exchange-generated-message-source');
    // "Mailbox Rules Agent" also forwards mail by a user's inbox rule; only its other agents (transport rules,
    // journaling, content filters) always generate mail themselves.
    if (generatedBy !== null && !/mailbox rules agent/i.test(generatedBy)) {
      findings.push({
        reason: `X-MS-Exchange-Generated-Message-Source: ${quote(generatedBy)}`,
        sets: ['autoReply'],
      });
    }
    return findings;
  },
};
