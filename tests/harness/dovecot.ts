/**
 * Throwaway Dovecot IMAP server for integration tests, the demo script and the benchmark.
 *
 * No vitest imports here: plain Node scripts (tsx / ts-node) reuse this module.
 *
 *   const server = await startDovecot();            // any user name logs in with server.password
 *   ...connect to server.host:server.port as e.g. `t-<random>@example.test`...
 *   await server.stop();
 *
 * Every server gets its own temp dir (config, logs, pid file, maildirs) and its own free loopback port, so
 * several can run in parallel (e.g. one per vitest worker).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface DovecotServer {
  host: '127.0.0.1';
  port: number;
  /** The server's temp dir: dovecot.conf, dovecot.log, run/, state/, mail/<user>/ (maildir). */
  dir: string;
  /** The one password every user name is accepted with. */
  password: string;
  /** Stops the master (and waits until it and its children are gone), then removes `dir`. Idempotent. */
  stop(): Promise<void>;
  /** The last `lines` lines (default 40) of `<dir>/dovecot.log`; '' if there is none. */
  logTail(lines?: number): string;
}

export interface StartDovecotOptions {
  /** Shared password for all users. Default: a random one. Must be printable ASCII without `"`, `\` or spaces. */
  password?: string;
  /**
   * How many IMAP sessions may be open at once (one imap process each). Default 64, test-sized; the push benchmark
   * holds one IDLE connection per mailbox for 200 mailboxes and asks for more.
   */
  sessions?: number;
  /**
   * Replaces the CAPABILITY list Dovecot announces after login (`imap_capability`), e.g. without `IDLE` to play a
   * server that cannot push.
   */
  capabilities?: string[];
}

const DOVECOT_CANDIDATES = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot', '/usr/bin/dovecot'];
const DOVEADM_CANDIDATES = ['/usr/bin/doveadm', '/usr/local/bin/doveadm', '/usr/sbin/doveadm'];
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

function findBinary(candidates: string[]): string | undefined {
  for (const candidate of candidates) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Path of the dovecot binary, or undefined when Dovecot is not installed. */
export function dovecotBinary(): string | undefined {
  return findBinary(DOVECOT_CANDIDATES);
}

/** Path of the doveadm binary (ships with dovecot-core), or undefined. */
export function doveadmBinary(): string | undefined {
  return findBinary(DOVEADM_CANDIDATES);
}

/** True when a Dovecot binary is installed (`apt-get install -y dovecot-imapd`). */
export function dovecotAvailable(): boolean {
  return dovecotBinary() !== undefined;
}

/** Message for a skipped test / failed script when Dovecot is missing. */
export const DOVECOT_MISSING_MESSAGE =
  'Dovecot is not installed (looked for ' +
  DOVECOT_CANDIDATES.join(', ') +
  '). Install it with `apt-get install -y dovecot-imapd` (Debian/Ubuntu).';

/** Asks the kernel for a free port on 127.0.0.1 (bind to port 0, read it, close). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = srv.address();
      if (address === null || typeof address === 'string') {
        srv.close();
        reject(new Error('could not read the port of a 127.0.0.1:0 listener'));
        return;
      }
      const { port } = address;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A daemon's exited master is re-parented to pid 1 and stays a zombie until that reaps it, which a container's
  // init may do only a second later: a zombie holds no sockets and counts as gone.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** Direct children of `pid` (Linux /proc; [] elsewhere). Dovecot's services are all forked by the master. */
function childPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ..." - comm may contain spaces/parens, so parse after the last ')'
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // process vanished meanwhile
    }
  }
  return children;
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function tailFile(file: string, lines: number): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const all = text.split('\n');
  if (all.length && all[all.length - 1] === '') all.pop();
  return all.slice(-lines).join('\n');
}

/**
 * Connects and waits for the IMAP greeting. Resolves true on `* OK`, false on refusal/close/timeout.
 */
