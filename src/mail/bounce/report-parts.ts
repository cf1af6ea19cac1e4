/**
 * The parts of a delivery report as parseMail spooled them: which are delivery-status and returned-message parts,
 * their text (bounded), and the Message-ID and recipients of a returned message's headers.
 */
import { promises as fsp } from 'node:fs';
import { addressesInHeader } from '../forwarding';
import { normalizeMessageId } from '../message-ids';
import type { SpooledAttachment } from '../types';
import { MAX_FIELD_LENGTH, MAX_PART_BYTES } from './bounce-report';
import { FIELD_LINE } from './delivery-status-fields';

export async function readPart(attachment: SpooledAttachment): Promise<string> {
  const length = Math.max(0, Math.min(attachment.size, MAX_PART_BYTES));
  if (length === 0) return '';
  const handle = await fsp.open(attachment.tempPath, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

export const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
export const RETURNED_MESSAGE_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/global-headers',
]);

export function baseType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

export interface ReturnedHeaders {
  messageId: string | null;
  recipients: string[];
}

/** Message-ID and To/Cc of a returned message (or just its headers): the header section, unfolded. */
export function returnedHeaders(source: string): ReturnedHeaders {
  const end = /\r?\n\r?\n/.exec(source);
  const head = (end ? source.slice(0, end.index) : source).replace(/\r?\n(?=[ \t])/g, '');
  let messageId: string | null = null;
  const recipients: string[] = [];
  for (const line of head.split(/\r?\n/)) {
    const match = FIELD_LINE.exec(line);
    if (!match) continue;
    const name = match[1].toLowerCase();
    if (name === 'message-id' && messageId === null) {
      messageId = normalizeMessageId(match[2]);
    } else if (name === 'to' || name === 'cc') {
      for (const address of addressesInHeader(match[2].slice(0, MAX_FIELD_LENGTH))) {
        if (!recipients.includes(address)) recipients.push(address);
      }
    }
  }
  return { messageId, recipients };
}
