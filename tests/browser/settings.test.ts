/**
 * Settings → Email piping and the support dashboard in a real browser, against a real Dovecot: a mailbox is created
 * through the form (the connection test shows the server's reason for a wrong password, then OK), mail is imported
 * with "Run now", the list shows push / polling, a piping rule written in the editor sets the priority of the next
 * mail, a quarantined mail is reprocessed from the quarantine page, the simulator decides on a pasted .eml, a template
 * is previewed right to left, the dashboard draws its charts, and an editor without settings.manage is kept out.
 * Screenshots: test-artifacts/screenshots/settings-*.png.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ensureAdminBuild } from '../harness/admin-build';
import {
  blockExternalRequests,
  launchBrowser,
  loginToAdmin,
  saveScreenshot,
  watchPageProblems,
  type PageProblems,
} from '../harness/browser';
import type { DovecotServer } from '../harness/dovecot';
import { appendMessages } from '../harness/imap';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';

const CRLF = '\r\n';
const POLL = { timeout: 20_000, interval: 100 };
/** What Chromium logs for a refused request the test provokes on purpose (validation errors). */
const EXPECTED_REFUSAL = /Failed to load resource: the server responded with a status of 400/;

function mail(headers: Record<string, string>, body: string): string {
  const id = headers['Message-ID'] ?? `<${crypto.randomBytes(6).toString('hex')}@customer.test>`;
  return [...Object.entries({ ...headers, 'Message-ID': id }).map(([k, v]) => `${k}: ${v}`), '', body].join(
    CRLF
  );
}

