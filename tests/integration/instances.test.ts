/**
 * Several instances on one database, as behind a load balancer (issue 13). Three importing instances as separate
 * processes on one PostgreSQL database (the first alone: Strapi's own migrations race on an empty database), six
 * mailboxes, mail from distinct senders appended while they run, one instance SIGKILLed half way. Every mail must
 * be exactly one ticket and one receipt, every acknowledgement sent once, nothing quarantined, no batch rolled back,
 * the mailbox counters equal to the receipts, each mail downloaded once (Dovecot's own count of fetched bodies per
 * session), the dead instance's mailboxes taken over, and the leases spread. And on SQLite: a second process on the
 * same file sees the leases held and stays idle, then takes over at once when the first stops cleanly.
 *
 * INSTANCES_TEST_MAILS (default 2000) makes it bigger or smaller.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { imapSettingsFor, type DovecotServer } from '../harness/dovecot';
import { appendMessages, uniqueUser } from '../harness/imap';
import {
  createDatabase,
  postgresAvailable,
  usePostgres,
  POSTGRES_MISSING_MESSAGE,
} from '../harness/postgres';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { bootStrapi, type TestStrapi } from '../harness/strapi';
import { startInstanceProcess, type ImportWorker } from '../harness/worker';
import { UID } from '../../src/uids';

const MAILS = Number(process.env.INSTANCES_TEST_MAILS ?? 2000);
const MAILBOXES = 6;
const LEASE_SECONDS = 6;
/** Messages a run has downloaded but not committed when it dies: a batch plus the fetch-ahead. */
const IN_FLIGHT_PER_RUN = 25 + 2;

async function until<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The last HELD line an instance printed. */
function held(instance: ImportWorker): number[] {
  const lines = instance.output.filter((line) => line.startsWith('HELD '));
  return lines.length === 0 ? [] : (JSON.parse(lines[lines.length - 1].slice(5)) as number[]);
}

function runSummaries(instance: ImportWorker): Array<Record<string, number>> {
  return instance.output
    .filter((line) => line.startsWith('RAN '))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, number>);
}

/** Bodies fetched per user, summed over the sessions Dovecot logged (see imap_logout_format in dovecot.ts). */
function fetchedBodies(dovecot: DovecotServer, users: string[]): Map<string, number> {
  const log = fs.readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
  const counts = new Map(users.map((user) => [user, 0]));
  for (const match of log.matchAll(/imap\(([^)]+)\)[^\n]*fetch_body_count=(\d+)/g)) {
    if (counts.has(match[1])) counts.set(match[1], counts.get(match[1])! + Number(match[2]));
  }
  return counts;
}

function mail(i: number, user: string): string {
  return [
    `From: Customer ${i} <customer-${i}@senders.test>`,
    `To: ${user}`,
    `Subject: Question ${i}`,
    `Message-ID: <instances-${i}@senders.test>`,
    'Date: Wed, 02 Dec 2026 10:00:00 +0000',
    '',
    `Hello, this is question ${i}.`,
  ].join('\r\n');
}

async function createMailboxes(app: TestStrapi, dovecot: DovecotServer, users: string[], smtp?: SmtpSink) {
  const service = app.strapi.plugin('email-piping').service('mailboxes');
  const ids: number[] = [];
  for (const user of users) {
    const created = await service.create({
      name: `Desk ${user}`,
      address: user,
      ...imapSettingsFor(dovecot, user),
      // The instances' own loop does what the schedules do (instance-process.ts); cron stays out of the way.
      schedule: '0 0 1 1 *',
      ...(smtp ? { smtpHost: smtp.host, smtpPort: smtp.port, smtpSecurity: 'none' } : {}),
    });
    ids.push(created.id as number);
  }
  return ids;
}

async function stopInstance(instance: ImportWorker): Promise<void> {
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  instance.child.stdin!.write('STOP\n');
  const timer = setTimeout(() => instance.kill(), 30_000);
  await instance.exited;
  clearTimeout(timer);
}

if (!postgresAvailable())
  console.warn(`instances.test.ts (PostgreSQL part) skipped: ${POSTGRES_MISSING_MESSAGE}`);

