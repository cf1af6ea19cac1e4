/**
 * The seam every mail source implements, so the road after it is one road: IMAP today (imap-source.ts); Microsoft
 * Graph, the Gmail API, an MTA pipe and HTTP inbound are new files behind this same interface, not new roads.
 *
 * A source numbers its messages with increasing ids inside a generation (`uidValidity`): the run lists what is new
 * after the cursor, streams one message at a time, and acknowledges messages only after the database committed them
 * — that is what makes an import exactly once (a crash before the commit fetches them again, a crash after it
 * leaves receipts whose acknowledgement is finished next run).
 */
import type { Readable } from 'node:stream';
import type { AfterImport as AfterImportAction } from '../../contracts/mailbox';

export interface NewMessage {
  /** Increasing within a generation (IMAP UID). */
  uid: number;
  /** The size the source reports, so the size cap is checked before anything is downloaded. */
  size: number;
}

export interface MailSource {
  /** The generation of the numbering (IMAP UIDVALIDITY), as a string: a new one means the cursor starts over. */
  readonly uidValidity: string;
  /** Messages with an id strictly above `afterUid`, in ascending order. */
  listNewMessages(afterUid: number): Promise<NewMessage[]>;
  /** The raw RFC 5322 source of one message as a stream; it must be consumed before the next call. */
  download(uid: number): Promise<Readable>;
  /** Called after commit: the mailbox's after-import action (IMAP: mark seen, move or delete; Graph: mark read …). */
  acknowledge(uids: number[]): Promise<void>;
  close(): Promise<void>;
}

/** What a mailbox asks the source to do with a message once it is stored. */
export interface AfterImport {
  action: AfterImportAction;
  /** The folder for `move`. */
  moveToFolder?: string | null;
}
