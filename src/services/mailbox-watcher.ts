/**
 * This instance's view of the mailboxes, kept in step with the database (src/ingest/mailbox-feed.ts): subscribe with
 * `onMailboxesChanged(listener)`. Strapi glue only: the query and the settings.
 *
 * The query, every `scheduleSyncSeconds` per instance: `SELECT id, enabled, schedule, updated_at FROM
 * email_piping_mailboxes` — every row, four narrow columns, no join, no password or setting text; a scan of a table
 * with one row per mailbox (tens of bytes each), which the database keeps in memory.
 */
import type { Core } from '@strapi/strapi';
import { MAILBOX_FEED_COLUMNS } from '../ingest/mailbox-changes';
import { MailboxFeed, type MailboxesListener } from '../ingest/mailbox-feed';
import { pluginConfig } from '../plugin-config';
import { UID } from '../uids';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  let feed: MailboxFeed | null = null;
  let stopped = false;
  const listeners: MailboxesListener[] = [];

  return {
    /** Subscribes to every read that found a change; subscribe before `start()` to hear the first read. */
    onMailboxesChanged(listener: MailboxesListener): () => void {
      listeners.push(listener);
      const unsubscribe = feed?.onMailboxesChanged(listener);
      return () => {
        listeners.splice(listeners.indexOf(listener), 1);
        unsubscribe?.();
      };
    },

    /** Reads the mailboxes (subscribers hear of it before this resolves), then every `scheduleSyncSeconds`. */
    async start(): Promise<void> {
      if (feed || stopped) return;
      feed = new MailboxFeed(
        () =>
          strapi.db.query(UID.mailbox as never).findMany({ select: [...MAILBOX_FEED_COLUMNS] }) as Promise<
            object[]
          >,
        {
          periodMs: pluginConfig(strapi).scheduleSyncSeconds * 1000,
          logger: {
            warn: (message) => strapi.log.warn(message),
            error: (message) => strapi.log.error(message),
          },
        }
      );
      for (const listener of listeners) feed.onMailboxesChanged(listener);
      await feed.start();
    },

    /** Reads now, after a change made in this process; nothing when the watcher is not running. */
    refresh(): Promise<void> {
      return feed?.refresh() ?? Promise.resolve();
    },

    isRunning(): boolean {
      return feed?.isRunning() ?? false;
    },

    /** Stops reading; waits for a read in flight, whose answer no subscriber gets. */
    async stop(): Promise<void> {
      stopped = true;
      listeners.length = 0;
      await feed?.stop();
    },
  };
};
