/**
 * Admission: does this mailbox take this mail at all? Two settings decide it, after block rules and threading:
 *
 *   - allowed mail: new tickets only (a mailbox that only opens tickets), replies only (a mailbox whose address is
 *     given out only on tickets), or both;
 *   - allowed senders: anyone, a list of addresses and domains, or only users the caller knows (it looks them up and
 *     passes `senderIsRegistered`).
 *
 * A refused mail is not imported; the reason goes to its receipt and the rule simulator, so it is written for the
 * admin. Domain entries: `example.com` is that domain only; `*.example.com` is its subdomains (list both for both),
 * so that allowing a customer's domain never quietly allows every host under it.
 */
export type AllowedMail = 'new-and-replies' | 'new-only' | 'replies-only';

export type AllowedSenders =
  { mode: 'anyone' } | { mode: 'listed'; addresses: string[]; domains: string[] } | { mode: 'registered' };

export type AdmissionVerdict = { admitted: true } | { admitted: false; reason: string };

export interface AdmissionInput {
  /** True when threading found the ticket this mail answers. */
  isReply: boolean;
  sender: string;
  allowedMail: AllowedMail;
  allowedSenders: AllowedSenders;
  /** The caller's look-up, needed only for `{ mode: 'registered' }`; absent counts as "not confirmed". */
  senderIsRegistered?: boolean;
}

/** True when `sender` is one of `addresses`, or its domain one of `domains` (see the note above on `*.`). */
export function senderIsListed(
  sender: string,
  addresses: readonly string[],
  domains: readonly string[]
): boolean {
  const address = sender.trim().toLowerCase();
  if (addresses.some((entry) => entry.trim().toLowerCase() === address)) return true;
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const domain = address.slice(at + 1);
  return domains.some((entry) => {
    const wanted = entry.trim().toLowerCase().replace(/^@/, '');
    if (wanted.startsWith('*.')) {
      const parent = wanted.slice(2);
      return parent !== '' && domain.endsWith(`.${parent}`);
    }
    return wanted !== '' && domain === wanted;
  });
}

export function admit(input: AdmissionInput): AdmissionVerdict {
  const { isReply, allowedMail, allowedSenders } = input;
  const sender = input.sender.trim().toLowerCase();
  if (allowedMail === 'replies-only' && !isReply) {
    return { admitted: false, reason: 'this mailbox takes replies only; this mail would open a new ticket' };
  }
  if (allowedMail === 'new-only' && isReply) {
    return {
      admitted: false,
      reason: 'this mailbox takes new tickets only; this mail is a reply to an existing ticket',
    };
  }
  switch (allowedSenders.mode) {
    case 'anyone':
      return { admitted: true };
    case 'listed':
      if (sender === '')
        return { admitted: false, reason: 'the mail has no sender address to check against the list' };
      return senderIsListed(sender, allowedSenders.addresses, allowedSenders.domains)
        ? { admitted: true }
        : { admitted: false, reason: `${sender} is not on this mailbox's list of allowed senders` };
    case 'registered':
      if (sender === '') return { admitted: false, reason: 'the mail has no sender address to look up' };
      if (input.senderIsRegistered === true) return { admitted: true };
      return {
        admitted: false,
        reason:
          input.senderIsRegistered === false
            ? `this mailbox takes mail from registered users only; ${sender} is not one`
            : `this mailbox takes mail from registered users only; ${sender} could not be looked up`,
      };
  }
}
