/**
 * Precedence (Zammad's auto_response_check). `list` without any List-* header is how some robots say "do not answer"
 * (Discourse counts it as auto-generated); with list headers it is just list traffic.
 */
import { firstHeader } from './bounded-reads';
import type { CheckFinding, InboundCheck } from './inbound-check';

const PRECEDENCE_AUTOMATIC = new Set(['bulk', 'junk', 'list', 'auto_reply']);

export const precedenceCheck: InboundCheck = {
  name: 'precedence-check',
  run(mail) {
    const findings: CheckFinding[] = [];
    for (const name of ['precedence', 'x-precedence']) {
      const value = firstHeader(mail.headers, name)?.toLowerCase() ?? null;
      if (value === null || !PRECEDENCE_AUTOMATIC.has(value)) continue;
      const reason = `${name === 'precedence' ? 'Precedence' : 'X-Precedence'}: ${value}`;
      if (value === 'list') {
        findings.push({ reason, sets: mail.listHeader === undefined ? ['list', 'autoReply'] : ['list'] });
      } else {
        findings.push({ reason, sets: ['autoReply'] });
      }
    }
    return findings;
  },
};
