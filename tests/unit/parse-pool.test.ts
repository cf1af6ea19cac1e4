/**
 * The parse pool with real worker processes (loaded from source through tsx, as tests and the benchmark run it; the
 * built bundle is exercised by the integration tests): a mail that overruns its time or memory budget is abandoned
 * with a reason, its temporary files are removed, the worker is replaced and the next mail is parsed; the main
 * thread keeps running timers meanwhile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParseAbandonedError, ParsePool } from '../../src/ingest/parse-pool';
import { spoolBuffer } from '../../src/ingest/spool';

const spoolRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-pool-'));
afterAll(() => fs.rmSync(spoolRoot, { recursive: true, force: true }));

const small =
  'From: Ann <ann@example.test>\r\nSubject: hello\r\nMessage-ID: <s@example.test>\r\n\r\nHi there\r\n';

/** Big enough to take well over 150 ms (about 600 ms here) in the worker: many attachments written to disk, and a long text. */
function slowMail(): string {
  const parts = Array.from(
    { length: 150 },
    (_, i) =>
      `--b\r\nContent-Type: application/octet-stream; name="f${i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.alloc(20_000, i).toString('base64')}\r\n`
  ).join('');
  return `From: Ann <ann@example.test>\r\nSubject: slow\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n${'text line\r\n'.repeat(50_000)}${parts}--b--\r\n`;
}

describe('parse pool', () => {
  it('parses in a worker and returns the trimmed parts with the mail', async () => {
    const pool = new ParsePool({ workers: 1, timeoutMs: 20_000, memoryMb: 256 });
    try {
      const raw = await spoolBuffer(Buffer.from(small), spoolRoot);
      const result = await pool.parse(raw.path, spoolRoot);
      expect(result.mail.subject).toBe('hello');
      expect(result.mail.trimmed?.text.visible).toContain('Hi there');
      expect(result.answerable).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('stops a worker over its time budget, removes its files, and parses the next mail with a new one', async () => {
    const pool = new ParsePool({ workers: 1, timeoutMs: 150, memoryMb: 256 });
    const spoolDir = fs.mkdtempSync(path.join(spoolRoot, 'slow-'));
    try {
      // Warm the worker up first, so the budget is spent on the slow mail and not on loading modules.
      const warm = await spoolBuffer(Buffer.from(small), spoolRoot);
      await pool.parse(warm.path, spoolRoot).catch(() => undefined);
      const raw = await spoolBuffer(Buffer.from(slowMail()), spoolRoot);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 5);
      const failure = await pool.parse(raw.path, spoolDir).then(
        () => null,
        (error: unknown) => error
      );
      clearInterval(ticker);
      expect(failure).toBeInstanceOf(ParseAbandonedError);
      expect((failure as Error).message).toMatch(/^parsing took longer than 150 ms/);
      expect(fs.readdirSync(spoolDir)).toEqual([]);
      expect(ticks).toBeGreaterThan(0);
      // A fresh worker (with a budget that fits its start-up) parses the next mail.
      const next = new ParsePool({ workers: 1, timeoutMs: 20_000, memoryMb: 256 });
      try {
        const ok = await spoolBuffer(Buffer.from(small), spoolRoot);
        expect((await next.parse(ok.path, spoolRoot)).mail.subject).toBe('hello');
      } finally {
        await next.close();
      }
    } finally {
      await pool.close();
    }
  });

  it('a mail over the heap budget is abandoned with the reason, not the process', async () => {
    // 64 MB of heap cannot hold a 60 MB text body decoded.
    const pool = new ParsePool({ workers: 1, timeoutMs: 60_000, memoryMb: 64 });
    try {
      const raw = await spoolBuffer(
        Buffer.from(
          `From: a@example.test\r\nSubject: big\r\n\r\n${'0123456789abcdef\r\n'.repeat(3_500_000)}`
        ),
        spoolRoot
      );
      const failure = await pool.parse(raw.path, spoolRoot).then(
        () => null,
        (error: unknown) => error
      );
      expect(failure).toBeInstanceOf(ParseAbandonedError);
      expect((failure as Error).message).toMatch(/needed more than the 64 MB memory budget/);
    } finally {
      await pool.close();
    }
  });
});
