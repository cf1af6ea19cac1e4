import { describe, expect, it } from 'vitest';
import { throttledProgress, type ImportProgress } from '../../src/ingest/import-progress';

/** Plays a run through `throttledProgress`: each step is [messages done, milliseconds since the run began]. */
async function writesFor(total: number, steps: Array<[number, number]>): Promise<ImportProgress[]> {
  const writes: ImportProgress[] = [];
  let clock = 0;
  const onProgress = throttledProgress(
    async (progress) => {
      writes.push(progress);
    },
    () => clock
  );
  for (const [done, at] of steps) {
    clock = at;
    await onProgress(done, total);
  }
  return writes;
}

describe('import progress writes', () => {
  it('writes a fast backlog every 25 messages, plus its start and its end', async () => {
    // 100 messages in 100 ms: the clock never reaches a second.
    const steps = Array.from({ length: 101 }, (_, done) => [done, done] as [number, number]);
    const writes = await writesFor(100, steps);
    expect(writes.map((write) => write.done)).toEqual([0, 25, 50, 75, 100]);
    expect(writes.map((write) => write.running)).toEqual([true, true, true, true, false]);
  });

  it('writes a slow backlog at least every second, so the bar moves between two batches of 25', async () => {
    // One message every 400 ms.
    const steps = Array.from({ length: 11 }, (_, done) => [done, done * 400] as [number, number]);
    const writes = await writesFor(10, steps);
    expect(writes.map((write) => write.done)).toEqual([0, 3, 6, 9, 10]);
  });

  it('says an empty run is not running', async () => {
    expect(await writesFor(0, [[0, 0]])).toEqual([{ done: 0, total: 0, running: false }]);
  });
});
