/**
 * The tickets pages in a real browser, fed by real mail: Dovecot holds the support mailbox, an SMTP sink captures what
 * the plugin sends, the playground's built admin runs in Chromium. An agent finds tickets (tabs with counts, search,
 * filters, sorting, paging), reads a thread (customer mail, flagged auto-reply, bounce notice, quoted text), replies,
 * changes the status, writes an internal note and assigns the ticket, then filters by assignee; hostile HTML stays
 * inert in its sandboxed frame, remote images wait for a click and links open in a new tab; an editor who may only
 * read sees no reply controls. Screenshots: test-artifacts/screenshots/.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
import { bouncingMta } from '../harness/mail-robots';
import { startSmtpSink, type CapturedMail, type SmtpSink } from '../harness/smtp-sink';
import {
  bootStrapi,
  createRoleWithActions,
  loginAdmin,
  type AdminSession,
  type TestStrapi,
} from '../harness/strapi';

const CRLF = '\r\n';
/** expect.poll waits 1 s by default; a page load of the admin takes longer. */
const POLL = { timeout: 15_000, interval: 100 };
type KoaMiddleware = (
  ctx: { response: { get(name: string): unknown }; set(name: string, value: string): void },
  next: () => Promise<void>
) => Promise<void>;
const AGENT = 'agent@example.test';
const JANE = 'jane@customer.test';
const BOB = 'bob@customer.test';

function mail(headers: Record<string, string>, body: string): string {
  const id = headers['Message-ID'] ?? `<${crypto.randomBytes(6).toString('hex')}@customer.test>`;
  return [...Object.entries({ ...headers, 'Message-ID': id }).map(([k, v]) => `${k}: ${v}`), '', body].join(
    CRLF
  );
}

