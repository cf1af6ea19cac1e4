/**
 * Where a run starts. The cursor is (UIDVALIDITY, last imported UID) per mailbox folder; `\Seen` is never a cursor
 * because people read support mail in their own clients too.
 */
export interface MailboxCursor {
  uidValidity: string | null;
  lastUid: number;
}

export interface FetchPlan {
  /** Fetch UIDs strictly above this one. */
  afterUid: number;
  /**
   * True when the server's UIDVALIDITY differs from the stored one: every UID is new again, so the folder is read
   * from the start and messages already imported are recognised by the SHA-256 of their source.
   */
  rescan: boolean;
}

export function planFetch(cursor: MailboxCursor, serverUidValidity: string): FetchPlan {
  if (cursor.uidValidity === null) return { afterUid: 0, rescan: false };
  if (cursor.uidValidity !== serverUidValidity) return { afterUid: 0, rescan: true };
  return { afterUid: cursor.lastUid, rescan: false };
}
