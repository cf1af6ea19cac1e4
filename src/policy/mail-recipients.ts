/**
 * Who a mail went to, as decideInbound needs it: the addresses it was delivered to (where a reply token or a VERP
 * token may sit) and the recipients a ticket takes from it.
 */
import { addressesInHeader } from '../mail/forwarding';
import { normaliseAddress, withoutSubaddress } from '../mail/tokens';
import type { MailAddress, ParsedMail } from '../mail/types';

/** Addresses the mail was delivered to: a reply token may sit in any of them. */
export function deliveredTo(mail: ParsedMail): string[] {
  const fromHeaders = ['delivered-to', 'x-original-to']
    .flatMap((name) => [mail.headers[name] ?? []].flat())
    .flatMap((value) => addressesInHeader(String(value)));
  return [...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address), ...fromHeaders];
}

/** Our own addresses including their `+tag` variants (reply tokens): never a customer's CC. */
function isOurs(address: string, own: Set<string>): boolean {
  return own.has(address) || own.has(withoutSubaddress(address));
}

/**
 * Recipients a ticket takes from its customers' mail, at most. Every notification of the ticket goes to each of them:
 * a mail that copies in hundreds of addresses (a newsletter, a flood) must not turn the help desk into a mass mailer.
 * The first ones named are kept; the message itself still lists what it listed.
 */
export const MAX_TICKET_RECIPIENTS = 50;

/**
 * CC import: the To and Cc addresses a new ticket or a reply adds as recipients, once each — never our own
 * addresses (or their `+tag` variants), forwarding addresses, agents or the sender; at most
 * {@link MAX_TICKET_RECIPIENTS}.
 */
export function importedRecipients(
  mail: ParsedMail,
  sender: string,
  settings: { ccImport: boolean; ownAddresses: string[]; forwardingAddresses: string[]; agents: string[] }
): MailAddress[] {
  if (!settings.ccImport) return [];
  const excluded = new Set(
    [...settings.ownAddresses, ...settings.forwardingAddresses, ...settings.agents, sender].map(
      normaliseAddress
    )
  );
  const seen = new Set<string>();
  const result: MailAddress[] = [];
  for (const entry of [...mail.to, ...mail.cc]) {
    if (result.length >= MAX_TICKET_RECIPIENTS) break;
    const address = normaliseAddress(entry.address);
    if (isOurs(address, excluded) || seen.has(address)) continue;
    seen.add(address);
    result.push({ address, name: entry.name });
  }
  return result;
}
