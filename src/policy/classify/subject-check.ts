/**
 * Subjects of automatic mail, anchored at the start after reply prefixes: out of office first, then other automatic
 * replies.
 */
import { quote } from './bounded-reads';
import { type InboundCheck, NO_FINDINGS } from './inbound-check';
import {
  AUTO_COLON_SUBJECT,
  AUTO_REPLY_SUBJECTS,
  OUT_OF_OFFICE_SUBJECTS,
  subjectAfterReplyPrefixes,
} from './subject-patterns';

export const subjectCheck: InboundCheck = {
  name: 'subject-check',
  run(mail) {
    const subjectStart = subjectAfterReplyPrefixes(mail.foldedSubject);
    if (OUT_OF_OFFICE_SUBJECTS.test(subjectStart) || AUTO_COLON_SUBJECT.test(subjectStart)) {
      return [
        {
          reason: `subject "${quote(mail.input.subject)}" (out of office)`,
          sets: ['autoReply', 'outOfOffice'],
        },
      ];
    }
    if (AUTO_REPLY_SUBJECTS.test(subjectStart)) {
      return [{ reason: `subject "${quote(mail.input.subject)}" (automatic reply)`, sets: ['autoReply'] }];
    }
    return NO_FINDINGS;
  },
};
