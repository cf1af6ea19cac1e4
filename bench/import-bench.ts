/**
 * Import benchmark: how fast and how lean the IMAP → ticket road is, measured side by side in one run.
 *
 *   npm run bench                       # 5,000 messages
 *   BENCH_MESSAGES=500 npm run bench    # a quick run
 *
 * 1. Starts a throwaway Dovecot and boots the playground Strapi (quiet, no HTTP) on a temporary SQLite file.
 * 2. Generates a realistic backlog (plain text, multipart/alternative with HTML, ~1 in 5 a reply to an earlier
 *    message, ~1 in 20 with a 2–20 KB attachment) and appends the same messages to three IMAP users.
 * 3. Raw rate: one imapflow connection downloads every message of one user and parses it with the plugin's own
 *    streaming parser (`parseMail`): fetch + parse alone, no database. It runs before and after the import, each
 *    time on a mailbox of its own that is read for the first time (as the import's is), and the two are averaged.
 * 4. End-to-end rate: `runMailbox` imports another user's backlog into tickets; the counts are checked after.
 * 5. RSS is sampled every 100 ms during each phase; RSS after gc at ~10 % of the backlog vs at the end tells
 *    whether memory stays flat.
 * 6. One message with a 100 MB attachment is imported on its own; the peak RSS growth over a post-gc baseline is
 *    the number that says whether attachments are streamed rather than buffered.
 * 7. Push (IMAP IDLE, bench/push-bench.ts): latency from APPEND to committed ticket, beside the one-minute cron's, and
 *    memory and connections per mailbox held in IDLE. `BENCH_PUSH_ONLY=1` runs this part alone.
 * 8. Admin latency (bench/admin-latency.ts): the admin API while the fuzz run's worst mails are imported.
 * 9. PostgreSQL (bench/postgres-leg.ts): the raw passes and the import again, in a child process on a throwaway
 *    cluster, printed beside this run's SQLite figures (`BENCH_POSTGRES=0` leaves it out).
 *
 * It is a benchmark, not a test: a missed target prints MISS and the exit code stays 0. Only a broken run (wrong
 * ticket counts, a failed import) exits 1, because its numbers would mean nothing.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { removeSpooledAttachments } from '../src/mail/parse/attachment-spool';
import { parseMail } from '../src/mail/parse/parse-mail';
import { UID } from '../src/uids';
import { startDovecot, type DovecotServer } from '../tests/harness/dovecot';
import { random as createRandom } from '../tests/harness/fuzz-mail';
import {
  appendMessageStream,
  appendMessages,
  generateLargeMessageStream,
  generateMessage,
  uniqueUser,
  withImap,
} from '../tests/harness/imap';
import { postgresAvailable, startPostgres, type PostgresServer } from '../tests/harness/postgres';
import { bootStrapi, type TestStrapi } from '../tests/harness/strapi';
import { adminLatencyLines, adminLatencyPhase } from './admin-latency';
import { legLine, printLegResult, runPostgresLeg, type LegResult } from './postgres-leg';
import { measurePushLatency, measurePushScale, pushReport } from './push-bench';
import { runRulesBench } from './rules-bench';

// ---------------------------------------------------------------------------------------------------------------
// Settings and targets
// ---------------------------------------------------------------------------------------------------------------

const MESSAGES = positiveIntFromEnv('BENCH_MESSAGES', 5000);
const SEED = positiveIntFromEnv('BENCH_SEED', 1);
/** Ordinary mails around the worst cases in the admin-latency phase. */
const ADMIN_LATENCY_MESSAGES = positiveIntFromEnv('BENCH_ADMIN_LATENCY_MESSAGES', 200);
/** Push (IMAP IDLE), see push-bench.ts: mails for the latency line, mailboxes held in IDLE at once. */
const PUSH_MAILS = positiveIntFromEnv('BENCH_PUSH_MAILS', 200);
const PUSH_MAILBOXES = positiveIntFromEnv('BENCH_PUSH_MAILBOXES', 200);
/** `BENCH_PUSH_ONLY=1`: only the push figures, without the import benchmark. */
const PUSH_ONLY = process.env.BENCH_PUSH_ONLY === '1';
/** The database the run imports into: `BENCH_DATABASE=postgres` boots a throwaway cluster (postgres-leg.ts). */
const DATABASE = process.env.BENCH_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
/** `BENCH_IMPORT_ONLY=1`: raw passes and the import, one result line (the PostgreSQL leg's child run). */
const IMPORT_ONLY = process.env.BENCH_IMPORT_ONLY === '1';
/** `BENCH_POSTGRES=0` leaves the PostgreSQL leg out of a full run. */
const POSTGRES_LEG = process.env.BENCH_POSTGRES !== '0';
const BIG_ATTACHMENT_BYTES = 100 * 1024 * 1024;
const BIG_MAX_MESSAGE_BYTES = 200 * 1024 * 1024;

/** End-to-end import rate as a share of the raw fetch + parse rate. */
const TARGET_RATIO = 0.3;
/**
 * "RSS flat across the backlog": growth (after gc) over the second half of the backlog. RSS first climbs 10–20 MB
 * while the allocator, V8's old space and SQLite's page cache warm up (the raw pass, with no database at all,
 * shows a step too), then levels off: a 15,000-message run read 267 → 277 → 282 → 282.5 → 283 MB at 10/25/50/75/100 %.
 * A leak keeps growing with every message and shows here: 3 KB per message would already miss at N = 5,000.
 */
