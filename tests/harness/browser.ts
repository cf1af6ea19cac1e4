/**
 * A real browser for admin UI tests: playwright-core driving Debian's `chromium` package (Playwright's own browser
 * downloads are not reachable here, and not needed). No vitest imports.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './strapi';

export const screenshotDir = path.join(repoRoot, 'test-artifacts', 'screenshots');

export const CHROMIUM_MISSING_MESSAGE =
  'Chromium is not installed: the browser tests drive Debian\'s "chromium" package ' +
  '(apt-get install -y --no-install-recommends chromium), or set CHROMIUM_PATH to a Chromium/Chrome binary.';

/**
 * The Chromium binary: $CHROMIUM_PATH, else Debian's real binary behind its /usr/bin/chromium shell wrapper (the
 * wrapper only adds desktop flags and extensions), else whatever `chromium` is on the PATH.
 */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'];
  for (const candidate of candidates) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('which', [name], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (found) return found;
    } catch {
      // not on the PATH
    }
  }
  return null;
}

export function chromiumAvailable(): boolean {
  return findChromium() !== null;
}

export async function launchBrowser(options: { headless?: boolean } = {}): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(CHROMIUM_MISSING_MESSAGE);
  return chromium.launch({
    executablePath,
    headless: options.headless ?? process.env.HEADED !== '1',
    // Tests run as root in CI, where Chromium's sandbox refuses to start: Playwright then passes --no-sandbox.
    chromiumSandbox: false,
    args: [
      // Containers often have a 64 MB /dev/shm, too small for the renderer: use /tmp instead.
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
    ],
    timeout: 60_000,
  });
}

/**
 * Keeps the browser on the test server: requests to any other origin (the admin's update check on api.github.com,
 * the marketplace, analytics) are aborted at once, so tests neither wait on DNS nor depend on the internet.
 */
export async function blockExternalRequests(context: BrowserContext, baseUrl: string): Promise<void> {
  const origin = new URL(baseUrl).origin;
  await context.route(
    (url) => url.origin !== origin && /^https?:$/.test(url.protocol),
    (route) => route.abort('blockedbyclient')
  );
}

/** Errors the page reported; check them at the end of a test. */
export interface PageProblems {
  /** Exceptions nothing caught (`pageerror`). */
  uncaught: string[];
  /** `console.error` messages, including failed loads from the test server. */
  consoleErrors: string[];
  /** Failed loads of other origins' resources (see blockExternalRequests): expected offline, kept for reading. */
  externalLoadFailures: string[];
}

export function watchPageProblems(page: Page, baseUrl: string): PageProblems {
  const origin = new URL(baseUrl).origin;
  const problems: PageProblems = { uncaught: [], consoleErrors: [], externalLoadFailures: [] };
  page.on('pageerror', (error) =>
    problems.uncaught.push(`${error.name}: ${error.message}\n${error.stack ?? ''}`)
  );
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    const text = `${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`;
    const external = url && /^https?:/.test(url) && new URL(url).origin !== origin;
    if (external && message.text().startsWith('Failed to load resource'))
      problems.externalLoadFailures.push(text);
    else problems.consoleErrors.push(text);
  });
  return problems;
}

/** Logs in through the admin's login form and waits until the admin has left the auth pages. */
export async function loginToAdmin(
  page: Page,
  baseUrl: string,
  email: string,
  password: string
): Promise<void> {
  await page.goto(`${baseUrl}/admin/auth/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(
    (url) => url.pathname.startsWith('/admin') && !url.pathname.startsWith('/admin/auth'),
    { timeout: 60_000 }
  );
}

/** Writes a full-page screenshot to test-artifacts/screenshots/<name>.png (git-ignored) and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const file = path.join(screenshotDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
