/**
 * Every module-level pattern of classification in one list, so a test can prove each one linear with the rule
 * engine's regexSafety: a hostile message must not make classification slow.
 */
import {
  BOUNCE_SUBJECT,
  DELIVERY_FAILURE_WORDING,
  INLINE_DSN_FIELD,
  SMTP_STATUS_LINE,
} from './bounce-wording';
import {
  DAEMON_NAME,
  DAEMON_SENDER,
  LIST_ROBOT_SENDER,
  NO_REPLY_SENDER,
  NULL_ADDRESS,
} from './sender-patterns';
import {
  AUTO_COLON_SUBJECT,
  AUTO_REPLY_SUBJECTS,
  OUT_OF_OFFICE_SUBJECTS,
  REPLY_PREFIX,
} from './subject-patterns';

export const CLASSIFY_PATTERNS: readonly RegExp[] = [
  DAEMON_SENDER,
  DAEMON_NAME,
  LIST_ROBOT_SENDER,
  NO_REPLY_SENDER,
  NULL_ADDRESS,
  REPLY_PREFIX,
  AUTO_COLON_SUBJECT,
  OUT_OF_OFFICE_SUBJECTS,
  AUTO_REPLY_SUBJECTS,
  BOUNCE_SUBJECT,
  SMTP_STATUS_LINE,
  INLINE_DSN_FIELD,
  DELIVERY_FAILURE_WORDING,
];