export function probeImapGreeting(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    let buffer = '';
    let done = false;
    const socket = net.connect({ host, port });
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const eol = buffer.indexOf('\r\n');
      if (eol >= 0) finish(buffer.slice(0, eol).startsWith('* OK'));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/** True when something accepts TCP connections on host:port. */
export function portIsOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

interface Identity {
  user: string;
  group: string;
  uid: number;
  gid: number;
}

/**
 * Users the Dovecot processes run as. As root (our CI) these are the Debian package's system users; as a normal
 * user everything runs as that user (Dovecot supports this for unprivileged test instances).
 */
function identities(): { internal: Identity; login: Identity; mail: Identity } {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) {
    const lookup = (name: string): Identity => {
      const id = (flag: '-u' | '-g') => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
      const group = execFileSync('id', ['-gn', name], { encoding: 'utf8' }).trim();
      return { user: name, group, uid: id('-u'), gid: id('-g') };
    };
    const dovecot = lookup('dovecot');
    // login processes refuse to run as root; dovenull is the package's unprivileged login user
    const dovenull = lookup('dovenull');
    return { internal: dovecot, login: dovenull, mail: dovecot };
  }
  const info = os.userInfo();
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  const me: Identity = { user: info.username, group, uid: info.uid, gid: info.gid };
  return { internal: me, login: me, mail: me };
}

