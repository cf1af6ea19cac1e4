/**
 * The classification checks in the order they run, one file each (Zammad's channel/filter folder). The order is part
 * of the answer: the reasons are listed in it, the precedence check reads what the list check found, and the
 * non-standard bounce check runs only when no check before it found a bounce or a read receipt.
 */
import { appleVacationCheck } from './apple-vacation-check';
import { autoSubmittedCheck } from './auto-submitted-check';
import { autoreplyHeaderCheck } from './autoreply-header-check';
import { exchangeCheck } from './exchange-check';
import type { InboundCheck } from './inbound-check';
import { loopHeaderCheck } from './loop-header-check';
import { mailingListCheck } from './mailing-list-check';
import { nonStandardBounceCheck } from './non-standard-bounce-check';
import { ownMailCheck } from './own-mail-check';
import { precedenceCheck } from './precedence-check';
import { reportCheck } from './report-check';
import { senderCheck } from './sender-check';
import { subjectCheck } from './subject-check';

export const INBOUND_CHECKS: readonly InboundCheck[] = [
  autoSubmittedCheck,
  autoreplyHeaderCheck,
  mailingListCheck,
  precedenceCheck,
  loopHeaderCheck,
  exchangeCheck,
  appleVacationCheck,
  subjectCheck,
  senderCheck,
  reportCheck,
  nonStandardBounceCheck,
  ownMailCheck,
];
