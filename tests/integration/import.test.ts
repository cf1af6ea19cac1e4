/**
 * The foundation end to end: real playground Strapi on a temporary SQLite file, real Dovecot, mail APPENDed with
 * imapflow, imported through the admin API, and checked in the database, the Media Library and on the server.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { imapSettingsFor, type DovecotServer } from '../harness/dovecot';
import { appendMessages, createFolder, listUids, mailboxStatus, resetUidValidity } from '../harness/imap';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';
import { UID } from '../../src/uids';

const CRLF = '\r\n';

function mail(headers: Record<string, string>, body: string): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [...lines, '', body].join(CRLF);
}

function uniqueUser(label: string): string {
  return `${label}-${crypto.randomBytes(4).toString('hex')}@example.test`;
}

const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64'
);

function multipartWithAttachments(messageId: string, from: string): string {
  const boundary = 'outer-boundary';
  const related = 'related-boundary';
  return [
    `From: Ann Example <${from}>`,
    'To: support@example.test',
    `Message-ID: <${messageId}>`,
    'Subject: =?UTF-8?B?RmFjdHVyZSDDqXTDqQ==?=',
    'Date: Mon, 23 Nov 2026 08:00:00 +0000',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    `Content-Type: multipart/related; boundary="${related}"`,
    '',
    `--${related}`,
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>See the logo <img src="cid:logo@example.test"></p><script>alert(1)</script><a href="javascript:alert(2)">x</a>',
    `--${related}`,
    'Content-Type: image/png',
    'Content-ID: <logo@example.test>',
    'Content-Disposition: inline; filename="logo.png"',
    'Content-Transfer-Encoding: base64',
    '',
    PNG_1PX.toString('base64'),
    `--${related}--`,
    `--${boundary}`,
    'Content-Type: text/plain; name="notes.txt"',
    "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.txt",
    '',
    'attached notes',
    `--${boundary}`,
    'Content-Type: image/svg+xml; name="evil.svg"',
    'Content-Disposition: attachment; filename="evil.svg"',
    '',
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

describe('IMAP import into tickets', () => {
  let app: TestStrapi;
  let admin: AdminSession;
  let dovecot: DovecotServer;

  beforeAll(async () => {
    dovecot = inject('dovecot') as unknown as DovecotServer;
    app = await bootStrapi({ listen: true });
    admin = await loginAdmin(app);
  });

  afterAll(async () => {
    await app?.stop();
  });

  async function createMailbox(user: string, extra: Record<string, unknown> = {}) {
    const response = await admin.request<{ data: { id: number } & Record<string, unknown> }>(
      'POST',
      '/email-piping/mailboxes',
      {
        name: `Support ${user}`,
        address: 'support@example.test',
        ...imapSettingsFor(dovecot, user),
        ...extra,
      }
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data;
  }

  async function runNow(mailboxId: number) {
    const response = await admin.request<{
      data: { status: string; summary?: Record<string, number>; error?: string };
    }>('POST', `/email-piping/mailboxes/${mailboxId}/run?wait=true`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.data;
  }

  async function ticketsOf(mailboxId: number) {
    const response = await admin.request<{
      data: { results: Array<Record<string, unknown>>; counts: Record<string, number> };
    }>('GET', `/email-piping/tickets?mailbox=${mailboxId}&pageSize=100&sort=number:asc`);
    expect(response.status).toBe(200);
    return response.body.data;
  }

  it('stores the password encrypted and never returns it', async () => {
    const user = uniqueUser('secret');
    const mailbox = await createMailbox(user);
    expect(mailbox).not.toHaveProperty('password');
    expect(mailbox.hasPassword).toBe(true);
    const row = (await app.strapi.db
      .query('plugin::email-piping.mailbox' as never)
      .findOne({ where: { id: mailbox.id } })) as { password: string };
    expect(row.password).toMatch(/^v1:/);
    expect(row.password).not.toContain(dovecot.password);
    const list = await admin.request<{ data: unknown[] }>('GET', '/email-piping/mailboxes');
    expect(JSON.stringify(list.body)).not.toContain(row.password);
    expect(JSON.stringify(list.body)).not.toContain(dovecot.password);
  });

  it('refuses to store a password when no encryption key is configured', async () => {
    const config = app.strapi.config.get('plugin::email-piping') as Record<string, unknown>;
    app.strapi.config.set('plugin::email-piping', { ...config, encryptionKey: undefined });
    try {
      const response = await admin.request<{ error: { message: string } }>(
        'POST',
        '/email-piping/mailboxes',
        {
          name: 'No key',
          host: dovecot.host,
          port: dovecot.port,
          security: 'none',
          username: uniqueUser('nokey'),
          password: 'whatever',
        }
      );
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/EMAIL_PIPING_ENCRYPTION_KEY/);
    } finally {
      app.strapi.config.set('plugin::email-piping', config);
    }
  });

  it('refuses bad settings with a message naming the field', async () => {
    const response = await admin.request<{ error: { message: string } }>('POST', '/email-piping/mailboxes', {
      name: 'Bad',
      host: dovecot.host,
      port: 70000,
      username: 'x',
      password: 'y',
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^port:/);
    const cron = await admin.request<{ error: { message: string } }>('POST', '/email-piping/mailboxes', {
      name: 'Bad',
      host: dovecot.host,
      port: 143,
      username: 'x',
      password: 'y',
      schedule: 'every minute',
    });
    expect(cron.status).toBe(400);
    expect(cron.body.error.message).toMatch(/^schedule: .*not a valid cron expression/);
  });

  it('imports new mail into tickets with attachments, sanitized HTML and replies, exactly once', async () => {
    const user = uniqueUser('import');
    const mailbox = await createMailbox(user);
    const firstId = `first-${crypto.randomBytes(3).toString('hex')}@customer.test`;
    await appendMessages(dovecot, user, [
      mail(
        {
          From: '"Jane Customer" <Jane@Customer.test>',
          To: 'support@example.test',
          Cc: 'Boss <boss@customer.test>',
          Subject: 'Printer on fire',
          'Message-ID': `<${firstId}>`,
          Date: 'Mon, 23 Nov 2026 07:00:00 +0000',
        },
        'It is really on fire.'
      ),
      multipartWithAttachments(
        `attach-${crypto.randomBytes(3).toString('hex')}@customer.test`,
        'ann@customer.test'
      ),
      mail(
        {
          From: 'Jane Customer <jane@customer.test>',
          To: 'support@example.test',
          Subject: 'Re: Printer on fire',
          'Message-ID': `<reply-${crypto.randomBytes(3).toString('hex')}@customer.test>`,
          'In-Reply-To': `<${firstId}>`,
          References: `<${firstId}>`,
        },
        'Still burning.'
      ),
    ]);

    const events: Array<[string, Record<string, unknown>]> = [];
    const listen = (name: string) => async (payload: Record<string, unknown>) => {
      events.push([name, payload]);
    };
    const removeCreated = app.strapi.eventHub.on('email-piping.ticket.created', listen('ticket.created'));
    const removeMessage = app.strapi.eventHub.on('email-piping.message.created', listen('message.created'));
    const result = await runNow(mailbox.id);
    removeCreated();
    removeMessage();
    expect(result.status).toBe('imported');
    expect(result.summary).toMatchObject({ listed: 3, ticketsCreated: 2, repliesAdded: 1, quarantined: 0 });
    // The import bypasses the Document Service for speed, so it announces what it created itself.
    expect(events.filter(([name]) => name === 'ticket.created')).toHaveLength(2);
    expect(events.filter(([name]) => name === 'message.created')).toHaveLength(3);

    const { results: tickets, counts } = await ticketsOf(mailbox.id);
    expect(tickets).toHaveLength(2);
    expect(counts.open).toBe(2);
    const [printer, invoice] = tickets;
    expect(printer).toMatchObject({
      subject: 'Printer on fire',
      status: 'open',
      priority: 'normal',
      requesterEmail: 'jane@customer.test',
      requesterName: 'Jane Customer',
    });
    expect(printer.cc, JSON.stringify(printer.cc)).toEqual([{ address: 'boss@customer.test', name: 'Boss' }]);
    expect((invoice.number as number) - (printer.number as number)).toBe(1);
    expect(invoice.subject).toBe('Facture été');

    const thread = await admin.request<{ data: { messages: Array<Record<string, unknown>> } }>(
      'GET',
      `/email-piping/tickets/${printer.id}`
    );
    expect(thread.body.data.messages.map((m) => m.textBody)).toEqual([
      expect.stringContaining('It is really on fire.'),
      expect.stringContaining('Still burning.'),
    ]);
    expect(thread.body.data.messages[1]).toMatchObject({ direction: 'inbound', inReplyTo: [firstId] });

    // The import writes relation rows itself (row-writer.ts): Strapi's own relation reading must see them, on both
    // sides and in arrival order.
    const linked = (await app.strapi.db.query(UID.ticket as never).findOne({
      where: { id: printer.id },
      populate: { messages: { select: ['id', 'subject'] }, mailbox: { select: ['id'] } },
    })) as { messages: Array<{ id: number; subject: string }>; mailbox: { id: number } };
    expect(linked.mailbox.id).toBe(mailbox.id);
    expect(linked.messages.map((m) => m.subject)).toEqual(['Printer on fire', 'Re: Printer on fire']);
    const fromMailbox = (await app.strapi.db.query(UID.mailbox as never).findOne({
      where: { id: mailbox.id },
      populate: { tickets: { select: ['number'] } },
    })) as { tickets: Array<{ number: number }> };
    expect(fromMailbox.tickets.map((t) => t.number)).toEqual([printer.number, invoice.number]);

    const withFiles = await admin.request<{
      data: {
        messages: Array<{
          htmlBody: string;
          attachments: Array<{ name: string; url: string; mime: string }>;
        }>;
      };
    }>('GET', `/email-piping/tickets/${invoice.id}`);
    const message = withFiles.body.data.messages[0];
    expect(message.htmlBody).not.toMatch(/<script|javascript:/i);
    const names = message.attachments.map((file) => file.name).sort();
    expect(names).toEqual(['evil.svg', 'logo.png', 'résumé.txt']);
    const logo = message.attachments.find((file) => file.name === 'logo.png')!;
    // The inline image's cid: reference now points at the Media Library file.
    expect(message.htmlBody).toContain(`src="${logo.url}"`);
    // Active content is stored as a neutral download, never served as SVG from the site's origin.
    const svg = message.attachments.find((file) => file.name === 'evil.svg')!;
    expect(svg.mime).toBe('application/octet-stream');
    expect(svg.url).not.toMatch(/\.svg$/);
    const served = await fetch(`${app.baseUrl}${svg.url}`);
    expect(served.headers.get('content-type')).not.toMatch(/svg|html/);

    // The files are in the Media Library.
    const files = (await app.strapi.db.query('plugin::upload.file' as never).findMany({
      where: { name: { $in: names } },
    })) as unknown[];
    expect(files.length).toBeGreaterThanOrEqual(3);

    // Every message has a receipt; all were marked \Seen on the server after commit.
    const receipts = await admin.request<{ data: { results: Array<Record<string, unknown>> } }>(
      'GET',
      `/email-piping/receipts?mailbox=${mailbox.id}`
    );
    expect(receipts.body.data.results.map((r) => r.outcome).sort()).toEqual([
      'reply-added',
      'ticket-created',
      'ticket-created',
    ]);
    expect(
      receipts.body.data.results.every((r) => r.serverAction === 'done' && typeof r.sha256 === 'string')
    ).toBe(true);
    const status = await mailboxStatus(dovecot, user, 'INBOX');
    expect(Object.values(status.flags).every((flags) => flags.includes('\\Seen'))).toBe(true);

    // A second run imports nothing again.
    const again = await runNow(mailbox.id);
    expect(again.summary).toMatchObject({ listed: 0, ticketsCreated: 0, repliesAdded: 0 });
    expect((await ticketsOf(mailbox.id)).results).toHaveLength(2);

    const view = await admin.request<{ data: Record<string, unknown> }>(
      'GET',
      `/email-piping/mailboxes/${mailbox.id}`
    );
    expect(view.body.data).toMatchObject({
      ticketsCreated: 2,
      repliesAdded: 1,
      lastError: null,
      consecutiveFailures: 0,
    });
    expect(view.body.data.lastSuccessAt).toBeTruthy();
  });

  it('rescans after a UIDVALIDITY change without creating duplicates', async () => {
    const user = uniqueUser('uidvalidity');
    const mailbox = await createMailbox(user);
    await appendMessages(dovecot, user, [
      mail({ From: 'a@customer.test', Subject: 'One', 'Message-ID': `<one-${user}>` }, 'one'),
      mail({ From: 'b@customer.test', Subject: 'Two', 'Message-ID': `<two-${user}>` }, 'two'),
    ]);
    expect((await runNow(mailbox.id)).summary).toMatchObject({ ticketsCreated: 2 });
    const before = await mailboxStatus(dovecot, user, 'INBOX');
    await resetUidValidity(dovecot, user, 'INBOX');
    const after = await mailboxStatus(dovecot, user, 'INBOX');
    expect(after.uidValidity).not.toBe(before.uidValidity);
    await appendMessages(dovecot, user, [
      mail({ From: 'c@customer.test', Subject: 'Three', 'Message-ID': `<three-${user}>` }, 'three'),
    ]);
    const rescan = await runNow(mailbox.id);
    expect(rescan.summary).toMatchObject({ listed: 3, ticketsCreated: 1, skipped: 2 });
    expect((await ticketsOf(mailbox.id)).results.map((t) => t.subject)).toEqual(['One', 'Two', 'Three']);
  });

  it('moves or deletes mail on the server only after it is stored', async () => {
    const moveUser = uniqueUser('move');
    await createFolder(dovecot, moveUser, 'Imported');
    const moving = await createMailbox(moveUser, { afterImport: 'move', moveToFolder: 'Imported' });
    await appendMessages(dovecot, moveUser, [mail({ From: 'm@customer.test', Subject: 'Move me' }, 'body')]);
    expect((await runNow(moving.id)).summary).toMatchObject({ ticketsCreated: 1 });
    expect(await listUids(dovecot, moveUser, 'INBOX')).toEqual([]);
    expect(await listUids(dovecot, moveUser, 'Imported')).toHaveLength(1);

    const deleteUser = uniqueUser('delete');
    const deleting = await createMailbox(deleteUser, { afterImport: 'delete' });
    await appendMessages(dovecot, deleteUser, [
      mail({ From: 'd@customer.test', Subject: 'Delete me' }, 'body'),
    ]);
    expect((await runNow(deleting.id)).summary).toMatchObject({ ticketsCreated: 1 });
    expect(await listUids(dovecot, deleteUser, 'INBOX')).toEqual([]);
    expect((await ticketsOf(deleting.id)).results).toHaveLength(1);
  });

  it('quarantines mail it cannot store, goes on with the next one, and reprocesses it later', async () => {
    const user = uniqueUser('quarantine');
    const mailbox = await createMailbox(user);
    const uploadConfig = app.strapi.config.get('plugin::upload') as Record<string, unknown>;
    // The site's upload limit refuses the attachment: the message cannot be stored as it is.
    app.strapi.config.set('plugin::upload', { ...uploadConfig, sizeLimit: 100 });
    try {
      await appendMessages(dovecot, user, [
        multipartWithAttachments(
          `big-${crypto.randomBytes(3).toString('hex')}@customer.test`,
          'big@customer.test'
        ),
        mail({ From: 'next@customer.test', Subject: 'Next one' }, 'the next message still arrives'),
        mail({ Subject: 'Nobody sent this' }, 'no From header at all'),
      ]);
      const result = await runNow(mailbox.id);
      expect(result.summary).toMatchObject({ listed: 3, ticketsCreated: 1, quarantined: 2 });
    } finally {
      app.strapi.config.set('plugin::upload', uploadConfig);
    }
    const quarantine = await admin.request<{
      data: { results: Array<{ id: number; reason: string; subject: string }> };
    }>('GET', `/email-piping/receipts?mailbox=${mailbox.id}&outcome=quarantined`);
    const reasons = quarantine.body.data.results.map((r) => r.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^cannot be stored: /),
        expect.stringMatching(/no usable sender/),
      ])
    );
    const tooBig = quarantine.body.data.results.find((r) => r.reason.startsWith('cannot be stored'))!;

    const raw = await admin.request<string>('GET', `/email-piping/receipts/${tooBig.id}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(String(raw.body)).toContain('Content-ID: <logo@example.test>');

    const reprocessed = await admin.request<{ data: { outcome: string; ticketId: number } }>(
      'POST',
      `/email-piping/receipts/${tooBig.id}/reprocess`
    );
    expect(reprocessed.status, JSON.stringify(reprocessed.body)).toBe(200);
    expect(reprocessed.body.data.outcome).toBe('ticket-created');
    expect((await ticketsOf(mailbox.id)).results).toHaveLength(2);
    // The counters follow the receipts: the reprocessed mail left the quarantine for a ticket.
    expect(
      await app.strapi.db.query(UID.mailbox as never).findOne({ where: { id: mailbox.id } })
    ).toMatchObject({
      ticketsCreated: 2,
      quarantinedCount: 1,
      skippedCount: 0,
    });
    const twice = await admin.request('POST', `/email-piping/receipts/${tooBig.id}/reprocess`);
    expect(twice.status).toBe(409);

    // The mail without a sender is not worth keeping: an admin discards it. The receipt stays, its source goes.
    const senderless = quarantine.body.data.results.find((r) => /no usable sender/.test(r.reason))!;
    const discarded = await admin.request<{ data: { outcome: string; reason: string } }>(
      'POST',
      `/email-piping/receipts/${senderless.id}/discard`
    );
    expect(discarded.status, JSON.stringify(discarded.body)).toBe(200);
    expect(discarded.body.data.outcome).toBe('discarded');
    expect(discarded.body.data.reason).toMatch(/^discarded by .* was quarantined: .*no usable sender/);
    expect((await admin.request('GET', `/email-piping/receipts/${senderless.id}/raw`)).status).toBe(404);
    expect((await admin.request('POST', `/email-piping/receipts/${tooBig.id}/discard`)).status).toBe(400);
  });

  it('quarantines oversize mail without downloading it and leaves it on the server', async () => {
    const user = uniqueUser('oversize');
    const mailbox = await createMailbox(user);
    const config = app.strapi.config.get('plugin::email-piping') as Record<string, unknown>;
    app.strapi.config.set('plugin::email-piping', { ...config, maxMessageBytes: 2000 });
    try {
      await appendMessages(dovecot, user, [
        mail({ From: 'big@customer.test', Subject: 'Huge' }, 'x'.repeat(5000)),
        mail({ From: 'small@customer.test', Subject: 'Small' }, 'fine'),
      ]);
      const result = await runNow(mailbox.id);
      expect(result.summary).toMatchObject({ ticketsCreated: 1, quarantined: 1 });
    } finally {
      app.strapi.config.set('plugin::email-piping', config);
    }
    const receipts = await admin.request<{ data: { results: Array<{ reason: string; outcome: string }> } }>(
      'GET',
      `/email-piping/receipts?mailbox=${mailbox.id}&outcome=quarantined`
    );
    expect(receipts.body.data.results[0].reason).toMatch(/over the 0\.0 MB size limit|size limit/);
    const status = await mailboxStatus(dovecot, user, 'INBOX');
    const flags = Object.values(status.flags);
    expect(flags.filter((f) => f.includes('\\Seen'))).toHaveLength(1);
    expect(flags).toHaveLength(2);
  });

  it('tests a connection and reports why it failed; a failing mailbox does not stop the others', async () => {
    const good = await admin.request<{ data: { ok: boolean; messages: number } }>(
      'POST',
      '/email-piping/mailboxes/test',
      {
        name: 'probe',
        host: dovecot.host,
        port: dovecot.port,
        security: 'none',
        username: uniqueUser('probe'),
        password: dovecot.password,
      }
    );
    expect(good.body.data).toMatchObject({ ok: true, messages: 0 });

    const badPassword = await admin.request<{ data: { ok: boolean; kind: string; message: string } }>(
      'POST',
      '/email-piping/mailboxes/test',
      {
        name: 'probe',
        host: dovecot.host,
        port: dovecot.port,
        security: 'none',
        username: 'x@example.test',
        password: 'wrong',
      }
    );
    expect(badPassword.body.data).toMatchObject({ ok: false, kind: 'auth' });
    expect(badPassword.body.data.message).toMatch(/IMAP login failed for x@example.test/);

    const missingFolder = await admin.request<{ data: { ok: boolean; kind: string; message: string } }>(
      'POST',
      '/email-piping/mailboxes/test',
      {
        name: 'probe',
        host: dovecot.host,
        port: dovecot.port,
        security: 'none',
        username: uniqueUser('folder'),
        password: dovecot.password,
        folder: 'Nope',
      }
    );
    expect(missingFolder.body.data).toMatchObject({ ok: false, kind: 'folder' });
    expect(missingFolder.body.data.message).toMatch(/"Nope"/);

    // TLS spoken to a plain-text server, and STARTTLS demanded from a server that does not offer it.
    for (const security of ['tls', 'starttls']) {
      const tls = await admin.request<{ data: { ok: boolean; kind: string; message: string } }>(
        'POST',
        '/email-piping/mailboxes/test',
        {
          name: 'probe',
          host: dovecot.host,
          port: dovecot.port,
          security,
          username: uniqueUser('tls'),
          password: dovecot.password,
        }
      );
      expect(tls.body.data, security).toMatchObject({ ok: false });
      expect(tls.body.data.kind, `${security}: ${tls.body.data.message}`).toBe('tls');
      expect(tls.body.data.message, security).toMatch(
        security === 'tls' ? /^TLS with .* failed \(wrong version number\)/ : /does not support STARTTLS/
      );
    }

    const closedPort = await admin.request<{ data: { ok: boolean; kind: string; message: string } }>(
      'POST',
      '/email-piping/mailboxes/test',
      { name: 'probe', host: '127.0.0.1', port: 1, security: 'none', username: 'x', password: 'y' }
    );
    expect(closedPort.body.data).toMatchObject({ ok: false, kind: 'unreachable' });

    // A broken mailbox gets a clear status and a back-off; a healthy one next to it imports as usual.
    const broken = await createMailbox(uniqueUser('broken'), {
      password: 'wrong-password',
      username: 'broken@example.test',
    });
    const healthyUser = uniqueUser('healthy');
    const healthy = await createMailbox(healthyUser);
    await appendMessages(dovecot, healthyUser, [mail({ From: 'h@customer.test', Subject: 'Hello' }, 'hi')]);
    const importer = app.strapi.plugin('email-piping').service('importer');
    const [brokenRun, healthyRun] = await Promise.all([
      importer.runMailbox(broken.id, { manual: false }),
      importer.runMailbox(healthy.id, { manual: false }),
    ]);
    expect(brokenRun.status).toBe('failed');
    expect(healthyRun).toMatchObject({ status: 'imported', summary: { ticketsCreated: 1 } });
    const brokenView = await admin.request<{ data: Record<string, unknown> }>(
      'GET',
      `/email-piping/mailboxes/${broken.id}`
    );
    expect(brokenView.body.data.lastError).toMatch(/IMAP login failed/);
    expect(brokenView.body.data.consecutiveFailures).toBe(1);
    expect(new Date(String(brokenView.body.data.nextAttemptAt)).getTime()).toBeGreaterThan(Date.now());
    // The schedule respects the back-off: the next tick does not hammer the server.
    expect(await importer.runMailbox(broken.id, { manual: false })).toMatchObject({ status: 'backing-off' });
  });

  it('filters, searches and pages tickets', async () => {
    const user = uniqueUser('search');
    const mailbox = await createMailbox(user);
    await appendMessages(
      dovecot,
      user,
      Array.from({ length: 7 }, (_, i) =>
        mail(
          { From: `person${i}@search.test`, Subject: i === 3 ? 'Needle in haystack' : `Ordinary ${i}` },
          'x'
        )
      )
    );
    await runNow(mailbox.id);
    const page = await admin.request<{ data: { results: unknown[]; pagination: Record<string, number> } }>(
      'GET',
      `/email-piping/tickets?mailbox=${mailbox.id}&pageSize=3&page=3`
    );
    expect(page.body.data.pagination).toEqual({ page: 3, pageSize: 3, total: 7, pageCount: 3 });
    expect(page.body.data.results).toHaveLength(1);
    const found = await admin.request<{ data: { results: Array<{ subject: string; number: number }> } }>(
      'GET',
      `/email-piping/tickets?mailbox=${mailbox.id}&q=needle`
    );
    expect(found.body.data.results.map((t) => t.subject)).toEqual(['Needle in haystack']);
    const byNumber = await admin.request<{ data: { results: Array<{ subject: string }> } }>(
      'GET',
      `/email-piping/tickets?q=%23${found.body.data.results[0].number}`
    );
    expect(byNumber.body.data.results.map((t) => t.subject)).toEqual(['Needle in haystack']);
    const bad = await admin.request<{ error: { message: string } }>(
      'GET',
      '/email-piping/tickets?status=lost'
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^status:/);
  });
});
