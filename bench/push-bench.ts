/**
 * Push (IMAP IDLE) figures for `npm run bench`, measured on the real watcher, importer and Dovecot:
 *
 * - Latency: mails appended one by one at random intervals to a mailbox whose watcher sits in IDLE; the time from
 *   the APPEND (taken on the client just before the command is sent) to the committed receipt of that mail (its
 *   ticket is written in the same transaction), polled every 10 ms. p50 / p99 / max. Beside it the cron figure for
 *   the same mails under the default one-minute schedule, computed (not measured): each mail waits from its arrival
 *   to the next full minute, plus the import time push measured for it.
 * - Scale: N mailboxes (default 200) watched at once on the local Dovecot: RSS of this process after gc with none,
 *   half and all of them watched (the figure is the growth from half to all, per mailbox: allocator warm-up stays
 *   out of it; JS heap + external beside it), the established IMAP connections this process holds, and Dovecot's
 *   imap processes with their RSS (one per session).
 *
 * Run alone with `BENCH_PUSH_ONLY=1 npm run bench` (skips the import benchmark); `BENCH_PUSH_MAILS` (default 200)
 * and `BENCH_PUSH_MAILBOXES` (default 200) size it.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ImapFlow } from 'imapflow';
import { UID } from '../src/uids';
import { imapSettingsFor, type DovecotServer } from '../tests/harness/dovecot';
import { random as createRandom } from '../tests/harness/fuzz-mail';
import { connectImap, generateMessage, uniqueUser } from '../tests/harness/imap';
import type { TestStrapi } from '../tests/harness/strapi';
import { until } from '../tests/harness/until';

const RECEIPT_POLL_MS = 10;
/** Gaps between two APPENDs: uniform in [min, max] ms (mean 275 ms: 200 mails in about a minute). */
const GAP_MS = { min: 50, max: 500 };
const CRON_PERIOD_MS = 60_000;

export interface PushLatency {
  mails: number;
  p50: number;
  p99: number;
  max: number;
  cronP50: number;
  cronP99: number;
}

export interface PushScale {
  mailboxes: number;
  /** Growth per mailbox from half the mailboxes watched to all of them (after gc): warm-up stays out of it. */
  rssPerMailbox: number;
  heapPerMailbox: number;
  /** The same from none watched to all (warm-up included). */
  rssPerMailboxFromZero: number;
  clientConnections: number;
  dovecotSessions: number;
  dovecotRssPerSession: number;
  secondsToWatchAll: number;
}

type PushService = {
  watch(ids: number[]): Promise<void>;
  counters(id: number): { connects: number } | null;
};

const pushService = (app: TestStrapi) => app.strapi.plugin('email-piping').service('push') as PushService;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function createPushMailbox(app: TestStrapi, dovecot: DovecotServer, user: string): Promise<number> {
  const mailboxes = app.strapi.plugin('email-piping').service('mailboxes') as {
    create(body: unknown): Promise<{ id: number }>;
  };
  const created = await mailboxes.create({
    name: `Push ${user}`,
    ...imapSettingsFor(dovecot, user),
    schedule: '0 0 1 1 *',
  });
  return created.id;
}

/** The first login creates the user's maildir; the watcher then finds an INBOX to EXAMINE. */
async function touchInbox(dovecot: DovecotServer, user: string): Promise<void> {
  const client = await connectImap(dovecot, user);
  await client.mailboxOpen('INBOX');
  await client.logout();
}

export async function measurePushLatency(
  app: TestStrapi,
  dovecot: DovecotServer,
  mails: number,
  log: (message: string) => void
): Promise<PushLatency> {
  const user = uniqueUser('bench-push');
  await touchInbox(dovecot, user);
  const id = await createPushMailbox(app, dovecot, user);
  const push = pushService(app);
  await push.watch([id]);
  await until(() => (push.counters(id)?.connects ?? 0) > 0, 30_000, 'the IDLE connection');

  const receipts = app.strapi.db.query(UID.receipt as never);
  const appendedAt = new Map<number, { perf: number; wall: number }>();
  const latencies = new Map<number, number>();
  let lastReceiptId = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const rows = (await receipts.findMany({
        select: ['id', 'uid'],
        where: { mailboxId: id, id: { $gt: lastReceiptId } },
        orderBy: { id: 'asc' },
      })) as Array<{ id: number; uid: string | number }>;
      const now = performance.now();
      for (const row of rows) {
        lastReceiptId = Math.max(lastReceiptId, row.id);
        const sent = appendedAt.get(Number(row.uid));
        if (sent && !latencies.has(Number(row.uid))) latencies.set(Number(row.uid), now - sent.perf);
      }
      await sleep(RECEIPT_POLL_MS);
    }
  })();

  const random = createRandom(13);
  const client: ImapFlow = await connectImap(dovecot, user);
  try {
    for (let i = 0; i < mails; i += 1) {
      const raw = generateMessage(i, {
        from: `Latency ${i} <latency-${i}@customer.example>`,
        subject: `Latency probe ${i}`,
        messageId: `<latency-${i}-${Date.now().toString(36)}@customer.example>`,
        text: 'Is anyone there?',
      });
      const sent = { perf: performance.now(), wall: Date.now() };
      const result = await client.append('INBOX', raw);
      if (!result || typeof result.uid !== 'number') throw new Error('push bench: APPEND returned no UID');
      appendedAt.set(result.uid, sent);
      await sleep(GAP_MS.min + random() * (GAP_MS.max - GAP_MS.min));
      if ((i + 1) % 50 === 0) log(`push latency: ${i + 1} of ${mails} mails appended`);
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  await until(() => latencies.size >= mails, 60_000, `receipts for all ${mails} mails`);
  polling = false;
  await poller;
  await push.watch([]);

  const sorted = [...latencies.values()].sort((a, b) => a - b);
  // The same arrivals under a one-minute cron: the wait to the next full minute, then the same import time.
  const cron = [...appendedAt].map(([uid, sent]) => {
    const wait = CRON_PERIOD_MS - (sent.wall % CRON_PERIOD_MS);
    return wait + (latencies.get(uid) ?? 0);
  });
  cron.sort((a, b) => a - b);
  return {
    mails: sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1],
    cronP50: quantile(cron, 0.5),
    cronP99: quantile(cron, 0.99),
  };
}