describe.runIf(postgresAvailable())('three instances on one PostgreSQL database', () => {
  const instances: ImportWorker[] = [];
  let app: TestStrapi | undefined;
  let smtp: SmtpSink | undefined;
  let release: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
    await app?.stop();
    await smtp?.stop();
    await release?.();
  });

  it(`imports ${MAILS} mails exactly once with one instance SIGKILLed half way`, async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const postgres = await usePostgres();
    release = postgres.release;
    const databaseName = await createDatabase(postgres.address);
    smtp = await startSmtpSink();
    // The test's own Strapi boots first (the migrations), makes the mailboxes and reads the results; it does not
    // import (autoStart is off), so it takes no share.
    app = await bootStrapi({ database: 'postgres', postgres: postgres.address, databaseName });
    const { strapi } = app;
    const users = Array.from({ length: MAILBOXES }, () => uniqueUser('instances'));
    const mailboxIds = await createMailboxes(app, dovecot, users, smtp);
    const env = {
      EMAIL_PIPING_TEST_PG: JSON.stringify(postgres.address),
      INSTANCE_LEASE_SECONDS: String(LEASE_SECONDS),
    };
    const target = `postgres:${databaseName}`;
    instances.push(startInstanceProcess(target, env));
    await instances[0].waitFor('READY', 180_000);
    instances.push(startInstanceProcess(target, env), startInstanceProcess(target, env));
    await Promise.all(instances.map((instance) => instance.waitFor('READY', 180_000)));

    // Spread: each of the three ends up with its share, two of six, and none with more.
    await until(
      'every instance holds two mailboxes',
      async () => instances.every((instance) => held(instance).length === 2),
      LEASE_SECONDS * 4000
    );
    expect(new Set(instances.flatMap(held))).toEqual(new Set(mailboxIds));

    const count = (uid: string, where: Record<string, unknown> = {}) =>
      strapi.db.query(uid as never).count({ where }) as Promise<number>;
    const rounds = 10;
    const perRound = Math.ceil(MAILS / rounds);
    const victim = instances[1];
    let killedHeld: number[] = [];
    let killedAt = 0;
    let killedReceipts = 0;
    for (let round = 0, next = 0; round < rounds; round += 1) {
      const batch: Array<{ i: number; user: number }> = [];
      for (let k = 0; k < perRound && next < MAILS; k += 1, next += 1)
        batch.push({ i: next, user: next % MAILBOXES });
      await Promise.all(
        users.map((user, u) =>
          appendMessages(
            dovecot,
            user,
            batch.filter((entry) => entry.user === u).map((entry) => mail(entry.i, user))
          )
        )
      );
      if (round === rounds / 2) {
        // Half way, while the others import: SIGKILL, no goodbye, its leases left behind to expire.
        await until('some mail imported', async () => (await count(UID.receipt)) > MAILS / 4, 120_000);
        killedHeld = held(victim);
        killedReceipts = await count(UID.receipt);
        victim.kill();
        await victim.exited;
        killedAt = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(killedHeld.length).toBeGreaterThan(0);

    // The two left share the six: three each, the dead one's mailboxes resumed within a few lease times.
    const survivors = instances.filter((instance) => instance !== victim);
    await until(
      'the survivors hold three mailboxes each',
      async () => survivors.every((instance) => held(instance).length === 3),
      LEASE_SECONDS * 4000
    );
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(LEASE_SECONDS * 4000);
    expect(new Set(survivors.flatMap(held))).toEqual(new Set(mailboxIds));

    await until('every mail recorded', async () => (await count(UID.receipt)) === MAILS, 600_000);
    await until(
      'every acknowledgement sent',
      async () => (await count(UID.outbox, { status: 'sent' })) === MAILS,
      300_000
    );
    await Promise.all(survivors.map(stopInstance));

    // Exactly once: one receipt, one ticket, one ticket message per mail; nothing quarantined or skipped.
    const receipts = (await strapi.db.query(UID.receipt as never).findMany({
      select: ['mailboxId', 'uid', 'outcome'],
    })) as Array<{ mailboxId: number; uid: string; outcome: string }>;
    expect(receipts).toHaveLength(MAILS);
    expect(new Set(receipts.map((r) => `${r.mailboxId}:${r.uid}`)).size).toBe(MAILS);
    expect(receipts.filter((r) => r.outcome !== 'ticket-created')).toEqual([]);
    const messages = (await strapi.db
      .query(UID.message as never)
      .findMany({ select: ['messageId'] })) as Array<{
      messageId: string;
    }>;
    expect(messages).toHaveLength(MAILS);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(MAILS);
    const tickets = (await strapi.db.query(UID.ticket as never).findMany({ select: ['number'] })) as Array<{
      number: number;
    }>;
    expect(new Set(tickets.map((t) => t.number)).size).toBe(MAILS);

    // No batch rolled back (a ticket-number clash would be one), in any run that reported.
    const summaries = instances.flatMap(runSummaries);
    expect(summaries.length).toBeGreaterThan(0);
    expect(summaries.reduce((sum, s) => sum + s.rolledBackBatches, 0)).toBe(0);
    expect(summaries.reduce((sum, s) => sum + s.skipped + s.quarantined, 0)).toBe(0);

    // The mailbox counters equal the receipts.
    for (const id of mailboxIds) {
      const row = (await strapi.db.query(UID.mailbox as never).findOne({ where: { id } })) as Record<
        string,
        number
      >;
      const truth = receipts.filter((r) => r.mailboxId === id).length;
      expect(row, `mailbox #${id}`).toMatchObject({
        ticketsCreated: truth,
        repliesAdded: 0,
        quarantinedCount: 0,
        skippedCount: 0,
      });
    }

    // Every customer got one acknowledgement: one Message-ID (a resend after a crash mid-delivery keeps its id).
    for (let i = 0; i < MAILS; i += 1) {
      const got = smtp.to(`customer-${i}@senders.test`);
      expect(new Set(got.map((m) => m.header('message-id'))).size, `customer-${i}`).toBe(1);
    }

    const fetched = fetchedBodies(dovecot, users);
    console.log(
      `instances test: ${MAILS} mails, ${summaries.length} runs reported; killed holding ${JSON.stringify(killedHeld)} at ${killedReceipts} receipts; taken over after ${takeoverMs} ms (lease ${LEASE_SECONDS} s); bodies fetched per mailbox ${JSON.stringify([...fetched.values()])}`
    );
    // Downloaded once: a mailbox the dead instance never held had each body fetched exactly once; one it held at
    // most the run that died in flight again.
    for (const [index, user] of users.entries()) {
      const appended = receipts.filter((r) => r.mailboxId === mailboxIds[index]).length;
      const got = fetched.get(user)!;
      if (killedHeld.includes(mailboxIds[index])) {
        expect(got, user).toBeGreaterThanOrEqual(appended);
        expect(got - appended, user).toBeLessThanOrEqual(IN_FLIGHT_PER_RUN);
      } else {
        expect(got, user).toBe(appended);
      }
    }
  }, 900_000);
});

