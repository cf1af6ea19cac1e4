/**
 * What the admin panels need from the API: assigning tickets (who can be assigned, the assignee filter with `me` and
 * `none`, validated updates), the connection test from the connection fields alone, piping-rule updates checked like
 * creates, receipts that say whether their source is stored, and import progress that a killed process left
 * "running" cleared at the next boot.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DovecotServer } from '../harness/dovecot';
import { uniqueUser } from '../harness/imap';
import {
  bootStrapi,
  createRoleWithActions,
  loginAdmin,
  type AdminSession,
  type TestStrapi,
} from '../harness/strapi';

const READ = 'plugin::email-piping.tickets.read';
const REPLY = 'plugin::email-piping.tickets.reply';
const SETTINGS = 'plugin::email-piping.settings.manage';

interface Refusal {
  error: { message: string };
}

describe('admin panels API', () => {
  let app: TestStrapi;
  let superAdmin: AdminSession;
  let dovecot: DovecotServer;

  beforeAll(async () => {
    dovecot = inject('dovecot') as unknown as DovecotServer;
    app = await bootStrapi({ listen: true });
    superAdmin = await loginAdmin(app);
  });
  afterAll(async () => {
    await app?.stop();
  });

  const roleWith = (actions: string[]) => createRoleWithActions(app, actions);

  /** A saved mailbox on the test Dovecot, never run by its schedule. */
  async function createMailbox(name: string): Promise<number> {
    const created = await superAdmin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
      name,
      host: dovecot.host,
      port: dovecot.port,
      security: 'none',
      username: uniqueUser(name),
      password: dovecot.password,
      schedule: '0 0 1 1 *',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.data.id;
  }

  async function adminUser(
    firstname: string,
    roleId: number,
    extra: { isActive?: boolean; blocked?: boolean } = {}
  ): Promise<{ id: number; email: string }> {
    return app.strapi.service('admin::user').create({
      email: `${firstname.toLowerCase()}-${crypto.randomBytes(3).toString('hex')}@example.test`,
      firstname,
      lastname: 'Tester',
      password: 'Test-password-1',
      isActive: extra.isActive ?? true,
      blocked: extra.blocked ?? false,
      roles: [roleId],
    });
  }

  describe('assigning tickets', () => {
    const tickets = () => app.strapi.db.query('plugin::email-piping.ticket' as never);
    let agentRole: number;
    let agentSession: AdminSession;
    let agentId: number;
    let superAdminId: number;
    let ids: Record<'agents' | 'admins' | 'nobodys', number>;

    beforeAll(async () => {
      agentRole = await roleWith([READ, REPLY]);
      agentSession = await loginAdmin(app, { roleId: agentRole });
      const me = async (session: AdminSession) =>
        (
          (await app.strapi.db
            .query('admin::user' as never)
            .findOne({ select: ['id'], where: { email: session.email } })) as { id: number }
        ).id;
      agentId = await me(agentSession);
      superAdminId = await me(superAdmin);
      const next = ((await tickets().count({})) as number) + 9000;
      const ticket = async (number: number, subject: string, assigneeId: number | null) =>
        (
          (await tickets().create({
            data: { number, subject, status: 'open', priority: 'normal', assigneeId },
          })) as {
            id: number;
          }
        ).id;
      ids = {
        agents: await ticket(next + 1, "The agent's ticket", agentId),
        admins: await ticket(next + 2, "The admin's ticket", superAdminId),
        nobodys: await ticket(next + 3, "Nobody's ticket", null),
      };
    });

    async function listIds(session: AdminSession, assignee: string): Promise<number[]> {
      const response = await session.request<{
        data: { results: Array<{ id: number }>; counts: Record<string, number> };
      }>('GET', `/email-piping/tickets?assignee=${assignee}&pageSize=100`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.data.results
        .map((ticket) => ticket.id)
        .filter((id) => Object.values(ids).includes(id));
    }

    it('lists who can be assigned: active admin users who may read tickets, to anyone who may read them', async () => {
      const inactive = await adminUser('Inactive', agentRole, { isActive: false });
      const blocked = await adminUser('Blocked', agentRole, { blocked: true });
      const settingsOnly = await adminUser('Settings', await roleWith([SETTINGS]));
      const reader = await loginAdmin(app, { roleId: await roleWith([READ]) });

      const response = await reader.request<{ data: Array<{ id: number; name: string; email: string }> }>(
        'GET',
        '/email-piping/assignees'
      );
      expect(response.status).toBe(200);
      const listed = response.body.data;
      expect(listed).toContainEqual({ id: agentId, name: 'Test Admin', email: agentSession.email });
      expect(listed.map((user) => user.id)).toContain(superAdminId);
      for (const user of [inactive, blocked, settingsOnly]) {
        expect(listed.map((entry) => entry.id)).not.toContain(user.id);
      }
      // Nothing else about the users leaves the server.
      expect(Object.keys(listed[0]).sort()).toEqual(['email', 'id', 'name']);

      const outsider = await loginAdmin(app, { roleId: await roleWith([SETTINGS]) });
      expect((await outsider.request('GET', '/email-piping/assignees')).status).toBe(403);
      expect((await fetch(`${app.baseUrl}/email-piping/assignees`)).status).toBe(401);
    });

    it('filters the list by assignee: an id, "none" for unassigned, "me" for whoever asks', async () => {
      expect(await listIds(superAdmin, String(agentId))).toEqual([ids.agents]);
      expect(await listIds(superAdmin, 'none')).toEqual([ids.nobodys]);
      expect(await listIds(superAdmin, 'me')).toEqual([ids.admins]);
      expect(await listIds(agentSession, 'me')).toEqual([ids.agents]);

      // The counts per status follow the assignee filter.
      const mine = await agentSession.request<{ data: { counts: Record<string, number> } }>(
        'GET',
        '/email-piping/tickets?assignee=me'
      );
      expect(mine.body.data.counts).toEqual({ open: 1, pending: 0, resolved: 0, closed: 0 });

      const bad = await superAdmin.request<Refusal>('GET', '/email-piping/tickets?assignee=someone');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toBe('assignee: must be an admin user id, "me" or "none" (unassigned)');
    });

    it('assigns and unassigns a ticket, and refuses anyone who cannot be assigned, saying why', async () => {
      const assign = (session: AdminSession, assigneeId: unknown) =>
        session.request<{ data: { assigneeId: number | null } } & Refusal>(
          'PUT',
          `/email-piping/tickets/${ids.nobodys}`,
          { assigneeId }
        );
      const assigned = await assign(agentSession, superAdminId);
      expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
      expect(assigned.body.data.assigneeId).toBe(superAdminId);
      expect(await listIds(superAdmin, 'me')).toEqual([ids.admins, ids.nobodys].sort((a, b) => b - a));

      const unassigned = await assign(agentSession, null);
      expect(unassigned.status).toBe(200);
      expect(
        ((await tickets().findOne({ where: { id: ids.nobodys } })) as { assigneeId: unknown }).assigneeId
      ).toBeNull();

      const inactive = await adminUser('Gone', agentRole, { isActive: false });
      const settingsOnly = await adminUser('Configurer', await roleWith([SETTINGS]));
      const refusals: Array<[unknown, string | RegExp]> = [
        ['5', 'assigneeId: must be an admin user id, or null to unassign'],
        [1.5, 'assigneeId: must be an admin user id, or null to unassign'],
        [999_999, 'assigneeId: admin user #999999 does not exist'],
        [inactive.id, `assigneeId: Gone Tester (#${inactive.id}) is not an active admin user`],
        [
          settingsOnly.id,
          `assigneeId: Configurer Tester (#${settingsOnly.id}) may not read tickets (give one of their roles the "Read tickets" permission)`,
        ],
      ];
      for (const [value, message] of refusals) {
        const refused = await assign(superAdmin, value);
        expect(refused.status, JSON.stringify(value)).toBe(400);
        expect(refused.body.error.message).toBe(message);
      }
      expect(
        ((await tickets().findOne({ where: { id: ids.nobodys } })) as { assigneeId: unknown }).assigneeId
      ).toBeNull();

      // Assigning is changing the ticket: reading it is not enough.
      const reader = await loginAdmin(app, { roleId: await roleWith([READ]) });
      expect((await assign(reader, agentId)).status).toBe(403);
    });
  });

  describe('connection test', () => {
    it('needs the connection fields only, not a name', async () => {
      const user = uniqueUser('probe');
      const tested = await superAdmin.request<{ data: { ok: boolean; messages: number } }>(
        'POST',
        '/email-piping/mailboxes/test',
        {
          host: dovecot.host,
          port: dovecot.port,
          security: 'none',
          username: user,
          password: dovecot.password,
        }
      );
      expect(tested.status, JSON.stringify(tested.body)).toBe(200);
      expect(tested.body.data).toMatchObject({ ok: true, messages: 0 });

      const noPassword = await superAdmin.request<Refusal>('POST', '/email-piping/mailboxes/test', {
        host: dovecot.host,
        port: dovecot.port,
        security: 'none',
        username: user,
      });
      expect(noPassword.status).toBe(400);
      expect(noPassword.body.error.message).toBe('password: is required');
    });

    it('tests a saved mailbox with its stored password', async () => {
      const id = await createMailbox('saved');
      const tested = await superAdmin.request<{ data: { ok: boolean } }>(
        'POST',
        `/email-piping/mailboxes/${id}/test`,
        {}
      );
      expect(tested.body.data).toMatchObject({ ok: true });
    });
  });

  describe('piping rule scope', () => {
    const rule = {
      name: 'Scoped',
      conditions: [{ field: 'subject', mode: 'wildcard', pattern: '*invoice*' }],
      actions: [{ type: 'setCategory', value: 'billing' }],
    };

    it('checks the mailbox of an update exactly as on create', async () => {
      const boxId = await createMailbox('scope');
      const created = await superAdmin.request<{ data: { id: number; mailboxId: number | null } }>(
        'POST',
        '/email-piping/piping-rules',
        rule
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.data.mailboxId).toBeNull();
      const url = `/email-piping/piping-rules/${created.body.data.id}`;

      for (const [mailboxId, message] of [
        ['2', 'mailboxId: must be a mailbox id or null (all mailboxes)'],
        [999_999, 'mailboxId: mailbox #999999 does not exist'],
      ] as const) {
        const createRefused = await superAdmin.request<Refusal>('POST', '/email-piping/piping-rules', {
          ...rule,
          mailboxId,
        });
        const updateRefused = await superAdmin.request<Refusal>('PUT', url, { mailboxId });
        for (const refused of [createRefused, updateRefused]) {
          expect(refused.status).toBe(400);
          expect(refused.body.error.message).toBe(message);
        }
      }

      const scoped = await superAdmin.request<{ data: { mailboxId: number | null; name: string } }>(
        'PUT',
        url,
        {
          mailboxId: boxId,
        }
      );
      expect(scoped.status).toBe(200);
      expect(scoped.body.data).toMatchObject({ mailboxId: boxId, name: 'Scoped' });
      // Left out, the scope stays; null makes the rule global again.
      const renamed = await superAdmin.request<{ data: { mailboxId: number | null } }>('PUT', url, {
        name: 'Renamed',
      });
      expect(renamed.body.data.mailboxId).toBe(boxId);
      const global = await superAdmin.request<{ data: { mailboxId: number | null } }>('PUT', url, {
        mailboxId: null,
      });
      expect(global.body.data.mailboxId).toBeNull();
    });
  });

  describe('receipts', () => {
    it('say whether a raw source is stored, without sending it', async () => {
      const receipts = app.strapi.db.query('plugin::email-piping.inbound-receipt' as never);
      const mailboxId = 424_242;
      const receipt = async (uid: number, rawSource: string | null, reason: string) =>
        (
          (await receipts.create({
            data: { mailboxId, uidValidity: 1, uid, outcome: 'quarantined', reason, rawSource },
          })) as { id: number }
        ).id;
      const kept = await receipt(
        1,
        Buffer.from('Subject: broken\r\n\r\nbody').toString('base64'),
        'unparseable'
      );
      const tooLarge = await receipt(2, null, 'over the size limit');

      const response = await superAdmin.request<{ data: { results: Array<Record<string, unknown>> } }>(
        'GET',
        `/email-piping/receipts?mailbox=${mailboxId}&outcome=quarantined`
      );
      expect(response.status).toBe(200);
      const byId = new Map(response.body.data.results.map((row) => [row.id, row]));
      expect(byId.get(kept)).toMatchObject({ hasRawSource: true });
      expect(byId.get(tooLarge)).toMatchObject({ hasRawSource: false });
      for (const row of response.body.data.results) expect(row).not.toHaveProperty('rawSource');

      // Discarding drops the source, and the answer says so.
      const discarded = await superAdmin.request<{ data: Record<string, unknown> }>(
        'POST',
        `/email-piping/receipts/${kept}/discard`
      );
      expect(discarded.body.data).toMatchObject({ outcome: 'discarded', hasRawSource: false });
      expect(discarded.body.data).not.toHaveProperty('rawSource');
    });
  });
});

