/**
 * RFC 3464 fields: the `Name: value` blocks of a `message/delivery-status` part (also pasted into the text by some
 * servers) → the recipients, actions, statuses and diagnostics of a report. Read receipts (RFC 8098) use the same
 * field syntax, so read-receipt.ts reads its part with {@link fieldBlocks} too.
 */
import {
  type BounceRecipient,
  type DeliveryAction,
  MAX_DIAGNOSTIC_LENGTH,
  MAX_FIELD_LENGTH,
  MAX_RECIPIENTS,
} from './bounce-report';
import { ENHANCED_STATUS_IN_TEXT, isPermanentStatus } from './status-codes';

export type FieldBlock = Map<string, string>;

export const FIELD_LINE = /^([A-Za-z][A-Za-z0-9-]{0,76})[ \t]*:[ \t]*(.*)$/;

/**
 * Blocks of `Name: value` fields separated by blank lines, names lower-cased, folded lines joined, the first
 * occurrence of a name kept. Lines that are not fields end the field they would otherwise continue.
 */
export function fieldBlocks(text: string): FieldBlock[] {
  const blocks: FieldBlock[] = [];
  let current: FieldBlock = new Map();
  let continuing: string | null = null;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim() === '') {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      continuing = null;
      continue;
    }
    if ((line[0] === ' ' || line[0] === '\t') && continuing !== null) {
      const joined = `${current.get(continuing) ?? ''} ${line.trim()}`;
      current.set(continuing, joined.slice(0, MAX_FIELD_LENGTH));
      continue;
    }
    const match = FIELD_LINE.exec(line);
    if (!match) {
      continuing = null;
      continue;
    }
    const name = match[1].toLowerCase();
    if (current.has(name)) {
      continuing = null;
    } else {
      current.set(name, match[2].trim().slice(0, MAX_FIELD_LENGTH));
      continuing = name;
    }
  }
  if (current.size > 0) blocks.push(current);
  return blocks;
}

/** `\x{00E9}` escapes of RFC 6533 `utf-8` address types. */
function decodeUtf8AddressEscapes(value: string): string {
  return value.replace(/\\x\{([0-9a-f]{1,6})\}/gi, (escape, hex: string) => {
    const code = parseInt(hex, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : escape;
  });
}

/** `rfc822; <User@Example.COM> (comment)` → `user@example.com`; null when nothing is left. */
function addressOfField(value: string | undefined): string | null {
  if (value === undefined) return null;
  const semicolon = value.indexOf(';');
  const type = semicolon === -1 ? '' : value.slice(0, semicolon).trim().toLowerCase();
  let address = (semicolon === -1 ? value : value.slice(semicolon + 1)).trim();
  const bracketed = /<([^<>]*)>/.exec(address);
  if (bracketed) address = bracketed[1].trim();
  address = address.split(/\s/)[0] ?? '';
  if (type === 'utf-8') address = decodeUtf8AddressEscapes(address);
  address = address.replace(/^["']|["']$/g, '').toLowerCase();
  return address || null;
}

/** `smtp; 550 5.1.1 <x>: Recipient address rejected` → the part after the type. */
function withoutTypePrefix(value: string | undefined): string | null {
  if (value === undefined) return null;
  const match = /^[A-Za-z][\w-]{0,30}[ \t]*;[ \t]*/.exec(value);
  const rest = (match ? value.slice(match[0].length) : value).trim();
  return rest ? rest.slice(0, MAX_DIAGNOSTIC_LENGTH) : null;
}

const ACTIONS: ReadonlySet<string> = new Set(['failed', 'delayed', 'delivered', 'relayed', 'expanded']);

function actionOf(value: string | undefined): DeliveryAction | null {
  const word = (value ?? '')
    .trim()
    .split(/[\s(;]/)[0]
    .toLowerCase();
  return ACTIONS.has(word) ? (word as DeliveryAction) : null;
}

function recipientOfBlock(block: FieldBlock): BounceRecipient | null {
  const finalRecipient = addressOfField(block.get('final-recipient'));
  const originalRecipient = addressOfField(block.get('original-recipient'));
  const recipient = finalRecipient ?? originalRecipient;
  if (recipient === null) return null;
  const action = actionOf(block.get('action'));
  const diagnostic = withoutTypePrefix(block.get('diagnostic-code'));
  const statusField = block.get('status') ?? '';
  const status =
    /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(statusField)?.[1] ??
    (diagnostic === null ? null : (ENHANCED_STATUS_IN_TEXT.exec(diagnostic)?.[1] ?? null));
  return {
    recipient,
    originalRecipient,
    action,
    status,
    permanent: isPermanentStatus(status) || (action === 'failed' && status === null),
    diagnostic,
  };
}

export interface DeliveryStatus {
  recipients: BounceRecipient[];
  reportingMta: string | null;
  originalEnvelopeId: string | null;
}

/** The per-message fields and the recipient blocks of one `message/delivery-status` body. */
export function parseDeliveryStatus(text: string): DeliveryStatus {
  const result: DeliveryStatus = { recipients: [], reportingMta: null, originalEnvelopeId: null };
  for (const block of fieldBlocks(text)) {
    // Per-message fields normally come in a first block of their own; sloppy reports mix them into the first
    // recipient block, so they are taken from wherever they first appear.
    result.reportingMta ??= withoutTypePrefix(block.get('reporting-mta'));
    result.originalEnvelopeId ??= block.get('original-envelope-id')?.trim() || null;
    const recipient = recipientOfBlock(block);
    if (recipient !== null && result.recipients.length < MAX_RECIPIENTS) result.recipients.push(recipient);
  }
  return result;
}
