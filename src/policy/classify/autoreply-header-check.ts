/** X-Autoreply and friends (FreeScout): any value marks an automatic reply. */
import { firstHeader } from './bounded-reads';
import type { CheckFinding, InboundCheck } from './inbound-check';

const AUTOREPLY_HEADERS = ['x-autoreply', 'x-autorespond', 'x-autoresponder'];

export const autoreplyHeaderCheck: InboundCheck = {
  name: 'autoreply-header-check',
  run(mail) {
    const findings: CheckFinding[] = [];
    for (const name of AUTOREPLY_HEADERS) {
      if (firstHeader(mail.headers, name) !== null)
        findings.push({ reason: `${name} header`, sets: ['autoReply'] });
    }
    return findings;
  },
};
