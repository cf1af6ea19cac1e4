/**
 * Child processes for tests: `import-worker.ts`, which the crash tests SIGKILL at any moment (it prints READY,
 * IMPORTING, RESULT, SENDING, OUTBOX, DONE), `peer-instance.ts`, a second plugin instance for the loop test, and
 * `instance-process.ts`, one of several importing instances on one database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './strapi';

export interface ImportWorker {
  child: ChildProcess;
  output: string[];
  /** Resolves when a line starting with `line` has been printed; rejects if the worker exits first. */
  waitFor(line: string, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
  kill(): void;
}

export function startImportWorker(options: {
  databaseFile: string;
  dovecot: { port: number; password: string };
  user: string;
  env?: Record<string, string>;
}): ImportWorker {
  return startScript(
    'tests/harness/import-worker.ts',
    [options.databaseFile, String(options.dovecot.port), options.user, options.dovecot.password],
    options.env
  );
}

export interface PeerInstance extends ImportWorker {
  /** Imports the peer's mailbox and sends its outbox; resolves with the run's summary. */
  run(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** A second plugin instance in its own process (`peer-instance.ts`), driven line by line. */
export async function startPeerInstance(options: {
  databaseFile: string;
  dovecot: { port: number; password: string };
  user: string;
  smtpPort: number;
}): Promise<PeerInstance> {
  const worker = startScript('tests/harness/peer-instance.ts', [
    options.databaseFile,
    String(options.dovecot.port),
    options.user,
    options.dovecot.password,
    String(options.smtpPort),
  ]);
  worker.child.stdin!.on('error', () => undefined);
  await worker.waitFor('READY', 120_000);
  let runs = 0;
  return {
    ...worker,
    async run() {
      runs += 1;
      const before = worker.output.filter((line) => line.startsWith('RAN ')).length;
      worker.child.stdin!.write('RUN\n');
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ran = worker.output.filter((line) => line.startsWith('RAN '));
        if (ran.length > before) return JSON.parse(ran[ran.length - 1].slice(4)) as Record<string, unknown>;
        if (worker.child.exitCode !== null || Date.now() > deadline)
          throw new Error(`peer run ${runs} did not finish:\n${worker.output.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      if (worker.child.exitCode !== null) return;
      worker.child.stdin!.write('STOP\n');
      const timer = setTimeout(() => worker.kill(), 20_000);
      await worker.exited;
      clearTimeout(timer);
    },
  };
}

/**
 * An importing instance in its own process (`instance-process.ts`) on `postgres:<database>` or `sqlite:<file>`; STOP
 * on its stdin stops it cleanly.
 */
export function startInstanceProcess(target: string, env: Record<string, string> = {}): ImportWorker {
  const worker = startScript('tests/harness/instance-process.ts', [target], env);
  worker.child.stdin!.on('error', () => undefined);
  return worker;
}

export function startScript(script: string, args: string[], env: Record<string, string> = {}): ImportWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, script), ...args], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, EMAIL_PIPING_AUTOSTART: 'false', ...env },
  });
  const output: string[] = [];
  const waiters: Array<{ line: string; resolve: () => void }> = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      for (const waiter of waiters.filter((w) => line.startsWith(w.line))) waiter.resolve();
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output,
    exited,
    kill: () => child.kill('SIGKILL'),
    waitFor(line, timeoutMs = 60_000) {
      if (output.some((l) => l.startsWith(line))) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`worker did not print ${line}:\n${output.join('\n')}`)),
          timeoutMs
        );
        waiters.push({ line, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then(() =>
          setTimeout(() => reject(new Error(`worker exited before ${line}:\n${output.join('\n')}`)), 50)
        );
      });
    },
  };
}
