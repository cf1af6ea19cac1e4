/**
 * Non-standard bounces, from a combination of signals. Who wrote it: a daemon (by address or display name) or a null
 * sender; or the shape: a multipart/report whose report-type is missing or unknown. What it says: a delivery report's
 * subject (in several languages), failure wording or an SMTP status in the body. Either source with either content
 * makes a bounce. A no-reply robot counts only with strong evidence (an SMTP status, or failure wording together with
 * the returned message): shops' "delivery notification: your parcel could not be delivered" come from no-reply
 * senders. A read receipt is never a bounce. Without `body`, bounces are recognised by sender and subject alone.
 */
import { BOUNCE_SUBJECT, bounceEvidenceInBody } from './bounce-wording';
import { type InboundCheck, NO_FINDINGS } from './inbound-check';
import { KNOWN_NON_BOUNCE_REPORTS } from './report-type';
import { NO_REPLY_SENDER } from './sender-patterns';

export const nonStandardBounceCheck: InboundCheck = {
  name: 'non-standard-bounce-check',
  run(mail, soFar) {
    if (soFar.bounce || soFar.readReceipt) return NO_FINDINGS;
    const { sender, reportType } = mail;
    const daemonLike = mail.daemonSender || mail.daemonNamed || mail.nullReturnPath || mail.nullFrom;
    const unknownReport = reportType !== null && !KNOWN_NON_BOUNCE_REPORTS.has(reportType);
    const bodyVerdict = bounceEvidenceInBody(mail.input.body);
    const subjectSays = BOUNCE_SUBJECT.test(mail.foldedSubject);
    const source = daemonLike
      ? 'daemon or null sender'
      : unknownReport
        ? 'a report without a known type'
        : null;
    if (source !== null && subjectSays) {
      return [{ reason: `bounce: ${source} with a delivery report subject`, sets: ['bounce'] }];
    }
    if (source !== null && bodyVerdict !== null) {
      return [{ reason: `bounce: ${source} with delivery failure wording`, sets: ['bounce'] }];
    }
    if (sender !== null && NO_REPLY_SENDER.test(sender) && bodyVerdict === 'strong') {
      return [{ reason: `bounce: no-reply sender with a delivery failure report`, sets: ['bounce'] }];
    }
    return NO_FINDINGS;
  },
};
