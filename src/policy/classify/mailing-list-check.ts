/** Mailing lists: any List-* header (RFC 2369, RFC 2919), ezmlm's Mailing-List. */
import { type InboundCheck, NO_FINDINGS } from './inbound-check';

export const mailingListCheck: InboundCheck = {
  name: 'mailing-list-check',
  run(mail) {
    if (mail.listHeader === undefined) return NO_FINDINGS;
    return [{ reason: `${mail.listHeader} header (mailing list)`, sets: ['list'] }];
  },
};
