/**
 * Push for the mailboxes this process watches: one IMAP IDLE watcher per mailbox (src/ingest/push-watch.ts), whose
 * "new mail" runs the importer at once (a run in progress plus at most one queued), and whose state (push, or polling
 * and why) goes to the mailbox row on changes only, so whichever instance answers the admin shows it. The entry point
 * is a plain set of mailbox ids (`watch`); `syncFromDatabase` feeds it every enabled mailbox with push on that this
 * instance holds the lease of, re-read whenever the mailboxes (mailbox feed) or the held leases change.
 */
import { createHash } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { PushState } from '../../contracts/mailbox';
import { DEFAULT_DATABASE_RETRY, retryTemporary } from '../ingest/database-retry';
import { coalescedRuns, concurrencyLimit, folderHasNewMail, idleRenewMs } from '../ingest/push-rhythm';
import { startPushWatch, type PushWatch } from '../ingest/push-watch';
import { UID } from '../uids';
import { pluginConfig } from '../plugin-config';
import { pluginService } from './registry';

/** First wait after a lost IDLE connection; doubles per failed attempt up to the plugin's `retryMaxSeconds`. */
const RECONNECT_BASE_MS = 2_000;
/**
 * Imports push starts at once in this process, over all its mailboxes (each opens an IMAP connection of its own and
 * shares the parse workers): mail that arrives in many mailboxes at the same moment queues instead.
 */
const PUSH_IMPORTS_AT_ONCE = 4;

export const PUSH_OFF_REASON = 'push is off for this mailbox';
export const DISABLED_REASON = 'the mailbox is disabled';
/** A watcher stopped because the caller of `watch` left the mailbox out (e.g. another instance holds it now). */
export const NOT_WATCHED_REASON = 'no IDLE connection from this instance';
export const STOPPED_REASON = 'the Strapi instance watching it stopped';

interface WatchedMailbox {
  /** Connection settings the watcher was started with: a change restarts it. */
  fingerprint: string;
  watch: PushWatch;
  runs: ReturnType<typeof coalescedRuns>;
}

interface ConnectionRow {
  id: number;
  name: string;
  host: string;
  port: number;
  security: string;
  username: string;
  folder: string;
  password: string | null;
  enabled: boolean;
  push: boolean | null;
  pushState: PushState | null;
  pushReason: string | null;
}

const CONNECTION_FIELDS = ['id', 'name', 'host', 'port', 'security', 'username', 'folder', 'password'];

