/**
 * parseBounce: a parsed delivery report → {@link BounceReport}. Reads the standard parts first (delivery-status,
 * returned message), else the fields pasted into the text, else the report's own words; and the VERP token of the
 * address the report was delivered to.
 */
import { normalizeMessageId } from '../message-ids';
import type { ParsedMail } from '../types';
import { type BounceRecipient, type BounceReport, MAX_RECIPIENTS, MAX_TEXT_LENGTH } from './bounce-report';
import { parseDeliveryStatus } from './delivery-status-fields';
import {
  baseType,
  DELIVERY_STATUS_TYPES,
  readPart,
  RETURNED_MESSAGE_TYPES,
  returnedHeaders,
} from './report-parts';
import { QUOTED_MESSAGE_ID, recipientsFromText } from './report-text';
import { verpTokenOf } from './verp';

/** Headers that name the address a report was delivered to; the envelope ones survive when To is rewritten. */
const DELIVERY_ADDRESS_HEADERS = ['delivered-to', 'x-original-to', 'envelope-to', 'to'];

function headerValues(headers: Record<string, string | string[]>, name: string): string[] {
  if (!Object.prototype.hasOwnProperty.call(headers, name)) return [];
  const value = headers[name];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/**
 * What a delivery report says, or null when the message holds nothing a report would: no delivery-status part, no
 * returned message, no recipient or status in its text and no VERP token. Meant for mail that classification flagged
 * as a bounce; on other mail the text reading may name addresses that mean nothing.
 */
export async function parseBounce(mail: ParsedMail): Promise<BounceReport | null> {
  const recipients: BounceRecipient[] = [];
  let reportingMta: string | null = null;
  let originalEnvelopeId: string | null = null;
  let originalMessageId: string | null = null;
  const originalRecipients: string[] = [];
  let hasReportParts = false;

  for (const attachment of mail.attachments) {
    const type = baseType(attachment.contentType);
    if (DELIVERY_STATUS_TYPES.has(type)) {
      hasReportParts = true;
      const status = parseDeliveryStatus(await readPart(attachment));
      for (const recipient of status.recipients) {
        if (recipients.length < MAX_RECIPIENTS) recipients.push(recipient);
      }
      reportingMta ??= status.reportingMta;
      originalEnvelopeId ??= status.originalEnvelopeId;
    } else if (RETURNED_MESSAGE_TYPES.has(type)) {
      hasReportParts = true;
      const returned = returnedHeaders(await readPart(attachment));
      originalMessageId ??= returned.messageId;
      for (const address of returned.recipients) {
        if (!originalRecipients.includes(address)) originalRecipients.push(address);
      }
    }
  }

  const standard = recipients.length > 0;
  const text = mail.text.slice(0, MAX_TEXT_LENGTH);
  if (!standard) {
    // Fields pasted into the text (Amazon WorkMail; a multipart/report whose boundaries are missing), then the
    // report's own words.
    const inline = parseDeliveryStatus(text);
    reportingMta ??= inline.reportingMta;
    originalEnvelopeId ??= inline.originalEnvelopeId;
    const exclude = new Set(
      [mail.from?.address, ...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address)].filter(
        (address): address is string => typeof address === 'string'
      )
    );
    const daemonDomain = mail.from ? mail.from.address.slice(mail.from.address.lastIndexOf('@') + 1) : null;
    recipients.push(
      ...(inline.recipients.length > 0 ? inline.recipients : recipientsFromText(text, exclude, daemonDomain))
    );
  }
  if (originalMessageId === null) {
    const quoted = QUOTED_MESSAGE_ID.exec(text);
    originalMessageId = quoted ? normalizeMessageId(quoted[1]) : null;
  }

  const deliveredTo = DELIVERY_ADDRESS_HEADERS.flatMap((name) => headerValues(mail.headers, name));
  const verpToken = verpTokenOf([...deliveredTo, ...mail.to.map((a) => a.address)]);

  if (!hasReportParts && recipients.length === 0 && originalMessageId === null && verpToken === null)
    return null;
  return {
    standard,
    recipients,
    originalMessageId,
    originalRecipients,
    originalEnvelopeId,
    reportingMta,
    verpToken,
  };
}
