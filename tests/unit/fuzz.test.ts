/**
 * Seeded fuzz run: mutations of the real-world corpus (truncated, bytes flipped, boundaries broken, headers
 * duplicated or huge, address floods, deep and wide HTML, huge single lines, wrong charsets) through the inbound road
 * without a database — prepareMessage (the parse worker: parse, sanitize, text, trim) → decideInbound (classify,
 * bounce, block rules, thread, forwarding, admission, plan, piping rules) with in-memory lookups.
 *
 * Per message: no crash (a quarantine reason is an answer, an exception is not), at most 1 s of main-thread time
 * (the event loop's active time, `performance.eventLoopUtilization`, around the message's whole road, so waiting for
 * the worker does not count but decoding its answer does), and never over the worker's 512 MB heap budget nor its
 * time budget.
 *
 * `EMAIL_PIPING_FUZZ_N=10000` for the long run; `EMAIL_PIPING_FUZZ_SEED` to try another mix (default 11). Every
 * mutation kind is used at least once whatever N.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { decideInbound, type InboundSettings } from '../../src/ingest/decide-inbound';
import { prepareMessage, releasePrepared } from '../../src/ingest/ingest-message';
import { configureParsePool, DEFAULT_PARSE_POOL, shutdownParsePool } from '../../src/ingest/parse-pool';
import { spoolBuffer } from '../../src/ingest/spool';
import { compileBlockRules, DEFAULT_BLOCK_RULES } from '../../src/mail/block';
import { compileRules } from '../../src/mail/rules';
import { corpusFile, readManifest } from '../harness/corpus';

const N = Number(process.env.EMAIL_PIPING_FUZZ_N ?? 400);
const SEED = Number(process.env.EMAIL_PIPING_FUZZ_SEED ?? 11);
const MAIN_THREAD_BUDGET_MS = 1000;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, max: number) => Math.floor(rng() * max);
const pick = <T>(rng: Rng, list: readonly T[]): T => list[int(rng, list.length)];

function splitHead(raw: Buffer): { head: string; body: Buffer } {
  const text = raw.toString('latin1');
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { head: text, body: Buffer.alloc(0) };
  return { head: text.slice(0, match.index), body: raw.subarray(match.index + match[0].length) };
}

function withHeaders(raw: Buffer, extra: string, replaceContentType?: string): Buffer {
  const { head, body } = splitHead(raw);
  let headers = head;
  if (replaceContentType !== undefined)
    headers = headers
      .replace(/^content-type:.*(?:\r?\n[ \t].*)*/gim, '')
      .replace(/^content-transfer-encoding:.*$/gim, '');
  return Buffer.concat([
    Buffer.from(`${extra}${headers}\r\n`, 'latin1'),
    Buffer.from(replaceContentType ?? '', 'latin1'),
    Buffer.from('\r\n', 'latin1'),
    body,
  ]);
}

function htmlBody(raw: Buffer, html: string): Buffer {
  return withHeaders(raw, '', 'Content-Type: text/html; charset=utf-8\r\n\r\n' + html);
}

const MUTATIONS: Record<string, (raw: Buffer, rng: Rng) => Buffer> = {
  truncated: (raw, rng) => raw.subarray(0, int(rng, raw.length)),
  'bytes flipped': (raw, rng) => {
    const copy = Buffer.from(raw);
    for (let i = 0, n = 1 + int(rng, 50); i < n && copy.length > 0; i++)
      copy[int(rng, copy.length)] = int(rng, 256);
    return copy;
  },
  'boundaries broken': (raw, rng) => {
    const text = raw.toString('latin1');
    const broken =
      rng() < 0.5
        ? text.replace(/boundary="?([^";\r\n]+)"?/gi, 'boundary="nope-$1"')
        : text.replace(/^--[^\r\n]+$/gm, (line) => (rng() < 0.5 ? '' : line + 'x'));
    return Buffer.from(broken, 'latin1');
  },
  'headers duplicated': (raw, rng) => {
    const { head } = splitHead(raw);
    const lines = head.split(/\r?\n/).filter((line) => /^[A-Za-z-]+:/.test(line));
    const line = lines.length > 0 ? pick(rng, lines) : 'X-Dup: 1';
    return withHeaders(raw, `${line}\r\n`.repeat(200 + int(rng, 5000)));
  },
  'huge forwarding header': (raw, rng) => {
    const name = pick(rng, ['Delivered-To', 'X-Original-To', 'X-Forwarded-To', 'Resent-To']);
    return withHeaders(
      raw,
      `${name}: ${pick(rng, ['a', 'x.', 'a b', '<'])}${'a'.repeat(100_000 + int(rng, 500_000))}\r\n`
    );
  },
  'huge subject': (raw, rng) =>
    withHeaders(raw, `Subject: Re: [#1] ${'word '.repeat(20_000 + int(rng, 40_000))}\r\n`),
  'huge references': (raw, rng) =>
    withHeaders(
      raw,
      `References: ${Array.from({ length: 5_000 + int(rng, 20_000) }, (_, i) => `<id${i}@x.test>`).join(' ')}\r\n`
    ),
  'address flood': (raw, rng) => {
    const name = pick(rng, ['To', 'Cc', 'Delivered-To', 'Reply-To']);
    const count = 20_000 + int(rng, 130_000);
    return withHeaders(
      raw,
      `${name}: ${Array.from({ length: count }, (_, i) => `u${i}@flood.test`).join(', ')}\r\n`
    );
  },
  'deep html': (raw, rng) => {
    const depth = 1_000 + int(rng, 100_000);
    return htmlBody(
      raw,
      `${pick(rng, ['<div>', '<blockquote type="cite">', '<span>', '<table><tr><td>'])}`.repeat(depth) +
        'deep' +
        '</div>'.repeat(int(rng, depth))
    );
  },
  'wide html': (raw, rng) =>
    htmlBody(
      raw,
      `<div>${pick(rng, ['<b>x</b>', '<p>', '<br>', '<span></span>'])}`.repeat(50_000 + int(rng, 200_000)) +
        '</div>'
    ),
  'huge single line': (raw, rng) => {
    const { head } = splitHead(raw);
    const line = pick(rng, ['a', '>', '-', '=', ' ']).repeat(500_000 + int(rng, 2_000_000));
    return Buffer.from(`${head}\r\n\r\nHello\r\n${line}\r\n`, 'latin1');
  },
  'wrong charset': (raw, rng) => {
    const charset = pick(rng, ['utf-7', 'iso-2022-jp', 'x-unknown', 'utf-16', 'big5', 'koi8-r', 'utf-32']);
    return Buffer.from(
      raw.toString('latin1').replace(/charset="?[^";\r\n]+"?/gi, `charset="${charset}"`),
      'latin1'
    );
  },
};

const spoolRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-fuzz-'));
afterAll(async () => {
  await shutdownParsePool();
  fs.rmSync(spoolRoot, { recursive: true, force: true });
});

const settings: InboundSettings = {
  closedTicketReplies: 'reopen',
  allowedMail: 'new-and-replies',
  allowedSenders: { mode: 'anyone' },
  ccImport: true,
  forwardingAddresses: ['sales@example.test', 'billing@example.test'],
  agents: ['agent@example.test'],
  ownAddresses: ['help@example.test'],
  rules: compileRules([]),
  blockRules: compileBlockRules(DEFAULT_BLOCK_RULES),
  replySecret: 'fuzz-secret-fuzz-secret-fuzz-secret-0123',
  instanceId: 'fuzz',
  unmonitored: false,
};
const ticket = { id: 1, number: 1, status: 'open' };
const lookups = {
  ticketByNumber: async (n: number) => (n === 1 ? ticket : null),
  ticketByMessageIds: async (ids: string[]) =>
    ids.length > 0 && ids[0].endsWith('1@x.test') ? ticket : null,
  isParticipant: async () => true,
};
const outbound = {
  isOwnMessageId: async () => false,
  findByVerpToken: async () => null,
  findByMessageId: async () => null,
};

describe(`fuzz: ${N} mutated corpus messages, seed ${SEED}`, () => {
  it('every message gets an answer, within the main-thread and worker budgets', async () => {
    configureParsePool(DEFAULT_PARSE_POOL);
    const rng = random(SEED);
    const corpus = readManifest().map((row) => ({
      name: row.localPath,
      raw: fs.readFileSync(corpusFile(row.localPath)),
    }));
    const kinds = Object.keys(MUTATIONS);
    const failures: string[] = [];
    const outcomes = new Map<string, number>();
    let worstMain = { ms: 0, what: '' };
    let worstWorker = { ms: 0, what: '' };
    for (let i = 0; i < N; i++) {
      const source = pick(rng, corpus);
      // Every kind once first, then at random; sometimes two mutations stacked.
      const kind = i < kinds.length ? kinds[i] : pick(rng, kinds);
      let raw = MUTATIONS[kind](source.raw, rng);
      let what = `#${i} ${kind} of ${source.name}`;
      if (rng() < 0.2) {
        const second = pick(rng, ['truncated', 'bytes flipped', 'wrong charset', 'boundaries broken']);
        raw = MUTATIONS[second](raw, rng);
        what += ` + ${second}`;
      }
      const spooled = await spoolBuffer(raw, spoolRoot);
      const before = performance.eventLoopUtilization();
      let outcome: string;
      try {
        const prepared = await prepareMessage(
          spooled,
          { mailboxId: 1, uidValidity: '1', uid: i + 1 },
          { spoolDir: spoolRoot }
        );
        try {
          if ((prepared.parseMs ?? 0) > worstWorker.ms) worstWorker = { ms: prepared.parseMs!, what };
          if (prepared.problem) {
            outcome = 'quarantined';
            if (/took longer|memory budget|parser stopped/.test(prepared.problem))
              failures.push(`${what}: ${prepared.problem}`);
          } else {
            const decision = await decideInbound({
              mail: prepared.mail!,
              settings,
              lookups,
              outbound,
              senderIsRegistered: async () => true,
            });
            outcome = decision.kind;
          }
        } finally {
          await releasePrepared(prepared);
        }
      } catch (error) {
        outcome = 'crash';
        failures.push(`${what}: threw ${(error as Error).stack}`);
      }
      const main = performance.eventLoopUtilization(before).active;
      if (main > worstMain.ms) worstMain = { ms: main, what };
      if (main > MAIN_THREAD_BUDGET_MS) failures.push(`${what}: ${Math.round(main)} ms of main-thread time`);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    // Nothing may be left in the spool: every temporary file was removed, also after a stopped worker.
    expect(fs.readdirSync(spoolRoot)).toEqual([]);
    console.log(
      `fuzz: ${N} messages, outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; worst main-thread time ${Math.round(worstMain.ms)} ms (${worstMain.what}); worst parse in the worker ${Math.round(worstWorker.ms)} ms (${worstWorker.what})`
    );
    expect(failures).toEqual([]);
  }, 3_600_000);
});