function checkPassword(password: string): string {
  if (!/^[\x21-\x7e]+$/.test(password) || /["\\]/.test(password)) {
    throw new Error('startDovecot: password must be printable ASCII without spaces, `"` or `\\`');
  }
  // '%' starts a variable in passdb args; {PLAIN} keeps a leading '{' from being read as a scheme
  return '{PLAIN}' + password.replace(/%/g, '%%');
}

/** The Dovecot 2.3 config; based on /work/shared/reference/dovecot-test.conf. */
function renderConfig(
  dir: string,
  port: number,
  password: string,
  ids: ReturnType<typeof identities>,
  sessions = 64,
  capabilities?: string[]
): string {
  const clients = Math.max(256, sessions * 4);
  return `# generated by tests/harness/dovecot.ts - throwaway test server, do not use in production
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Dovecot refuses mail access for uids below 500 (the dovecot system user is ~100) unless this is lowered
first_valid_uid = 1
default_internal_user = ${ids.internal.user}
default_internal_group = ${ids.internal.group}
# login processes refuse to run as root
default_login_user = ${ids.login.user}
# tests fail logins on purpose; don't stall them for the default 2 s
auth_failure_delay = 0
# nothing here needs to survive a crash
mail_fsync = never
# process titles like "dovecot/imap [<user> <ip>]": lets userProcessIds() find a user's sessions
verbose_proctitle = yes
# an importer test may hold IDLE + worker connections for the same user from 127.0.0.1 (default limit: 10)
mail_max_userip_connections = 100
${capabilities ? `imap_capability = ${capabilities.join(' ')}\n` : ''}
# every session's end says how many message bodies it fetched: the instances test counts downloads with it
imap_logout_format = in=%i out=%o fetch_body_count=%{fetch_body_count}

# Maildir per user, created on first login (the imap process creates it under ${dir}/mail, which it owns)
mail_location = maildir:${dir}/mail/%u

# ANY user name is accepted with the one shared password, so each test can use its own mailbox user
passdb {
  driver = static
  args = password=${checkPassword(password)}
}
userdb {
  driver = static
  args = uid=${ids.mail.uid} gid=${ids.mail.gid} home=${dir}/mail/%u
}

# Test-sized process limits: room for ~50 concurrent IMAP sessions (one imap + one short-lived login
# process each), far below the defaults (100 processes / 1000 clients per service).
default_process_limit = ${sessions}
default_client_limit = ${clients}
default_vsz_limit = 512M

service imap-login {
  chroot =
  process_limit = ${sessions}
  process_min_avail = 0
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service imap {
  process_limit = ${sessions}
  # one session per imap process (the default); a dead test connection cannot affect another
  client_limit = 1
}
service auth {
  client_limit = ${clients}
}
service anvil {
  chroot =
  client_limit = ${clients}
  # no auth penalty: after a test's deliberately failed login, anvil would delay every later login from
  # 127.0.0.1 (2 s, doubling up to 15 s) - i.e. every other test
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

/** Servers of this process that still run (master pid -> dir); killed if the process ends without stop(). */
const running = new Map<number, string>();
let exitHookInstalled = false;
function killRunning(): void {
  for (const [pid, dir] of running) {
    try {
      process.kill(pid, 'SIGTERM'); // the master takes its children down with it
    } catch {
      // already gone
    }
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // a dying process may still write into it; a leftover temp dir is harmless
    }
  }
  running.clear();
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killRunning);
  // Ctrl-C / kill of a plain script (demo, benchmark): clean up, then die of the same signal. Where someone else
  // already handles the signal (vitest does), leave the decision to them; their teardown calls stop().
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(signal) > 0) continue;
    process.once(signal, () => {
      killRunning();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/**
 * Runs `dovecot -c <conf>`, which forks the master into the background and exits. Its output goes to a file, not
 * a pipe: the daemonized master inherits the descriptors, so a pipe would stay open for as long as it runs.
 */
function execDovecot(
  binary: string,
  args: string[],
  outputFile: string
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const fd = fs.openSync(outputFile, 'w');
    const read = () => {
      try {
        return fs.readFileSync(outputFile, 'utf8').trim();
      } catch {
        return '';
      }
    };
    const child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 1, output: err.message });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output: signal ? `killed by ${signal}. ${read()}` : read() });
    });
  });
}

async function stopMaster(pidFile: string): Promise<void> {
  const pid = readPid(pidFile);
  if (pid === undefined || !isAlive(pid)) return;
  // Children (imap, imap-login, auth, log, ...) inherit the listening socket, so stop() waits for them too. The
  // master SIGTERMs them itself, but then waits up to ~1 s for the log process, and an imap-login it forked for a
  // connection that arrived just before the stop can miss that signal, which holds the master up for its 6 s
  // SIGKILL timeout. So: signal the whole tree, keep looking for late children, and repeat the signal.
  const tree = new Set<number>([pid]);
  const signalled = new Map<number, number>();
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  const alive = () => [...tree].filter(isAlive);
  for (;;) {
    if (isAlive(pid)) for (const child of childPids(pid)) tree.add(child);
    const left = alive();
    if (!left.length || Date.now() >= deadline) break;
    for (const target of left) {
      if (Date.now() - (signalled.get(target) ?? 0) < 500) continue;
      signalled.set(target, Date.now());
      try {
        process.kill(target, 'SIGTERM');
      } catch {
        // gone already
      }
    }
    await sleep(20);
  }
  for (const straggler of alive()) {
    try {
      process.kill(straggler, 'SIGKILL');
    } catch {
      // gone
    }
  }
  const killDeadline = Date.now() + 2000;
  while (alive().length && Date.now() < killDeadline) await sleep(20);
  if (alive().length) throw new Error(`dovecot processes ${alive().join(', ')} did not exit`);
}

/**
 * Starts a throwaway Dovecot on a free 127.0.0.1 port and resolves once it answers the IMAP greeting.
 * Rejects (with the tail of the Dovecot log) if it is not up within 15 s.
 */
export async function startDovecot(options: StartDovecotOptions = {}): Promise<DovecotServer> {
  const binary = dovecotBinary();
  if (!binary) throw new Error(DOVECOT_MISSING_MESSAGE);
  const password = options.password ?? randomBytes(12).toString('hex');
  checkPassword(password);
  const ids = identities();
  installExitHook();

  let lastError: Error | undefined;
  // the port may be taken between findFreePort() and Dovecot's bind(): retry with a new one
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dovecot-test-'));
    fs.chmodSync(dir, 0o755); // the unprivileged login/mail processes must traverse it
    for (const sub of ['run', 'state', 'mail']) fs.mkdirSync(path.join(dir, sub), { mode: 0o755 });
    fs.chownSync(path.join(dir, 'mail'), ids.mail.uid, ids.mail.gid);
    const port = await findFreePort();
    const conf = path.join(dir, 'dovecot.conf');
    const logFile = path.join(dir, 'dovecot.log');
    const pidFile = path.join(dir, 'run', 'master.pid');
    fs.writeFileSync(conf, renderConfig(dir, port, password, ids, options.sessions, options.capabilities), {
      mode: 0o644,
    });

    let stopped = false;
    let stopping: Promise<void> | undefined;
    const server: DovecotServer = {
      host: '127.0.0.1',
      port,
      dir,
      password,
      logTail: (lines = 40) => tailFile(logFile, lines),
      stop: () => {
        if (stopped) return Promise.resolve();
        stopping ??= (async () => {
          const pid = readPid(pidFile);
          await stopMaster(pidFile);
          if (pid !== undefined) running.delete(pid);
          // retries: a process that exited a moment ago may have written a last log line meanwhile
          fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
          stopped = true;
        })();
        return stopping;
      },
    };

    // `dovecot` daemonizes: the exit code tells whether the config was accepted and the master forked
    const started = await execDovecot(binary, ['-c', conf], path.join(dir, 'dovecot.stdout'));
    if (started.code !== 0) {
      lastError = new Error(
        `dovecot -c ${conf} exited with ${started.code}: ${started.output}\n--- dovecot.log ---\n${server.logTail()}`
      );
      await server.stop().catch(() => undefined);
      if (/address already in use/i.test(lastError.message)) continue;
      throw lastError;
    }

    const deadline = Date.now() + START_TIMEOUT_MS;
    let up = false;
    let greeted = false;
    while (Date.now() < deadline) {
      // up = greeting answered and master.pid written (the daemon may write it after it starts listening;
      // stop() and the exit hook need it)
      const pid = readPid(pidFile);
      if (pid !== undefined) running.set(pid, dir);
      greeted ||= await probeImapGreeting('127.0.0.1', port, 1000);
      if (greeted && pid !== undefined) {
        up = true;
        break;
      }
      if (pid !== undefined && !isAlive(pid)) break;
      await sleep(greeted ? 5 : 25);
    }
    if (up) return server;

    const log = server.logTail();
    lastError = new Error(
      `Dovecot did not answer the IMAP greeting on 127.0.0.1:${port} within ${START_TIMEOUT_MS / 1000} s` +
        ` (dir ${dir}).\n--- dovecot.log ---\n${log}`
    );
    await server.stop().catch(() => undefined);
    if (!/address already in use/i.test(log)) throw lastError;
  }
  throw lastError ?? new Error('startDovecot failed');
}

/**
 * Pids of the running `imap` processes serving `user` on this server (one per IMAP session, including sessions
 * that have sent LOGOUT but are still closing their mailbox). Linux only (/proc); [] elsewhere.
 */
export function userProcessIds(server: Pick<DovecotServer, 'dir'>, user: string): number[] {
  const master = readPid(path.join(server.dir, 'run', 'master.pid'));
  if (master === undefined) return [];
  return childPids(master).filter((pid) => {
    try {
      const title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '');
      return title.startsWith(`dovecot/imap [${user} `);
    } catch {
      return false;
    }
  });
}

/** Runs doveadm against a running test server (as root it drops to the mail user itself). */
export function doveadm(server: Pick<DovecotServer, 'dir'>, args: string[]): Promise<string> {
  const binary = doveadmBinary();
  if (!binary) return Promise.reject(new Error('doveadm not found (it ships with dovecot-core)'));
  const conf = path.join(server.dir, 'dovecot.conf');
  return new Promise((resolve, reject) => {
    execFile(binary, ['-c', conf, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`doveadm ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** The IMAP part of a mailbox's settings for `user` on the test server, as the admin API takes them. */
export function imapSettingsFor(dovecot: DovecotServer, user: string) {
  return {
    host: dovecot.host,
    port: dovecot.port,
    security: 'none' as const,
    username: user,
    password: dovecot.password,
  };
}