/** A solid-colour PNG, `width` × `height`: real image bytes the Media Library accepts. */
function png(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const row = Buffer.concat([
    Buffer.from([0]),
    Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat()),
  ]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A tiny server standing in for a newsletter's site: its tracking pixel, and the page its links lead to
 * (`/landing...`). It counts who asked for what.
 */
async function startPixelServer() {
  const requests: string[] = [];
  const image = png(1, 1, [255, 0, 0]);
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url?.startsWith('/landing')) {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end('<!DOCTYPE html><title>Spring offers</title><p>Landing page</p>');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' });
    response.end(image);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Hostile HTML: each payload would set `window.__pwned` or open a dialog if it ever ran. */
function hostileMail(to: string, pixelOrigin: string): string {
  const boundary = `rel-${crypto.randomBytes(4).toString('hex')}`;
  const html = [
    '<html><head><script>window.__pwned = true; alert("head script")</script>',
    '<style>body { background: url(' + pixelOrigin + '/style.png) }</style></head>',
    '<body onload="window.__pwned = true; alert(\'body onload\')">',
    '<p>Dear support, please look at our <b>spring offers</b>.</p>',
    '<script>window.__pwned = true; alert("script")</script>',
    '<img src="x" onerror="window.__pwned = true; alert(\'img onerror\')">',
    '<a href="javascript:window.__pwned=true;alert(\'javascript link\')">Claim your prize</a>',
    '<svg onload="window.__pwned = true; alert(\'svg onload\')"><circle r="10"></circle></svg>',
    '<iframe src="javascript:alert(\'iframe\')"></iframe>',
    '<div style="background-image: url(' + pixelOrigin + '/css.png)">Styled block</div>',
    '<form action="' + pixelOrigin + '/form"><input name="card"><button>Send</button></form>',
    '<p>Our logo: <img src="cid:logo@spring.test" alt="Spring logo" width="120" height="40"></p>',
    '<p>Tracking: <img src="' + pixelOrigin + '/pixel.png" width="1" height="1" alt="pixel"></p>',
    '<p><a href="' + pixelOrigin + '/landing?from=mail" target="_self">Read the offer</a></p>',
    '<p>Regards, Mallory</p>',
    '</body></html>',
  ].join('\r\n');
  return [
    'From: Mallory <mallory@spring.test>',
    `To: ${to}`,
    'Subject: Spring newsletter',
    `Message-ID: <${crypto.randomBytes(6).toString('hex')}@spring.test>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/related; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html,
    `--${boundary}`,
    'Content-Type: image/png; name="logo.png"',
    'Content-Transfer-Encoding: base64',
    'Content-ID: <logo@spring.test>',
    'Content-Disposition: inline; filename="logo.png"',
    '',
    png(120, 40, [79, 70, 229]).toString('base64').replace(/.{76}/g, '$&\r\n'),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

describe('tickets pages in the browser', () => {
  let app: TestStrapi | undefined;
  let admin: AdminSession;
  let dovecot: DovecotServer;
  let smtp: SmtpSink;
  let pixels: Awaited<ReturnType<typeof startPixelServer>>;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  const dialogs: string[] = [];
  /** When true, the admin documents' CSP also allows images from the pixel server (a site that opted in). */
  let allowPixelOriginInAdminCsp = false;
  let box: { id: number; address: string };
  let adminUserId = 0;
  const ticketIds: Record<'printer' | 'invoice' | 'spring', number> = { printer: 0, invoice: 0, spring: 0 };
  const ticketNumbers: Record<'printer' | 'invoice' | 'spring', number> = {
    printer: 0,
    invoice: 0,
    spring: 0,
  };

  async function importMail(messages: string[]) {
    await appendMessages(dovecot, box.address, messages);
    const run = await admin.request<{ data: { status: string } }>(
      'POST',
      `/email-piping/mailboxes/${box.id}/run?wait=true`
    );
    expect(run.body.data.status, JSON.stringify(run.body)).toBe('imported');
  }

  async function ticketApi(id: number) {
    const response = await admin.request<{
      data: {
        status: string;
        messages: Array<Record<string, unknown>>;
        outbox: Array<Record<string, unknown>>;
      };
    }>('GET', `/email-piping/tickets/${id}`);
    return response.body.data;
  }

  async function outboxIdle() {
    const deadline = Date.now() + 15_000;
    const outbox = app!.strapi.db.query('plugin::email-piping.outbox-message' as never);
    while ((await outbox.count({ where: { status: 'queued' } })) > 0) {
      if (Date.now() > deadline) throw new Error('the outbox did not empty');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function newContext(): Promise<BrowserContext> {
    const created = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    created.setDefaultTimeout(30_000);
    await blockExternalRequests(created, app!.baseUrl);
    // Registered after the block: later routes run first. The pixel server is reachable, like the internet is.
    await created.route(
      (url) => url.origin === pixels.origin,
      (route) => route.continue()
    );
    return created;
  }

  beforeAll(async () => {
    await ensureAdminBuild(); // about a minute when the admin sources changed, milliseconds otherwise
    dovecot = inject('dovecot') as unknown as DovecotServer;
    smtp = await startSmtpSink();
    pixels = await startPixelServer();
    app = await bootStrapi({
      listen: true,
      serveAdminPanel: true,
      pluginConfig: { outboxPollMs: 100, outboxRetryBaseSeconds: 1, outboxRetryMaxSeconds: 2 },
    });
    admin = await loginAdmin(app);
    // A site that lets remote images into its admin (Strapi's `strapi::security` middleware, `img-src`): simulated
    // by editing the admin's CSP header on its way out, when the test asks for it.
    const koa = (app.strapi.server as unknown as { app: { middleware: KoaMiddleware[] } }).app;
    koa.middleware.unshift(async (ctx, next) => {
      await next();
      const csp = ctx.response.get('Content-Security-Policy');
      if (allowPixelOriginInAdminCsp && typeof csp === 'string' && csp) {
        ctx.set('Content-Security-Policy', csp.replace(/img-src([^;]*)/, `img-src$1 ${pixels.origin}`));
      }
    });

    const address = `support-${crypto.randomBytes(4).toString('hex')}@example.test`;
    const created = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
      name: 'Support desk',
      address,
      fromName: 'Example Support',
      host: dovecot.host,
      port: dovecot.port,
      security: 'none',
      username: address,
      password: dovecot.password,
      smtpHost: smtp.host,
      smtpPort: smtp.port,
      smtpSecurity: 'none',
      agentAddresses: [AGENT],
      schedule: '0 0 1 1 *',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    box = { id: created.body.data.id, address };

    await importMail([
      mail(
        { From: `Jane Customer <${JANE}>`, To: address, Cc: `Bob Boss <${BOB}>`, Subject: 'Printer on fire' },
        [
          'The printer in room 4 is on fire.',
          '',
          'On Mon, 3 Mar 2025 at 09:00, Example Support <support@example.test> wrote:',
          '> Have you tried turning it off and on again?',
          '> Kind regards',
        ].join(CRLF)
      ),
      mail(
        { From: 'Carl <carl@customer.test>', To: address, Subject: 'Invoice 4711 is wrong' },
        'Wrong VAT.'
      ),
      hostileMail(address, pixels.origin),
    ]);
    const list = await admin.request<{
      data: { results: Array<{ id: number; number: number; subject: string }> };
    }>('GET', `/email-piping/tickets?mailbox=${box.id}&sort=number:asc`);
    expect(list.body.data.results.map((ticket) => ticket.subject)).toEqual([
      'Printer on fire',
      'Invoice 4711 is wrong',
      'Spring newsletter',
    ]);
    (['printer', 'invoice', 'spring'] as const).forEach((key, index) => {
      ticketIds[key] = list.body.data.results[index].id;
      ticketNumbers[key] = list.body.data.results[index].number;
    });
    const priority = await admin.request('PUT', `/email-piping/tickets/${ticketIds.invoice}`, {
      priority: 'high',
    });
    expect(priority.status).toBe(200);
    // Assigned as a piping rule would: straight in the database.
    const adminUser = (await app.strapi.db
      .query('admin::user' as never)
      .findOne({ where: { email: admin.email } })) as { id: number };
    adminUserId = adminUser.id;
    await app.strapi.db
      .query('plugin::email-piping.ticket' as never)
      .update({ where: { id: ticketIds.invoice }, data: { assigneeId: adminUser.id } });

    // Bob's copy of the acknowledgement bounces (a system notice on the ticket); Jane's mail server answers with an
    // out-of-office note (an inbound mail flagged as automatic).
    await smtp.waitFor(() => smtp.to(JANE).length === 1 && smtp.to(BOB).length === 1);
    const ackToJane = smtp.to(JANE)[0];
    const bounce = bouncingMta(smtp.to(BOB)[0], BOB);
    expect(bounce).toBeTruthy();
    await importMail([
      bounce!,
      mail(
        {
          From: `Jane Customer <${JANE}>`,
          To: ackToJane.parsed.replyTo!.value[0].address!,
          Subject: `Out of office: ${ackToJane.parsed.subject}`,
          'In-Reply-To': ackToJane.parsed.messageId!,
          'Auto-Submitted': 'auto-replied (vacation)',
        },
        'I am out of the office until Monday.'
      ),
    ]);
    const printer = await ticketApi(ticketIds.printer);
    expect(printer.messages.map((message) => message.direction)).toEqual(['inbound', 'system', 'inbound']);
    await outboxIdle();

    browser = await launchBrowser();
    context = await newContext();
    page = await context.newPage();
    problems = watchPageProblems(page, app.baseUrl);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await loginToAdmin(page, app.baseUrl, admin.email, admin.password);
  }, 10 * 60_000);

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      if (page) await saveScreenshot(page, `failed-${task.name}`).catch(() => undefined);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await smtp?.stop();
    await pixels?.stop();
  });

  const rows = () => page.locator('tbody tr[data-ticket-number]');
  const rowNumbers = async () =>
    (
      await rows().evaluateAll((elements) => elements.map((row) => row.getAttribute('data-ticket-number')))
    ).map(Number);

  it('lists the tickets with counts per status, and filters, searches, sorts and pages them', async () => {
    await page.getByRole('link', { name: 'Tickets' }).click();
    await page.waitForURL('**/admin/plugins/email-piping');
    await page.getByRole('heading', { level: 1, name: 'Tickets' }).waitFor();
    await page.getByRole('link', { name: 'Printer on fire' }).waitFor();
    await expect
      .poll(rowNumbers, POLL)
      .toEqual([ticketNumbers.spring, ticketNumbers.invoice, ticketNumbers.printer]);
    await page.getByRole('tab', { name: 'All (3)' }).waitFor();
    await page.getByRole('tab', { name: 'Open (3)' }).waitFor();
    await page.getByRole('tab', { name: 'Pending (0)' }).waitFor();
    await page.getByText('3 tickets found').waitFor();
    // The assignee by name (this admin may read admin users).
    await page.locator('tbody tr', { hasText: 'Invoice 4711 is wrong' }).getByText('Test Admin').waitFor();
    await saveScreenshot(page, 'tickets-list');

    // Search (subject, requester, number): the search box of Strapi's own list views.
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('searchbox', { name: 'Search tickets' }).fill('invoice');
    await page.keyboard.press('Enter');
    await expect.poll(rowNumbers, POLL).toEqual([ticketNumbers.invoice]);
    expect(new URL(page.url()).searchParams.get('_q')).toBe('invoice');
    await page.getByRole('tab', { name: 'Open (1)' }).waitFor();
    await page.getByRole('searchbox', { name: 'Search tickets' }).fill(`#${ticketNumbers.spring}`);
    await page.keyboard.press('Enter');
    await expect.poll(rowNumbers, POLL).toEqual([ticketNumbers.spring]);
    await page.getByRole('searchbox', { name: 'Search tickets' }).fill('jane@customer');
    await page.keyboard.press('Enter');
    await expect.poll(rowNumbers, POLL).toEqual([ticketNumbers.printer]);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(rowNumbers, POLL).toHaveLength(3);

    // Priority filter.
    await page.getByRole('combobox', { name: 'Priority' }).click();
    await page.getByRole('option', { name: 'High' }).click();
    await expect.poll(rowNumbers, POLL).toEqual([ticketNumbers.invoice]);
    expect(new URL(page.url()).searchParams.get('priority')).toBe('high');
    await page.getByRole('combobox', { name: 'Priority' }).click();
    await page.getByRole('option', { name: 'All priorities' }).click();
    await expect.poll(rowNumbers, POLL).toHaveLength(3);

    // Mailbox filter (this admin may manage settings, so it is offered).
    await page.getByRole('combobox', { name: 'Mailbox' }).click();
    await page.getByRole('option', { name: 'Support desk' }).click();
    await expect.poll(rowNumbers, POLL).toHaveLength(3);
    expect(new URL(page.url()).searchParams.get('mailbox')).toBe(String(box.id));

    // Status tabs: no pending ticket yet.
    await page.getByRole('tab', { name: 'Pending (0)' }).click();
    await page.getByText('No tickets match these filters').waitFor();
    expect(new URL(page.url()).searchParams.get('status')).toBe('pending');
    await page.getByRole('tab', { name: 'All (3)' }).click();
    await expect.poll(rowNumbers, POLL).toHaveLength(3);

    // Sorting by the number column, then paging two by two.
    await page.locator('thead th', { hasText: '#' }).click();
    await expect
      .poll(rowNumbers, POLL)
      .toEqual([ticketNumbers.printer, ticketNumbers.invoice, ticketNumbers.spring]);
    await page.goto(`${app!.baseUrl}/admin/plugins/email-piping?sort=number:ASC&pageSize=2&page=1`);
    await expect.poll(rowNumbers, POLL).toEqual([ticketNumbers.printer, ticketNumbers.invoice]);
    await page.getByRole('link', { name: 'Go to next page' }).click();
    await expect.poll(rowNumbers, POLL).toEqual([ticketNumbers.spring]);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
  });

  it('opens a ticket: the thread in order, flags as badges, a bounce as a notice, quoted text folded', async () => {
    await page.goto(`${app!.baseUrl}/admin/plugins/email-piping`);
    await page.getByRole('link', { name: 'Printer on fire' }).click();
    await page.waitForURL(`**/admin/plugins/email-piping/tickets/${ticketIds.printer}`);
    await page
      .getByRole('heading', { level: 1, name: `#${ticketNumbers.printer} Printer on fire` })
      .waitFor();

    const thread = page.locator('article[data-message-kind]');
    await expect
      .poll(
        () => thread.evaluateAll((items) => items.map((item) => item.getAttribute('data-message-kind'))),
        POLL
      )
      .toEqual(['inbound', 'system', 'inbound']);
    const first = thread.nth(0);
    await first.getByText('The printer in room 4 is on fire.').waitFor();
    // Quoted history is folded away until asked for.
    expect(await first.getByText('Have you tried turning it off').count()).toBe(0);
    await first.getByRole('button', { name: 'Show quoted text' }).click();
    await first.getByText('Have you tried turning it off').waitFor();
    await first.getByRole('button', { name: 'Hide quoted text' }).click();
    expect(await first.getByText('Have you tried turning it off').count()).toBe(0);

    // The bounce of Bob's copy: a system notice with its badge, not a customer bubble.
    const bounce = thread.nth(1);
    await bounce.getByText('System event').waitFor();
    await bounce.getByText('Bounce', { exact: true }).waitFor();
    expect(await bounce.locator('iframe').count()).toBe(0);

    // Jane's out-of-office answer: an inbound mail flagged as such.
    const vacation = thread.nth(2);
    await vacation.getByText('Out of office', { exact: true }).waitFor();
    await vacation.getByText('I am out of the office until Monday.').waitFor();

    // The outbox: the acknowledgements of this ticket, sent.
    const outbox = page.getByRole('region', { name: 'Outgoing mail' });
    await outbox.getByText(`To ${JANE}`).waitFor();
    await saveScreenshot(page, 'ticket-view');
  });

  it('replies from the ticket: the mail reaches the SMTP server and the outbox shows it sent', async () => {
    smtp.clear();
    const text = `We are sending a technician (${crypto.randomBytes(3).toString('hex')}).`;
    await page.getByRole('textbox', { name: 'Reply to the customer' }).fill(text);
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText(/Reply queued for/).waitFor();

    const [sent] = (await smtp.waitFor((mails) => mails.some((m) => m.envelopeTo.includes(JANE)))).filter(
      (m: CapturedMail) => m.envelopeTo.includes(JANE)
    );
    expect(sent.parsed.text).toContain(text);
    // Bob's address bounced before: his copy is suppressed, never sent.
    expect(smtp.to(BOB)).toHaveLength(0);

    const reply = page.locator('article[data-message-kind="outbound"]').last();
    await reply.getByText(text).waitFor();
    const outbox = page.getByRole('region', { name: 'Outgoing mail' });
    const janeReply = outbox.locator('li', { hasText: 'Agent reply' }).filter({ hasText: `To ${JANE}` });
    await janeReply.getByText('Sent', { exact: true }).waitFor();
    await outbox
      .locator('li', { hasText: 'Agent reply' })
      .filter({ hasText: `To ${BOB}` })
      .getByText('Suppressed', { exact: true })
      .waitFor();
    // An agent's reply waits on the customer.
    expect((await ticketApi(ticketIds.printer)).status).toBe('pending');
  });

  it('changes the status and the priority', async () => {
    await outboxIdle();
    const mailsToJane = smtp.to(JANE).length;
    await page.getByRole('combobox', { name: 'Status', exact: true }).click();
    await page.getByRole('option', { name: 'Resolved' }).click();
    await page
      .getByText(/Ticket updated\./)
      .first()
      .waitFor();
    await expect.poll(async () => (await ticketApi(ticketIds.printer)).status, POLL).toBe('resolved');
    // Resolving told the customer.
    await smtp.waitFor(() => smtp.to(JANE).length === mailsToJane + 1);

    await page.getByRole('combobox', { name: 'Priority' }).click();
    await page.getByRole('option', { name: 'Urgent' }).click();
    await expect
      .poll(
        async () =>
          (
            await admin.request<{ data: { priority: string } }>(
              'GET',
              `/email-piping/tickets/${ticketIds.printer}`
            )
          ).body.data.priority,
        POLL
      )
      .toBe('urgent');
  });

  it('adds an internal note that nobody is mailed', async () => {
    await outboxIdle();
    smtp.clear();
    const text = `Called Jane: the fire is out (${crypto.randomBytes(3).toString('hex')}).`;
    await page.getByRole('tab', { name: 'Internal note' }).click();
    await page.getByRole('textbox', { name: 'Internal note' }).fill(text);
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Note added.').waitFor();
    const note = page.locator('article[data-message-kind="note"]').last();
    await note.getByText(text).waitFor();
    await note.getByText('Only agents see this note. It was not mailed to anyone.').waitFor();

    const messages = (await ticketApi(ticketIds.printer)).messages;
    expect(messages[messages.length - 1]).toMatchObject({
      direction: 'system',
      author: 'agent',
      textBody: text,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.mails).toHaveLength(0);
    await saveScreenshot(page, 'ticket-view-after-reply-and-note');
  });

  it('assigns a ticket from its sidebar, then filters the list by assignee', async () => {
    // A second agent, who may read and answer tickets: assignable.
    const agentsRole = await createRoleWithActions(app!, [
      'plugin::email-piping.tickets.read',
      'plugin::email-piping.tickets.reply',
    ]);
    const ann = (await app!.strapi.service('admin::user').create({
      email: `ann-${crypto.randomBytes(3).toString('hex')}@example.test`,
      firstname: 'Ann',
      lastname: 'Agent',
      password: 'Ann-password-1',
      isActive: true,
      roles: [agentsRole],
    })) as { id: number };

    await page.goto(`${app!.baseUrl}/admin/plugins/email-piping/tickets/${ticketIds.printer}`);
    const picker = page.getByRole('combobox', { name: 'Assignee', exact: true });
    await expect.poll(() => picker.textContent(), POLL).toBe('Unassigned');
    await picker.click();
    await page.getByRole('option', { name: 'Ann Agent', exact: true }).click();
    await expect
      .poll(
        async () =>
          (
            await admin.request<{ data: { assigneeId: number | null } }>(
              'GET',
              `/email-piping/tickets/${ticketIds.printer}`
            )
          ).body.data.assigneeId,
        POLL
      )
      .toBe(ann.id);
    await expect.poll(() => picker.textContent(), POLL).toBe('Ann Agent');
    await saveScreenshot(page, 'ticket-view-assigned');

    // The list: the assignee column, and the filter (Anyone / Me / Unassigned / each assignable user).
    await page.goto(`${app!.baseUrl}/admin/plugins/email-piping`);
    await page.locator('tbody tr', { hasText: 'Printer on fire' }).getByText('Ann Agent').waitFor();
    const filter = page.getByRole('combobox', { name: 'Assignee', exact: true });
    const filterBy = async (option: string) => {
      await filter.click();
      await page.getByRole('option', { name: option, exact: true }).click();
    };
    await filterBy('Ann Agent');
    await expect.poll(rowNumbers, POLL).toEqual([ticketNumbers.printer]);
    expect(new URL(page.url()).searchParams.get('assignee')).toBe(String(ann.id));
    await page.getByText('1 ticket found').waitFor();
    await saveScreenshot(page, 'tickets-list-by-assignee');
    await filterBy('Me');
    await expect.poll(rowNumbers, POLL).toEqual([ticketNumbers.invoice]);
    expect(new URL(page.url()).searchParams.get('assignee')).toBe('me');
    await filterBy('Unassigned');
    await expect.poll(rowNumbers, POLL).toEqual([ticketNumbers.spring]);
    expect(new URL(page.url()).searchParams.get('assignee')).toBe('none');
    await filterBy('Test Admin');
    await expect.poll(rowNumbers, POLL).toEqual([ticketNumbers.invoice]);
    expect(new URL(page.url()).searchParams.get('assignee')).toBe(String(adminUserId));
    await filterBy('Anyone');
    await expect.poll(rowNumbers, POLL).toHaveLength(3);
    expect(new URL(page.url()).searchParams.get('assignee')).toBeNull();
  });

  it('shows hostile HTML inert in a sandboxed frame, and remote images only on request', async () => {
    const consoleErrorsBefore = problems.consoleErrors.length;

    // 1. Strapi's default admin CSP (img-src 'self' data: blob: market-assets.strapi.io) is inherited by the srcdoc
    //    frame: even after the click, a remote image stays blocked.
    allowPixelOriginInAdminCsp = false;
    await page.goto(`${app!.baseUrl}/admin/plugins/email-piping/tickets/${ticketIds.spring}`);
    const frameElement = page.locator('article[data-message-kind="inbound"] iframe').first();
    await frameElement.waitFor();
    const mailFrame = page.frameLocator('article[data-message-kind="inbound"] iframe').first();
    await mailFrame.getByText('spring offers').waitFor();
    await mailFrame.getByText('Regards, Mallory').waitFor();

    // Popups only (links open in a new tab): never scripts, never the admin's origin.
    expect(await frameElement.getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
    const srcdoc = (await frameElement.getAttribute('srcdoc')) ?? '';
    expect(srcdoc).toMatch(
      /^<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: cid: [^;"]*; style-src 'unsafe-inline'">/
    );
    expect(srcdoc).not.toMatch(/<script|onerror|onload|javascript:|<svg|<iframe|<form/i);

    // The inline image (cid:) shows, from the Media Library, allowed by its exact URL in the frame's CSP. (Checked in
    // the frame itself: Playwright may miss network events of a srcdoc frame it has not attached yet.)
    const logo = mailFrame.locator('img[alt="Spring logo"]');
    const logoUrl = (await logo.getAttribute('src')) ?? '';
    expect(logoUrl).toMatch(new RegExp(`^${app!.baseUrl}/uploads/logo_\\w+\\.png$`));
    await expect.poll(() => logo.evaluate((img) => (img as HTMLImageElement).naturalWidth), POLL).toBe(120);
    expect(srcdoc).toContain(`img-src data: cid: ${logoUrl}`);
    expect(srcdoc).not.toContain("'self'");

    // Nothing hostile ran: no dialog, no flag in the page or in the frame.
    // The javascript: link lost its href (the server dropped it; the admin would have too).
    expect(await mailFrame.getByText('Claim your prize').getAttribute('href')).toBeNull();
    await page.waitForTimeout(500);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    const frame = page.frames().find((candidate) => candidate.url() === 'about:srcdoc');
    expect(frame).toBeTruthy();
    const inFrame = await frame!.evaluate(() => ({
      pwned: typeof (window as unknown as { __pwned?: boolean }).__pwned,
      scripts: document.scripts.length,
      handlers: document.querySelectorAll('[onload],[onerror],[onclick]').length,
      svg: document.querySelectorAll('svg').length,
    }));
    expect(inFrame).toEqual({ pwned: 'undefined', scripts: 0, handlers: 0, svg: 0 });

    // The tracking pixel was not requested; showing remote images asks the agent first.
    expect(pixels.requests).toEqual([]);
    await page.getByText('1 remote image was not loaded, to protect your privacy.').waitFor();
    await page.getByRole('button', { name: 'Show remote images' }).click();
    await mailFrame.getByText('Regards, Mallory').waitFor();
    await page.waitForTimeout(1000);
    expect(pixels.requests).toEqual([]); // the admin's own CSP still forbids it
    // The browser says why: the CSP refusal of exactly that image (and no other error).
    const newErrors = problems.consoleErrors.splice(consoleErrorsBefore);
    const cspRefusals = newErrors.filter(
      (line) => line.includes(`${pixels.origin}/pixel.png`) && /Content Security Policy/i.test(line)
    );
    expect(cspRefusals.length, newErrors.join('\n')).toBeGreaterThan(0);
    expect(newErrors.filter((line) => !cspRefusals.includes(line))).toEqual([]);

    // 2. A site that allows remote images in its admin CSP (strapi::security img-src): still nothing until the click.
    allowPixelOriginInAdminCsp = true;
    await page.reload();
    await mailFrame.getByText('Regards, Mallory').waitFor();
    await page.waitForTimeout(1000);
    expect(pixels.requests).toEqual([]);
    await saveScreenshot(page, 'ticket-view-hostile-html');
    await page.getByRole('button', { name: 'Show remote images' }).click();
    await expect.poll(() => pixels.requests, POLL).toEqual(['/pixel.png']);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    const srcdocAfter = (await frameElement.getAttribute('srcdoc')) ?? '';
    expect(srcdocAfter).toContain('https: http:');
    allowPixelOriginInAdminCsp = false;
  });

  it('opens a link of a mail in a new tab, without opener or referrer; a javascript: link does nothing', async () => {
    await page.goto(`${app!.baseUrl}/admin/plugins/email-piping/tickets/${ticketIds.spring}`);
    const mailFrame = page.frameLocator('article[data-message-kind="inbound"] iframe').first();
    const offer = mailFrame.getByRole('link', { name: 'Read the offer' });
    await offer.waitFor();
    // Forced on every link (the mail asked for target="_self"), and a <base> for any other.
    expect(await offer.getAttribute('target')).toBe('_blank');
    expect((await offer.getAttribute('rel'))?.split(' ')).toEqual(
      expect.arrayContaining(['noopener', 'noreferrer'])
    );
    const srcdoc =
      (await page.locator('article[data-message-kind="inbound"] iframe').first().getAttribute('srcdoc')) ??
      '';
    expect(srcdoc).toContain('<base target="_blank">');
    const ticketUrl = page.url();

    const [landing] = await Promise.all([context.waitForEvent('page'), offer.click()]);
    try {
      await landing.waitForLoadState('domcontentloaded');
      expect(landing.url()).toBe(`${pixels.origin}/landing?from=mail`);
      await landing.getByText('Landing page').waitFor();
      // The page cannot reach back into the admin, nor learn where the agent came from.
      expect(await landing.evaluate(() => window.opener)).toBeNull();
      expect(await landing.evaluate(() => document.referrer)).toBe('');
    } finally {
      await landing.close();
    }
    expect(pixels.requests).toContain('/landing?from=mail');
    expect(page.url()).toBe(ticketUrl);

    // The javascript: link has no href left: clicking it opens nothing and runs nothing.
    const prize = mailFrame.getByText('Claim your prize');
    expect(await prize.getAttribute('href')).toBeNull();
    const pagesBefore = context.pages().length;
    await prize.click();
    await page.waitForTimeout(500);
    expect(context.pages()).toHaveLength(pagesBefore);
    expect(page.url()).toBe(ticketUrl);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
  });

  it('shows an editor who may only read tickets no reply, note or edit controls', async () => {
    const role = await createRoleWithActions(app!, ['plugin::email-piping.tickets.read']);
    const editor = await loginAdmin(app!, { roleId: role });
    const editorContext = await newContext();
    const editorPage = await editorContext.newPage();
    const editorProblems = watchPageProblems(editorPage, app!.baseUrl);
    try {
      await loginToAdmin(editorPage, app!.baseUrl, editor.email, editor.password);
      await editorPage.getByRole('link', { name: 'Tickets' }).click();
      await editorPage.getByRole('link', { name: 'Printer on fire' }).waitFor();
      // Without admin::users.read the assignee is still named: the plugin lists who can be assigned to anyone who
      // may read tickets (and no request for Strapi's own user list is made).
      await editorPage
        .locator('tbody tr', { hasText: 'Invoice 4711 is wrong' })
        .getByText('Test Admin')
        .waitFor();
      // No settings permission: no mailbox filter (and no refused request for the mailboxes).
      await editorPage.getByRole('combobox', { name: 'Priority' }).waitFor();
      expect(await editorPage.getByRole('combobox', { name: 'Mailbox' }).count()).toBe(0);

      await editorPage.getByRole('link', { name: 'Printer on fire' }).click();
      await editorPage
        .getByRole('heading', { level: 1, name: `#${ticketNumbers.printer} Printer on fire` })
        .waitFor();
      await editorPage.locator('article[data-message-kind="note"]').first().waitFor();
      expect(await editorPage.getByRole('textbox', { name: 'Reply to the customer' }).count()).toBe(0);
      expect(await editorPage.getByRole('button', { name: 'Send reply' }).count()).toBe(0);
      expect(await editorPage.getByRole('button', { name: 'Add note' }).count()).toBe(0);
      expect(await editorPage.getByRole('combobox').count()).toBe(0);
      await saveScreenshot(editorPage, 'ticket-view-read-only');
      expect(editorProblems.uncaught).toEqual([]);
      expect(editorProblems.consoleErrors).toEqual([]);
    } finally {
      await editorContext.close();
    }
  });

  it('has no uncaught errors in the browser', () => {
    expect(dialogs).toEqual([]);
    expect(problems.uncaught).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
  });
});