const TARGET_SECOND_HALF_MB = 8;
/** Peak RSS growth while importing the 100 MB attachment. */
const TARGET_BIG_GROWTH_MB = 64;

/**
 * `BENCH_SQLITE_CACHE_KB=2000` sets SQLite's page cache limit (better-sqlite3 builds SQLite with 16,000 KiB): the
 * cache fills as the database grows, which is RSS growth that stops at the limit, not a leak. A smaller limit shows
 * what the plugin's own memory does.
 */
const SQLITE_CACHE_KB = process.env.BENCH_SQLITE_CACHE_KB
  ? positiveIntFromEnv('BENCH_SQLITE_CACHE_KB', 16000)
  : null;

/** `BENCH_SQL_PROFILE=1` prints the import's SQL statements by how often they ran: where the queries go. */
const PROFILE_SQL = process.env.BENCH_SQL_PROFILE === '1';

/** `BENCH_CPU_PROFILE=file.cpuprofile` records a V8 CPU profile of the import phase alone (open it in DevTools). */
const CPU_PROFILE_FILE = process.env.BENCH_CPU_PROFILE || null;

const SAMPLE_MS = 100;
const BIG_SAMPLE_MS = 50;
const PROGRESS_POLL_MS = 200;
/** Fractions of the backlog at which RSS is read after a full gc. */
const CHECKPOINTS = [0.1, 0.25, 0.5, 0.75];
/** Messages parsed untimed before the raw pass, so its rate is not charged with JIT warm-up. */
const RAW_WARMUP = Math.min(100, MESSAGES);

function positiveIntFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

// ---------------------------------------------------------------------------------------------------------------
// Memory helpers
// ---------------------------------------------------------------------------------------------------------------

const MB = 1024 * 1024;
const gcFunction = (globalThis as { gc?: () => void }).gc;

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

function signedMb(bytes: number): string {
  return `${bytes >= 0 ? '+' : ''}${(bytes / MB).toFixed(1)} MB`;
}

/** Full collection (twice: the first one may only queue finalizers), then a short pause for the allocator. */
async function collect(): Promise<void> {
  if (!gcFunction) return;
  gcFunction();
  await new Promise((resolve) => setImmediate(resolve));
  gcFunction();
}

interface MemoryPoint {
  done: number;
  rss: number;
  heapUsed: number;
  /** What V8 has committed for the JS heap (used or not): RSS minus this is native memory. */
  heapTotal: number;
  /** Memory outside the JS heap that V8 knows of (Buffers, ArrayBuffers). */
  external: number;
  /** How long the gc took; subtracted from the phase's time so the readings do not slow the rate down. */
  pauseMs: number;
}

/**
 * The parse worker processes (children of this one, running parse-worker): the import's parsing happens there, so
 * their memory and CPU are the import's too. Read from /proc (Linux), as the bench runs here; elsewhere none are seen.
 */
function parseWorkerPids(): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (after the parenthesised command, which may hold spaces) is the parent's pid.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid) continue;
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('parse-worker'))
        pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function procNumber(pid: number, file: 'status' | 'stat', read: (text: string) => number): number {
  try {
    return read(fs.readFileSync(`/proc/${pid}/${file}`, 'utf8'));
  } catch {
    return 0;
  }
}

/** Resident memory of the parse workers, bytes. */
function workersRss(): number {
  return parseWorkerPids().reduce(
    (sum, pid) =>
      sum + procNumber(pid, 'status', (text) => Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? 0) * 1024),
    0
  );
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU time (user + system) the parse workers have used so far, ms. */
function workersCpuMs(): number {
  return parseWorkerPids().reduce(
    (sum, pid) =>
      sum +
      procNumber(pid, 'stat', (text) => {
        const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command.
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
      }),
    0
  );
}

/** RSS of this process and its parse workers. */
function totalRss(): number {
  return process.memoryUsage.rss() + workersRss();
}

/** Reads RSS and heap right after a full gc (synchronously, so it can run inside a timer). */
function pointAfterGc(done: number): MemoryPoint {
  const started = performance.now();
  gcFunction?.();
  const usage = process.memoryUsage();
  return {
    done,
    rss: usage.rss + workersRss(),
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    pauseMs: performance.now() - started,
  };
}

function pausesMs(points: MemoryPoint[]): number {
  return points.reduce((sum, point) => sum + point.pauseMs, 0);
}

/** CPU time of this process (user + system) in ms; Dovecot runs in processes of its own, the parse workers too. */
function cpuMs(since?: NodeJS.CpuUsage): number {
  const usage = process.cpuUsage(since);
  return (usage.user + usage.system) / 1000;
}

class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  peak = 0;
  samples = 0;

  constructor(private readonly intervalMs: number) {}

  start(): void {
    this.peak = totalRss();
    this.samples = 1;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  sample(): void {
    const rss = totalRss();
    this.samples += 1;
    if (rss > this.peak) this.peak = rss;
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.peak;
  }
}

