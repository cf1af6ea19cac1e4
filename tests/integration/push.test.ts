/**
 * Push (IMAP IDLE) against the real playground Strapi and the real Dovecot: with a schedule that never fires in the
 * test, mail appended to the mailbox becomes a ticket within seconds because the watcher sat in IDLE and the server
 * said EXISTS; IDLE is renewed (every second here) without losing mail; the connection killed on the server side, or
 * gone silent (the server process stopped), is re-established and the next mail is imported; push switched off (or
 * the mailbox disabled) leaves no watcher and no connection, and the API says "polling" with the reason; a server
 * that does not announce IDLE is polled on the schedule, and the API says why; shutting Strapi down closes every IDLE
 * connection.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MailboxAnswer } from '../../contracts/api';
import { imapSettingsFor, startDovecot, userProcessIds, type DovecotServer } from '../harness/dovecot';
import { appendMessages } from '../harness/imap';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';
import { until } from '../harness/until';

const mail = (subject: string) =>
  [
    `From: push-${crypto.randomBytes(3).toString('hex')}@customer.test`,
    `Subject: ${subject}`,
    `Message-ID: <${crypto.randomBytes(6).toString('hex')}@customer.test>`,
    '',
    'hello',
  ].join('\r\n');

describe('push: IMAP IDLE', () => {
  let app: TestStrapi;
  let admin: AdminSession;
  let dovecot: DovecotServer;

  beforeAll(async () => {
    dovecot = inject('dovecot') as unknown as DovecotServer;
    app = await bootStrapi({
      listen: true,
      pluginConfig: { autoStart: true, pushRenewSeconds: 1, pushKeepaliveSeconds: 5 },
    });
    admin = await loginAdmin(app);
  });
  afterAll(async () => {
    await app?.stop();
  });

  async function stopStrapi(): Promise<void> {
    const running = app;
    app = undefined as unknown as TestStrapi;
    await running.stop();
  }

  const push = () => app.strapi.plugin('email-piping').service('push');
  const mailbox = async (id: number) =>
    (await admin.request<{ data: MailboxAnswer }>('GET', `/email-piping/mailboxes/${id}`)).body.data;
  const subjects = async (id: number) =>
    (
      await admin.request<{ data: { results: Array<{ subject: string }> } }>(
        'GET',
        `/email-piping/tickets?mailbox=${id}&pageSize=100`
      )
    ).body.data.results
      .map((ticket) => ticket.subject)
      .sort();
  const ticketFor = (id: number, subject: string) =>
    until(async () => (await subjects(id)).includes(subject), 10_000);

  async function createMailbox(user: string, settings: Record<string, unknown> = {}): Promise<number> {
    const created = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
      name: 'Push',
      ...imapSettingsFor(dovecot, user),
      // Never within the test: whatever is imported came through push.
      schedule: '0 0 1 1 *',
      ...settings,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.data.id;
  }

  it('imports new mail as the server announces it, renews IDLE, and reconnects after a killed or silent connection', async () => {
    const user = `push-${crypto.randomBytes(4).toString('hex')}@example.test`;
    // The user's maildir must exist before the watcher opens INBOX: the first mail creates it.
    await appendMessages(dovecot, user, [mail('Before the watcher')]);
    const id = await createMailbox(user);
    expect((await mailbox(id)).push).toBe(true);

    // Connecting counts as "new mail" too: what came while nobody watched is imported at once.
    await ticketFor(id, 'Before the watcher');
    await until(async () => (await mailbox(id)).pushState === 'push');
    expect(push().watchedIds()).toContain(id);

    await appendMessages(dovecot, user, [mail('Pushed 1')]);
    await ticketFor(id, 'Pushed 1');

    // IDLE is renewed every second here (at most 29 minutes in production): mail still arrives afterwards.
    await until(async () => push().counters(id)!.renewals >= 3);
    await appendMessages(dovecot, user, [mail('After renewals')]);
    await ticketFor(id, 'After renewals');

    // The server ends the connection (its IMAP process killed): the watcher says so and comes back.
    const connects = push().counters(id)!.connects;
    const processes = userProcessIds(dovecot, user);
    expect(processes.length).toBeGreaterThan(0);
    for (const pid of processes) process.kill(pid, 'SIGKILL');
    await until(async () => push().counters(id)!.connects > connects);
    await until(async () => (await mailbox(id)).pushState === 'push');
    await appendMessages(dovecot, user, [mail('After reconnect')]);
    await ticketFor(id, 'After reconnect');

    // A server that goes silent without closing (its IMAP process stopped, the socket open): the NOOP goes
    // unanswered, the watcher gives the connection up after the keepalive time (5 s here) and connects anew.
    const beforeSilence = push().counters(id)!.connects;
    const silent = userProcessIds(dovecot, user);
    expect(silent.length).toBeGreaterThan(0);
    for (const pid of silent) process.kill(pid, 'SIGSTOP');
    try {
      await until(async () => push().counters(id)!.connects > beforeSilence, 30_000);
    } finally {
      for (const pid of silent) process.kill(pid, 'SIGCONT');
    }
    await appendMessages(dovecot, user, [mail('After silence')]);
    await ticketFor(id, 'After silence');

    expect(await subjects(id)).toEqual([
      'After reconnect',
      'After renewals',
      'After silence',
      'Before the watcher',
      'Pushed 1',
    ]);
  });

  it('push off or mailbox disabled: no watcher, no connection, and the API says polling and why', async () => {
    const user = `poll-${crypto.randomBytes(4).toString('hex')}@example.test`;
    await appendMessages(dovecot, user, [mail('Waits for the schedule')]);
    const id = await createMailbox(user, { push: false });
    const row = await until(async () => {
      const answer = await mailbox(id);
      return answer.pushState === 'polling' ? answer : null;
    }, 20_000);
    expect(row.pushReason).toBe('push is off for this mailbox');
    expect(push().watchedIds()).not.toContain(id);
    expect(userProcessIds(dovecot, user)).toEqual([]);
    // Nothing imports it (the schedule is a year away, and push is off).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await subjects(id)).toEqual([]);

    // Push on: the watcher connects and imports what waited.
    await admin.request('PUT', `/email-piping/mailboxes/${id}`, { push: true });
    await ticketFor(id, 'Waits for the schedule');
    await until(async () => (await mailbox(id)).pushState === 'push');
    expect(
      (await admin.request<{ data: MailboxAnswer[] }>('GET', '/email-piping/mailboxes')).body.data
    ).toContainEqual(expect.objectContaining({ id, pushState: 'push', pushReason: null }));

    // Disabled: the watcher goes, and its connection with it.
    await admin.request('PUT', `/email-piping/mailboxes/${id}`, { enabled: false });
    await until(async () => (await mailbox(id)).pushReason === 'the mailbox is disabled');
    expect(push().watchedIds()).not.toContain(id);
    await until(async () => userProcessIds(dovecot, user).length === 0);

    await admin.request('DELETE', `/email-piping/mailboxes/${id}`);
  });

  it('a server without IDLE: polling only, the reason in the API, and the schedule imports', async () => {
    const noIdle = await startDovecot({
      capabilities: [
        'IMAP4rev1',
        'LITERAL+',
        'SASL-IR',
        'ID',
        'ENABLE',
        'NAMESPACE',
        'UIDPLUS',
        'UNSELECT',
        'MOVE',
      ],
    });
    try {
      const user = `noidle-${crypto.randomBytes(4).toString('hex')}@example.test`;
      await appendMessages(noIdle, user, [mail('Found by the schedule')]);
      const created = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
        name: 'No IDLE',
        host: noIdle.host,
        port: noIdle.port,
        security: 'none',
        username: user,
        password: noIdle.password,
        schedule: '* * * * * *',
      });
      const id = created.body.data.id;
      const row = await until(async () => {
        const answer = await mailbox(id);
        return answer.pushState === 'polling' ? answer : null;
      });
      expect(row.pushReason).toBe(
        'the IMAP server does not announce IDLE; the schedule imports this mailbox'
      );
      expect(push().counters(id)).toMatchObject({ connects: 0 });
      await ticketFor(id, 'Found by the schedule');
      await admin.request('DELETE', `/email-piping/mailboxes/${id}`);
    } finally {
      await noIdle.stop();
    }
  });

  // Last: it stops Strapi.
  it('shutting Strapi down closes every IDLE connection', async () => {
    const user = `shutdown-${crypto.randomBytes(4).toString('hex')}@example.test`;
    await appendMessages(dovecot, user, [mail('Before shutdown')]);
    const id = await createMailbox(user);
    await until(async () => (await mailbox(id)).pushState === 'push');
    const service = push();
    expect(service.watchedIds()).toContain(id);
    expect(userProcessIds(dovecot, user).length).toBeGreaterThan(0);
    await stopStrapi();
    expect(service.watchedIds()).toEqual([]);
    await until(async () => userProcessIds(dovecot, user).length === 0, 10_000);
  });
});
