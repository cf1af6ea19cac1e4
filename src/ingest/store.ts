/**
 * What the inbound road writes through: the seam between the road (prepare → decide → store, in `src/ingest` and
 * `src/policy`, no Strapi) and the database (`src/repositories/import-store.ts`). The store is handed a decision and
 * writes it; it decides nothing.
 */
import type { SpooledRaw } from './spool';
import type { ParsedMail } from '../mail/types';
import type { InboundDecision, InboundDecisionContext } from '../policy/decide-inbound';
import type { JobPreparation } from './parse-pool';

/** Where a message came from: the mailbox, the folder generation (IMAP UIDVALIDITY) and its UID there. */
export interface InboundOrigin {
  mailboxId: number;
  uidValidity: string;
  uid: number;
}

/** `blocked`: a block rule matched; `refused`: the mailbox's allowed mail / senders said no. Both are recorded. */
export type IngestOutcomeKind =
  | 'ticket-created'
  | 'reply-added'
  | 'quarantined'
  | 'skipped'
  | 'blocked'
  | 'refused'
  /** A delivery report: recorded on the ticket of the mail it is about, if any. */
  | 'bounce'
  /** A read receipt (RFC 8098): recorded on the ticket of the mail it names, if any; never a ticket. */
  | 'read-receipt'
  /** Our own mail come back: recorded, nothing else. */
  | 'own-mail'
  /** Mail to a mailbox nobody reads: no ticket. */
  | 'unmonitored';

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
  /** The mail's attachments, uploaded ahead (see `IngestStore.stageAttachments`): linked instead of uploaded. */
  staged?: StagedAttachments;
}

/** An attachment the HTML body shows inline (`cid:`), as stored: where the ticket view finds it. */
export interface StoredInlinePart {
  contentId: string;
  fileId: number;
  url: string;
  filename: string;
  contentType: string;
}

/** A mail's attachments in the site's file storage, ready for a message to link. */
export interface StagedAttachments {
  fileIds: number[];
  inlineParts: StoredInlinePart[];
}

export interface IngestStore {
  /** Runs `work` in one database transaction; calls inside join it. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** What the parse worker needs to classify and authenticate this mailbox's mail; null: nothing (tests). */
  preparationFor(mailboxId: number): Promise<JobPreparation | null>;
  /**
   * Everything the decision needs besides the mail: the mailbox's settings and the lookups. Asked inside the
   * transaction, so the lookups see the tickets written earlier in the same batch.
   */
  decisionContextFor(mailboxId: number): Promise<InboundDecisionContext>;
  /** The receipt already written for this origin, if any (a second importer got there first). */
  findReceipt(origin: InboundOrigin): Promise<{ id: number; ticketId: number | null } | null>;
  /** For each SHA-256, a receipt in this mailbox for byte-identical source already recorded (ticket, reply, quarantine). */
  findImportedDuplicates(mailboxId: number, sha256s: string[]): Promise<Map<string, number>>;
  /** Writes what was decided: ticket, message, attachments, receipt, notifications. Joins the transaction. */
  recordDecision(
    origin: InboundOrigin,
    raw: SpooledRaw,
    mail: ParsedMail,
    decision: InboundDecision,
    options?: RecordOptions
  ): Promise<IngestOutcome>;
  /** Receipt with the raw source kept, so the mail can be reprocessed. */
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
  /** Moves the mailbox cursor to this message. Called last in each transaction that records new receipts. */
  advanceCursor(origin: InboundOrigin): Promise<void>;
  /**
   * Uploads a mail's attachments into the site's file storage ahead of the transaction that links them: an upload
   * (copying the file, image thumbnails, a remote provider) takes far longer than writing rows, and a transaction
   * must not wait on it holding a database connection. Absent: attachments are uploaded inside the transaction.
   */
  stageAttachments?(mail: ParsedMail): Promise<StagedAttachments>;
  /** Removes staged attachments no committed message links to (the mail made no message, or its batch failed). */
  discardStaged?(staged: StagedAttachments): Promise<void>;
  /** Sharing the database with the rest of the application; absent: the store has it to itself (tests). */
  turns?: DatabaseTurns;
}

/**
 * An import batch holds a database connection for its whole transaction. Where connections are few (SQLite has
 * one) an admin request that needs ten queries would wait for a batch at each of them: so a batch commits early
 * when someone waits, and the next one starts once the others are done.
 */
export interface DatabaseTurns {
  /** Someone outside this transaction waits for a connection now. */
  othersWaiting(): boolean;
  /** Resolves once nobody else has used the database for a moment, or after a bounded wait. */
  giveWay(): Promise<void>;
}

export interface PendingServerAction {
  receiptId: number;
  uid: number;
}

/** The store of a whole import run: the road's, plus what the run does around the messages. */
export interface ImportStore extends IngestStore {
  /**
   * Records a message that was never downloaded (too large) or that cannot be stored even in the quarantine: a
   * minimal receipt, the mail left untouched on the server, the cursor advanced past it.
   */
  recordNotDownloaded(origin: InboundOrigin, reason: string): Promise<void>;
  /** Receipts whose message is committed but whose source acknowledgement has not run yet (e.g. after a crash). */
  pendingServerActions(mailboxId: number, uidValidity: string): Promise<PendingServerAction[]>;
  settleServerActions(receiptIds: number[], status: 'done' | 'failed', error?: string): Promise<void>;
}
