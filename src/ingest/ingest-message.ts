/**
 * parse → (duplicate check) → persist, for one spooled raw message. Shared by the IMAP importer and by
 * "reprocess a quarantined mail", so both take exactly the same decisions.
 *
 * Bad input never stops a mailbox: a message that cannot be parsed or stored is quarantined with its raw source and
 * the reason, and the caller moves on to the next one. Only a failure to record even that (the database is gone)
 * propagates, so the cursor stays put and the message is tried again on the next run.
 */
import fs from 'node:fs';
import { parseMail, removeSpooledAttachments } from '../mail/parse';
import { requesterOf } from '../mail/requester';
import type { ParsedMail } from '../mail/types';
import type { SpooledRaw } from './spool';

export interface InboundOrigin {
  mailboxId: number;
  uidValidity: string;
  uid: number;
}

export type IngestOutcomeKind = 'ticket-created' | 'reply-added' | 'quarantined' | 'skipped';

export interface IngestOutcome {
  outcome: IngestOutcomeKind;
  /** The receipt row written (or found); null only when nothing was recorded. */
  receiptId: number | null;
  ticketId: number | null;
  reason?: string;
}

/** Options that change how an already-received message is recorded. */
export interface RecordOptions {
  /** Reprocessing: update this quarantined receipt instead of writing a new one, and leave the cursor alone. */
  replaceReceiptId?: number;
}

export interface IngestStore {
  /** A receipt in this mailbox for byte-identical source that already became a ticket, a reply or a quarantine entry. */
  findImportedDuplicate(mailboxId: number, sha256: string): Promise<number | null>;
  /**
   * One transaction: thread lookup, ticket (new or existing), message, attachments, receipt, cursor. Must be
   * idempotent for an origin that already has a receipt (answer `skipped` with that receipt).
   */
  commitParsedMessage(
    origin: InboundOrigin,
    raw: SpooledRaw,
    mail: ParsedMail,
    options?: RecordOptions
  ): Promise<IngestOutcome>;
  /** Receipt with the raw source kept, so the mail can be reprocessed; advances the cursor past it. */
  recordQuarantined(
    origin: InboundOrigin,
    raw: SpooledRaw,
    reason: string,
    mail: ParsedMail | null,
    options?: RecordOptions
  ): Promise<IngestOutcome>;
  recordSkipped(
    origin: InboundOrigin,
    raw: SpooledRaw,
    reason: string,
    mail: ParsedMail | null
  ): Promise<IngestOutcome>;
}

export interface IngestOptions extends RecordOptions {
  spoolDir: string;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function ingestSpooledMessage(
  raw: SpooledRaw,
  origin: InboundOrigin,
  store: IngestStore,
  options: IngestOptions
): Promise<IngestOutcome> {
  let mail: ParsedMail;
  try {
    mail = await parseMail(fs.createReadStream(raw.path), { spoolDir: options.spoolDir });
  } catch (error) {
    return store.recordQuarantined(origin, raw, `cannot be parsed: ${describe(error)}`, null, options);
  }
  try {
    if (!requesterOf(mail)) {
      return await store.recordQuarantined(
        origin,
        raw,
        'has no usable sender address (From and Reply-To are missing or invalid), so no one could be answered',
        mail,
        options
      );
    }
    if (options.replaceReceiptId === undefined) {
      const duplicateOf = await store.findImportedDuplicate(origin.mailboxId, raw.sha256);
      if (duplicateOf !== null) {
        return await store.recordSkipped(
          origin,
          raw,
          `duplicate: byte-identical to the message of receipt #${duplicateOf}, already recorded`,
          mail
        );
      }
    }
    try {
      return await store.commitParsedMessage(origin, raw, mail, options);
    } catch (error) {
      return await store.recordQuarantined(
        origin,
        raw,
        `cannot be stored: ${describe(error)}`,
        mail,
        options
      );
    }
  } finally {
    await removeSpooledAttachments(mail);
  }
}
