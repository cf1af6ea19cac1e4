/** Apple Mail's vacation responder says so in X-Apple-Action. */
import { firstHeader, quote } from './bounded-reads';
import { type InboundCheck, NO_FINDINGS } from './inbound-check';

export const appleVacationCheck: InboundCheck = {
  name: 'apple-vacation-check',
  run(mail) {
    const appleAction = firstHeader(mail.headers, 'x-apple-action');
    if (appleAction === null || !/vacation/i.test(appleAction)) return NO_FINDINGS;
    return [{ reason: `X-Apple-Action: ${quote(appleAction)}`, sets: ['autoReply', 'outOfOffice'] }];
  },
};