describe('two processes on one SQLite file', () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-instances-'));
  const instances: ImportWorker[] = [];
  let app: TestStrapi | undefined;
  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
    await app?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('leaves the second idle while the first holds every lease, and hands over on a clean stop', async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const databaseFile = path.join(workDir, 'shared.db');
    app = await bootStrapi({ database: 'sqlite', databaseFile });
    const users = [uniqueUser('sqlite-a'), uniqueUser('sqlite-b')];
    const mailboxIds = await createMailboxes(app, dovecot, users);
    const env = { INSTANCE_LEASE_SECONDS: '3' };
    const first = startInstanceProcess(`sqlite:${databaseFile}`, env);
    instances.push(first);
    await first.waitFor('READY', 180_000);
    await until('the first holds both', async () => held(first).length === 2, 10_000);
    const second = startInstanceProcess(`sqlite:${databaseFile}`, env);
    instances.push(second);
    await second.waitFor('READY', 180_000);

    await Promise.all(users.map((user, u) => appendMessages(dovecot, user, [mail(10_000 + u, user)])));
    const count = () => app!.strapi.db.query(UID.receipt as never).count({}) as Promise<number>;
    await until('both mails imported', async () => (await count()) === 2, 60_000);
    // Three beats of the second: still nothing held, nothing run, no lock fought over.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(held(second)).toEqual([]);
    expect(runSummaries(second)).toEqual([]);
    expect(runSummaries(first).length).toBeGreaterThan(0);
    expect(second.output.filter((line) => line.startsWith('FAILED'))).toEqual([]);

    // A clean stop gives the leases back: the second takes both at its next beat, not after expiry.
    await stopInstance(first);
    await until('the second holds both', async () => held(second).length === 2, 5_000);
    expect(held(second)).toEqual(mailboxIds);
  }, 300_000);
});
