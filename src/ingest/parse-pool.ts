/**
 * A small pool of parse workers (parse-worker.ts), so no mail can hold the process: whatever arrives, Strapi's event
 * loop keeps answering the admin, the API and the other mailboxes while a worker parses it.
 *
 * - Each message has a time budget (`parseTimeoutMs`, default 20 s). A worker that overruns it is terminated (V8
 *   stops it mid-loop, regex or not), its temporary files are removed, a fresh worker takes its place, and the job
 *   fails with a {@link ParseAbandonedError}: the mail is quarantined with the reason, the mailbox goes on. Time the
 *   worker spends waiting for a DNS answer (sender authentication asks the main thread's resolver) is not counted:
 *   a slow resolver is not the mail's fault.
 * - Each worker has a heap limit (`parseMemoryMb`, default 512): a mail that would need more ends the worker with
 *   ERR_WORKER_OUT_OF_MEMORY instead of the whole process, and is quarantined the same way.
 * - A worker that cannot start at all (its file missing from the build) is an installation problem, not a property
 *   of the mail: the job fails with a plain error, the run stops and nothing is quarantined.
 *
 * Where the worker code comes from: from source (tsx, vitest) `parse-worker.ts` sits next to this file and is loaded
 * through tsx's CommonJS hook; in the built plugin @strapi/sdk-plugin bundles each `exports` entry of package.json
 * on its own, and the `./parse-worker` entry lands in `dist/parse-worker/index.js`, next to `dist/server/`.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DnsResolver } from '../mail/authenticate';
import type { DnsAnswer, ParsedInWorker, ParseRequest, WorkerPreparation, WorkerReply } from './parse-worker';

export const WORKER_MARKER = 'emailPipingParseWorker';

export interface ParsePoolOptions {
  /** Worker threads (1–2 on a small server: each holds its own copy of the parser, ~40 MB). */
  workers: number;
  /** Time budget per message, milliseconds. */
  timeoutMs: number;
  /** Heap limit per worker, MB. */
  memoryMb: number;
}

export const DEFAULT_PARSE_POOL: ParsePoolOptions = { workers: 1, timeoutMs: 20_000, memoryMb: 512 };

/** The worker gave up on this mail (over time, over memory, crashed): the mail goes to the quarantine with this. */
export class ParseAbandonedError extends Error {}

/** The pool cannot parse anything (worker missing or not starting, shut down): not the mail's fault. */
export class ParsePoolUnavailableError extends Error {}

/** What a job needs besides the file: the mailbox's facts, and the resolver that answers the worker's DNS. */
export interface JobPreparation extends WorkerPreparation {
  resolver: DnsResolver | null;
}

interface Job {
  id: number;
  rawPath: string;
  spoolDir: string;
  preparation: JobPreparation | null;
  files: Set<string>;
  resolve: (result: ParsedInWorker) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  /** Budget left for the job, and when the current stretch of work began (the timer runs only while it works). */
  budgetLeftMs: number;
  workingSince: number;
  /** DNS questions of the job not answered yet; while any is open, the budget does not run. */
  openQuestions: number;
}

function seconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** How to start the worker from wherever this code runs: source (tsx/vitest) or the built bundle. */
function workerSource(): { file: string; eval: boolean } {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const fromSource = path.join(here, 'parse-worker.ts');
  if (fs.existsSync(fromSource)) {
    const tsx = createRequire(path.join(here, 'parse-pool.ts')).resolve('tsx/cjs/api');
    const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(fromSource)});`;
    return { file: code, eval: true };
  }
  const built = path.resolve(here, '..', 'parse-worker', 'index.js');
  if (fs.existsSync(built)) return { file: built, eval: false };
  throw new ParsePoolUnavailableError(
    `email-piping: the parse worker is missing (looked for ${fromSource} and ${built}); rebuild the plugin`
  );
}

function removeFiles(files: Iterable<string>): Promise<unknown> {
  return Promise.all(Array.from(files, (file) => fs.promises.rm(file, { force: true })));
}

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly options: ParsePoolOptions) {}

  parse(
    rawPath: string,
    spoolDir: string,
    preparation: JobPreparation | null = null
  ): Promise<ParsedInWorker> {
    if (this.closed)
      return Promise.reject(new ParsePoolUnavailableError('email-piping: the parse pool is shut down'));
    return new Promise<ParsedInWorker>((resolve, reject) => {
      this.queue.push({
        id: this.nextId++,
        rawPath,
        spoolDir,
        preparation,
        files: new Set(),
        resolve,
        reject,
      });
      try {
        while (this.slots.length < this.options.workers) this.slots.push(this.spawn());
      } catch (error) {
        this.failAll(error as Error);
        return;
      }
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new ParsePoolUnavailableError('email-piping: the parse pool is shut down'));
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((slot) => this.stop(slot)));
  }

  private failAll(error: Error): void {
    const reason =
      error instanceof ParsePoolUnavailableError ? error : new ParsePoolUnavailableError(error.message);
    for (const job of this.queue.splice(0)) job.reject(reason);
  }

  private spawn(): Slot {
    const source = workerSource();
    const worker = new Worker(source.file, {
      eval: source.eval,
      workerData: { [WORKER_MARKER]: true },
      resourceLimits: { maxOldGenerationSizeMb: this.options.memoryMb },
      // The worker's console goes to the process's; its stdin is not needed.
      stdout: false,
      stderr: false,
    });
    const slot: Slot = {
      worker,
      ready: false,
      job: null,
      timer: null,
      budgetLeftMs: 0,
      workingSince: 0,
      openQuestions: 0,
    };
    // An idle worker must not keep a script or a test process alive; a busy one is held by its job's timer.
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on('error', (error) => this.onGone(slot, error.message));
    worker.on('exit', (code) => this.onGone(slot, `the parse worker exited with code ${code}`));
    return slot;
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'ready') {
      slot.ready = true;
      this.dispatch();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    if (reply.type === 'file') {
      job.files.add(reply.path);
      return;
    }
    if (reply.type === 'dns') {
      this.answerDns(slot, job, reply);
      return;
    }
    this.finish(slot);
    if (reply.type === 'done') job.resolve(reply.result);
    else job.reject(new Error(reply.error));
    this.dispatch();
  }

  /** The worker died (error, out of memory, exit): its job, if any, is abandoned; a new worker takes the slot. */
  private onGone(slot: Slot, why: string): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return; // already replaced (terminated on purpose)
    const job = slot.job;
    this.finish(slot);
    this.slots.splice(index, 1);
    if (job) {
      void removeFiles(job.files);
      const memory = /out of memory|ERR_WORKER_OUT_OF_MEMORY|heap/i.test(why);
      job.reject(
        new ParseAbandonedError(
          memory
            ? `parsing needed more than the ${this.options.memoryMb} MB memory budget: the parser was stopped (${why})`
            : `the parser stopped on this mail: ${why}`
        )
      );
    } else if (!slot.ready && !this.closed) {
      // Died before it was ready: it cannot start at all. Fail what waits rather than respawn in a loop.
      this.failAll(new ParsePoolUnavailableError(`email-piping: the parse worker could not start: ${why}`));
      return;
    }
    if (!this.closed && this.queue.length > 0) {
      try {
        this.slots.push(this.spawn());
      } catch (error) {
        this.failAll(error as Error);
      }
    }
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    slot.openQuestions = 0;
  }

  /** Runs the job's budget from now on (again). */
  private startBudget(slot: Slot, job: Job): void {
    slot.workingSince = Date.now();
    slot.timer = setTimeout(() => void this.overrun(slot, job), Math.max(0, slot.budgetLeftMs));
  }

  /** Asks the job's resolver on the worker's behalf; the budget waits while the answer does. */
  private answerDns(slot: Slot, job: Job, question: { query: number; name: string; rrtype: string }): void {
    if (slot.openQuestions === 0 && slot.timer) {
      clearTimeout(slot.timer);
      slot.timer = null;
      slot.budgetLeftMs -= Date.now() - slot.workingSince;
    }
    slot.openQuestions += 1;
    const resolver = job.preparation?.resolver;
    const asked = resolver
      ? resolver(question.name, question.rrtype)
      : Promise.reject(Object.assign(new Error('no DNS resolver for this job'), { code: 'ESERVFAIL' }));
    void asked
      .then(
        (value) => ({ value }),
        (error: unknown) => ({
          error: {
            message: error instanceof Error ? error.message : String(error),
            code: (error as { code?: string } | null)?.code,
          },
        })
      )
      .then((answer) => {
        // The job may have ended meanwhile (the worker was stopped): then nobody waits for the answer.
        if (slot.job !== job) return;
        slot.openQuestions -= 1;
        if (slot.openQuestions === 0) this.startBudget(slot, job);
        slot.worker.postMessage({ type: 'dns-answer', query: question.query, ...answer } satisfies DnsAnswer);
      });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.budgetLeftMs = this.options.timeoutMs;
      this.startBudget(slot, job);
      const preparation = job.preparation
        ? { identity: job.preparation.identity, trustedAuthservIds: job.preparation.trustedAuthservIds }
        : null;
      const request: ParseRequest = {
        type: 'parse',
        id: job.id,
        rawPath: job.rawPath,
        spoolDir: job.spoolDir,
        preparation,
      };
      slot.worker.postMessage(request);
    }
  }

  private async overrun(slot: Slot, job: Job): Promise<void> {
    if (slot.job !== job) return;
    const index = this.slots.indexOf(slot);
    if (index !== -1) this.slots.splice(index, 1);
    this.finish(slot);
    await this.stop(slot);
    await removeFiles(job.files);
    job.reject(
      new ParseAbandonedError(
        `parsing took longer than ${seconds(this.options.timeoutMs)}: the parser was stopped and the mail kept as it came`
      )
    );
    if (!this.closed) {
      try {
        this.slots.push(this.spawn());
      } catch (error) {
        this.failAll(error as Error);
        return;
      }
    }
    this.dispatch();
  }

  private async stop(slot: Slot): Promise<void> {
    this.finish(slot);
    slot.worker.removeAllListeners('exit');
    slot.worker.removeAllListeners('error');
    await slot.worker.terminate();
  }
}

let shared: ParsePool | null = null;
let sharedOptions: ParsePoolOptions = DEFAULT_PARSE_POOL;

/** Settings for the process-wide pool (from the plugin config at bootstrap); a change restarts it. */
export function configureParsePool(options: Partial<ParsePoolOptions>): void {
  const next = { ...DEFAULT_PARSE_POOL, ...options };
  if (JSON.stringify(next) === JSON.stringify(sharedOptions)) return;
  sharedOptions = next;
  const previous = shared;
  shared = null;
  if (previous) void previous.close();
}

export function parsePool(): ParsePool {
  if (!shared) shared = new ParsePool(sharedOptions);
  return shared;
}

export async function shutdownParsePool(): Promise<void> {
  const previous = shared;
  shared = null;
  if (previous) await previous.close();
}
