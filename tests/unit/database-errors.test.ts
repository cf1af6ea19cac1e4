/**
 * The one decision "retry or quarantine" for database errors, fed the errors the drivers really throw: SQLite's from
 * two real better-sqlite3 connections fighting over one file, PostgreSQL's and knex's built with their own classes
 * the way their parsers fill them, MySQL's in mysql2's shape (not installed here). And the retry loop around it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  DatabaseFailure,
  asDatabaseFailure,
  isDatabaseError,
  isTemporaryDatabaseError,
  labelDatabaseErrors,
} from '../../src/ingest/database-errors';
import { retryTemporary, transactionWithRetry } from '../../src/ingest/database-retry';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DatabaseError: PgDatabaseError } = require('pg-protocol') as {
  DatabaseError: new (message: string, length: number, name: string) => Error & Record<string, unknown>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { KnexTimeoutError } = require('knex/lib/util/timeout') as {
  KnexTimeoutError: new (message: string) => Error;
};

/** As pg-protocol's parser builds it from an ErrorResponse, and as knex rethrows it (SQL in front of the message). */
function pgError(code: string, message: string): Error {
  const error = new PgDatabaseError(message, 120, 'error');
  Object.assign(error, { severity: 'ERROR', code, file: 'lmgr.c', line: '1', routine: 'x' });
  error.message = `insert into "email_piping_receipts" ("subject") values ($1) - ${message}`;
  return error;
}

/** mysql2's shape: an Error with code, errno, sqlState and sqlMessage. */
function mysqlError(code: string, errno: number, sqlState: string, message: string): Error {
  return Object.assign(new Error(message), { code, errno, sqlState, sqlMessage: message, fatal: false });
}

/** A real SQLITE_BUSY: a second connection writes while the first holds an exclusive transaction. */
function realSqliteBusy(): Error {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-sqlite-busy-'));
  const file = path.join(dir, 'busy.db');
  const holder = new Database(file);
  holder.pragma('journal_mode = WAL');
  holder.exec('CREATE TABLE t (x TEXT)');
  const other = new Database(file, { timeout: 0 });
  try {
    holder.exec('BEGIN EXCLUSIVE');
    other.prepare('INSERT INTO t (x) VALUES (?)').run('y');
    throw new Error('the second connection was not refused');
  } catch (error) {
    return error as Error;
  } finally {
    holder.exec('ROLLBACK');
    other.close();
    holder.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('isTemporaryDatabaseError', () => {
  it('calls SQLite busy and locked temporary (a real better-sqlite3 error)', () => {
    const busy = realSqliteBusy();
    expect(busy.name).toBe('SqliteError');
    expect((busy as Error & { code: string }).code).toMatch(/^SQLITE_BUSY/);
    expect(isTemporaryDatabaseError(busy)).toBe(true);
    expect(isDatabaseError(busy)).toBe(true);
  });

  it.each([
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['55P03', 'canceling statement due to lock timeout'],
    ['57014', 'canceling statement due to statement timeout'],
    ['57P01', 'terminating connection due to administrator command'],
    ['08006', 'connection failure'],
  ])('calls PostgreSQL %s temporary', (code, message) => {
    expect(isTemporaryDatabaseError(pgError(code, message))).toBe(true);
  });

  it.each([
    ['ER_LOCK_WAIT_TIMEOUT', 1205, 'HY000', 'Lock wait timeout exceeded; try restarting transaction'],
    ['ER_LOCK_DEADLOCK', 1213, '40001', 'Deadlock found when trying to get lock; try restarting transaction'],
    ['ER_SERVER_SHUTDOWN', 1053, '08S01', 'Server shutdown in progress'],
    ['ER_CONNECTION_KILLED', 1927, '70100', 'Connection was killed'],
    ['ER_STATEMENT_TIMEOUT', 1969, '70100', 'Query execution was interrupted (max_statement_time exceeded)'],
    [
      'ER_QUERY_TIMEOUT',
      3024,
      'HY000',
      'Query execution was interrupted, maximum statement execution time exceeded',
    ],
  ])('calls MySQL %s temporary', (code, errno, sqlState, message) => {
    expect(isTemporaryDatabaseError(mysqlError(code, errno, sqlState, message))).toBe(true);
  });

  it('calls lost connections and an exhausted pool temporary', () => {
    expect(
      isTemporaryDatabaseError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))
    ).toBe(true);
    expect(isTemporaryDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    const pool = new KnexTimeoutError(
      'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?'
    );
    expect(isTemporaryDatabaseError(pool)).toBe(true);
    expect(isDatabaseError(pool)).toBe(true);
  });

  it('finds the driver error in a cause chain', () => {
    const wrapped = new Error('commit failed', { cause: pgError('40P01', 'deadlock detected') });
    expect(isTemporaryDatabaseError(wrapped)).toBe(true);
  });

  it.each([
    ['22001', 'value too long for type character varying(255)'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['23505', 'duplicate key value violates unique constraint "email_piping_receipts_origin_uq"'],
    ['54000', 'index row size 3000 exceeds btree version 4 maximum 2704'],
  ])('calls PostgreSQL %s permanent, but a database error', (code, message) => {
    const error = pgError(code, message);
    expect(isTemporaryDatabaseError(error)).toBe(false);
    expect(isDatabaseError(error)).toBe(true);
  });

  it('calls SQLite constraint errors and MySQL data-too-long permanent', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SqliteError } = require('better-sqlite3') as {
      SqliteError: new (message: string, code: string) => Error;
    };
    const unique = new SqliteError('UNIQUE constraint failed: t.x', 'SQLITE_CONSTRAINT_UNIQUE');
    expect(isTemporaryDatabaseError(unique)).toBe(false);
    expect(isDatabaseError(unique)).toBe(true);
    const tooLong = mysqlError(
      'ER_DATA_TOO_LONG',
      1406,
      '22001',
      "Data too long for column 'subject' at row 1"
    );
    expect(isTemporaryDatabaseError(tooLong)).toBe(false);
    expect(isDatabaseError(tooLong)).toBe(true);
  });

  it('does not take mail or IMAP errors for database errors', () => {
    const imap = Object.assign(new Error('Command failed'), {
      responseText: 'Authentication failed',
      authenticationFailed: true,
    });
    expect(isDatabaseError(imap)).toBe(false);
    expect(isDatabaseError(new Error('cannot be parsed: unexpected end of input'))).toBe(false);
    expect(isTemporaryDatabaseError(new Error('mailbox #3 no longer exists'))).toBe(false);
  });
});

