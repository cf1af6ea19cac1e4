/**
 * Every module-level pattern of the bounce reader in one list, so a test can prove each one linear with the rule
 * engine's regexSafety: a hostile report must not make reading it slow.
 */
import { FIELD_LINE } from './delivery-status-fields';
import {
  ADDRESS_IN_TEXT,
  MAILER_DAEMON_ADDRESS,
  ORIGINAL_MESSAGE_RULE,
  PERMANENT_WORDING,
  QUOTED_HEADER_LINE,
  QUOTED_MESSAGE_ID,
  RETURNED_HEADER_LINE,
  RETURNED_MESSAGE_MARKER,
  TEMPORARY_WORDING,
} from './report-text';
import { BASIC_SMTP_CODE_IN_TEXT, ENHANCED_STATUS, ENHANCED_STATUS_IN_TEXT } from './status-codes';
import { VERP_IN_ADDRESS, VERP_TOKEN_PATTERN } from './verp';

export const BOUNCE_PATTERNS: readonly RegExp[] = [
  ENHANCED_STATUS,
  ENHANCED_STATUS_IN_TEXT,
  BASIC_SMTP_CODE_IN_TEXT,
  VERP_TOKEN_PATTERN,
  VERP_IN_ADDRESS,
  FIELD_LINE,
  RETURNED_MESSAGE_MARKER,
  ORIGINAL_MESSAGE_RULE,
  RETURNED_HEADER_LINE,
  QUOTED_HEADER_LINE,
  ADDRESS_IN_TEXT,
  MAILER_DAEMON_ADDRESS,
  PERMANENT_WORDING,
  TEMPORARY_WORDING,
  QUOTED_MESSAGE_ID,
];