function log(message: string): void {
  const seconds = (performance.now() / 1000).toFixed(1).padStart(6);
  console.log(`[bench ${seconds}s] ${message}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Backlog generation
// ---------------------------------------------------------------------------------------------------------------

const WORDS = (
  'order invoice account password login error page payment refund delivery parcel address update please ' +
  'thanks hello could you check the status of my request since yesterday it still does not work when I try ' +
  'to open settings screen shows message again after restart customer support team urgent help needed ' +
  'subscription renewal plan upgrade cancel receipt attached copy number reference tracking week month'
).split(' ');

const TOPICS = [
  'Cannot log in to my account',
  'Invoice missing for last month',
  'Refund request',
  'Delivery is late',
  'Question about my subscription',
  'Error when paying by card',
  'Change of billing address',
  'Password reset link expired',
  'Wrong item received',
  'Feature request: export to CSV',
];

const FIRST_NAMES = ['Anna', 'Bruno', 'Chloé', 'Dmitri', 'Eva', 'Farid', 'Grete', 'Hiro', 'Inès', 'José'];

interface Backlog {
  messages: string[];
  replies: number;
  withHtml: number;
  withAttachment: number;
  bytes: number;
}

function generateBacklog(count: number, seed: number): Backlog {
  // Deterministic (mulberry32): every run with the same seed gets the same mix.
  const random = createRandom(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const sentence = () => {
    const words = Array.from({ length: between(6, 16) }, () => pick(WORDS));
    const text = words.join(' ');
    return text.charAt(0).toUpperCase() + text.slice(1) + '.';
  };
  const paragraph = () => Array.from({ length: between(2, 5) }, sentence).join(' ');

  const runToken = `${Date.now().toString(36)}-${seed}`;
  const customers = Math.max(1, Math.floor(count / 4));
  const sent: Array<{ messageId: string; subject: string; from: string; references: string[] }> = [];
  const backlog: Backlog = { messages: [], replies: 0, withHtml: 0, withAttachment: 0, bytes: 0 };
  const start = new Date(Date.now() - count * 60_000);

  for (let i = 0; i < count; i += 1) {
    const messageId = `<bench-${i}-${runToken}@customer.example>`;
    const isReply = i > 0 && random() < 0.2;
    const parent = isReply ? sent[Math.floor(random() * sent.length)] : null;
    const customer = between(1, customers);
    const from = parent
      ? parent.from
      : `${pick(FIRST_NAMES)} Customer${customer} <customer-${customer}@customer.example>`;
    const subject = parent ? `Re: ${parent.subject.replace(/^Re: /, '')}` : `${pick(TOPICS)} (#${i})`;
    const references = parent ? [...parent.references, parent.messageId].slice(-10) : [];
    const paragraphs = Array.from({ length: between(1, 5) }, paragraph);
    const text =
      `Hello support team,\n\n${paragraphs.join('\n\n')}\n\nBest regards,\n${from.split(' <')[0]}\n` +
      (parent ? `\n> ${sentence()}\n> ${sentence()}\n` : '');
    const html =
      random() < 0.5
        ? `<html><body><p>Hello support team,</p>${paragraphs.map((p) => `<p>${p}</p>`).join('')}` +
          `<p>Best regards,<br><b>${from.split(' <')[0]}</b></p>` +
          (parent ? `<blockquote>${sentence()}</blockquote>` : '') +
          `<p style="color:#888;font-size:11px">Sent from my phone</p></body></html>`
        : undefined;
    const attachment = random() < 0.05;
    const pdf = random() < 0.5;
    const raw = generateMessage(i, {
      messageId,
      subject,
      from,
      to: 'Support <support@example.test>',
      date: new Date(start.getTime() + i * 60_000),
      text,
      html,
      inReplyTo: parent?.messageId,
      references: parent ? references : undefined,
      attachmentBytes: attachment ? between(2 * 1024, 20 * 1024) : undefined,
      attachmentName: attachment ? (pdf ? `invoice-${i}.pdf` : `log-${i}.bin`) : undefined,
      attachmentType: attachment ? (pdf ? 'application/pdf' : 'application/octet-stream') : undefined,
    });
    sent.push({ messageId, subject, from, references });
    backlog.messages.push(raw);
    backlog.bytes += Buffer.byteLength(raw);
    if (isReply) backlog.replies += 1;
    if (html !== undefined) backlog.withHtml += 1;
    if (attachment) backlog.withAttachment += 1;
  }
  return backlog;
}

// ---------------------------------------------------------------------------------------------------------------
// Phases
// ---------------------------------------------------------------------------------------------------------------

interface PhaseResult {
  messages: number;
  seconds: number;
  rate: number;
  /** CPU time of this process per message (ms), less sensitive to other load on the machine than the rate. */
  cpuPerMessage: number;
  peakRss: number;
  points: MemoryPoint[];
}

/** fetch + parse alone: one imapflow connection, `download` each UID, stream it through `parseMail`. */
async function rawPhase(
  dovecot: DovecotServer,
  user: string,
  spoolDir: string,
  label: string,
  warmup: number
): Promise<PhaseResult> {
  return withImap(dovecot, user, async (client) => {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const uids: number[] = [];
      for await (const message of client.fetch('1:*', { uid: true, size: true }, { uid: true })) {
        uids.push(message.uid);
      }
      uids.sort((a, b) => a - b);

      let attachments = 0;
      const fetchAndParse = async (uid: number) => {
        const { content } = await client.download(String(uid), undefined, { uid: true });
        if (!content) throw new Error(`raw phase: UID ${uid} has no content`);
        const mail = await parseMail(content as Readable, { spoolDir });
        attachments += mail.attachments.length;
        await removeSpooledAttachments(mail);
      };

      for (const uid of uids.slice(0, warmup)) await fetchAndParse(uid);
      attachments = 0;
      await collect();

      const checkpoints = CHECKPOINTS.map((fraction) => Math.max(1, Math.round(fraction * uids.length)));
      const points: MemoryPoint[] = [];
      const sampler = new RssSampler(SAMPLE_MS);
      sampler.start();
      const cpuStart = process.cpuUsage();
      const started = performance.now();
      let done = 0;
      for (const uid of uids) {
        await fetchAndParse(uid);
        done += 1;
        if (checkpoints.includes(done)) points.push(pointAfterGc(done));
      }
      const seconds = (performance.now() - started - pausesMs(points)) / 1000;
      const cpu = cpuMs(cpuStart);
      points.push(pointAfterGc(done));
      const peakRss = sampler.stop();
      log(
        `${label}: ${done} messages (${attachments} attachments parsed) in ${seconds.toFixed(1)} s, ` +
          `${(done / seconds).toFixed(0)} msg/s, ${(cpu / done).toFixed(2)} ms CPU/msg`
      );
      return {
        messages: done,
        seconds,
        rate: done / seconds,
        cpuPerMessage: cpu / done,
        peakRss,
        points,
      };
    } finally {
      lock.release();
    }
  });
}

