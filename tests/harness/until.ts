/**
 * Waiting for something a test cannot be told about (a schedule that fires, a watcher that connects, a row another
 * process writes): ask again every 100 ms until the answer is truthy, and fail with what was awaited after a
 * generous time. No vitest imports: the benchmark uses it too.
 */
export async function until<T>(
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 15_000,
  what = 'condition'
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
