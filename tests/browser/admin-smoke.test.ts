/**
 * The admin panel in a real browser: the playground's built admin served by a real Strapi, a super admin logging in
 * through the form, and the plugin's tickets page rendering without errors. Screenshots land in
 * test-artifacts/screenshots/.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ensureAdminBuild } from '../harness/admin-build';
import {
  blockExternalRequests,
  launchBrowser,
  loginToAdmin,
  saveScreenshot,
  watchPageProblems,
  type PageProblems,
} from '../harness/browser';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';

describe('admin panel smoke test', () => {
  let app: TestStrapi | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let problems: PageProblems;
  let admin: AdminSession;

  beforeAll(async () => {
    await ensureAdminBuild(); // about a minute when the admin sources changed, milliseconds otherwise
    app = await bootStrapi({ listen: true, serveAdminPanel: true });
    admin = await loginAdmin(app);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    context.setDefaultTimeout(30_000);
    await blockExternalRequests(context, app.baseUrl);
    page = await context.newPage();
    problems = watchPageProblems(page, app.baseUrl);
  }, 10 * 60_000);

  beforeEach(({ task, onTestFailed }) => {
    // What the browser showed when a test failed: test-artifacts/screenshots/failed-<test>.png.
    onTestFailed(async () => {
      if (page) await saveScreenshot(page, `failed-${task.name}`).catch(() => undefined);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('logs in through the login form and shows the home page', async () => {
    await loginToAdmin(page, app!.baseUrl, admin.email, admin.password);
    await page.getByRole('heading', { level: 1, name: 'Hello Test' }).waitFor();
    // The plugin's menu link is there for a super admin.
    await page.getByRole('link', { name: 'Tickets' }).waitFor();
    await saveScreenshot(page, 'admin-home');
  });

  it("opens the plugin's tickets page", async () => {
    await page.getByRole('link', { name: 'Tickets' }).click();
    await page.waitForURL('**/admin/plugins/email-piping');
    await page.getByRole('heading', { level: 1, name: 'Tickets' }).waitFor();
    await page.getByText('No tickets yet').waitFor();
    await saveScreenshot(page, 'email-piping-tickets');
    // A direct load of the page's URL works too.
    await page.goto(`${app!.baseUrl}/admin/plugins/email-piping`);
    await page.getByRole('heading', { level: 1, name: 'Tickets' }).waitFor();
  });

  it("keeps the plugin's content types out of the Content Manager (the plugin's pages are the way to edit)", async () => {
    const response = await admin.request<{ data: Array<{ uid: string; isDisplayed: boolean }> }>(
      'GET',
      '/content-manager/content-types'
    );
    expect(response.status).toBe(200);
    const ours = response.body.data.filter((type) => type.uid.startsWith('plugin::email-piping.'));
    expect(ours.map((type) => type.uid)).toEqual(
      expect.arrayContaining(['plugin::email-piping.ticket', 'plugin::email-piping.ticket-message'])
    );
    expect(ours.filter((type) => type.isDisplayed).map((type) => type.uid)).toEqual([]);
    // Not a vacuous check: another plugin's type is displayed.
    expect(response.body.data.some((type) => type.isDisplayed)).toBe(true);

    await page.goto(`${app!.baseUrl}/admin/content-manager`);
    const nav = page.getByRole('navigation', { name: 'Content Manager' });
    await nav.getByRole('link', { name: 'User' }).waitFor();
    const shown = (await nav.getByRole('link').allInnerTexts()).map((name) => name.trim().toLowerCase());
    const ourNames = ['block rule', 'inbound receipt', 'mailbox', 'notification template', 'outbox message'];
    ourNames.push('piping rule', 'suppressed address', 'ticket message', 'ticket');
    expect(shown.filter((name) => ourNames.includes(name))).toEqual([]);
    await saveScreenshot(page, 'content-manager');

    // The plugin's own page still opens after a visit there.
    await page.goto(`${app!.baseUrl}/admin/plugins/email-piping`);
    await page.getByRole('heading', { level: 1, name: 'Tickets' }).waitFor();
  });

  it('has no uncaught errors in the browser', () => {
    expect(problems.uncaught).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
  });
});
