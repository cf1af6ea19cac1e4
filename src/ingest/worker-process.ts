/**
 * How a parse worker process is started (parse-pool.ts runs them): from source under tsx (tests, the benchmark) or
 * from the build, with only the flags it needs — its heap budget and a stack like a thread's — and its stderr read,
 * so the pool can tell an out-of-heap end from a crash.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { WORKER_MARKER } from './parse-protocol';

/**
 * V8 stack for the worker, KB. A worker thread had 4 MB; a process's main thread gets under 1 MB by default, which
 * deeply nested HTML would exhaust sooner. Linux gives the main thread 8 MB, so 3.9 MB is safe.
 */
const WORKER_STACK_KB = 3900;
/** How much of the worker's stderr is kept to explain its end. */
const STDERR_TAIL_CHARS = 4096;
/** How V8 begins the report it writes when it aborts a process that ran out of heap. */
const V8_ABORT = /<--- Last few GCs --->|FATAL ERROR:/;

/** Where the worker's code is: source (tsx/vitest) or the built bundle. Throws when neither is there. */
function workerSource(): { file: string; execArgv: string[] } {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const fromSource = path.join(here, 'parse-worker.ts');
  if (fs.existsSync(fromSource)) {
    const tsx = createRequire(path.join(here, 'worker-process.ts')).resolve('tsx/cjs');
    return { file: fromSource, execArgv: ['--require', tsx] };
  }
  const built = path.resolve(here, '..', 'parse-worker', 'index.js');
  if (fs.existsSync(built)) return { file: built, execArgv: [] };
  throw new Error(
    `email-piping: the parse worker is missing (looked for ${fromSource} and ${built}); rebuild the plugin`
  );
}

export interface ParseWorkerProcess {
  worker: ChildProcess;
  /** The end of what the worker wrote to stderr. */
  stderrTail: () => string;
}

export function startParseWorker(memoryMb: number): ParseWorkerProcess {
  const source = workerSource();
  const worker = fork(source.file, [], {
    // Not the parent's flags (a debugger port, vitest's loaders): only what the worker needs.
    execArgv: [...source.execArgv, `--max-old-space-size=${memoryMb}`, `--stack-size=${WORKER_STACK_KB}`],
    env: { ...process.env, [WORKER_MARKER]: '1' },
    // Structured clone, as between threads: typed arrays, Maps and Dates arrive as they were sent.
    serialization: 'advanced',
    // The worker's stdout goes to the process's; stderr is read too, to tell an out-of-heap end from a crash.
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let tail = '';
  worker.stderr?.setEncoding('utf8');
  worker.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
    // The worker's warnings belong in the process's log; V8's out-of-heap dump does not (it reads like Strapi
    // itself crashed): the job's quarantine reason says what happened.
    if (!V8_ABORT.test(tail)) process.stderr.write(chunk);
  });
  return { worker, stderrTail: () => tail };
}
