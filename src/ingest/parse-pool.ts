/**
 * A small pool of parse workers (parse-worker.ts), so no mail can hold or crash the process: whatever arrives,
 * Strapi's event loop keeps answering the admin, the API and the other mailboxes while a worker parses it.
 *
 * Each worker is a child process, not a worker thread. A worker thread shares the process: when its heap runs out
 * inside a regex or a large copy, V8 can abort the whole process instead of ending the thread (nodejs/node#47224,
 * seen here with a 60 MB text body) — one hostile mail would take Strapi down. A child process that runs out of heap
 * dies alone.
 *
 * - Each message has a time budget (`parseTimeoutMs`, default 20 s). A worker that overruns it is killed (SIGKILL
 *   stops it mid-loop, regex or not), its temporary files are removed, a fresh worker takes its place, and the job
 *   fails with a {@link ParseAbandonedError}: the mail is quarantined with the reason, the mailbox goes on. Time the
 *   worker spends waiting for a DNS answer (sender authentication asks the main process's resolver) is not counted:
 *   a slow resolver is not the mail's fault.
 * - Each worker has a heap limit (`parseMemoryMb`, default 512): a mail that would need more ends the worker (V8
 *   aborts it) and is quarantined the same way.
 * - A worker that cannot start at all (its file missing from the build) is an installation problem, not a property
 *   of the mail: the job fails with a plain error, the run stops and nothing is quarantined.
 *
 * How a worker process starts (from source or from the build, with which flags): worker-process.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DnsResolver } from '../mail/authenticate';
import {
  type DnsAnswer,
  type ParsedInWorker,
  type ParseRequest,
  type WorkerPreparation,
  type WorkerReply,
} from './parse-protocol';
import { startParseWorker } from './worker-process';

export interface ParsePoolOptions {
  /** Worker processes (1–2 on a small server: each holds its own copy of the parser, ~60 MB). */
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
  /** In the names of the job's temporary files (see ParseRequest.fileTag). */
  fileTag: string;
  resolve: (result: ParsedInWorker) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: ChildProcess;
  /** The end of what the worker wrote to stderr: V8 says there why it aborted (out of heap). */
  stderrTail: () => string;
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

/** Removes the temporary files of a job whose worker was stopped or died (it could not remove them itself). */
async function removeJobFiles(job: Job): Promise<void> {
  const names = await fs.promises.readdir(job.spoolDir).catch(() => [] as string[]);
  const prefix = `mail-${job.fileTag}-`;
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix))
      .map((name) => fs.promises.rm(path.join(job.spoolDir, name), { force: true }))
  );
}

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  /** Tells this pool's files from another's (two pools may share a spool directory). */
  private readonly tag = randomUUID().slice(0, 8);
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
    const id = this.nextId++;
    return new Promise<ParsedInWorker>((resolve, reject) => {
      this.queue.push({
        id,
        rawPath,
        spoolDir,
        preparation,
        fileTag: `${this.tag}-${id}`,
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
    const { worker, stderrTail } = startParseWorker(this.options.memoryMb);
    const slot: Slot = {
      worker,
      stderrTail,
      ready: false,
      job: null,
      timer: null,
      budgetLeftMs: 0,
      workingSince: 0,
      openQuestions: 0,
    };
    // A worker is started because a job waits for it: it holds the process until it is ready (then as long as it
    // has a job). An idle one must not keep a script or a test process alive.
    this.hold(slot, true);
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on('error', (error) => this.onGone(slot, error.message));
    // 'close', not 'exit': by then stderr is read to its end, and says whether V8 ran out of heap.
    worker.on('close', (code, signal) =>
      this.onGone(
        slot,
        signal ? `the parse worker was ended by ${signal}` : `the parse worker exited with code ${code}`
      )
    );
    return slot;
  }

  /** Whether the worker keeps this process alive: only while it has a job (its answer is awaited). */
  private hold(slot: Slot, busy: boolean): void {
    const handles = [slot.worker, slot.worker.channel, slot.worker.stderr] as Array<
      { ref?: () => void; unref?: () => void } | null | undefined
    >;
    for (const handle of handles) (busy ? handle?.ref : handle?.unref)?.call(handle);
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'ready') {
      slot.ready = true;
      this.dispatch();
      if (!slot.job) this.hold(slot, false);
      return;
    }
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
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
      void removeJobFiles(job);
      const memory = /heap out of memory|heap limit|ERR_WORKER_OUT_OF_MEMORY/i.test(slot.stderrTail() + why);
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
    if (slot.worker.connected) this.hold(slot, false);
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
        this.send(slot, { type: 'dns-answer', query: question.query, ...answer } satisfies DnsAnswer);
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
        fileTag: job.fileTag,
        preparation,
      };
      this.hold(slot, true);
      this.send(slot, request);
    }
  }

  private async overrun(slot: Slot, job: Job): Promise<void> {
    if (slot.job !== job) return;
    const index = this.slots.indexOf(slot);
    if (index !== -1) this.slots.splice(index, 1);
    this.finish(slot);
    await this.stop(slot);
    await removeJobFiles(job);
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

  /** A message to the worker; one that died meanwhile is noticed by its 'close', not here. */
  private send(slot: Slot, message: ParseRequest | DnsAnswer): void {
    if (!slot.worker.connected) return;
    slot.worker.send(message, (error) => {
      if (error) this.onGone(slot, `the parse worker could not be reached: ${error.message}`);
    });
  }

  private async stop(slot: Slot): Promise<void> {
    this.finish(slot);
    const worker = slot.worker;
    worker.removeAllListeners('close');
    worker.removeAllListeners('error');
    if (worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.kill('SIGKILL');
    await exited;
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