interface ImportSummary {
  listed: number;
  ticketsCreated: number;
  repliesAdded: number;
  quarantined: number;
  skipped: number;
  stoppedEarly: boolean;
}

type RunResult = { status: 'imported'; summary: ImportSummary } | { status: string; error?: string };

interface ImportPhaseResult extends PhaseResult {
  summary: ImportSummary;
  queries: number;
}

function importerService(app: TestStrapi) {
  return app.strapi.plugin('email-piping').service('importer') as {
    runMailbox(id: number, options: { manual: boolean }): Promise<RunResult>;
  };
}

function expectImported(result: RunResult, what: string): ImportSummary {
  if (result.status !== 'imported' || !('summary' in result)) {
    throw new Error(`${what}: runMailbox answered ${JSON.stringify(result)}`);
  }
  return result.summary;
}

function readProgress(value: unknown): { done: number; total: number } | null {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!parsed || typeof parsed !== 'object') return null;
  const { done, total } = parsed as { done?: unknown; total?: unknown };
  return typeof done === 'number' && typeof total === 'number' ? { done, total } : null;
}

async function startCpuProfile(): Promise<{ stopInto(file: string): Promise<void> }> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result)))
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stopInto(file) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      log(`CPU profile of the import phase written to ${file}`);
    },
  };
}

function printStatementProfile(statements: Map<string, number>, messages: number): void {
  const top = [...statements].sort((a, b) => b[1] - a[1]).slice(0, 25);
  log('SQL statements per imported message (top 25):');
  for (const [sql, count] of top) log(`  ${(count / messages).toFixed(2).padStart(6)}  ${sql.slice(0, 220)}`);
}

/** `runMailbox` over the whole backlog, with RSS sampling and gc checkpoints read from the mailbox's progress. */
/**
 * A site's database is larger than SQLite's page cache (16 MB as better-sqlite3 builds it), so the cache is full and
 * stays full; the benchmark's database starts empty, and its cache would fill during the import — RSS growth that
 * stops at the limit and would read as a leak. So, like the JIT warm-up of the raw pass, the cache is filled first:
 * 24 MB of filler rows written and read back, which later pages then evict.
 */
async function fillSqlitePageCache(app: TestStrapi): Promise<void> {
  const knex = app.strapi.db.connection;
  await knex.raw('CREATE TABLE bench_page_cache_filler (filler BLOB)');
  await knex.raw(
    'INSERT INTO bench_page_cache_filler (filler) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) SELECT randomblob(4000) FROM n'
  );
  await knex.raw('SELECT sum(length(filler)) FROM bench_page_cache_filler');
}

