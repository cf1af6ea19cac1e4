/**
 * The built admin panel the browser tests need: `strapi build` of the playground writes `playground/dist/build`,
 * which Strapi serves at `/admin` (see `serveAdminPanel` in `bootStrapi`). The build takes about a minute, so it runs
 * only when the build is missing or was made from other sources. No vitest imports.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { playgroundDir, playgroundDistDir, repoRoot } from './strapi';

export const adminBuildDir = path.join(playgroundDistDir, 'build');
const adminBuildIndex = path.join(adminBuildDir, 'index.html');
const strapiCli = path.join(repoRoot, 'node_modules', '.bin', 'strapi');
/** The plugin's admin bundle: the playground's admin build imports `exports["./strapi-admin"].import` from here. */
const pluginAdminDist = path.join(repoRoot, 'dist', 'admin');
/** The admin entry `strapi build` generates: it imports every plugin admin it found. */
const generatedAdminEntry = path.join(playgroundDir, '.strapi', 'client', 'app.js');
/** Held while a build runs, so two test files never build into the same folder at once. */
const lockDir = path.join(playgroundDir, '.strapi', 'admin-build.lock');

/**
 * What the admin bundle is made of. A fingerprint of their contents is stored next to the build: `npm run build`
 * rewrites dist/admin on every run, so modification times alone would rebuild the admin every time.
 */
const ADMIN_SOURCES = [
  path.join(repoRoot, 'admin', 'src'),
  pluginAdminDist,
  path.join(playgroundDir, 'src', 'admin'),
  path.join(playgroundDir, 'config'),
  path.join(repoRoot, 'package-lock.json'),
];
const fingerprintFile = path.join(adminBuildDir, '.sources-fingerprint');

function hashTree(hash: crypto.Hash, entry: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    return;
  }
  hash.update(`\0${path.relative(repoRoot, entry)}\0`);
  if (!stat.isDirectory()) {
    hash.update(fs.readFileSync(entry));
    return;
  }
  for (const child of fs.readdirSync(entry).sort()) hashTree(hash, path.join(entry, child));
}

/** A hash of every admin source file's path and contents (a few MB: some tens of milliseconds). */
export function adminSourcesFingerprint(): string {
  const hash = crypto.createHash('sha256');
  for (const source of ADMIN_SOURCES) hashTree(hash, source);
  return hash.digest('hex');
}

/** Why the admin needs building, or null when the build is up to date. */
export function adminBuildStaleReason(fingerprint = adminSourcesFingerprint()): string | null {
  if (!fs.existsSync(adminBuildIndex)) return `${path.relative(repoRoot, adminBuildIndex)} is missing`;
  let built = '';
  try {
    built = fs.readFileSync(fingerprintFile, 'utf8').trim();
  } catch {
    return 'the build has no source fingerprint';
  }
  return built === fingerprint ? null : 'the admin sources changed since the last build';
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the build lock (a directory: mkdir is atomic), waiting for another process's build to finish. */
async function takeLock(timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    } catch {
      // the owner has not written its pid yet, or just released the lock
    }
    if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
      fs.rmSync(lockDir, { recursive: true, force: true }); // left behind by a killed run
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for another admin build (lock ${lockDir})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function runStrapiBuild(timeoutMs: number): Promise<void> {
  // A clean environment for the build: no test-runner variables, a production bundle whatever NODE_ENV the tests use.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && key !== 'NODE_ENV' && key !== 'PORT') env[key] = value;
  }
  env.NODE_ENV = 'production';
  env.STRAPI_TELEMETRY_DISABLED = 'true';
  env.FORCE_COLOR = '0';

  return new Promise((resolve, reject) => {
    const child = spawn(strapiCli, ['build'], {
      cwd: playgroundDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 400) output.splice(0, output.length - 400);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', (chunk: Buffer) => {
      keep(chunk);
      process.stderr.write(chunk); // errors and warnings show up as they happen
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${strapiCli}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && fs.existsSync(adminBuildIndex)) return resolve();
      const why = signal
        ? `was stopped by ${signal} (timeout ${timeoutMs / 1000} s?)`
        : `exited with code ${code}`;
      reject(
        new Error(`\`strapi build\` in playground/ ${why}. Its output:\n${output.join('').slice(-20_000)}`)
      );
    });
  });
}

/**
 * `strapi build` leaves out a plugin whose `resolve` path (read from playground/config/plugins.ts, the TypeScript
 * source, not the compiled file) does not lead to a package with a `./strapi-admin` export: the admin then builds fine
 * but has no plugin page. Fail here, with the reason, instead of in a browser timeout.
 */
function assertPluginInBuild(): void {
  const entry = fs.existsSync(generatedAdminEntry) ? fs.readFileSync(generatedAdminEntry, 'utf8') : '';
  if (!entry.includes('/dist/admin/index.mjs')) {
    throw new Error(
      `the playground's admin build does not include the email-piping plugin (${path.relative(repoRoot, generatedAdminEntry)} ` +
        "does not import this repository's dist/admin/index.mjs). `strapi build` reads playground/config/plugins.ts " +
        'from source, so its `resolve` must lead to the repository root from playground/config as well as from ' +
        'playground/dist/config.'
    );
  }
}

/**
 * Makes sure `playground/dist/build` holds an admin panel built from the current sources (fast: one hash of the sources,
 * when nothing changed). Needs the plugin built first (`npm run build`): the admin bundle imports its `dist/admin`.
 */
export async function ensureAdminBuild(options: { timeoutMs?: number; force?: boolean } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  if (!options.force && adminBuildStaleReason() === null) return;
  if (!fs.existsSync(path.join(pluginAdminDist, 'index.mjs'))) {
    throw new Error('the plugin is not built (dist/admin/index.mjs is missing): run `npm run build` first');
  }
  const release = await takeLock(timeoutMs);
  try {
    // Another test file may have built it while this one waited for the lock.
    const fingerprint = adminSourcesFingerprint();
    const reason = options.force ? 'forced' : adminBuildStaleReason(fingerprint);
    if (reason === null) return;
    process.stderr.write(`[admin-build] building the playground admin panel (${reason}), about a minute…\n`);
    const startedAt = Date.now();
    await runStrapiBuild(timeoutMs);
    assertPluginInBuild();
    // The fingerprint taken before the build: a source edited during the build makes the next run build again.
    fs.writeFileSync(fingerprintFile, `${fingerprint}\n`);
    process.stderr.write(`[admin-build] done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n`);
  } finally {
    release();
  }
}
