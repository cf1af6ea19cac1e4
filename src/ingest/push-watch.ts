/**
 * Push for one mailbox: a connection of its own that sits in IMAP IDLE (RFC 2177) on the mailbox's folder and says
 * "new mail" as soon as the server announces EXISTS, so mail becomes a ticket in about a second instead of at the next
 * cron tick. It renews IDLE with a NOOP (which also proves the connection alive) within 29 minutes, notices a dead
 * connection (imapflow's socket timeout sends a NOOP when the line is quiet and gives up when that goes unanswered),
 * and reconnects with back-off. It never imports: `onNewMail` does, through the importer's normal road, and the
 * schedule keeps running beside it as the sweeper. Knows imapflow, not Strapi; the imapflow details stay here.
 */
import type { ImapFlow } from 'imapflow';
import type { PushState } from '../../contracts/mailbox';
import { createClient, describeImapFailure, type ImapSettings } from './imap-source';
import { cancellableWait, reconnectDelayMs } from './push-rhythm';

export interface PushWatchOptions {
  /** Fresh connection settings on every connect (a changed password is picked up on the next reconnect). */
  settings(): Promise<ImapSettings>;
  /** The server announced new mail. */
  onNewMail(): void;
  /**
   * The folder is open and IDLE about to start: mail may have come while nobody watched, and the caller decides
   * from these (against its cursor) whether to import now.
   */
  onConnected(folder: { uidValidity: string; uidNext: number }): void;
  /** Called on state changes only: push (sitting in IDLE) or polling, with the reason. */
  onState(state: PushState, reason: string | null): void;
  /** Renew IDLE (DONE, NOOP, IDLE) this often; at most 29 minutes. */
  renewMs: number;
  /** A quiet connection is probed with a NOOP after this long, and given up after twice this. */
  keepaliveMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
}

export interface PushWatch {
  /** What the watcher has done so far: connections made and IDLE renewals sent (the integration test reads them). */
  counters(): { connects: number; renewals: number; newMailSignals: number };
  /** Logs out (or drops the socket) and leaves no timer behind. */
  stop(): Promise<void>;
}

export const NO_IDLE_REASON = 'the IMAP server does not announce IDLE; the schedule imports this mailbox';

const LOGOUT_GRACE_MS = 1_000;

/** Starts watching; the returned handle stops it. Never throws: every failure becomes a "polling" state. */
export function startPushWatch(options: PushWatchOptions): PushWatch {
  const waits = cancellableWait();
  const counters = { connects: 0, renewals: 0, newMailSignals: 0 };
  let stopped = false;
  let current: ImapFlow | null = null;
  let reported: string | null = null;

  function report(state: PushState, reason: string | null): void {
    const key = `${state}\n${reason ?? ''}`;
    if (key === reported) return;
    reported = key;
    options.onState(state, reason);
  }

  function newMail(): void {
    counters.newMailSignals += 1;
    options.onNewMail();
  }

  /** One connection, from connect to its end. Answers 'no-idle' when the server cannot push. */
  async function session(): Promise<'ended' | 'no-idle'> {
    const settings = await options.settings();
    const client = createClient(settings, {
      // The line is quiet during IDLE: after keepaliveMs imapflow breaks IDLE for a NOOP, and a NOOP that is not
      // answered by the next timeout closes the connection.
      socketTimeout: options.keepaliveMs,
    });
    current = client;
    let lastError: unknown = null;
    let folder: { uidValidity: bigint | number | string; uidNext: number };
    // Without a listener an 'error' event after connect would crash the process.
    client.on('error', (error: unknown) => {
      lastError = error;
    });
    try {
      await client.connect();
      if (stopped) return 'ended';
      if (!client.capabilities.has('IDLE')) return 'no-idle';
      // EXAMINE: this connection only listens; the importer's own connection marks, moves and deletes.
      folder = await client.mailboxOpen(settings.folder, { readOnly: true });
    } catch (error) {
      throw describeImapFailure(lastError ?? error, settings);
    }
    counters.connects += 1;
    client.on('exists', (event: { count: number; prevCount: number }) => {
      if (event.count > event.prevCount) newMail();
    });
    report('push', null);
    options.onConnected({ uidValidity: String(folder.uidValidity), uidNext: folder.uidNext });
    const renew = setInterval(() => {
      counters.renewals += 1;
      // Breaks IDLE (DONE), asks NOOP, and the loop below issues IDLE again.
      client.noop().catch(() => undefined);
    }, options.renewMs);
    try {
      // idle() returns whenever IDLE is broken (a renewal, a keepalive, the connection's end).
      while (!stopped && client.usable && client.mailbox) await client.idle();
    } finally {
      clearInterval(renew);
    }
    if (!stopped && lastError) throw describeImapFailure(lastError, settings);
    return 'ended';
  }

  async function closeCurrent(): Promise<void> {
    const client = current;
    current = null;
    if (!client || client.isClosed) return;
    const timer = new Promise((resolve) => setTimeout(resolve, LOGOUT_GRACE_MS).unref());
    await Promise.race([client.logout().catch(() => undefined), timer]);
    client.close();
  }

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      let reason = 'the connection to the IMAP server ended';
      const connectsBefore = counters.connects;
      try {
        if ((await session()) === 'no-idle') {
          report('polling', NO_IDLE_REASON);
          return;
        }
      } catch (error) {
        reason = (error as Error).message;
      } finally {
        await closeCurrent();
      }
      if (stopped) return;
      // A connection that got as far as IDLE starts the back-off afresh.
      failures = counters.connects > connectsBefore ? 1 : failures + 1;
      report('polling', `reconnecting: ${reason}`);
      await waits.wait(reconnectDelayMs(failures, options.reconnectBaseMs, options.reconnectMaxMs));
    }
  })();

  return {
    counters: () => ({ ...counters }),
    async stop() {
      stopped = true;
      waits.cancel();
      await closeCurrent();
      await loop;
    },
  };
}
