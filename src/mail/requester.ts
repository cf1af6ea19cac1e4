import type { MailAddress, ParsedMail } from './types';

/**
 * Who the ticket is for: the From address, or Reply-To when From is missing or unusable (some gateways and
 * forms send that way). Null when nobody could be answered.
 */
export function requesterOf(mail: Pick<ParsedMail, 'from' | 'replyTo'>): MailAddress | null {
  return mail.from ?? mail.replyTo[0] ?? null;
}
