/**
 * Exactly once under crashes: 1,000 messages in Dovecot, an importer process SIGKILLed at random points several
 * times (and once its IMAP connection cut by the server), then run to the end. Every message must be in exactly one
 * ticket message, and every UID must have exactly one receipt. On the suite's database (EMAIL_PIPING_TEST_DB): the
 * workers reopen "the same file", which on PostgreSQL and MySQL names one database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { doveadm, type DovecotServer } from '../harness/dovecot';
import { appendMessages, generateMessage } from '../harness/imap';
import { selectNumber as count } from '../harness/server-database';
import { startImportWorker } from '../harness/worker';

const MESSAGES = Number(process.env.CRASH_TEST_MESSAGES ?? 1000);
const KILLS = Number(process.env.CRASH_TEST_KILLS ?? 6);
const seed = Number(process.env.CRASH_TEST_SEED ?? Date.now() % 100000);
const RECEIPTS = 'select count(*) as n from email_piping_inbound_receipts';

/** Small deterministic PRNG so a failing run can be replayed with CRASH_TEST_SEED. */
function mulberry32(a: number) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe(`exactly-once import under SIGKILL (seed ${seed})`, () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-crash-'));
  const databaseFile = path.join(workDir, 'crash.db');
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  it(`imports ${MESSAGES} messages exactly once across ${KILLS} kills and a dropped connection`, async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const random = mulberry32(seed);
    const user = `crash-${crypto.randomBytes(4).toString('hex')}@example.test`;
    const messageIds: string[] = [];
    const raw: string[] = [];
    for (let i = 0; i < MESSAGES; i += 1) {
      const messageId = `crash-${i}-${seed}@customer.test`;
      messageIds.push(messageId);
      // Every fifth message answers an earlier one, every 25th carries an attachment for the Media Library path.
      const replyTo = i % 5 === 4 ? messageIds[i - 1] : undefined;
      raw.push(
        generateMessage(i, {
          messageId,
          inReplyTo: replyTo,
          // A reply comes from the person who wrote the mail it answers: only participants join a ticket.
          from: replyTo ? `Customer ${i - 1} <customer-${i - 1}@example.test>` : undefined,
          references: replyTo ? [replyTo] : undefined,
          attachmentBytes: i % 25 === 0 ? 2048 : undefined,
        })
      );
    }
    for (let start = 0; start < raw.length; start += 200) {
      await appendMessages(dovecot, user, raw.slice(start, start + 200));
    }

    const progress: number[] = [];
    for (let kill = 0; kill < KILLS; kill += 1) {
      const worker = startImportWorker({ databaseFile, dovecot, user });
      await worker.waitFor('IMPORTING', 120_000);
      if (kill % 2 === 1) {
        // Every other kill waits until this run has committed something, so some kills land mid-import however
        // slow the first batch is (a loaded machine, a database server); the others may come before any commit.
        const before = progress[progress.length - 1] ?? 0;
        const deadline = Date.now() + 120_000;
        while ((await count(databaseFile, RECEIPTS)) <= before && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      const delay = Math.floor(random() * 2500);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (kill === Math.floor(KILLS / 2)) {
        // The server drops the importer's IMAP connection instead; the worker notices, fails the run and retries.
        await doveadm(dovecot, ['kick', user]).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      worker.kill();
      await worker.exited;
      progress.push(await count(databaseFile, RECEIPTS));
    }

    console.log(`crash test seed ${seed}: receipts committed after each kill: ${progress.join(', ')}`);
    const final = startImportWorker({ databaseFile, dovecot, user });
    await final.waitFor('DONE', 600_000);
    expect(await final.exited).toBe(0);

    // The kills really landed in the middle of the import, not before or after it.
    expect(
      progress.some((n) => n > 0 && n < MESSAGES),
      `receipts after each kill: ${progress.join(', ')}`
    ).toBe(true);

    const receipts = await count(databaseFile, RECEIPTS);
    const distinctUids = await count(
      databaseFile,
      'select count(distinct uid) as n from email_piping_inbound_receipts'
    );
    const messages = await count(
      databaseFile,
      "select count(*) as n from email_piping_ticket_messages where direction = 'inbound'"
    );
    const distinctMessageIds = await count(
      databaseFile,
      'select count(distinct message_id) as n from email_piping_ticket_messages'
    );
    const tickets = await count(databaseFile, 'select count(*) as n from email_piping_tickets');
    const distinctNumbers = await count(
      databaseFile,
      'select count(distinct number) as n from email_piping_tickets'
    );
    const quarantined = await count(
      databaseFile,
      "select count(*) as n from email_piping_inbound_receipts where outcome = 'quarantined'"
    );
    const pendingActions = await count(
      databaseFile,
      "select count(*) as n from email_piping_inbound_receipts where server_action = 'pending'"
    );

    expect({ receipts, distinctUids, messages, distinctMessageIds, quarantined, pendingActions }).toEqual({
      receipts: MESSAGES,
      distinctUids: MESSAGES,
      messages: MESSAGES,
      distinctMessageIds: MESSAGES,
      quarantined: 0,
      pendingActions: 0,
    });
    const replies = messageIds.filter((_, i) => i % 5 === 4).length;
    expect(tickets).toBe(MESSAGES - replies);
    expect(distinctNumbers).toBe(tickets);
    // Seven boots of a fresh Strapi: on MySQL the first alone (schema creation) takes 10–25 s.
  }, 300_000);
});
