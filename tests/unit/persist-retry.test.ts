/**
 * The persist step under database errors, against an in-memory store: a batch that meets a lock is committed whole
 * after the wait (never split, never quarantined); a message the database refuses for good is quarantined with the
 * database's reason; one that stays locked is left for the next run, not quarantined.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatabaseFailure } from '../../src/ingest/database-errors';
import { persistBatch, persistOne } from '../../src/ingest/ingest-message';
import type { PreparedMessage } from '../../src/ingest/prepare-message';
import type { IngestOutcome, IngestStore } from '../../src/ingest/store';
import { parseMail } from '../../src/mail/parse/parse-mail';
import type { ParsedMail } from '../../src/mail/types';
import type { InboundDecision } from '../../src/policy/decide-inbound';
import { memoryDesk, verdict } from '../harness/memory-desk';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SqliteError } = require('better-sqlite3') as {
  SqliteError: new (message: string, code: string) => Error;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DatabaseError: PgDatabaseError } = require('pg-protocol') as {
  DatabaseError: new (message: string, length: number, name: string) => Error & Record<string, unknown>;
};

const busy = () => new SqliteError('database is locked', 'SQLITE_BUSY');
function tooLong(): Error {
  const error = new PgDatabaseError('value too long for type character varying(255)', 100, 'error');
  return Object.assign(error, { severity: 'ERROR', code: '22001' });
}

const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-persist-'));
let customerMail: ParsedMail;
beforeAll(async () => {
  customerMail = await parseMail(
    Buffer.from('From: jane@customer.test\r\nTo: help@example.test\r\nSubject: late\r\n\r\nhello\r\n'),
    { spoolDir }
  );
});
afterAll(() => fs.rmSync(spoolDir, { recursive: true, force: true }));

function prepared(uid: number): PreparedMessage {
  return {
    origin: { mailboxId: 1, uidValidity: '7', uid },
    raw: { path: `/nowhere/${uid}.eml`, sha256: `sha-${uid}`, size: 10 },
    mail: customerMail,
    problem: null,
  };
}

/** Records what was committed; `fail(uid, attempt)` decides which commit attempts throw what. */
function memoryStore(fail: (uid: number, attempt: number) => Error | null) {
  const attempts = new Map<number, number>();
  const committed: string[] = [];
  let pending: string[] = [];
  let cursor = 0;
  let nextId = 1;
  const desk = memoryDesk();
  const decided: InboundDecision[] = [];
  const store: IngestStore = {
    async transaction<T>(work: () => Promise<T>): Promise<T> {
      pending = [];
      const value = await work();
      committed.push(...pending);
      return value;
    },
    async findReceipt() {
      return null;
    },
    async findImportedDuplicates() {
      return new Map();
    },
    async preparationFor() {
      return null;
    },
    async decisionContextFor() {
      return desk.context();
    },
    async recordDecision(origin, _raw, _mail, decision): Promise<IngestOutcome> {
      decided.push(decision);
      const attempt = (attempts.get(origin.uid) ?? 0) + 1;
      attempts.set(origin.uid, attempt);
      const error = fail(origin.uid, attempt);
      if (error) throw error;
      pending.push(`ticket ${origin.uid}`);
      return { outcome: 'ticket-created', receiptId: nextId++, ticketId: origin.uid };
    },
    async recordQuarantined(origin, _raw, reason): Promise<IngestOutcome> {
      pending.push(`quarantined ${origin.uid}: ${reason}`);
      return { outcome: 'quarantined', receiptId: nextId++, ticketId: null, reason };
    },
    async recordSkipped(origin, _raw, reason): Promise<IngestOutcome> {
      pending.push(`skipped ${origin.uid}`);
      return { outcome: 'skipped', receiptId: nextId++, ticketId: null, reason };
    },
    async advanceCursor(origin) {
      cursor = origin.uid;
    },
  };
  return { store, committed, attempts, decided, cursor: () => cursor };
}

describe('persisting under database errors', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('commits a batch that met a lock whole, after waiting, without splitting or quarantining it', async () => {
    // The second message is locked out twice; the whole batch is tried again each time.
    const memory = memoryStore((uid, attempt) => (uid === 2 && attempt <= 2 ? busy() : null));
    const done = persistBatch([prepared(1), prepared(2), prepared(3)], memory.store);
    await vi.runAllTimersAsync();
    const outcomes = await done;
    expect(outcomes.map((o) => o.outcome)).toEqual(['ticket-created', 'ticket-created', 'ticket-created']);
    expect(memory.committed).toEqual(['ticket 1', 'ticket 2', 'ticket 3']);
    expect(memory.attempts.get(1)).toBe(3);
    expect(memory.cursor()).toBe(3);
  });

  it('quarantines a message the database refuses for good, with the database reason', async () => {
    const memory = memoryStore((uid) => (uid === 5 ? tooLong() : null));
    const outcome = await persistOne(prepared(5), memory.store);
    expect(outcome.outcome).toBe('quarantined');
    expect(outcome.reason).toBe(
      'cannot be stored: database error: value too long for type character varying(255)'
    );
    expect(memory.attempts.get(5)).toBe(1);
    expect(memory.cursor()).toBe(5);
  });

  it('leaves a message that stays locked for the next run: no quarantine, cursor unmoved', async () => {
    const memory = memoryStore(() => busy());
    const done = persistOne(prepared(6), memory.store);
    const failed = expect(done).rejects.toBeInstanceOf(DatabaseFailure);
    await vi.runAllTimersAsync();
    await failed;
    expect(memory.attempts.get(6)).toBe(8);
    expect(memory.committed).toEqual([]);
    expect(memory.cursor()).toBe(0);
  });

  it('decides inside the transaction with what was prepared, and the store writes that decision', async () => {
    const memory = memoryStore((uid, attempt) => (uid === 2 && attempt === 1 ? busy() : null));
    const events: string[] = [];
    const transaction = memory.store.transaction.bind(memory.store);
    memory.store.transaction = (work) => {
      events.push('transaction');
      return transaction(work);
    };
    const context = memory.store.decisionContextFor.bind(memory.store);
    memory.store.decisionContextFor = (mailboxId) => {
      events.push('decide');
      return context(mailboxId);
    };
    // Authentication was made while preparing (in the worker, before any transaction): the decision uses it.
    const authenticated = { ...prepared(1), authentication: verdict('fail') };
    const quarantined = { ...prepared(3), problem: 'cannot be parsed: broken' };
    const done = persistBatch([authenticated, prepared(2), quarantined], memory.store);
    await vi.runAllTimersAsync();
    await done;
    // The lock made the batch run twice, deciding again inside the new transaction; the broken mail is not decided.
    expect(events).toEqual(['transaction', 'decide', 'decide', 'transaction', 'decide', 'decide']);
    const last = memory.decided.slice(-2);
    expect(last.map((d) => d.kind)).toEqual(['accepted', 'accepted']);
    expect(last[0].authentication?.result).toBe('fail');
    expect(last[0].answerPolicy).toBe('suppress');
    expect(last[1].authentication).toBeNull();
    expect(memory.committed).toEqual(['ticket 1', 'ticket 2', 'quarantined 3: cannot be parsed: broken']);
  });
});
