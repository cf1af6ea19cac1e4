/**
 * Sender authentication in the ticket view, in a real browser fed by real mail: a customer mail that the site's own
 * MX authenticated wears a "Sender verified" badge, and a forged agent reply (subject token, failing
 * Authentication-Results) shows as an internal note marked "Unverified agent mail", never as a reply.
 * Screenshot: test-artifacts/screenshots/sender-authentication.png.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ensureAdminBuild } from '../harness/admin-build';
import { blockExternalRequests, launchBrowser, loginToAdmin, saveScreenshot } from '../harness/browser';
import { TestDns } from '../harness/dkim';
import type { DovecotServer } from '../harness/dovecot';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { createSupportMailbox, deliverAndImport } from '../harness/support-mailbox';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';

const CRLF = '\r\n';
const AGENT = 'agent@example.test';
const OUR_MX = 'mx.desk.test';
const POLL = { timeout: 15_000, interval: 100 };

function mail(headers: Record<string, string>, body: string): string {
  const id = `<${crypto.randomBytes(6).toString('hex')}@sender.test>`;
  return [...Object.entries({ 'Message-ID': id, ...headers }).map(([k, v]) => `${k}: ${v}`), '', body].join(
    CRLF
  );
}

describe('sender authentication in the ticket view', () => {
  const dns = new TestDns();
  dns.dmarc('example.test', 'v=DMARC1; p=reject');
  let app: TestStrapi | undefined;
  let admin: AdminSession;
  let smtp: SmtpSink;
  let browser: Browser | undefined;
  let page: Page;
  let ticketId = 0;

  beforeAll(async () => {
    await ensureAdminBuild();
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    smtp = await startSmtpSink();
    app = await bootStrapi({
      listen: true,
      serveAdminPanel: true,
      pluginConfig: { outboxPollMs: 100, dnsResolver: dns.resolver },
    });
    admin = await loginAdmin(app);
    const box = await createSupportMailbox(
      { admin, dovecot, smtp },
      { agentAddresses: [AGENT], trustedAuthservIds: [OUR_MX] }
    );
    const importMail = (raw: string) => deliverAndImport({ admin, dovecot }, box, [raw]);
    await importMail(
      mail(
        {
          'Authentication-Results': `${OUR_MX}; spf=pass smtp.mailfrom=jane@customer.test; dkim=none`,
          From: 'Jane Customer <jane@customer.test>',
          To: box.address,
          Subject: 'Printer on fire',
        },
        'It is on fire.'
      )
    );
    const list = await admin.request<{ data: { results: Array<{ id: number; number: number }> } }>(
      'GET',
      `/email-piping/tickets?mailbox=${box.id}`
    );
    ticketId = list.body.data.results[0].id;
    await importMail(
      mail(
        {
          'Authentication-Results': `${OUR_MX}; spf=fail smtp.mailfrom=example.test; dkim=none; dmarc=fail header.from=example.test`,
          From: `Alex Agent <${AGENT}>`,
          To: box.address,
          Subject: `Re: [#${list.body.data.results[0].number}] Printer on fire`,
        },
        'Send your card number to https://evil.test'
      )
    );
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    context.setDefaultTimeout(30_000);
    await blockExternalRequests(context, app.baseUrl);
    page = await context.newPage();
    await loginToAdmin(page, app.baseUrl, admin.email, admin.password);
  }, 10 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await smtp?.stop();
  });

  it('badges each inbound mail and marks the forged agent reply as unverified', async () => {
    await page.goto(`${app!.baseUrl}/admin/plugins/email-piping/tickets/${ticketId}`);
    const customer = page.locator('article[data-message-kind="inbound"]');
    const note = page.locator('article[data-message-kind="note"]');
    await expect.poll(() => customer.count(), POLL).toBe(1);
    await expect.poll(() => note.count(), POLL).toBe(1);

    const verified = customer.locator('[data-authentication]');
    expect(await verified.getAttribute('data-authentication')).toBe('pass');
    expect(await verified.textContent()).toBe('Sender verified');
    expect(await verified.getAttribute('title')).toContain(`${OUR_MX} reports spf=pass`);

    expect(await note.locator('[data-unverified-agent-mail]').textContent()).toBe('Unverified agent mail');
    expect(await note.locator('[data-authentication]').textContent()).toBe('Sender not authenticated');
    expect(await note.innerText()).toContain('It was NOT sent to the customer.');
    expect(await note.innerText()).toContain('It was not mailed to anyone.');
    // Never shown as an agent's reply.
    expect(await page.locator('article[data-message-kind="outbound"]').count()).toBe(0);
    await saveScreenshot(page, 'sender-authentication');
  });
});
