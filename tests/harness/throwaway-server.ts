/**
 * What the throwaway database servers of the tests (postgres.ts, mysql.ts) have in common: how a test reaches one,
 * what a started one offers, and the two chores both do the same way (a dir the server's system user owns, the tail
 * of its log). No vitest imports: the worker scripts use it too.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** What child processes and other test files need to reach a running server (passed on through the environment). */
export interface ServerAddress {
  host: '127.0.0.1';
  port: number;
  user: string;
}

export interface ThrowawayServer extends ServerAddress {
  dir: string;
  /** Creates a database (a fresh random name unless given) and answers its name. */
  createDatabase(name?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Runs one SQL statement as the superuser, on `database` (the server's default one unless given). */
  sql(statement: string, database?: string): Promise<void>;
  /** Stops the server and removes its dir. Idempotent. */
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

/** As root: hands `dir` to the system user the server runs as (servers refuse to run as root). */
export function chownToSystemUser(dir: string, systemUser: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', systemUser], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', systemUser], { encoding: 'utf8' }).trim());
  fs.chownSync(dir, uid, gid);
}

/** The last `lines` lines of a log file ('' when there is none yet). */
export function tailOf(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
