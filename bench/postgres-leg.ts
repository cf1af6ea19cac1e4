/**
 * The import figures on PostgreSQL beside SQLite's. Strapi keeps one `strapi` per process, so the PostgreSQL leg is
 * the same benchmark run again in a child process (`BENCH_DATABASE=postgres BENCH_IMPORT_ONLY=1`) on a throwaway
 * cluster from Debian's package (tests/harness/postgres.ts): the same backlog (same seed), its own raw passes before
 * and after, the import, the counts. It prints one `BENCH_RESULT` line that the parent reads.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface LegResult {
  database: string;
  rawRate: number;
  rate: number;
  ratio: number;
  cpuPerMessage: number;
  peakRss: number;
  queriesPerMessage: number;
  countsOk: boolean;
}

const RESULT_PREFIX = 'BENCH_RESULT ';

export function printLegResult(result: LegResult): void {
  console.log(RESULT_PREFIX + JSON.stringify(result));
}

/** Runs the PostgreSQL leg; null (with the reason logged) when it could not run. */
export async function runPostgresLeg(log: (message: string) => void): Promise<LegResult | null> {
  const script = path.join(__dirname, 'import-bench.ts');
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
    env: { ...process.env, BENCH_DATABASE: 'postgres', BENCH_IMPORT_ONLY: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of chunk.toString().split('\n'))
      if (line.startsWith('[bench')) log(`postgres leg: ${line}`);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = output.split('\n').find((entry) => entry.startsWith(RESULT_PREFIX));
  if (code !== 0 || !line) {
    log(`postgres leg: no result (exit ${code})`);
    return null;
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as LegResult;
}

export function legLine(result: LegResult, sqlite: LegResult): string {
  const figures = (r: LegResult) =>
    `raw ${r.rawRate.toFixed(0)} msg/s, end-to-end ${r.rate.toFixed(0)} msg/s (${(r.ratio * 100).toFixed(1)} % of raw), ` +
    `${r.cpuPerMessage.toFixed(2)} ms CPU/msg, ${r.queriesPerMessage.toFixed(1)} SQL/msg`;
  return (
    `Import on PostgreSQL (same backlog, own process): ${figures(result)}` +
    `${result.countsOk ? '' : ' — COUNTS WRONG'}; on SQLite in this run: ${figures(sqlite)}`
  );
}
