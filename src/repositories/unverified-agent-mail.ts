/**
 * How an unverified agent mail is kept: as an internal note (`system` by an agent, like `POST /tickets/:id/notes`),
 * so the ticket view shows it in the note style that says it was never mailed, and nothing — no notification, no
 * forwarding — treats it as a reply. Its text opens with the warning so it reads right wherever it is shown; the
 * mail's HTML is not kept (a note is plain text, and this mail is suspect).
 */
export const UNVERIFIED_AGENT_WARNING =
  'Unverified agent mail: this arrived from an agent address but could not be verified as sent by that agent. It was NOT sent to the customer.';

export function unverifiedAgentNote<T extends { textBody: string; direction: string; author: string }>(
  data: T,
  reason: string
): T & { htmlBody: null; quotedHtml: null } {
  return {
    ...data,
    direction: 'system',
    author: 'agent',
    textBody: `${UNVERIFIED_AGENT_WARNING}\nWhy: ${reason}\n\n${data.textBody}`,
    htmlBody: null,
    quotedHtml: null,
  };
}
