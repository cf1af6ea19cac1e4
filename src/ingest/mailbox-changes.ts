/**
 * What changed among the mailboxes between two reads of the database. Every instance reads the same few columns of
 * every mailbox every few seconds (src/ingest/mailbox-feed.ts); this compares the reads by content, so a mailbox
 * created, edited, disabled or deleted on another instance is noticed here without any message between instances,
 * and without trusting clocks: `updatedAt` is compared as a value, never as "newer than", because each instance
 * stamps it with its own clock.
 */

/** The columns each instance reads of every mailbox: enough to schedule it and to see that it changed. */
export const MAILBOX_FEED_COLUMNS = ['id', 'enabled', 'schedule', 'updatedAt'] as const;

export interface MailboxFeedRow {
  id: number;
  enabled: boolean;
  schedule: string;
  /** As stored (ISO text), or null; any edit of the mailbox changes it, a run's progress writes too. */
  updatedAt: string | null;
}

export interface MailboxChanges {
  /** Ids absent from the previous read (every id on the first read). */
  added: number[];
  /** Ids gone since the previous read. */
  removed: number[];
  /** Ids present in both whose enabled, schedule or updatedAt differ. */
  changed: number[];
}

function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(value as string | number);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

/**
 * One shape whatever the database answered: SQLite gives 0/1 and epoch numbers or text, PostgreSQL and MySQL give
 * booleans and Dates, ids may come as text (bigint). Sorted by id, so two reads compare in one pass.
 */
export function normalizeMailboxRows(rows: readonly object[]): MailboxFeedRow[] {
  return (rows as ReadonlyArray<Record<string, unknown>>)
    .map((row) => ({
      id: Number(row.id),
      enabled: Boolean(row.enabled),
      schedule: typeof row.schedule === 'string' ? row.schedule : '',
      updatedAt: isoOrNull(row.updatedAt),
    }))
    .sort((a, b) => a.id - b.id);
}

/** Compares two reads; `previous` null means this is the first read, so every mailbox is new. */
export function diffMailboxes(
  previous: readonly MailboxFeedRow[] | null,
  next: readonly MailboxFeedRow[]
): MailboxChanges {
  const before = new Map((previous ?? []).map((row) => [row.id, row]));
  const changes: MailboxChanges = { added: [], removed: [], changed: [] };
  for (const row of next) {
    const old = before.get(row.id);
    before.delete(row.id);
    if (!old) changes.added.push(row.id);
    else if (old.enabled !== row.enabled || old.schedule !== row.schedule || old.updatedAt !== row.updatedAt)
      changes.changed.push(row.id);
  }
  changes.removed = [...before.keys()].sort((a, b) => a - b);
  return changes;
}

export function hasChanges(changes: MailboxChanges): boolean {
  return changes.added.length + changes.removed.length + changes.changed.length > 0;
}
