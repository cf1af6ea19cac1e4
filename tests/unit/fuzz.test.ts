/**
 * Seeded fuzz run: mutations of the real-world corpus (truncated, bytes flipped, boundaries broken, headers
 * duplicated or huge, address floods, deep and wide HTML, huge single lines, wrong charsets) through the inbound road
 * without a database — prepareMessage (the parse worker: parse, sanitize, text, trim) → decideInbound (classify,
 * bounce, block rules, thread, forwarding, admission, plan, piping rules) with in-memory lookups, after sender
 * authentication (DKIM over the raw source, DMARC, Authentication-Results) against a local DNS table.
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
import { decideInbound, type InboundSettings } from '../../src/policy/decide-inbound';
import { prepareMessage, releasePrepared } from '../../src/ingest/prepare-message';
import { configureParsePool, DEFAULT_PARSE_POOL, shutdownParsePool } from '../../src/ingest/parse-pool';
import { spoolBuffer } from '../../src/ingest/spool';
import { authenticate, tableResolver } from '../../src/mail/authenticate';
import { compileBlockRules, DEFAULT_BLOCK_RULES } from '../../src/mail/block';
import { compileRules } from '../../src/policy/rules/compile-rules';
import { corpusFile, readManifest } from '../harness/corpus';
import { MUTATIONS, pick, random } from '../harness/fuzz-mail';

const N = Number(process.env.EMAIL_PIPING_FUZZ_N ?? 400);
const SEED = Number(process.env.EMAIL_PIPING_FUZZ_SEED ?? 11);
const MAIN_THREAD_BUDGET_MS = 1000;

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
  unauthenticatedAnswers: 'suppress',
};
// Every lookup answers "not found", like a domain without keys: the signatures in the corpus are checked, and fail.
const resolver = tableResolver({});
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
            const authentication = await authenticate({
              raw,
              fromAddress: prepared.mail!.from?.address ?? null,
              trustedAuthservIds: ['mx.example.test'],
              resolver,
            });
            const decision = await decideInbound({
              mail: prepared.mail!,
              authentication,
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
