/**
 * The admin API's guard rails and the schedules: every route checks the admin session and an RBAC action, and the
 * node-cron schedules follow mailbox changes without a restart and stop with Strapi.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { imapSettingsFor, type DovecotServer } from '../harness/dovecot';
import { appendMessages } from '../harness/imap';
import {
  bootStrapi,
  createRoleWithActions,
  loginAdmin,
  type AdminSession,
  type TestStrapi,
} from '../harness/strapi';
import { until } from '../harness/until';

const SETTINGS_ROUTES: Array<[string, string]> = [
  ['GET', '/email-piping/mailboxes'],
  ['POST', '/email-piping/mailboxes'],
  ['POST', '/email-piping/mailboxes/test'],
  ['GET', '/email-piping/mailboxes/1'],
  ['PUT', '/email-piping/mailboxes/1'],
  ['DELETE', '/email-piping/mailboxes/1'],
  ['POST', '/email-piping/mailboxes/1/test'],
  ['POST', '/email-piping/mailboxes/1/run'],
  ['GET', '/email-piping/receipts'],
  ['GET', '/email-piping/receipts/1/raw'],
  ['POST', '/email-piping/receipts/1/reprocess'],
];
const TICKET_ROUTES: Array<[string, string]> = [
  ['GET', '/email-piping/tickets'],
  ['GET', '/email-piping/tickets/1'],
];

describe('admin API access control', () => {
  let app: TestStrapi;
  let superAdmin: AdminSession;

  beforeAll(async () => {
    app = await bootStrapi({ listen: true });
    superAdmin = await loginAdmin(app);
  });
  afterAll(async () => {
    await app?.stop();
  });

  async function adminWithActions(actions: string[]): Promise<AdminSession> {
    return loginAdmin(app, { roleId: await createRoleWithActions(app, actions) });
  }

  it('registers the plugin actions with Strapi RBAC', () => {
    const registry = app.strapi.service('admin::permission').actionProvider;
    expect(registry.get('plugin::email-piping.tickets.read')).toBeTruthy();
    expect(registry.get('plugin::email-piping.settings.manage')).toBeTruthy();
  });

  it('answers 401 without an admin session', async () => {
    for (const [method, url] of [...SETTINGS_ROUTES, ...TICKET_ROUTES]) {
      const response = await fetch(`${app.baseUrl}${url}`, { method });
      expect(response.status, `${method} ${url}`).toBe(401);
    }
  });

  it('keeps an editor who may only read tickets out of every settings route', async () => {
    const editor = await adminWithActions(['plugin::email-piping.tickets.read']);
    for (const [method, url] of SETTINGS_ROUTES) {
      const response = await editor.request(method, url, method === 'GET' ? undefined : {});
      expect(response.status, `${method} ${url}`).toBe(403);
    }
    expect((await editor.request('GET', '/email-piping/tickets')).status).toBe(200);
  });

  it('keeps an admin without plugin permissions out of the tickets too', async () => {
    const outsider = await adminWithActions([]);
    for (const [method, url] of TICKET_ROUTES) {
      expect((await outsider.request(method, url)).status, `${method} ${url}`).toBe(403);
    }
  });

  it('lets a settings manager in', async () => {
    const manager = await adminWithActions(['plugin::email-piping.settings.manage']);
    expect((await manager.request('GET', '/email-piping/mailboxes')).status).toBe(200);
    expect((await manager.request('GET', '/email-piping/receipts')).status).toBe(200);
    expect((await superAdmin.request('GET', '/email-piping/mailboxes/999999')).status).toBe(404);
  });
});

describe('import schedules', () => {
  let app: TestStrapi;
  let admin: AdminSession;

  beforeAll(async () => {
    app = await bootStrapi({ listen: true, pluginConfig: { autoStart: true } });
    admin = await loginAdmin(app);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('imports on each mailbox schedule and follows changes without a restart', async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const importer = app.strapi.plugin('email-piping').service('importer');
    const user = `cron-${crypto.randomBytes(4).toString('hex')}@example.test`;
    await appendMessages(dovecot, user, [
      [
        'From: timer@customer.test',
        'Subject: Scheduled',
        'Message-ID: <sched-1@customer.test>',
        '',
        'hello',
      ].join('\r\n'),
    ]);
    const created = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
      name: 'Every second',
      ...imapSettingsFor(dovecot, user),
      schedule: '* * * * * *',
      // This test is about the schedule: push (tests/integration/push.test.ts) would import the mail first.
      push: false,
    });
    const id = created.body.data.id;
    expect(importer.scheduledMailboxIds()).toContain(id);

    // Nobody presses "run now": the schedule imports the mail.
    const tickets = await until(async () => {
      const response = await admin.request<{ data: { results: Array<{ subject: string }> } }>(
        'GET',
        `/email-piping/tickets?mailbox=${id}`
      );
      return response.body.data.results.length > 0 ? response.body.data.results : null;
    });
    expect(tickets.map((t) => t.subject)).toEqual(['Scheduled']);

    // Disabled: the schedule goes away; enabled again: it comes back; deleted: gone for good.
    await admin.request('PUT', `/email-piping/mailboxes/${id}`, { enabled: false });
    await until(async () => !importer.scheduledMailboxIds().includes(id));
    await admin.request('PUT', `/email-piping/mailboxes/${id}`, { enabled: true, schedule: '*/5 * * * *' });
    await until(async () => importer.scheduledMailboxIds().includes(id));
    await admin.request('DELETE', `/email-piping/mailboxes/${id}`);
    await until(async () => !importer.scheduledMailboxIds().includes(id));
  });

  it('never runs the same mailbox twice at once', async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const user = `overlap-${crypto.randomBytes(4).toString('hex')}@example.test`;
    await appendMessages(
      dovecot,
      user,
      Array.from({ length: 30 }, (_, i) => `From: o${i}@customer.test\r\nSubject: Overlap ${i}\r\n\r\nbody`)
    );
    const created = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
      name: 'Overlap',
      ...imapSettingsFor(dovecot, user),
      schedule: '0 0 1 1 *',
      // Only the two runs below: a push watcher's import on connect would race them.
      push: false,
    });
    const importer = app.strapi.plugin('email-piping').service('importer');
    const first = importer.runMailbox(created.body.data.id, { manual: false });
    const second = await importer.runMailbox(created.body.data.id, { manual: false });
    expect(second).toEqual({ status: 'busy' });
    expect(await first).toMatchObject({ status: 'imported', summary: { ticketsCreated: 30 } });
  });

  it('stops every schedule when Strapi shuts down', async () => {
    const importer = app.strapi.plugin('email-piping').service('importer');
    await admin.request('POST', '/email-piping/mailboxes', {
      name: 'Left running',
      host: '127.0.0.1',
      port: 1,
      security: 'none',
      username: 'x',
      password: 'y',
      schedule: '* * * * * *',
    });
    expect(importer.scheduledMailboxIds().length).toBeGreaterThan(0);
    await app.stop();
    expect(importer.scheduledMailboxIds()).toEqual([]);
    app = undefined as unknown as TestStrapi;
  });
});
