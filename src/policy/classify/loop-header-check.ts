/**
 * Loop headers: X-Loop (procmail, list servers), our own loop header (our instance: our own mail; another instance of
 * this plugin: an automatic answer), and the loop headers of other help desks.
 */
import { LOOP_HEADER } from '../../outbound/headers';
import { firstHeader, headerValues, quote } from './bounded-reads';
import type { CheckFinding, InboundCheck } from './inbound-check';

/** Loop headers of other help desks: Request Tracker, OTRS/Znuny. Mail that carries one was sent by a machine. */
const OTHER_HELP_DESK_LOOP_HEADERS = ['x-rt-loop-prevention', 'x-otrs-loop'];

export const loopHeaderCheck: InboundCheck = {
  name: 'loop-header-check',
  run(mail) {
    const { headers, own } = mail;
    const findings: CheckFinding[] = [];
    const xLoop = firstHeader(headers, 'x-loop');
    if (xLoop !== null) findings.push({ reason: `X-Loop: ${quote(xLoop)}`, sets: ['automatic'] });
    const loopValues = headerValues(headers, LOOP_HEADER.toLowerCase());
    if (loopValues.length > 0) {
      const ours = own.instanceId !== '' && loopValues.includes(own.instanceId);
      if (ours) {
        findings.push({ reason: `${LOOP_HEADER}: our own instance`, sets: ['ownMail'] });
      } else {
        // Another installation of this plugin (another help desk) answered automatically.
        findings.push({
          reason: `${LOOP_HEADER}: another instance (${quote(loopValues[0])})`,
          sets: ['autoReply'],
        });
      }
    }
    for (const name of OTHER_HELP_DESK_LOOP_HEADERS) {
      if (firstHeader(headers, name) !== null) {
        findings.push({ reason: `${name} header (another help desk)`, sets: ['automatic'] });
      }
    }
    return findings;
  },
};
