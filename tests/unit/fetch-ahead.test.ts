import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchAhead } from '../../src/ingest/fetch-ahead';
import { removeSpooled, type SpooledRaw } from '../../src/ingest/spool';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fetch-ahead-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A fake download that spools a real file per UID and records when each started and how many ran at once. */
function fakeServer(options: { failOn?: number } = {}) {
  const started: number[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const fetchOne = async (uid: number): Promise<SpooledRaw> => {
    started.push(uid);
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running -= 1;
    if (uid === options.failOn) throw new Error(`connection dropped while fetching UID ${uid}`);
    const file = path.join(dir, `${uid}.eml`);
    fs.writeFileSync(file, `Subject: ${uid}\r\n\r\nbody\r\n`);
    return { path: file, size: fs.statSync(file).size, sha256: String(uid) };
  };
  return { fetchOne, started, mostAtOnce: () => mostAtOnce };
}

describe('fetchAhead', () => {
  it('hands out every message in order while keeping `depth` more downloading', async () => {
    const server = fakeServer();
    const queue = fetchAhead([3, 5, 8, 13, 21], server.fetchOne, 2, removeSpooled);
    const first = await queue.take(3);
    expect(first.sha256).toBe('3');
    // Taking 3 started 5 and 8 as well, and nothing further.
    expect(server.started).toEqual([3, 5, 8]);
    for (const uid of [5, 8, 13, 21]) expect((await queue.take(uid)).sha256).toBe(String(uid));
    expect(server.started).toEqual([3, 5, 8, 13, 21]);
    expect(server.mostAtOnce()).toBeLessThanOrEqual(3);
    await queue.discard();
  });

  it('with depth 0 downloads each message only when it is taken', async () => {
    const server = fakeServer();
    const queue = fetchAhead([1, 2, 3], server.fetchOne, 0, removeSpooled);
    await queue.take(1);
    expect(server.started).toEqual([1]);
    await queue.take(2);
    expect(server.started).toEqual([1, 2]);
    await queue.discard();
  });

  it('reports a failed download at its own turn, not before, and never as an unhandled rejection', async () => {
    const server = fakeServer({ failOn: 2 });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const queue = fetchAhead([1, 2, 3], server.fetchOne, 2, removeSpooled);
      await queue.take(1);
      await new Promise((resolve) => setTimeout(resolve, 30)); // UID 2 has failed by now
      await expect(queue.take(2)).rejects.toThrow('connection dropped while fetching UID 2');
      await queue.discard();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('deletes what was fetched ahead but not taken when the run stops early', async () => {
    const server = fakeServer();
    const queue = fetchAhead([1, 2, 3, 4], server.fetchOne, 2, removeSpooled);
    const taken = await queue.take(1);
    await queue.discard();
    // The taken file belongs to the caller; the two fetched ahead are gone, and nothing else was fetched.
    expect(fs.readdirSync(dir)).toEqual([path.basename(taken.path)]);
    expect(server.started).toEqual([1, 2, 3]);
  });

  it('refuses a UID that is not queued or was already taken', async () => {
    const server = fakeServer();
    const queue = fetchAhead([1, 2], server.fetchOne, 1, removeSpooled);
    await queue.take(1);
    expect(() => queue.take(1)).toThrow('UID 1 is not queued');
    expect(() => queue.take(99)).toThrow('UID 99 is not queued');
    await queue.discard();
  });
});
