/**
 * How often a run writes its progress to the mailbox row (the admin's progress bar polls it). Every message would be
 * a database write per message on a fast backlog; every 25 messages alone leaves the bar still for minutes when each
 * message takes seconds (large attachments, a slow server). So: after 25 messages or one second, whichever comes
 * first — plus the start and the end of the run.
 */
import type { MailboxProgress } from '../../contracts/api';

export type ImportProgress = MailboxProgress;

export const PROGRESS_WRITE_EVERY_MESSAGES = 25;
export const PROGRESS_WRITE_EVERY_MS = 1000;

/** An `onProgress` for one run that passes on to `write` only the calls worth a database write. */
export function throttledProgress(
  write: (progress: ImportProgress) => Promise<void>,
  now: () => number = Date.now
): (done: number, total: number) => Promise<void> {
  let written: { done: number; at: number } | null = null;
  return async (done, total) => {
    const finished = done >= total;
    if (
      written &&
      !finished &&
      done - written.done < PROGRESS_WRITE_EVERY_MESSAGES &&
      now() - written.at < PROGRESS_WRITE_EVERY_MS
    ) {
      return;
    }
    written = { done, at: now() };
    await write({ done, total, running: !finished });
  };
}
