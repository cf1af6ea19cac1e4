/**
 * RFC 3834 Auto-Submitted: any value but `no` is a machine's mail; out-of-office variants as Zammad's
 * out_of_office_check reads them (a vacation value, an owner-email parameter, Gmail's vacation responder).
 */
import { firstHeader, quote } from './bounded-reads';
import { type InboundCheck, NO_FINDINGS } from './inbound-check';

export const autoSubmittedCheck: InboundCheck = {
  name: 'auto-submitted-check',
  run(mail) {
    const autoSubmitted = firstHeader(mail.headers, 'auto-submitted');
    if (autoSubmitted === null || /^no\b/i.test(autoSubmitted)) return NO_FINDINGS;
    const outOfOffice =
      /vacation/i.test(autoSubmitted) ||
      /auto-replied;\s?owner-email=/i.test(autoSubmitted) ||
      (/auto-replied/i.test(autoSubmitted) && /vacation/.test(mail.foldedSubject)); // Gmail's vacation responder
    return [
      {
        reason: `Auto-Submitted: ${quote(autoSubmitted)}`,
        sets: outOfOffice ? ['autoReply', 'outOfOffice'] : ['autoReply'],
      },
    ];
  },
};