async function importPhase(app: TestStrapi, mailboxId: number, expected: number): Promise<ImportPhaseResult> {
  const { strapi } = app;
  const checkpoints = CHECKPOINTS.map((fraction) => Math.max(1, Math.round(fraction * expected)));
  const points: MemoryPoint[] = [];
  let nextCheckpoint = 0;
  let polling = false;
  const poll = setInterval(() => {
    if (polling || nextCheckpoint >= checkpoints.length) return;
    polling = true;
    strapi.db
      .query(UID.mailbox as never)
      .findOne({ select: ['progress'], where: { id: mailboxId } })
      .then((row: { progress?: unknown } | null) => {
        const progress = readProgress(row?.progress);
        if (!progress) return;
        // Progress is written every 25 messages; one gc reading per checkpoint passed.
        if (nextCheckpoint < checkpoints.length && progress.done >= checkpoints[nextCheckpoint]) {
          points.push(pointAfterGc(progress.done));
          while (nextCheckpoint < checkpoints.length && progress.done >= checkpoints[nextCheckpoint])
            nextCheckpoint += 1;
        }
      })
      .catch(() => undefined)
      .finally(() => {
        polling = false;
      });
  }, PROGRESS_POLL_MS);

  let queries = 0;
  const statements = new Map<string, number>();
  const countQuery = (data: { sql?: string }) => {
    queries += 1;
    if (PROFILE_SQL && data.sql) statements.set(data.sql, (statements.get(data.sql) ?? 0) + 1);
  };
  strapi.db.connection.on('query', countQuery);
  await collect();
  const sampler = new RssSampler(SAMPLE_MS);
  sampler.start();
  const cpuStart = process.cpuUsage();
  const workersCpuStart = workersCpuMs();
  const started = performance.now();
  let result: RunResult;
  const profiler = CPU_PROFILE_FILE ? await startCpuProfile() : null;
  try {
    result = await importerService(app).runMailbox(mailboxId, { manual: true });
  } finally {
    if (profiler) await profiler.stopInto(CPU_PROFILE_FILE!);
    clearInterval(poll);
    strapi.db.connection.removeListener('query', countQuery);
  }
  if (PROFILE_SQL) printStatementProfile(statements, expected);
  const seconds = (performance.now() - started - pausesMs(points)) / 1000;
  // Parsing, classifying and DKIM run in the parse worker: its CPU is the import's.
  const mainCpu = cpuMs(cpuStart);
  const workerCpu = workersCpuMs() - workersCpuStart;
  const cpu = mainCpu + workerCpu;
  const summary = expectImported(result, 'end-to-end import');
  points.push(pointAfterGc(summary.listed));
  const peakRss = sampler.stop();
  log(
    `import: ${summary.listed} messages in ${seconds.toFixed(1)} s, ${(summary.listed / seconds).toFixed(0)} msg/s, ` +
      `${(cpu / Math.max(1, summary.listed)).toFixed(2)} ms CPU/msg ` +
      `(Strapi ${(mainCpu / Math.max(1, summary.listed)).toFixed(2)}, parse worker ${(workerCpu / Math.max(1, summary.listed)).toFixed(2)}), ` +
      `${queries} SQL queries`
  );
  return {
    messages: summary.listed,
    seconds,
    rate: summary.listed / seconds,
    cpuPerMessage: cpu / Math.max(1, summary.listed),
    peakRss,
    points,
    summary,
    queries,
  };
}

interface BigResult {
  messageBytes: number;
  baselineRss: number;
  peakRss: number;
  growth: number;
  seconds: number;
  attachmentBytes: number | null;
  fileOnDisk: boolean;
}