function fingerprintOf(row: ConnectionRow): string {
  const { host, port, security, username, folder, password } = row;
  return createHash('sha256')
    .update(JSON.stringify([host, port, security, username, folder, password]))
    .digest('hex');
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const watched = new Map<number, WatchedMailbox>();
  let stopping = false;
  let syncing: Promise<void> = Promise.resolve();
  const mailboxes = () => strapi.db.query(UID.mailbox as never);
  const importer = () => pluginService(strapi, 'importer');
  const limited = concurrencyLimit(PUSH_IMPORTS_AT_ONCE);

  async function writeState(id: number, state: PushState, reason: string | null): Promise<void> {
    await retryTemporary(
      () =>
        mailboxes().update({
          where: { id },
          data: { pushState: state, pushReason: reason, pushStateAt: new Date() },
        }),
      { ...DEFAULT_DATABASE_RETRY, attempts: 3 }
    ).catch((error: unknown) =>
      strapi.log.warn(
        `email-piping: mailbox #${id}: the push state "${state}" could not be recorded: ${(error as Error).message}`
      )
    );
  }

  /** One import through the normal road; a run already going on (schedule, "run now") is waited for, then repeated. */
  async function importNow(id: number): Promise<void> {
    for (;;) {
      const result = await importer().runMailbox(id, { manual: false });
      if (result.status !== 'busy') return;
      const inFlight = importer().runInProgress(id);
      if (!inFlight) return; // stopping
      await inFlight.catch(() => undefined);
    }
  }

  async function cursorOf(id: number): Promise<{ uidValidity: string | null; lastUid: number } | null> {
    const row = (await mailboxes().findOne({
      select: ['cursorUidValidity', 'cursorLastUid'],
      where: { id },
    })) as { cursorUidValidity: string | number | null; cursorLastUid: string | number | null } | null;
    if (!row) return null;
    return {
      uidValidity: row.cursorUidValidity === null ? null : String(row.cursorUidValidity),
      lastUid: Number(row.cursorLastUid ?? 0),
    };
  }

  function begin(row: ConnectionRow): void {
    const config = pluginConfig(strapi);
    const id = row.id;
    const runs = coalescedRuns(
      () => limited(() => importNow(id)),
      (error) =>
        strapi.log.error(`email-piping: mailbox #${id}: push import failed: ${(error as Error).message}`)
    );
    const watch = startPushWatch({
      settings: () => pluginService(strapi, 'mailboxes').connectionSettings(id),
      onNewMail: () => runs.trigger(),
      onConnected(folder) {
        void cursorOf(id)
          .then((cursor) => {
            if (cursor && folderHasNewMail(folder, cursor)) runs.trigger();
          })
          .catch(() => runs.trigger());
      },
      onState(state, reason) {
        strapi.log.info(
          `email-piping: mailbox "${row.name}" (#${id}): ${state}${reason ? ` (${reason})` : ''}`
        );
        void writeState(id, state, reason);
      },
      renewMs: idleRenewMs(config.pushRenewSeconds),
      keepaliveMs: config.pushKeepaliveSeconds * 1000,
      reconnectBaseMs: RECONNECT_BASE_MS,
      reconnectMaxMs: Math.max(config.retryMaxSeconds * 1000, RECONNECT_BASE_MS),
    });
    watched.set(id, { fingerprint: fingerprintOf(row), watch, runs });
  }

  /** Stops a watcher; `reason` (if any) goes to the row: the mailbox is polled only from now on. */
  async function end(id: number, reason: string | null): Promise<void> {
    const entry = watched.get(id);
    if (!entry) return;
    watched.delete(id);
    await entry.watch.stop();
    await entry.runs.stop();
    if (reason) await writeState(id, 'polling', reason);
  }

  /**
   * Watches exactly the `wanted` mailboxes: starts the missing watchers, stops the others (their row says
   * `reasonFor(id)`), restarts one whose server, account, folder or password changed. Ids of mailboxes that no longer
   * exist are left out.
   */
  async function reconcile(wanted: number[], reasonFor: (id: number) => string | null): Promise<void> {
    if (stopping) return;
    const rows = (
      wanted.length
        ? await mailboxes().findMany({ select: CONNECTION_FIELDS, where: { id: { $in: wanted } } })
        : []
    ) as ConnectionRow[];
    if (stopping) return;
    const byId = new Map(rows.map((row) => [row.id, row]));
    const leaving = [...watched.keys()].filter((id) => !byId.has(id));
    const changed = [...watched]
      .filter(([id, entry]) => byId.has(id) && entry.fingerprint !== fingerprintOf(byId.get(id)!))
      .map(([id]) => id);
    await Promise.all([
      ...leaving.map((id) => end(id, reasonFor(id))),
      ...changed.map((id) => end(id, null)),
    ]);
    if (stopping) return;
    for (const row of rows) if (!watched.has(row.id)) begin(row);
  }

  /**
   * Every enabled mailbox with push on whose importing this instance holds (its lease, see services/leases.ts: only
   * the holder keeps the IDLE connection); the others' rows say why they are only polled. A mailbox whose lease went
   * to another instance is left without a word: the new holder's watcher writes its state. Runs one at a time.
   */
  async function syncOnce(): Promise<void> {
    if (stopping || !pluginConfig(strapi).autoStart) return;
    const leases = pluginService(strapi, 'leases');
    const held = new Set(leases.heldMailboxIds());
    const ours = (id: number) => !leases.isBalancing() || held.has(id);
    const rows = (await mailboxes().findMany({
      select: ['id', 'enabled', 'push', 'pushState', 'pushReason'],
    })) as ConnectionRow[];
    const reasons = new Map<number, string>();
    for (const row of rows) {
      if (!row.enabled) reasons.set(row.id, DISABLED_REASON);
      else if (row.push === false) reasons.set(row.id, PUSH_OFF_REASON);
    }
    const wasWatched = new Set(watched.keys());
    const wanted = rows.filter((row) => !reasons.has(row.id) && ours(row.id)).map((row) => row.id);
    await reconcile(wanted, (id) => reasons.get(id) ?? (ours(id) ? NOT_WATCHED_REASON : null));
    // Rows no watcher of this process had: written once, when their stored state says otherwise.
    for (const row of rows) {
      const reason = reasons.get(row.id);
      if (reason && !wasWatched.has(row.id) && (row.pushState !== 'polling' || row.pushReason !== reason))
        await writeState(row.id, 'polling', reason);
    }
  }

  return {
    /** Watches exactly these mailboxes (see `reconcile`); the ones left out say "no IDLE connection from this instance". */
    watch: (ids: Iterable<number>) => reconcile([...new Set(ids)], () => NOT_WATCHED_REASON),

    /**
     * Watchers follow the mailbox watcher's reads (a mailbox created, disabled, switched to polling or deleted on any
     * instance is followed here within `scheduleSyncSeconds`) and the leases this instance holds. Bootstrap
     * subscribes this before it starts the mailbox watcher.
     */
    followMailboxes(): void {
      pluginService(strapi, 'mailboxWatcher').onMailboxesChanged(() => this.syncFromDatabase());
      // The IDLE connection goes where the lease goes.
      pluginService(strapi, 'leases').onChange(() => void this.syncFromDatabase());
    },

    /** Re-reads which mailboxes want push (at boot through the feed, after every mailbox change). */
    syncFromDatabase(): Promise<void> {
      syncing = syncing.then(syncOnce).catch((error: unknown) => {
        strapi.log.error(
          `email-piping: push watchers could not follow the mailboxes: ${(error as Error).message}`
        );
      });
      return syncing;
    },

    watchedIds(): number[] {
      return [...watched.keys()].sort((a, b) => a - b);
    },

    /** What a mailbox's watcher has done (connections, IDLE renewals, new-mail signals); null when not watched. */
    counters(id: number) {
      return watched.get(id)?.watch.counters() ?? null;
    },

    /** On destroy: every watcher logged out, no socket or timer left, queued runs dropped. */
    async stopAll(): Promise<void> {
      stopping = true;
      await syncing;
      await Promise.all([...watched.keys()].map((id) => end(id, STOPPED_REASON)));
    },
  };
};