describe('import progress after a crash', () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-progress-'));
  const databaseFile = path.join(workDir, 'progress.db');
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  async function progressAfterReboot(progress: Record<string, unknown>): Promise<unknown> {
    const before = await bootStrapi({ databaseFile });
    let id: number;
    try {
      const mailbox = (await before.strapi
        .plugin('email-piping')
        .service('mailboxes')
        .create({ name: 'Killed mid-run', host: '127.0.0.1', port: 1, username: 'x', password: 'y' })) as {
        id: number;
      };
      id = mailbox.id;
      // What a process killed in the middle of a run leaves behind: its last progress write.
      await before.strapi.db
        .query('plugin::email-piping.mailbox' as never)
        .update({ where: { id }, data: { progress } });
    } finally {
      await before.stop(); // its work folder goes; the database file is in ours
    }
    const after = await bootStrapi({ databaseFile });
    try {
      const row = (await after.strapi.db
        .query('plugin::email-piping.mailbox' as never)
        .findOne({ select: ['progress'], where: { id } })) as { progress: unknown };
      return row.progress;
    } finally {
      await after.stop();
    }
  }

  it('is no longer "running" once Strapi boots again, and keeps how far the run got', async () => {
    expect(await progressAfterReboot({ done: 40, total: 100, running: true })).toEqual({
      done: 40,
      total: 100,
      running: false,
    });
  });
});
