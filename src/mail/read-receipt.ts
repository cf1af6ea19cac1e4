/**
 * Read receipts (RFC 8098 message disposition notifications): what one says about which mail. Its
 * `message/disposition-notification` part names the mail it is about (Original-Message-ID), the recipient
 * (Final-Recipient) and what happened (Disposition: displayed, deleted, …); clients also put the mail's id in
 * In-Reply-To / References. A receipt is information for the agent, never a delivery failure.
 *
 * No Strapi, no database: a parsed message in, a report out. The part is read up to bounce-report.ts's MAX_PART_BYTES.
 */
import { fieldBlocks } from './bounce/delivery-status-fields';
import { readPart } from './bounce/report-parts';
import { normalizeMessageId, threadCandidateIds } from './message-ids';
import type { ParsedMail } from './types';

export interface ReadReceiptReport {
  /** Canonical ids of the mail the receipt may be about, best first: Original-Message-ID, In-Reply-To, References. */
  candidateIds: string[];
  /** E.g. `displayed`, `deleted`, `dispatched`, `processed` (the disposition type after the `;`), lower-cased. */
  disposition: string | null;
  /** Final-Recipient without its type prefix, lower-cased. */
  finalRecipient: string | null;
}

const DISPOSITION_PART_TYPES = new Set([
  'message/disposition-notification',
  'message/global-disposition-notification',
]);
/** At most this many ids are looked up for one receipt. */
export const MAX_RECEIPT_CANDIDATES = 10;
const MAX_FIELD_CHARS = 200;

function withoutTypePrefix(value: string): string {
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(semicolon + 1)).trim();
}

export async function parseReadReceipt(mail: ParsedMail): Promise<ReadReceiptReport> {
  let originalId: string | null = null;
  let disposition: string | null = null;
  let finalRecipient: string | null = null;
  const part = mail.attachments.find((attachment) =>
    DISPOSITION_PART_TYPES.has(attachment.contentType.split(';')[0].trim().toLowerCase())
  );
  if (part) {
    const fields = fieldBlocks(await readPart(part))[0] ?? new Map<string, string>();
    const original = fields.get('original-message-id');
    originalId = original ? normalizeMessageId(original.slice(0, 1000)) : null;
    const dispositionField = fields.get('disposition');
    if (dispositionField) {
      // "manual-action/MDN-sent-manually; displayed/error" → "displayed"
      const type = /;\s*([a-z-]{1,40})/i.exec(dispositionField.slice(0, MAX_FIELD_CHARS));
      disposition = type ? type[1].toLowerCase() : null;
    }
    const recipient = fields.get('final-recipient');
    finalRecipient = recipient ? withoutTypePrefix(recipient.slice(0, MAX_FIELD_CHARS)).toLowerCase() : null;
  }
  const candidateIds: string[] = [];
  for (const id of [originalId, ...threadCandidateIds(mail, MAX_RECEIPT_CANDIDATES)]) {
    if (id !== null && !candidateIds.includes(id) && candidateIds.length < MAX_RECEIPT_CANDIDATES) {
      candidateIds.push(id);
    }
  }
  return { candidateIds, disposition, finalRecipient };
}