async function bigMessagePhase(app: TestStrapi, dovecot: DovecotServer, mailboxId: number, user: string) {
  const { strapi } = app;
  const large = generateLargeMessageStream(BIG_ATTACHMENT_BYTES, {
    index: 1,
    subject: 'Scan of the contract (100 MB)',
    from: 'Big Sender <big-sender@customer.example>',
    text: 'The full scan is attached.',
    attachmentName: 'contract-scan.pdf',
    attachmentType: 'application/pdf',
  });
  log(`big: appending one ${mb(large.length)} message (100 MB attachment)`);
  await appendMessageStream(dovecot, user, large);

  const pluginConfig = (strapi.config.get('plugin::email-piping') ?? {}) as Record<string, unknown>;
  strapi.config.set('plugin::email-piping', { ...pluginConfig, maxMessageBytes: BIG_MAX_MESSAGE_BYTES });
  const uploadConfig = (strapi.config.get('plugin::upload') ?? {}) as Record<string, unknown>;
  const sizeLimit = typeof uploadConfig.sizeLimit === 'number' ? uploadConfig.sizeLimit : 0;
  if (sizeLimit && sizeLimit < BIG_MAX_MESSAGE_BYTES) {
    strapi.config.set('plugin::upload', { ...uploadConfig, sizeLimit: BIG_MAX_MESSAGE_BYTES });
  }

  await collect();
  await new Promise((resolve) => setTimeout(resolve, 200));
  await collect();
  const baselineRss = totalRss();
  const sampler = new RssSampler(BIG_SAMPLE_MS);
  sampler.start();
  const started = performance.now();
  let result: RunResult;
  try {
    result = await importerService(app).runMailbox(mailboxId, { manual: true });
  } finally {
    sampler.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = expectImported(result, '100 MB import');
  if (summary.ticketsCreated !== 1) {
    throw new Error(`100 MB import: expected one ticket, got ${JSON.stringify(summary)}`);
  }

  const message = (await strapi.db.query(UID.message as never).findOne({
    where: { ticket: { mailbox: { id: mailboxId } } },
    populate: { attachments: true },
  })) as { attachments?: Array<{ id: number; size: number; url: string; name: string }> } | null;
  const file = message?.attachments?.[0];
  // The Media Library keeps `size` in KB (decimal).
  const attachmentBytes = file ? Math.round(Number(file.size) * 1000) : null;
  let fileOnDisk = false;
  if (file && file.url.startsWith('/')) {
    const onDisk = path.join(strapi.dirs.static.public, file.url);
    fileOnDisk = fs.existsSync(onDisk) && fs.statSync(onDisk).size === BIG_ATTACHMENT_BYTES;
  }
  log(
    `big: imported in ${seconds.toFixed(1)} s; Media Library file ${file ? `"${file.name}" ${mb(attachmentBytes ?? 0)}` : 'MISSING'}` +
      `, on disk with the exact size: ${fileOnDisk ? 'yes' : 'no'}`
  );
  const big: BigResult = {
    messageBytes: large.length,
    baselineRss,
    peakRss: sampler.peak,
    growth: sampler.peak - baselineRss,
    seconds,
    attachmentBytes,
    fileOnDisk,
  };
  return big;
}

async function createMailbox(app: TestStrapi, dovecot: DovecotServer, name: string, user: string) {
  const mailboxes = app.strapi.plugin('email-piping').service('mailboxes') as {
    create(body: unknown): Promise<{ id: number }>;
  };
  return mailboxes.create({
    name,
    host: dovecot.host,
    port: dovecot.port,
    security: 'none',
    username: user,
    password: dovecot.password,
    folder: 'INBOX',
    afterImport: 'mark-seen',
    enabled: false,
  });
}

async function countRows(app: TestStrapi, mailboxId: number) {
  const query = (uid: string) => app.strapi.db.query(uid as never);
  const [tickets, messages, receipts] = await Promise.all([
    query(UID.ticket).count({ where: { mailbox: { id: mailboxId } } }),
    query(UID.message).count({ where: { ticket: { mailbox: { id: mailboxId } } } }),
    query(UID.receipt).count({ where: { mailboxId } }),
  ]);
  return { tickets: Number(tickets), messages: Number(messages), receipts: Number(receipts) };
}

/** Removes every Media Library file of this (throwaway) database, so the playground's uploads folder is left clean. */
async function removeUploads(app: TestStrapi): Promise<number> {
  const files = (await app.strapi.db.query('plugin::upload.file' as never).findMany({})) as Array<{
    id: number;
  }>;
  const upload = app.strapi.plugin('upload').service('upload') as { remove(file: unknown): Promise<unknown> };
  for (const file of files) await upload.remove(file);
  return files.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------

function flatness(
  points: MemoryPoint[],
  from = 0
): {
  first: MemoryPoint;
  last: MemoryPoint;
  rss: number;
  heap: number;
} {
  const first = points[from];
  const last = points[points.length - 1];
  return { first, last, rss: last.rss - first.rss, heap: last.heapUsed - first.heapUsed };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => '| ' + row.map((cell, i) => cell.padEnd(widths[i])).join(' | ') + ' |';
  const rule = '|' + widths.map((width) => '-'.repeat(width + 2)).join('|') + '|';
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n');
}

function pointsLine(points: MemoryPoint[]): string {
  return points
    .map(
      (p) =>
        `${p.done}: rss ${mb(p.rss)} / heap ${mb(p.heapUsed)} of ${mb(p.heapTotal)} / native ${mb(p.rss - p.heapTotal)} / ext ${mb(p.external)}`
    )
    .join('  ·  ');
}

// ---------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const benchStarted = performance.now();
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-bench-'));
  const spoolDir = path.join(tempDir, 'spool');
  const rawSpoolDir = path.join(tempDir, 'raw-spool');
  let dovecot: DovecotServer | undefined;
  let app: TestStrapi | undefined;
  let postgres: PostgresServer | undefined;
  let cleaning: Promise<void> | undefined;

  const cleanup = () =>
    (cleaning ??= (async () => {
      if (app) {
        const removed = await removeUploads(app).catch((error: unknown) => {
          console.error(`bench: could not remove the uploaded files: ${(error as Error).message}`);
          return 0;
        });
        if (removed) log(`cleanup: removed ${removed} Media Library files`);
        await app
          .stop()
          .catch((error: unknown) => console.error(`bench: Strapi stop failed: ${String(error)}`));
      }
      await dovecot
        ?.stop()
        .catch((error: unknown) => console.error(`bench: Dovecot stop failed: ${String(error)}`));
      await postgres
        ?.stop()
        .catch((error: unknown) => console.error(`bench: PostgreSQL stop failed: ${String(error)}`));
      fs.rmSync(tempDir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`bench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  const watchSignals = () => {
    process.removeListener('SIGINT', onSignal).once('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal).once('SIGTERM', onSignal);
  };
  watchSignals();

  try {
    if (!gcFunction) log('warning: run with --expose-gc, or the after-gc readings are noisy');
    log(`starting Dovecot and Strapi on ${DATABASE}; backlog of ${MESSAGES} messages (seed ${SEED})`);
    if (DATABASE === 'postgres') postgres = await startPostgres();
    const [server, booted] = await Promise.all([
      // One imap session per IDLE mailbox of the push figures, and room for the importer's own beside them.
      startDovecot({ sessions: PUSH_MAILBOXES + 64 }),
      bootStrapi({
        quiet: true,
        database: DATABASE,
        postgres,
        // The admin-latency phase asks the admin API over HTTP, as the admin panel does.
        listen: true,
        pluginConfig: {
          spoolDir,
          autoStart: false,
          ...(process.env.BENCH_PARSE_WORKERS
            ? { parseWorkers: Number(process.env.BENCH_PARSE_WORKERS) }
            : {}),
        },
      }),
    ]);
    dovecot = server;
    app = booted;
    watchSignals();
    if (DATABASE === 'sqlite' && SQLITE_CACHE_KB !== null) {
      await app.strapi.db.connection.raw(`PRAGMA cache_size = -${SQLITE_CACHE_KB}`);
      log(`SQLite page cache limited to ${SQLITE_CACHE_KB} KiB for this run`);
    }
    const pushFigures = async (server: DovecotServer, booted: TestStrapi) => {
      log(`push phase: ${PUSH_MAILS} mails to an IDLE mailbox, then ${PUSH_MAILBOXES} mailboxes in IDLE`);
      const latency = await measurePushLatency(booted, server, PUSH_MAILS, log);
      const scale = await measurePushScale(booted, server, PUSH_MAILBOXES, collect, log);
      for (const line of pushReport(latency, scale)) console.log(line);
    };
    if (PUSH_ONLY) {
      await pushFigures(dovecot, app);
      return 0;
    }
    if (DATABASE === 'sqlite') await fillSqlitePageCache(app);

    // Each pass reads a mailbox for the first time, as the import does (Dovecot warms its cache on a first read).
    const rawUserBefore = uniqueUser('bench-raw1');
    const rawUserAfter = uniqueUser('bench-raw2');
    const importUser = uniqueUser('bench-import');
    const bigUser = uniqueUser('bench-big');
    const importMailbox = await createMailbox(app, dovecot, 'Bench backlog', importUser);
    const bigMailbox = await createMailbox(app, dovecot, 'Bench 100 MB', bigUser);

    const seedStarted = performance.now();
    const mix = await (async () => {
      const backlog = generateBacklog(MESSAGES, SEED);
      await Promise.all([
        appendMessages(dovecot, rawUserBefore, backlog.messages),
        appendMessages(dovecot, importUser, backlog.messages),
        appendMessages(dovecot, rawUserAfter, backlog.messages),
      ]);
      // Only the counts survive; the raw messages are left to the gc before anything is measured.
      return { ...backlog, messages: [] as string[] };
    })();
    log(
      `appended ${MESSAGES} messages (${mb(mix.bytes)}) to three users in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s: ` +
        `${mix.replies} replies, ${mix.withHtml} with HTML, ${mix.withAttachment} with an attachment`
    );

    // The raw pass runs before and after the import and the two are averaged, so a change in the load on the
    // machine during the run (other processes, disk cache) does not tilt the ratio one way.
    log('raw phase, pass 1: imapflow download + parseMail');
    const rawBefore = await rawPhase(dovecot, rawUserBefore, rawSpoolDir, 'raw pass 1', RAW_WARMUP);

    log('import phase: runMailbox');
    const e2e = await importPhase(app, importMailbox.id, MESSAGES);

    log('raw phase, pass 2');
    const rawAfter = await rawPhase(dovecot, rawUserAfter, rawSpoolDir, 'raw pass 2', 0);
    const raw = {
      rate: (rawBefore.rate + rawAfter.rate) / 2,
      cpuPerMessage: (rawBefore.cpuPerMessage + rawAfter.cpuPerMessage) / 2,
      peakRss: Math.max(rawBefore.peakRss, rawAfter.peakRss),
      points: rawBefore.points,
    };
    const counts = await countRows(app, importMailbox.id);
    const expectedTickets = MESSAGES - mix.replies;
    const countsOk =
      counts.messages === MESSAGES &&
      counts.receipts === MESSAGES &&
      counts.tickets === expectedTickets &&
      e2e.summary.ticketsCreated === expectedTickets &&
      e2e.summary.repliesAdded === mix.replies &&
      e2e.summary.quarantined === 0 &&
      e2e.summary.skipped === 0;
    log(
      `counts: ${counts.tickets} tickets (expected ${expectedTickets}), ${counts.messages} messages (expected ${MESSAGES}), ` +
        `${counts.receipts} receipts; summary ${JSON.stringify(e2e.summary)}`
    );
    const spoolLeft = fs.existsSync(spoolDir) ? fs.readdirSync(spoolDir).length : 0;
    if (spoolLeft) log(`warning: ${spoolLeft} files left in the spool directory after the import`);
    const leg: LegResult = {
      database: DATABASE,
      rawRate: raw.rate,
      rate: e2e.rate,
      ratio: e2e.rate / raw.rate,
      cpuPerMessage: e2e.cpuPerMessage,
      peakRss: e2e.peakRss,
      queriesPerMessage: e2e.queries / Math.max(1, e2e.messages),
      countsOk,
    };
    if (IMPORT_ONLY) {
      printLegResult(leg);
      return countsOk ? 0 : 1;
    }

    log('big-message phase');
    const big = await bigMessagePhase(app, dovecot, bigMailbox.id, bigUser);

    log('admin-latency phase: the admin API while the worst cases are imported');
    const adminLatency = await adminLatencyPhase(
      app,
      dovecot,
      generateBacklog(ADMIN_LATENCY_MESSAGES, SEED + 1).messages
    );

    // ----- report -----
    const ratio = e2e.rate / raw.rate;
    const rawFlat = flatness(raw.points);
    const e2eFlat = flatness(e2e.points);
    // Checkpoints at 10, 25, 50 and 75 % and the end: index 2 is the middle of the backlog.
    const e2eSecondHalf = flatness(e2e.points, 2);
    const rawSecondHalf = flatness(raw.points, 2);
    const bigFileOk =
      big.attachmentBytes !== null && Math.abs(big.attachmentBytes - BIG_ATTACHMENT_BYTES) < 1024 * 1024;
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    const ratioOk = ratio >= TARGET_RATIO;
    const secondHalfOk = e2eSecondHalf.rss < TARGET_SECOND_HALF_MB * MB;
    const bigOk = big.growth < TARGET_BIG_GROWTH_MB * MB;

    console.log('');
    console.log(
      `Import benchmark: ${MESSAGES} messages (${mb(mix.bytes)}; ${mix.replies} replies, ${mix.withHtml} HTML, ` +
        `${mix.withAttachment} with attachment), Node ${process.version}, ${os.cpus().length} CPU`
    );
    console.log('');
    console.log(
      table([
        ['Metric', 'Value', 'Target', 'Result'],
        [
          'Raw rate: imapflow fetch + parseMail',
          `${raw.rate.toFixed(0)} msg/s (passes ${rawBefore.rate.toFixed(0)} / ${rawAfter.rate.toFixed(0)})`,
          'baseline',
          '',
        ],
        [
          'End-to-end import rate into tickets',
          `${e2e.rate.toFixed(0)} msg/s (${e2e.seconds.toFixed(1)} s)`,
          '',
          '',
        ],
        ['End-to-end / raw', `${(ratio * 100).toFixed(1)} %`, `>= ${TARGET_RATIO * 100} %`, verdict(ratioOk)],
        [
          'CPU per message, raw / end-to-end',
          `${raw.cpuPerMessage.toFixed(2)} / ${e2e.cpuPerMessage.toFixed(2)} ms`,
          '',
          '',
        ],
        ['Peak RSS, raw phase', mb(raw.peakRss), '', ''],
        ['Peak RSS, import phase (Strapi + parse worker)', mb(e2e.peakRss), '', ''],
        [
          `RSS growth incl. warm-up (after gc, msg ${e2eFlat.first.done} -> ${e2eFlat.last.done}; raw pass alike)`,
          `${signedMb(e2eFlat.rss)} (raw ${signedMb(rawFlat.rss)})`,
          '',
          '',
        ],
        [
          `RSS flatness: growth over the second half (msg ${e2eSecondHalf.first.done} -> ${e2eSecondHalf.last.done}; raw pass alike)`,
          `${signedMb(e2eSecondHalf.rss)} (raw ${signedMb(rawSecondHalf.rss)})`,
          `< ${TARGET_SECOND_HALF_MB} MB`,
          verdict(secondHalfOk),
        ],
        [
          '100 MB attachment: peak RSS growth',
          `${signedMb(big.growth)} (${mb(big.baselineRss)} -> ${mb(big.peakRss)})`,
          `< ${TARGET_BIG_GROWTH_MB} MB`,
          verdict(bigOk),
        ],
      ])
    );
    console.log('');
    console.log(`SQL queries per imported message: ${(e2e.queries / Math.max(1, e2e.messages)).toFixed(1)}`);
    console.log(
      `Heap growth (after gc) across the import: ${signedMb(e2eFlat.heap)}; raw pass 1: RSS ${signedMb(rawFlat.rss)}, heap ${signedMb(rawFlat.heap)}`
    );
    console.log(`Raw pass 1 after-gc points:   ${pointsLine(raw.points)}`);
    console.log(`Import phase after-gc points: ${pointsLine(e2e.points)}`);
    console.log(
      `100 MB message: ${mb(big.messageBytes)} on the wire, imported in ${big.seconds.toFixed(1)} s; ` +
        `Media Library file ${big.attachmentBytes === null ? 'missing' : mb(big.attachmentBytes)}` +
        `${big.fileOnDisk ? ', on disk with the exact size' : ''}`
    );
    console.log(
      `Counts: ${counts.tickets} tickets / ${counts.messages} messages / ${counts.receipts} receipts for ${MESSAGES} mails ` +
        `(${countsOk ? 'as expected' : 'WRONG'})`
    );
    for (const [ok, what] of [
      [ratioOk, `MISS: end-to-end is ${(ratio * 100).toFixed(1)} % of the raw rate (target >= 30 %)`],
      [
        secondHalfOk,
        `MISS: RSS grew ${signedMb(e2eSecondHalf.rss)} over the second half (target < ${TARGET_SECOND_HALF_MB} MB)`,
      ],
      [bigOk, `MISS: the 100 MB message grew RSS by ${signedMb(big.growth)} (target < 64 MB)`],
    ] as const) {
      if (!ok) console.log(what);
    }
    // Piping rules and block lists, measured in the same run: block check + rule evaluation per message.
    const rules = runRulesBench();
    console.log(
      `Rules: ${rules.rules} piping rules + ${rules.blockPatterns} block patterns: ` +
        `${rules.perMessageMs.toFixed(3)} ms per message (target <= 0.2 ms) ${rules.perMessageMs <= 0.2 ? 'PASS' : 'MISS'}`
    );
    console.log(
      `Rules on hostile 64 KB one-line bodies (${rules.hostileRiskyRules} rules with an unbounded inner repeat): ` +
        `${rules.hostileMs.toFixed(1)} ms per message with the backtracking budget and V8's linear engine, ` +
        `${rules.hostileUnguardedMs.toFixed(1)} ms with backtracking only`
    );
    for (const line of adminLatencyLines(adminLatency)) console.log(line);
    await pushFigures(dovecot, app);
    if (POSTGRES_LEG && postgresAvailable()) {
      log('postgres leg: the same backlog imported into PostgreSQL, in a process of its own');
      const postgresLeg = await runPostgresLeg(log);
      if (postgresLeg) console.log(legLine(postgresLeg, leg));
    } else if (POSTGRES_LEG) {
      console.log(
        'Import on PostgreSQL: not measured (PostgreSQL is not installed: apt-get install postgresql)'
      );
    }
    console.log(`Benchmark runtime: ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);

    if (!countsOk) {
      console.error('bench: the imported counts are wrong, so the numbers above mean nothing');
      return 1;
    }
    if (!bigFileOk) {
      console.error('bench: the 100 MB attachment is not in the Media Library with its size');
      return 1;
    }
    return 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  }
);