/** Established TCP connections of this process's sockets to `port` on the loopback (Linux /proc/net/tcp). */
function clientConnectionsTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const lines = fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
  // Both ends of a loopback connection are listed: the client's has the server port as its remote port.
  return lines.filter((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[2]?.endsWith(`:${hexPort}`) && fields[3] === '01';
  }).length;
}

/** Dovecot's imap session processes (children of its master) and their total RSS in bytes. */
function dovecotSessions(dovecot: DovecotServer): { count: number; rss: number } {
  const master = Number(fs.readFileSync(`${dovecot.dir}/run/master.pid`, 'utf8').trim());
  let count = 0;
  let rss = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== master) continue;
      if (!fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').startsWith('dovecot/imap [')) continue;
      count += 1;
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return { count, rss };
}

export async function measurePushScale(
  app: TestStrapi,
  dovecot: DovecotServer,
  mailboxes: number,
  collect: () => Promise<void>,
  log: (message: string) => void
): Promise<PushScale> {
  const ids: number[] = [];
  for (let i = 0; i < mailboxes; i += 1) {
    const user = uniqueUser('bench-idle');
    await touchInbox(dovecot, user);
    ids.push(await createPushMailbox(app, dovecot, user));
  }
  log(`push scale: ${mailboxes} mailboxes created`);
  const push = pushService(app);
  const connectionsBefore = clientConnectionsTo(dovecot.port);
  /** Memory after the watched set settled: gc, a pause for the allocator to hand pages back, gc again. */
  const settled = async () => {
    await sleep(2_000);
    await collect();
    await sleep(500);
    await collect();
    return process.memoryUsage();
  };
  const connectAll = async (watched: number[]) => {
    await push.watch(watched);
    await until(
      () => watched.every((id) => (push.counters(id)?.connects ?? 0) > 0),
      120_000,
      `${watched.length} IDLE connections`
    );
  };
  const none = await settled();
  const started = performance.now();
  const half = ids.slice(0, Math.floor(mailboxes / 2));
  await connectAll(half);
  const atHalf = await settled();
  const halfSeconds = (performance.now() - started) / 1000;
  const secondStarted = performance.now();
  await connectAll(ids);
  const secondsToWatchAll = halfSeconds + (performance.now() - secondStarted) / 1000;
  const all = await settled();
  const added = mailboxes - half.length;
  const clientConnections = clientConnectionsTo(dovecot.port) - connectionsBefore;
  const sessions = dovecotSessions(dovecot);
  log(`push scale: ${clientConnections} connections, ${sessions.count} Dovecot sessions`);
  await push.watch([]);
  return {
    mailboxes,
    rssPerMailbox: (all.rss - atHalf.rss) / added,
    heapPerMailbox: (all.heapUsed + all.external - atHalf.heapUsed - atHalf.external) / added,
    rssPerMailboxFromZero: (all.rss - none.rss) / mailboxes,
    clientConnections,
    dovecotSessions: sessions.count,
    dovecotRssPerSession: sessions.count ? sessions.rss / sessions.count : 0,
    secondsToWatchAll,
  };
}

const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`);

/** The lines `npm run bench` prints. */
export function pushReport(latency: PushLatency, scale: PushScale): string[] {
  const ok = latency.p50 <= 500 && latency.p99 <= 2000;
  return [
    `Push latency (IMAP IDLE, ${latency.mails} mails at random 50–500 ms gaps, APPEND -> committed ticket): ` +
      `p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)}, max ${ms(latency.max)} (target p50 <= 500 ms, p99 <= 2 s) ` +
      `${ok ? 'PASS' : 'MISS'}`,
    `Cron latency, same mails, default one-minute schedule (computed: wait to the next minute + the import time ` +
      `measured above): p50 ${ms(latency.cronP50)}, p99 ${ms(latency.cronP99)}`,
    `Push at scale: ${scale.mailboxes} mailboxes in IDLE (all connected in ${scale.secondsToWatchAll.toFixed(1)} s): ` +
      `Strapi ${(scale.rssPerMailbox / 1024).toFixed(0)} KB RSS per mailbox (from ${scale.mailboxes / 2} to ` +
      `${scale.mailboxes}; JS heap + external ${(scale.heapPerMailbox / 1024).toFixed(0)} KB; from none ` +
      `${(scale.rssPerMailboxFromZero / 1024).toFixed(0)} KB), ` +
      `${(scale.clientConnections / scale.mailboxes).toFixed(2)} IMAP connections per mailbox ` +
      `(${scale.clientConnections} in all); Dovecot: ${scale.dovecotSessions} imap processes, ` +
      `${(scale.dovecotRssPerSession / 1024 / 1024).toFixed(1)} MB RSS each`,
  ];
}