describe('DatabaseFailure', () => {
  it('names the database and keeps the driver reason without the SQL in front', () => {
    const statement = `insert into "email_piping_receipts" (${'"a", '.repeat(100)}) values ($1)`;
    const error = pgError('22001', 'value too long for type character varying(255)');
    error.message = `${statement} - value too long for type character varying(255)`;
    const failure = asDatabaseFailure(error) as DatabaseFailure;
    expect(failure).toBeInstanceOf(DatabaseFailure);
    expect(failure.message).toBe('database error: value too long for type character varying(255)');
    expect(failure.temporary).toBe(false);
    const locked = asDatabaseFailure(
      pgError('55P03', 'canceling statement due to lock timeout')
    ) as DatabaseFailure;
    expect(locked.temporary).toBe(true);
    expect(locked.message).toMatch(/^database error \(temporary/);
    const other = new Error('not a database problem');
    expect(asDatabaseFailure(other)).toBe(other);
  });

  it('labels what a store throws, and only database errors', async () => {
    const store = labelDatabaseErrors({
      async write(): Promise<void> {
        throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      },
      async other(): Promise<void> {
        throw new Error('mailbox #3 no longer exists');
      },
      plain: 3,
    });
    await expect(store.write()).rejects.toBeInstanceOf(DatabaseFailure);
    await expect(store.other()).rejects.toThrow(/^mailbox #3 no longer exists$/);
    expect(store.plain).toBe(3);
  });
});

describe('retryTemporary', () => {
  const fastPolicy = (waits: number[]) => ({
    attempts: 5,
    baseMs: 100,
    maxMs: 300,
    random: () => 0.5,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  });

  it('waits out temporary errors with growing, capped pauses and returns the result', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retryTemporary(async () => {
      calls += 1;
      if (calls < 4) throw pgError('40P01', 'deadlock detected');
      return 'stored';
    }, fastPolicy(waits));
    expect(result).toBe('stored');
    expect(calls).toBe(4);
    expect(waits).toEqual([100, 200, 300]);
  });

  it('gives a lasting temporary error up after the last attempt', async () => {
    const waits: number[] = [];
    let calls = 0;
    await expect(
      retryTemporary(async () => {
        calls += 1;
        throw realSqliteBusy();
      }, fastPolicy(waits))
    ).rejects.toThrow(/database is locked/);
    expect(calls).toBe(5);
    expect(waits).toHaveLength(4);
  });

  it('does not retry a permanent error', async () => {
    const waits: number[] = [];
    let calls = 0;
    await expect(
      retryTemporary(async () => {
        calls += 1;
        throw pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00');
      }, fastPolicy(waits))
    ).rejects.toThrow(/0x00/);
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('runs a whole transaction again, not the part after the error', async () => {
    const waits: number[] = [];
    const steps: string[] = [];
    let failures = 1;
    const store = {
      async transaction<T>(work: () => Promise<T>): Promise<T> {
        steps.push('begin');
        try {
          const value = await work();
          steps.push('commit');
          return value;
        } catch (error) {
          steps.push('rollback');
          throw error;
        }
      },
    };
    const value = await transactionWithRetry(
      store,
      fastPolicy(waits)
    )(async () => {
      steps.push('write');
      if (failures-- > 0) throw realSqliteBusy();
      return 7;
    });
    expect(value).toBe(7);
    expect(steps).toEqual(['begin', 'write', 'rollback', 'begin', 'write', 'commit']);
  });
});
