/**
 * Starts `import-worker.ts` in a child process that the crash tests can SIGKILL at any moment, and follows what it
 * prints (READY, IMPORTING, RESULT, SENDING, OUTBOX, DONE).
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
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(repoRoot, 'tests/harness/import-worker.ts'),
      options.databaseFile,
      String(options.dovecot.port),
      options.user,
      options.dovecot.password,
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, EMAIL_PIPING_AUTOSTART: 'false', ...options.env },
    }
  );
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