/** A mail with an attachment larger than the upload limit the test sets: the importer quarantines it. */
function mailWithAttachment(to: string): string {
  const boundary = `b-${crypto.randomBytes(4).toString('hex')}`;
  return [
    'From: Quinn <quinn@customer.test>',
    `To: ${to}`,
    'Subject: Invoice attached',
    `Message-ID: <${crypto.randomBytes(6).toString('hex')}@customer.test>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Please find the invoice attached.',
    `--${boundary}`,
    'Content-Type: application/pdf; name="invoice.pdf"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="invoice.pdf"',
    '',
    crypto.randomBytes(3000).toString('base64').replace(/.{76}/g, '$&\r\n'),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

describe('settings pages and dashboard in the browser', () => {
  let app: TestStrapi | undefined;
  let admin: AdminSession;
  let dovecot: DovecotServer;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  const address = `support-${crypto.randomBytes(4).toString('hex')}@example.test`;
  let mailboxId = 0;
  let ruleId = 0;
  const timings: Record<string, number> = {};

  const settingsUrl = (path: string) => `${app!.baseUrl}/admin/settings/email-piping/${path}`;
  const field = (name: string) => page.locator(`[name="${name}"]`);

  /** A screenshot with the pointer out of the way (no tooltips), scrolled to the top or to what matters. */
  async function shot(name: string, focus?: Locator, on: Page = page) {
    await on.mouse.move(1200, 890);
    // A focused menu link shows its tooltip: no focus, no tooltip.
    await on.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await on.evaluate(
      (toTop) =>
        document.querySelectorAll('*').forEach((element) => {
          if (element.scrollLeft > 0) element.scrollLeft = 0;
          if (toTop && element.scrollTop > 0) element.scrollTop = 0;
        }),
      !focus
    );
    if (focus) await focus.scrollIntoViewIfNeeded();
    await saveScreenshot(on, name);
  }

  async function chooseOption(label: string | RegExp, option: string | RegExp, scope: Page = page) {
    await scope.getByRole('combobox', { name: label, exact: true }).click();
    await scope.getByRole('option', { name: option, exact: true }).click();
  }

  /** Opens a settings page by its path and waits for its heading. */
  async function openSettings(path: string, heading: string) {
    await page.goto(settingsUrl(path));
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  /** The test mailbox as the admin API shows it. */
  async function storedMailbox() {
    const stored = await admin.request<{ data: Record<string, unknown> }>(
      'GET',
      `/email-piping/mailboxes/${mailboxId}`
    );
    return stored.body.data;
  }

  async function ticketsOfMailbox() {
    const list = await admin.request<{
      data: { results: Array<{ id: number; subject: string; priority: string }> };
    }>('GET', `/email-piping/tickets?mailbox=${mailboxId}&sort=number:asc&pageSize=100`);
    return list.body.data.results;
  }

  async function runImport() {
    const run = await admin.request<{ data: { status: string } }>(
      'POST',
      `/email-piping/mailboxes/${mailboxId}/run?wait=true`
    );
    expect(run.body.data.status, JSON.stringify(run.body)).toBe('imported');
  }

  async function newContext(): Promise<BrowserContext> {
    const created = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    created.setDefaultTimeout(30_000);
    await blockExternalRequests(created, app!.baseUrl);
    return created;
  }

  beforeAll(async () => {
    let started = Date.now();
    await ensureAdminBuild(); // about a minute when the admin sources changed, milliseconds otherwise
    timings.adminBuild = Date.now() - started;
    started = Date.now();
    dovecot = inject('dovecot') as unknown as DovecotServer;
    app = await bootStrapi({ listen: true, serveAdminPanel: true });
    admin = await loginAdmin(app);
    browser = await launchBrowser();
    context = await newContext();
    page = await context.newPage();
    problems = watchPageProblems(page, app.baseUrl);
    await loginToAdmin(page, app.baseUrl, admin.email, admin.password);
    // Strapi's "new Media Library" banner: dismissed (per user), so screenshots show the pages themselves.
    const banner = page.getByText('Introducing the new Media Library');
    await banner.waitFor({ timeout: 5_000 }).catch(() => undefined);
    if ((await banner.count()) > 0) {
      await page.getByRole('button', { name: 'Close the banner' }).click();
      await banner.waitFor({ state: 'detached' });
    }
    timings.boot = Date.now() - started;
  }, 10 * 60_000);

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      if (page) await saveScreenshot(page, `failed-settings-${task.name}`).catch(() => undefined);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    process.stderr.write(`[settings.test] timings (ms): ${JSON.stringify(timings)}\n`);
  });

  it('lists the plugin settings in the settings menu', async () => {
    await page.goto(`${app!.baseUrl}/admin/settings`);
    const nav = page.getByRole('navigation');
    for (const label of [
      'Mailboxes',
      'Forwarding addresses',
      'CC import',
      'Allowed mail and senders',
      'Piping rules',
      'Rule simulator',
      'Block lists',
      'Notification templates',
      'Quarantine',
      'Suppressed addresses',
    ]) {
      await nav.getByRole('link', { name: label, exact: true }).waitFor();
    }
    await nav.getByRole('link', { name: 'Mailboxes', exact: true }).click();
    await page.waitForURL('**/admin/settings/email-piping/mailboxes');
    await page.getByRole('heading', { level: 1, name: 'Mailboxes' }).waitFor();
    await page.getByText('No mailbox yet. Add the address your customers write to.').waitFor();
  });

  it('creates a mailbox through the form: the connection test shows the server’s reason, then OK', async () => {
    await page.getByRole('link', { name: 'Add a mailbox' }).click();
    await page.waitForURL('**/admin/settings/email-piping/mailboxes/new');
    await page.getByRole('heading', { level: 1, name: 'New mailbox' }).waitFor();
    await field('name').fill('Support desk');
    await field('address').fill(address);
    await field('host').fill(dovecot.host);
    await field('port').fill(String(dovecot.port));
    await chooseOption('Security', /^None/);
    await field('username').fill(address);
    await field('password').fill('not-the-password');

    // A wrong password: the server's reason, as it said it.
    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('connection-test-result');
    await result.getByText('Connection failed (auth)').waitFor();
    await expect
      .poll(() => result.textContent(), POLL)
      .toMatch(/IMAP login failed for .*check the user name/);
    await shot('settings-mailbox-test-failed', result);

    await field('password').fill(dovecot.password);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await result.getByText('Connection OK').waitFor();
    await result.getByText(/Logged in and opened INBOX: 0 messages/).waitFor();

    // A refusal names its field: shown under it.
    await field('schedule').fill('every minute');
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByText(/"every minute" is not a valid cron expression/)
      .first()
      .waitFor();
    expect(await page.url()).toMatch(/\/mailboxes\/new$/);

    await field('schedule').fill('0 0 1 1 *');
    await field('forwardingAddresses').fill('sales@example.test');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/settings\/email-piping\/mailboxes\/\d+$/);
    mailboxId = Number(new URL(page.url()).pathname.split('/').pop());
    await page.getByRole('heading', { level: 1, name: 'Edit mailbox Support desk' }).waitFor();
    // The password is write-only: the form says one is stored.
    await page.getByText('A password is stored. Leave empty to keep it.').first().waitFor();
    expect(await field('password').inputValue()).toBe('');
    await shot('settings-mailbox-form');

    expect(await storedMailbox()).toMatchObject({
      name: 'Support desk',
      address,
      host: dovecot.host,
      port: dovecot.port,
      security: 'none',
      schedule: '0 0 1 1 *',
      hasPassword: true,
      forwardingAddresses: ['sales@example.test'],
    });
    // Testing the saved mailbox with an empty password field uses the stored one.
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByTestId('connection-test-result').getByText('Connection OK').waitFor();
  });

  it('imports a mail with "Run now" and shows the counts', async () => {
    await appendMessages(dovecot, address, [
      mail({ From: 'Jane <jane@customer.test>', To: address, Subject: 'Printer jammed' }, 'It jams.'),
    ]);
    await page.goto(settingsUrl('mailboxes'));
    const row = page.locator(`tbody tr[data-mailbox-id="${mailboxId}"]`);
    await row.getByText('Never').waitFor();
    const started = Date.now();
    await row.getByRole('button', { name: 'Run now' }).click();
    await row.getByText('1 ticket · 0 replies', { exact: true }).waitFor();
    await row.getByText('0 quarantined · 0 skipped', { exact: true }).waitFor();
    await row.getByText('Last run: 1 of 1 messages').waitFor();
    timings.runNowToCounts = Date.now() - started;
    await row.getByText('OK', { exact: true }).waitFor();
    await shot('settings-mailboxes');
    expect((await ticketsOfMailbox()).map((ticket) => ticket.subject)).toEqual(['Printer jammed']);

    // Push: the real IDLE watcher (this suite boots with autoStart off, so the test starts it) and its state in the
    // list; left out of the watched set, the mailbox is polled again and the list says so.
    const push = app!.strapi.plugin('email-piping').service('push');
    await push.watch([mailboxId]);
    await expect.poll(async () => (await storedMailbox()).pushState, POLL).toBe('push');
    await page.reload();
    await row.getByTestId('mailbox-push-state').getByText('Push', { exact: true }).waitFor();
    await shot('settings-mailboxes-push', row);
    await push.watch([]);
    await page.reload();
    await row.getByTestId('mailbox-push-state').getByText('Polling', { exact: true }).waitFor();
    await row.getByText('no IDLE connection from this instance').waitFor();
  });

  it('shows a failing mailbox’s reason and a paused mailbox’s resume button', async () => {
    // A run that cannot log in: the list shows the server's reason and when it tries again.
    await admin.request('PUT', `/email-piping/mailboxes/${mailboxId}`, { password: 'changed-elsewhere' });
    const failed = await admin.request<{ data: { status: string } }>(
      'POST',
      `/email-piping/mailboxes/${mailboxId}/run?wait=true`
    );
    expect(failed.body.data.status).toBe('failed');
    await page.goto(settingsUrl('mailboxes'));
    const row = page.locator(`tbody tr[data-mailbox-id="${mailboxId}"]`);
    await row.getByText('Failing', { exact: true }).waitFor();
    await expect
      .poll(() => row.getByTestId('mailbox-last-error').textContent(), POLL)
      .toMatch(/IMAP login failed/);
    await row.getByText(/^Next attempt /).waitFor();
    await shot('settings-mailboxes-failing');
    await admin.request('PUT', `/email-piping/mailboxes/${mailboxId}`, { password: dovecot.password });
    await row.getByRole('button', { name: 'Run now' }).click();
    await row.getByText('OK', { exact: true }).waitFor();
    expect(await row.getByTestId('mailbox-last-error').count()).toBe(0);

    // The circuit breaker's pause, as the outbox guard records it.
    await app!.strapi.db.query('plugin::email-piping.mailbox' as never).update({
      where: { id: mailboxId },
      data: { autoMailPausedAt: new Date(), autoMailPausedReason: '300 automatic mails in 60 minutes' },
    });
    await page.goto(settingsUrl('mailboxes'));
    const alert = page.getByText('Automatic mail of Support desk is paused');
    await alert.waitFor();
    await page.getByText(/300 automatic mails in 60 minutes/).waitFor();
    await shot('settings-mailboxes-paused');
    await page.getByRole('button', { name: 'Resume automatic mail' }).click();
    await page.getByText('Automatic mail of Support desk goes out again').waitFor();
    await expect.poll(() => alert.count(), POLL).toBe(0);
    expect((await storedMailbox()).autoMailPausedAt).toBeNull();
  });

  it('creates a rule in the editor and applies it to the next mail', async () => {
    await openSettings('rules', 'Piping rules');
    await page.getByText('No piping rule yet.').waitFor();
    await page.getByRole('link', { name: 'Add a rule' }).click();
    await page.waitForURL('**/settings/email-piping/rules/new');
    await field('name').fill('Urgent mail');
    const condition = page.getByRole('group', { name: 'Condition 1' });
    await chooseOption('Field', 'Subject', page);
    // An unsafe regular expression: refused by the server, shown on the pattern.
    await chooseOption('Match', 'matches the regular expression');
    await field('conditions[0].pattern').fill('(a+)+$');
    await page.getByRole('button', { name: 'Save' }).click();
    await condition.getByText(/this regular expression can take exponential time/).waitFor();
    await shot('settings-rule-editor-refused', condition);

    await chooseOption('Match', 'matches the wildcard');
    await field('conditions[0].pattern').fill('*Urgent*');
    // The edited condition is judged afresh on the next save: the old refusal goes at once.
    await condition
      .getByText(/this regular expression can take exponential time/)
      .waitFor({ state: 'detached' });
    await page.getByRole('group', { name: 'Action 1' }).getByRole('combobox', { name: 'Priority' }).waitFor();
    await page.getByRole('button', { name: 'Add an action' }).click();
    const second = page.getByRole('group', { name: 'Action 2' });
    await second.getByRole('combobox', { name: 'Action' }).click();
    await page.getByRole('option', { name: 'Add tags' }).click();
    await second.locator('[name="actions[1].value"]').fill('urgent, printer');
    await shot('settings-rule-editor');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/settings\/email-piping\/rules$/);
    const row = page.locator('tbody tr[data-rule-id]');
    await row.getByText('Urgent mail', { exact: true }).waitFor();
    await row.getByText('Subject matches the wildcard “*Urgent*”', { exact: true }).waitFor();
    await row.getByText('Set priority: High', { exact: true }).waitFor();
    ruleId = Number(await row.getAttribute('data-rule-id'));

    await appendMessages(dovecot, address, [
      mail({ From: 'Bob <bob@customer.test>', To: address, Subject: 'Urgent: server down' }, 'Help!'),
    ]);
    await runImport();
    const urgent = (await ticketsOfMailbox()).find((ticket) => ticket.subject === 'Urgent: server down');
    expect(urgent?.priority).toBe('high');
    const detail = await admin.request<{ data: { priority: string; tags: string[] } }>(
      'GET',
      `/email-piping/tickets/${urgent!.id}`
    );
    expect(detail.body.data).toMatchObject({ priority: 'high', tags: ['urgent', 'printer'] });

    await page.reload();
    await expect.poll(() => row.getByTestId('rule-hits').textContent(), POLL).toBe('1');
    await row.getByText(/^Last /).waitFor();

    // A second rule, moved above the first with the arrows.
    const other = await admin.request<{ data: { id: number } }>('POST', '/email-piping/piping-rules', {
      name: 'Invoices',
      conditions: [{ field: 'subject', mode: 'wildcard', pattern: '*invoice*' }],
      actions: [{ type: 'setCategory', value: 'billing' }],
    });
    await page.reload();
    await page.getByRole('button', { name: 'Move Invoices up' }).click();
    await expect
      .poll(
        async () => (await page.locator('tbody tr[data-rule-id]').first().getAttribute('data-rule-id')) ?? '',
        POLL
      )
      .toBe(String(other.body.data.id));
    const order = await admin.request<{ data: Array<{ id: number }> }>('GET', '/email-piping/piping-rules');
    expect(order.body.data.map((rule) => rule.id)).toEqual([other.body.data.id, ruleId]);
    await shot('settings-rules');
  });

  it('simulates a pasted .eml: outcome, flags, thread, matched rules and trace', async () => {
    await openSettings('simulator', 'Rule simulator');
    await page.getByRole('combobox', { name: 'Mailbox' }).getByText('Support desk').waitFor();
    await field('eml').fill(
      mail(
        {
          From: 'Carla <carla@customer.test>',
          To: address,
          Subject: 'Urgent: printer on fire',
          'Auto-Submitted': 'auto-replied',
        },
        'Out of office, but urgent.'
      )
    );
    await page.getByRole('button', { name: 'Simulate' }).click();
    const result = page.getByTestId('simulation-result');
    await result.locator('[data-outcome="ticket-created"]').waitFor();
    await result.getByText('Opens a new ticket').waitFor();
    await result.getByText('Auto-reply', { exact: true }).waitFor();
    // The simulator checks the sender as the importer would (customer.test publishes no DMARC record).
    await result.getByText('Sender authentication', { exact: true }).waitFor();
    await result.getByTestId('matched-rule').getByText(`#${ruleId} Urgent mail`).waitFor();
    await expect
      .poll(() => result.getByTestId('simulation-trace').textContent(), POLL)
      .toContain('Urgent mail');
    await shot('settings-simulator', result);
    // Nothing was stored.
    expect((await ticketsOfMailbox()).some((ticket) => ticket.subject === 'Urgent: printer on fire')).toBe(
      false
    );
  });

  it('reprocesses a quarantined mail from the quarantine page', async () => {
    const uploadConfig = app!.strapi.config.get('plugin::upload') as Record<string, unknown>;
    // The site's upload limit refuses the attachment: the mail is quarantined with the reason.
    app!.strapi.config.set('plugin::upload', { ...uploadConfig, sizeLimit: 100 });
    try {
      await appendMessages(dovecot, address, [mailWithAttachment(address)]);
      await runImport();
    } finally {
      app!.strapi.config.set('plugin::upload', uploadConfig);
    }
    await openSettings('quarantine', 'Quarantine');
    const row = page.locator('tbody tr[data-receipt-id]');
    await row.getByText('Invoice attached').waitFor();
    await expect
      .poll(() => row.getByTestId('quarantine-reason').textContent(), POLL)
      .toMatch(/^cannot be stored/);
    await page.getByText('1 mail could not be imported. Fix the cause, then reprocess.').waitFor();

    await row.getByRole('button', { name: 'View the source' }).click();
    const source = page.getByTestId('quarantine-source');
    await expect.poll(() => source.textContent(), POLL).toContain('Subject: Invoice attached');
    await shot('settings-quarantine-source');
    await page.getByRole('button', { name: 'Close' }).last().click();
    await source.waitFor({ state: 'detached' });
    await shot('settings-quarantine');

    await row.getByRole('button', { name: 'Reprocess' }).click();
    await page.getByText('Reprocessed: ticket-created').waitFor();
    await page.getByText('The quarantine is empty.').waitFor();
    expect((await ticketsOfMailbox()).some((ticket) => ticket.subject === 'Invoice attached')).toBe(true);
  });

  it('edits the block lists: a refused pattern is shown on its field', async () => {
    await openSettings('block-rules', 'Block lists');
    await page.getByText('Sender matches the wildcard “mailer-daemon@*”', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add a block rule' }).click();
    const dialog = page.getByRole('dialog');
    await chooseOption('Field', 'Subject');
    await chooseOption('Match', 'matches the regular expression');
    await dialog.locator('[name="pattern"]').fill('(x+x+)+y');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText(/this regular expression can take exponential time/).waitFor();
    await dialog.locator('[name="pattern"]').fill('^Buy now');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Subject matches the regular expression “^Buy now”', { exact: true }).waitFor();
    await shot('settings-block-lists');
  });

  it('previews a template right to left in a sandboxed frame, and saves it', async () => {
    await openSettings('templates', 'Notification templates');
    // The shipped English text first.
    await expect
      .poll(() => field('subject').inputValue(), POLL)
      .toBe('We received your request: {{ticket.subject}}');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByTestId('template-preview');
    await expect.poll(() => preview.getAttribute('data-direction'), POLL).toBe('ltr');
    await shot('settings-templates');

    await chooseOption('Language', 'Another language…');
    await field('languageCode').fill('ar');
    await field('subject').fill('تلقينا طلبك: {{ticket.subject}}');
    await field('body').fill(
      'مرحبا {{requester.name}}،\n\nلقد فتحنا التذكرة رقم {{ticket.number}}.\n\n{{mailbox.name}}'
    );
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => preview.getAttribute('data-direction'), POLL).toBe('rtl');
    const frame = preview.locator('iframe');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('srcdoc')).toContain('dir="rtl"');
    await expect
      .poll(() => page.getByTestId('template-preview-subject').textContent(), POLL)
      .toContain('تلقينا طلبك: My order has not arrived');
    // The frame's document is the server's rendering, with the sample values.
    const inner = page.frameLocator('[data-testid="template-preview"] iframe');
    await inner.getByText('لقد فتحنا التذكرة رقم 1234.').waitFor();
    await shot('settings-template-preview-rtl', preview);

    // An unknown placeholder is refused on save, naming it.
    await field('body').fill('Hello {{ticket.nubmer}}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByText(/unknown placeholder \{\{ticket\.nubmer\}\}/)
      .first()
      .waitFor();
    await field('body').fill('مرحبا {{requester.name}}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Template saved').waitFor();
    await page.getByText('Customised', { exact: true }).waitFor();
    const templates = await admin.request<{
      data: { templates: Array<{ language: string; event: string }> };
    }>('GET', '/email-piping/templates');
    expect(templates.body.data.templates).toEqual([
      expect.objectContaining({ language: 'ar', event: 'ticket-acknowledgement' }),
    ]);
  });

  it('lists suppressed addresses and lifts one', async () => {
    await app!.strapi.plugin('email-piping').service('suppressions').suppress({
      address: 'gone@customer.test',
      status: '5.1.1',
      reason: 'user unknown',
    });
    await openSettings('suppressions', 'Suppressed addresses');
    await page.getByText('gone@customer.test').waitFor();
    await page.getByText('5.1.1 · user unknown').waitFor();
    await shot('settings-suppressions');
    await page.getByRole('button', { name: 'Lift' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('No address is suppressed.').waitFor();
  });

  it('edits a mailbox setting on its own page (CC import, forwarding, allowed mail)', async () => {
    await openSettings('allowed-mail', 'Allowed mail and senders');
    const card = page.locator(`form[data-mailbox-id="${mailboxId}"]`);
    await chooseOption('Allowed senders', 'Only the addresses and domains listed');
    await card.locator('[name="allowedSenders.domains"]').fill('not a domain');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText(/"not a domain" is not a domain/).waitFor();
    await card.locator('[name="allowedSenders.domains"]').fill('customer.test');
    await card.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved for Support desk').waitFor();
    await shot('settings-allowed-mail');

    await openSettings('cc-import', 'CC import');
    await shot('settings-cc-import');
    await openSettings('forwarding', 'Forwarding addresses');
    await expect.poll(() => field('forwardingAddresses').inputValue(), POLL).toBe('sales@example.test');
    await shot('settings-forwarding');

    expect((await storedMailbox()).allowedSenders).toEqual({
      mode: 'listed',
      addresses: [],
      domains: ['customer.test'],
    });
    await admin.request('PUT', `/email-piping/mailboxes/${mailboxId}`, {
      allowedSenders: { mode: 'anyone' },
    });
  });

  it('draws the dashboard charts', async () => {
    // Automatic mail for the second chart: an out-of-office note and a mailing-list mail.
    await appendMessages(dovecot, address, [
      mail(
        {
          From: 'Dana <dana@customer.test>',
          To: address,
          Subject: 'Out of office: back on Monday',
          'Auto-Submitted': 'auto-replied',
        },
        'I am out of the office until Monday.'
      ),
      mail(
        {
          From: 'News <news@lists.example.test>',
          To: address,
          Subject: 'Weekly digest',
          'List-Id': '<weekly.lists.example.test>',
          Precedence: 'list',
        },
        'This week in news.'
      ),
    ]);
    await runImport();
    await page.goto(`${app!.baseUrl}/admin`);
    await page.getByRole('link', { name: 'Support dashboard' }).click();
    await page.waitForURL('**/admin/plugins/email-piping/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Support dashboard' }).waitFor();
    for (const name of [
      'Tickets created per day, stacked by mailbox',
      'Automatic mail recognised per day, one line per kind',
      'Loops stopped per day',
    ]) {
      await page.getByRole('img', { name: new RegExp(`^${name}`) }).waitFor();
    }
    const tickets = (await ticketsOfMailbox()).length;
    await expect.poll(() => page.getByTestId('total-tickets').textContent(), POLL).toBe(String(tickets));
    const bars = page.getByTestId('chart-tickets').locator(`rect[data-series="${mailboxId}"]`);
    expect(await bars.count()).toBeGreaterThan(0);
    await page.getByTestId('chart-tickets').getByText(`Support desk (${tickets})`).waitFor();
    await expect
      .poll(async () => Number(await page.getByTestId('total-automatic').textContent()), POLL)
      .toBe(2);
    expect(await page.getByTestId('chart-automatic').locator('circle[data-value]').count()).toBeGreaterThan(
      0
    );
    await page.keyboard.press('Escape'); // the menu link's tooltip, open since the click
    await shot('dashboard');
  });

  it('keeps an editor without settings permission out of the settings pages', async () => {
    const roles = app!.strapi.service('admin::role');
    const role = await roles.create({
      name: `readers-${crypto.randomBytes(3).toString('hex')}`,
      description: '',
    });
    await roles.assignPermissions(role.id, [
      { action: 'plugin::email-piping.tickets.read', subject: null, properties: {}, conditions: [] },
    ]);
    const editor = await loginAdmin(app!, { roleId: role.id });
    const editorContext = await newContext();
    const editorPage = await editorContext.newPage();
    const editorProblems = watchPageProblems(editorPage, app!.baseUrl);
    try {
      await loginToAdmin(editorPage, app!.baseUrl, editor.email, editor.password);
      await editorPage.getByRole('link', { name: 'Tickets' }).waitFor();
      // The dashboard is about tickets: an agent who may read them sees it.
      await editorPage.getByRole('link', { name: 'Support dashboard' }).waitFor();
      await editorPage.goto(`${app!.baseUrl}/admin/settings`);
      await editorPage.getByRole('link', { name: 'Overview' }).waitFor();
      expect(await editorPage.getByRole('link', { name: 'Mailboxes', exact: true }).count()).toBe(0);
      expect(await editorPage.getByText('Email piping', { exact: true }).count()).toBe(0);

      for (const path of ['mailboxes', 'rules', 'quarantine', 'templates']) {
        await editorPage.goto(settingsUrl(path));
        await editorPage.getByText("You don't have the permissions to access that content").waitFor();
        expect(await editorPage.getByRole('heading', { level: 1 }).count()).toBe(0);
      }
      await shot('settings-no-permission', undefined, editorPage);
      expect(editorProblems.uncaught).toEqual([]);
      expect(editorProblems.consoleErrors).toEqual([]);
    } finally {
      await editorContext.close();
    }
  });

  it('has no uncaught errors in the browser', () => {
    expect(problems.uncaught).toEqual([]);
    expect(problems.consoleErrors.filter((message) => !EXPECTED_REFUSAL.test(message))).toEqual([]);
  });
});
