/**
 * Non-standard reports, read from their own words: where the report ends and the returned message begins, which
 * addresses it names, and the status codes next to them. Nothing read here is called permanent on a guess.
 */
import {
  type BounceRecipient,
  type DeliveryAction,
  MAX_DIAGNOSTIC_LENGTH,
  MAX_RECIPIENTS,
  MAX_TEXT_LENGTH,
} from './bounce-report';
import { isPermanentStatus, statusIn } from './status-codes';

/**
 * Where a report's own words end and the returned message begins: a marker line ("--- Below this line is a copy of
 * the message.", "----- Original message -----", "Message headers follow.") or, at the left margin, a header that
 * only a returned message has.
 */
export const RETURNED_MESSAGE_MARKER =
  /^[\s-]*(?:original message follows|unsent message follows|message headers follow|returned message|below this line is a copy|this is a copy of the message|a copy of the original message|the header of the original message|headers of the original message|original message headers|undelivered message)/i;
export const ORIGINAL_MESSAGE_RULE = /^[\s-]*original message[\s:-]*$/i;
export const RETURNED_HEADER_LINE =
  /^(?:received|return-path|message-id|dkim-signature|arc-seal|mime-version|x-[a-z0-9-]{1,60})[ \t]*:/i;

function reportSection(text: string): string[] {
  const lines = text.slice(0, MAX_TEXT_LENGTH).split(/\r\n|\r|\n/);
  const end = lines.findIndex(
    (line) =>
      RETURNED_MESSAGE_MARKER.test(line) ||
      ORIGINAL_MESSAGE_RULE.test(line) ||
      RETURNED_HEADER_LINE.test(line)
  );
  return end === -1 ? lines : lines.slice(0, end);
}

/** Lines quoting the original's own headers name its sender and recipients, not the failed address. */
export const QUOTED_HEADER_LINE =
  /^\s*(?:from|to|cc|bcc|reply-to|sender|subject|date|sent|mail from|envelope-from|return-path)\s*:/i;
/** Addresses, without nested quantifiers: checked for a dotted domain afterwards. */
export const ADDRESS_IN_TEXT = /[^\s<>()[\]"',;:@]{1,64}@[a-z0-9.-]{1,253}/gi;
/** mailer-daemon is never a recipient; postmaster can be (biglobe reports a full postmaster mailbox). */
export const MAILER_DAEMON_ADDRESS = /^mailer[-_]?daemon@/i;
/** The report says the failure is final ("This is a permanent error; I've given up.", sendmail's "fatal errors"). */
export const PERMANENT_WORDING = /permanent(?:ly)?\b|fatal error|given up/i;
/** ... unless it also says the opposite somewhere (delay warnings: "not a permanent error", "will be retried"). */
export const TEMPORARY_WORDING =
  /\bnot (?:a )?permanent|temporar(?:y|ily)|will (?:be )?retr|still being retried|warning/i;

function addressesInLine(line: string): string[] {
  const found: string[] = [];
  for (const match of line.matchAll(ADDRESS_IN_TEXT)) {
    const address = match[0].toLowerCase().replace(/[.-]+$/, '');
    const domain = address.slice(address.indexOf('@') + 1);
    if (domain.includes('.') && !domain.startsWith('.')) found.push(address);
  }
  return found;
}

/**
 * Recipients named in a report's own words, each with the status code found on its line or the few lines after it
 * (else the first code of the report). `exclude` holds the report's sender and addressees: the daemon and us.
 */
export function recipientsFromText(
  text: string,
  exclude: ReadonlySet<string>,
  daemonDomain: string | null
): BounceRecipient[] {
  const lines = reportSection(text);
  const reportText = lines.join('\n');
  const firstStatus = statusIn(lines)?.status ?? null;
  const saysPermanent = PERMANENT_WORDING.test(reportText) && !TEMPORARY_WORDING.test(reportText);
  // "please contact postmaster@<the reporting domain>" names the daemon's own helpers, not a failed recipient.
  const isDaemonHelper = (address: string): boolean =>
    MAILER_DAEMON_ADDRESS.test(address) ||
    (daemonDomain !== null && /^post[-_]?master@/i.test(address) && address.endsWith(`@${daemonDomain}`));
  const recipients: BounceRecipient[] = [];
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    if (QUOTED_HEADER_LINE.test(line)) return;
    for (const address of addressesInLine(line)) {
      if (seen.has(address) || exclude.has(address) || isDaemonHelper(address)) continue;
      if (recipients.length >= MAX_RECIPIENTS) return;
      seen.add(address);
      // This recipient's own lines: up to five more, ending where another recipient's address appears.
      let end = index + 1;
      while (
        end < Math.min(lines.length, index + 6) &&
        addressesInLine(lines[end]).every((other) => other === address || exclude.has(other))
      ) {
        end++;
      }
      const near = statusIn(lines.slice(index, end));
      const status = near?.status ?? firstStatus;
      const diagnostic = near ? near.line.trim() : null;
      const action: DeliveryAction | null =
        status?.startsWith('5.') === true || (status === null && saysPermanent) ? 'failed' : null;
      recipients.push({
        recipient: address,
        originalRecipient: null,
        action,
        status,
        permanent: isPermanentStatus(status) || (action === 'failed' && status === null),
        diagnostic: (diagnostic ?? line.trim()).slice(0, MAX_DIAGNOSTIC_LENGTH) || null,
      });
    }
  });
  return recipients;
}

/** A Message-ID quoted in the text (the returned headers of a report that has no separate part for them). */
export const QUOTED_MESSAGE_ID = /^[ \t>]*message-id[ \t]*:[ \t]*<?([^<>\s@]{1,250}@[^<>\s]{1,250})>?/im;
