/**
 * Hostile mail through the real importer (playground Strapi from the built plugin, so the parse worker is the one in
 * dist/, real Dovecot): a few hundred mutated corpus messages plus the worst cases the fuzz run found (HTML nested
 * 100,000 deep, a 20 MB HTML-only mail, a 580 KB Delivered-To without `@`, 150,000 addresses). Each becomes a
 * ticket, a reply or a receipt of another kind (quarantine, bounce, blocked...), none stops the mailbox, and the
 * admin API keeps answering while they are imported.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { corpusFile, readManifest } from '../harness/corpus';
import { imapSettingsFor, type DovecotServer } from '../harness/dovecot';
import { MUTATIONS, pick, random, worstCaseMails } from '../harness/fuzz-mail';
import { appendMessages } from '../harness/imap';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';
import { UID } from '../../src/uids';

const N = Number(process.env.EMAIL_PIPING_FUZZ_IMPORT_N ?? 200);
const ADMIN_BUDGET_MS = 200;

describe('fuzz: hostile mail through the real importer', () => {
  let app: TestStrapi;
  let admin: AdminSession;
  let dovecot: DovecotServer;

  beforeAll(async () => {
    dovecot = inject('dovecot') as unknown as DovecotServer;
    app = await bootStrapi({ listen: true });
    admin = await loginAdmin(app);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it(`imports ${N} mutated messages and the worst cases, answering the admin meanwhile`, async () => {
    const rng = random(23);
    const corpus = readManifest().map((row) => fs.readFileSync(corpusFile(row.localPath)));
    const kinds = Object.keys(MUTATIONS);
    const messages: Buffer[] = [];
    for (let i = 0; i < N; i++) {
      const kind = i < kinds.length ? kinds[i] : pick(rng, kinds);
      const raw = MUTATIONS[kind](pick(rng, corpus), rng);
      // An empty append is refused by the server; the parser's answer to "nothing" is tested elsewhere.
      if (raw.length > 0) messages.push(raw);
    }
    const worst = worstCaseMails();
    // The worst cases in the middle of the backlog: mail before and after them must be imported too.
    messages.splice(Math.floor(messages.length / 2), 0, ...worst);
    const user = `fuzz-${crypto.randomBytes(4).toString('hex')}@example.test`;
    const uids = await appendMessages(dovecot, user, messages);

    const created = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
      name: 'Fuzz',
      address: 'support@example.test',
      ...imapSettingsFor(dovecot, user),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const mailboxId = created.body.data.id;

    let running = true;
    const latencies: number[] = [];
    // Strapi runs in this process: the event loop's delay is the direct measure of "no mail holds the process".
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const probe = (async () => {
      while (running) {
        const started = performance.now();
        const response = await admin.request('GET', `/email-piping/tickets?mailbox=${mailboxId}&pageSize=5`);
        latencies.push(performance.now() - started);
        expect(response.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const run = await admin.request<{ data: { status: string; summary?: Record<string, number> } }>(
      'POST',
      `/email-piping/mailboxes/${mailboxId}/run?wait=true`
    );
    running = false;
    loop.disable();
    await probe;
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.data.status, JSON.stringify(run.body)).toBe('imported');

    // One receipt per message: nothing stopped the mailbox, nothing was skipped over.
    const receipts = (await app.strapi.db.query(UID.receipt as never).findMany({
      select: ['uid', 'outcome', 'reason'],
      where: { mailboxId },
    })) as Array<{ uid: number | string; outcome: string; reason: string | null }>;
    // biginteger columns come back as strings on SQLite.
    expect(receipts.map((r) => Number(r.uid)).sort((a, b) => a - b)).toEqual(uids);
    const outcomes: Record<string, number> = {};
    for (const receipt of receipts) outcomes[receipt.outcome] = (outcomes[receipt.outcome] ?? 0) + 1;
    expect(outcomes['ticket-created'] ?? 0).toBeGreaterThan(N / 3);

    // The worst cases: the deep and the 20 MB HTML became tickets with their text and the notice, not quarantines.
    const worstUids = uids.slice(Math.floor((messages.length - worst.length) / 2)).slice(0, worst.length);
    const byUid = new Map(receipts.map((r) => [Number(r.uid), r]));
    expect(worstUids.map((uid) => byUid.get(uid)?.outcome)).toEqual(
      expect.arrayContaining(['ticket-created', 'ticket-created'])
    );
    const notices = (await app.strapi.db.query(UID.message as never).findMany({
      select: ['flags', 'htmlBody'],
      where: { subject: 'worst' },
    })) as Array<{ flags: { htmlNotice?: string } | null; htmlBody: string | null }>;
    const oversize = notices.filter((message) => message.flags?.htmlNotice);
    expect(oversize.length).toBeGreaterThanOrEqual(2);
    for (const message of oversize) expect(message.htmlBody).toBeNull();
    const texts = (await app.strapi.db.query(UID.message as never).findMany({
      select: ['textBody'],
      where: { subject: 'worst' },
    })) as Array<{ textBody: string | null }>;
    expect(Math.max(...texts.map((m) => (m.textBody ?? '').length))).toBeLessThan(1.1 * 1024 * 1024);

    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]);
    const loopMaxMs = Math.round(loop.max / 1e6);
    console.log(
      `fuzz import: ${messages.length} messages, outcomes ${JSON.stringify(outcomes)}; event loop delay max ${loopMaxMs} ms, p99 ${Math.round(loop.percentile(99) / 1e6)} ms; ${latencies.length} admin requests during the run: median ${at(0.5)} ms, p90 ${at(0.9)} ms, p95 ${at(0.95)} ms, slowest ${at(1)} ms`
    );
    expect(latencies.length).toBeGreaterThan(10);
    // No mail holds the event loop or the database for long: parsing, sanitizing, trimming and language detection
    // happen in the worker, address lists and header values arrive bounded, attachments are uploaded before the
    // transaction that links them, and a batch commits early when an admin request waits for SQLite's one
    // connection (repositories/connection-turns.ts). The 200 ms claim for every request is measured by
    // `npm run bench` (bench/admin-latency.ts) on a quiet machine; here, with another test file on the other core
    // and this probe asking ten times as often, nine requests in ten are held to the budget and the slowest to ten
    // times it. A mail that held the process — seconds to minutes before the worker and the budgets — still fails.
    expect(at(0.9)).toBeLessThan(ADMIN_BUDGET_MS);
    expect(at(1)).toBeLessThan(10 * ADMIN_BUDGET_MS);
    expect(loopMaxMs).toBeLessThan(10 * ADMIN_BUDGET_MS);
  }, 900_000);
});
