/**
 * The loop harness: the plugin (real Strapi, Dovecot and SMTP server) against scripted mail robots that answer what
 * it sends — an RFC 3834 vacation responder, a naive responder that marks nothing and drops the thread, an
 * Exchange-style out of office, a bouncing MTA (standard DSN and a qmail "failure notice"), and a second instance of
 * the plugin in its own process. A router plays the Internet: every mail the plugin hands to the SMTP server goes to
 * the robot or help desk it is addressed to, and what comes back is appended to the right IMAP mailbox. Each run is
 * bounded in rounds; the assertions count the automatic mails exchanged and read the flags on every ticket.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DovecotServer } from '../harness/dovecot';
import { appendMessages } from '../harness/imap';
import {
  bouncingMta,
  createExchangeOutOfOffice,
  createNaiveResponder,
  createRfcVacationResponder,
  nonStandardBounce,
  type MailRobot,
} from '../harness/mail-robots';
import { startSmtpSink, type CapturedMail, type SmtpSink } from '../harness/smtp-sink';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';
import { startPeerInstance, type PeerInstance } from '../harness/worker';

const CRLF = '\r\n';
const MAX_ROUNDS = 12;
/** Limits low enough for a test to reach them in seconds; the defaults are Zammad's (10 / 10 min per ticket...). */
const LIMITS = {
  perTicketRecipient: [{ minutes: 10, max: 4 }],
  perRecipient: [{ minutes: 10, max: 5 }],
  mailboxBreaker: { minutes: 60, max: 200 },
};

const tag = () => crypto.randomBytes(3).toString('hex');
const withoutPlusTag = (address: string) => address.toLowerCase().replace(/\+[^@]*@/, '@');

function customerMail(headers: Record<string, string>, body = 'Hello, I need help.'): string {
  const all = {
    'Message-ID': `<${tag()}.${Date.now()}@customer.test>`,
    Date: new Date().toUTCString(),
    ...headers,
  };
  return [...Object.entries(all).map(([k, v]) => `${k}: ${v}`), '', body].join(CRLF);
}

function isAutomatic(mail: CapturedMail): boolean {
  const value = mail.header('auto-submitted');
  return value !== undefined && !/^no\b/i.test(value);
}

/** One help desk on the network: where its mail is delivered, and how it imports and sends. */
interface Desk {
  address: string;
  imapUser: string;
  run(): Promise<void>;
}

describe('loop harness: the plugin against mail robots and another help desk', () => {
  let app: TestStrapi;
  let admin: AdminSession;
  let dovecot: DovecotServer;
  let smtp: SmtpSink;
  let peer: PeerInstance;
  let peerDesk: Desk;
  let peerDir: string;
  /** Mails already routed: the router only looks at what the SMTP server captured since. */
  let routed = 0;
  const robots = new Map<string, MailRobot>();
  const desks = new Map<string, Desk>();

  beforeAll(async () => {
    dovecot = inject('dovecot') as unknown as DovecotServer;
    smtp = await startSmtpSink();
    app = await bootStrapi({
      listen: true,
      pluginConfig: { outboxPollMs: 100, autoMailLimits: LIMITS, siteName: 'Shop A' },
    });
    admin = await loginAdmin(app);
    peerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-peer-'));
    const peerAddress = `desk-b-${tag()}@example.test`;
    peer = await startPeerInstance({
      databaseFile: path.join(peerDir, 'peer.db'),
      dovecot,
      user: peerAddress,
      smtpPort: smtp.port,
    });
    peerDesk = {
      address: peerAddress,
      imapUser: peerAddress,
      run: async () => {
        await peer.run();
      },
    };
    desks.set(peerAddress, peerDesk);
  }, 240_000);

  afterAll(async () => {
    await peer?.stop();
    await app?.stop();
    await smtp?.stop();
    if (peerDir) fs.rmSync(peerDir, { recursive: true, force: true });
  });

  const service = (name: string) => app.strapi.plugin('email-piping').service(name);
  const query = (uid: string) => app.strapi.db.query(`plugin::email-piping.${uid}` as never);

  async function deskA(extra: Record<string, unknown> = {}): Promise<Desk & { id: number }> {
    const address = `desk-a-${tag()}@example.test`;
    const response = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
      name: 'Shop A support',
      address,
      host: dovecot.host,
      port: dovecot.port,
      security: 'none',
      username: address,
      password: dovecot.password,
      smtpHost: smtp.host,
      smtpPort: smtp.port,
      smtpSecurity: 'none',
      schedule: '0 0 1 1 *',
      ...extra,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const id = response.body.data.id;
    const desk = {
      id,
      address,
      imapUser: address,
      run: async () => {
        await service('importer').runMailbox(id, { manual: true });
        await service('outbox').drain();
      },
    };
    desks.set(address, desk);
    return desk;
  }

  /**
   * The network: runs every desk (import, then send), hands each newly sent mail to the robot or desk it is addressed
   * to, and appends the answers to the mailbox they are addressed to; until a round moves no mail, or MAX_ROUNDS.
   * Answers how many rounds moved mail.
   */
  async function pump(): Promise<number> {
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      for (const desk of desks.values()) await desk.run();
      const fresh = smtp.mails.slice(routed);
      routed = smtp.mails.length;
      if (fresh.length === 0) return round - 1;
      for (const mail of fresh) {
        for (const recipient of mail.envelopeTo) {
          const robot = robots.get(recipient);
          if (robot) {
            const answer = robot(mail, recipient);
            if (answer) await deliverTo(answer);
            continue;
          }
          const desk = desks.get(withoutPlusTag(recipient));
          if (desk) await appendMessages(dovecot, desk.imapUser, [mail.raw]);
        }
      }
    }
    throw new Error(`mail still moving after ${MAX_ROUNDS} rounds: a loop`);
  }

  /** Delivers a robot's answer to the desk its To names (a reply token or VERP tag routes to the same mailbox). */
  async function deliverTo(raw: string): Promise<void> {
    const to = /^To:\s*(?:.*<)?([^<>\s]+@[^<>\s]+?)>?\s*$/im.exec(raw)?.[1];
    const desk = to ? desks.get(withoutPlusTag(to)) : undefined;
    if (!desk) throw new Error(`a robot answered to ${to}, which is no desk`);
    await appendMessages(dovecot, desk.imapUser, [raw]);
  }

  async function writeTo(desk: Desk, from: string, headers: Record<string, string> = {}): Promise<void> {
    await appendMessages(dovecot, desk.imapUser, [
      customerMail({ From: from, To: desk.address, Subject: `Question ${tag()}`, ...headers }),
    ]);
  }

  function sentTo(address: string): CapturedMail[] {
    return smtp.mails.filter((mail) => mail.envelopeTo.includes(address));
  }

  async function ticketsOf(desk: { id: number }) {
    return (await query('ticket').findMany({
      where: { mailbox: { id: desk.id } },
      populate: { messages: { select: ['direction', 'author', 'mailClass', 'flags', 'textBody'] } },
      orderBy: { id: 'asc' },
    })) as Array<{
      id: number;
      number: number;
      requesterEmail: string;
      messages: Array<{ direction: string; author: string; mailClass: string | null; textBody: string }>;
    }>;
  }

  async function receiptsOf(desk: { id: number }) {
    return (await query('inbound-receipt').findMany({
      select: ['outcome', 'mailClass', 'reason', 'ticketId', 'fromAddress'],
      where: { mailboxId: desk.id },
      orderBy: { id: 'asc' },
    })) as Array<{ outcome: string; mailClass: string; reason: string | null; ticketId: number | null }>;
  }

  async function outboxOf(desk: { id: number }) {
    return (await query('outbox-message').findMany({
      select: ['recipient', 'status', 'lastResponse', 'automatic', 'event', 'ticketId'],
      where: { mailboxId: desk.id },
      orderBy: { id: 'asc' },
    })) as Array<{
      recipient: string;
      status: string;
      lastResponse: string | null;
      automatic: boolean;
      event: string;
    }>;
  }

  it('an RFC 3834 vacation responder: silent to automatic mail, answers a person once, never answered', async () => {
    const desk = await deskA();
    const robot = `vacation-${tag()}@robots.test`;
    robots.set(robot, createRfcVacationResponder());
    await writeTo(desk, robot);
    expect(await pump()).toBeLessThanOrEqual(1);
    // The acknowledgement is automatic mail: a compliant responder leaves it alone.
    expect(sentTo(robot).filter(isAutomatic)).toHaveLength(1);
    const [ticket] = await ticketsOf(desk);
    // An agent's reply is a person's mail: the responder answers it, once.
    for (const text of ['We are on it.', 'Any news?']) {
      const reply = await admin.request('POST', `/email-piping/tickets/${ticket.id}/reply`, { text });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      expect(await pump()).toBeLessThanOrEqual(2);
    }
    expect(sentTo(robot)).toHaveLength(3);
    expect(sentTo(robot).filter(isAutomatic)).toHaveLength(1);
    const messages = (await ticketsOf(desk))[0].messages;
    expect(messages.map((m) => `${m.direction}:${m.mailClass ?? '-'}`)).toEqual([
      'inbound:person',
      'outbound:-',
      expect.stringMatching(/^inbound:(auto-reply|out-of-office)$/),
      'outbound:-',
    ]);
  });

  it('a naive responder that drops the thread: every answer a new ticket, stopped by the rate limit', async () => {
    const desk = await deskA();
    const robot = `naive-${tag()}@robots.test`;
    robots.set(robot, createNaiveResponder({ answer: 'from', subject: 'own' }));
    await writeTo(desk, robot);
    const rounds = await pump();
    const automatic = sentTo(robot).filter(isAutomatic);
    // At most the per-recipient limit of automatic mails went out; the next acknowledgement was held back.
    expect(automatic.length).toBe(LIMITS.perRecipient[0].max);
    expect(rounds).toBeLessThan(MAX_ROUNDS);
    const outbox = await outboxOf(desk);
    const held = outbox.filter((row) => row.status === 'suppressed');
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held[0].lastResponse).toMatch(/rate limit: 5 automatic mails to naive-.* in 10 min/);
    // Nothing tells the naive robot from a person, so each of its answers is an ordinary ticket.
    const tickets = await ticketsOf(desk);
    expect(tickets).toHaveLength(LIMITS.perRecipient[0].max + 1);
    for (const ticket of tickets) expect(ticket.messages[0].mailClass).toBe('person');
  });

  it('an Exchange out of office answers an agent reply; it is flagged and answered by nothing', async () => {
    const desk = await deskA();
    const robot = `ooo-${tag()}@robots.test`;
    robots.set(robot, createExchangeOutOfOffice());
    await writeTo(desk, robot);
    await pump();
    // The acknowledgement asks for no automatic answer (X-Auto-Response-Suppress: All): Exchange honours it.
    expect(sentTo(robot)).toHaveLength(1);
    const [ticket] = await ticketsOf(desk);
    const reply = await admin.request('POST', `/email-piping/tickets/${ticket.id}/reply`, {
      text: 'We are on it.',
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    await pump();
    expect(sentTo(robot)).toHaveLength(2); // acknowledgement + the agent's reply, nothing after the out of office
    const messages = (await ticketsOf(desk))[0].messages;
    expect(messages.map((m) => `${m.direction}:${m.mailClass ?? '-'}`)).toEqual([
      'inbound:person',
      'outbound:-',
      'inbound:out-of-office',
    ]);
  });

  it('a bouncing MTA: the bounce lands on the ticket as a system event, the address is suppressed', async () => {
    const desk = await deskA();
    const ghost = `ghost-${tag()}@robots.test`;
    const qmailGhost = `qghost-${tag()}@robots.test`;
    robots.set(ghost, bouncingMta);
    robots.set(qmailGhost, nonStandardBounce);
    await writeTo(desk, ghost);
    await writeTo(desk, qmailGhost);
    await pump();

    for (const address of [ghost, qmailGhost]) {
      const acknowledgement = sentTo(address)[0];
      // VERP: the envelope sender names this one mail, so the bounce can be tied to it.
      expect(acknowledgement.envelopeFrom).toMatch(/^desk-a-[0-9a-f]+\+b[0-9a-f]{24}@example\.test$/);
    }
    const receipts = await receiptsOf(desk);
    const bounces = receipts.filter((r) => r.outcome === 'bounce');
    expect(bounces).toHaveLength(2);
    for (const bounce of bounces) {
      expect(bounce.mailClass).toBe('bounce');
      expect(bounce.reason).toMatch(/matched by VERP token/);
      expect(bounce.ticketId).not.toBeNull();
    }
    const tickets = await ticketsOf(desk);
    expect(tickets).toHaveLength(2); // the bounces opened no ticket of their own
    for (const ticket of tickets) {
      const system = ticket.messages.filter((m) => m.direction === 'system');
      expect(system).toHaveLength(1);
      expect(system[0].textBody).toContain(`A mail to ${ticket.requesterEmail} could not be delivered.`);
      expect(system[0].textBody).toMatch(/5\.1\.1/);
    }
    const outbox = await outboxOf(desk);
    expect(
      outbox
        .filter((row) => row.status === 'bounced')
        .map((row) => row.recipient)
        .sort()
    ).toEqual([ghost, qmailGhost].sort());

    // Suppressed for a while: even an agent's reply is not sent, and the ticket's outbox says why.
    const suppressions = await admin.request<{
      data: Array<{ id: number; address: string; status: string }>;
    }>('GET', '/email-piping/suppressions');
    const suppressed = suppressions.body.data.find((row) => row.address === ghost)!;
    expect(suppressed.status).toBe('5.1.1');
    const ghostTicket = tickets.find((t) => t.requesterEmail === ghost)!;
    const before = smtp.mails.length;
    await admin.request('POST', `/email-piping/tickets/${ghostTicket.id}/reply`, { text: 'Are you there?' });
    await pump();
    expect(smtp.mails.length).toBe(before);
    const last = (await outboxOf(desk)).at(-1)!;
    expect(last.status).toBe('suppressed');
    expect(last.lastResponse).toMatch(/bounced \(5\.1\.1\)/);

    // An admin who knows better lifts it; the next reply goes out.
    expect((await admin.request('DELETE', `/email-piping/suppressions/${suppressed.id}`)).status).toBe(200);
    await admin.request('POST', `/email-piping/tickets/${ghostTicket.id}/reply`, { text: 'Trying again.' });
    await service('outbox').drain();
    expect(sentTo(ghost).at(-1)!.parsed.text).toContain('Trying again.');
    routed = smtp.mails.length; // that mail's bounce is not part of this story
  });

  it('without VERP a bounce is tied to the mail it returns by that mail’s Message-ID', async () => {
    const desk = await deskA({ verpBounces: false });
    const ghost = `ghost-${tag()}@robots.test`;
    robots.set(ghost, bouncingMta);
    await writeTo(desk, ghost);
    await pump();
    expect(sentTo(ghost)[0].envelopeFrom).toBe(desk.address);
    const bounce = (await receiptsOf(desk)).find((r) => r.outcome === 'bounce')!;
    expect(bounce.reason).toMatch(/matched by Message-ID/);
    expect(bounce.ticketId).toBe((await ticketsOf(desk))[0].id);
    expect((await outboxOf(desk))[0].status).toBe('bounced');
  });

  it('two help desks mailing each other: one acknowledgement each way, both recognised as automatic', async () => {
    const desk = await deskA();
    // Each desk gets a mail that seems to come from the other (a misrouted forward, a spoof).
    await writeTo(desk, peerDesk.address);
    await writeTo(peerDesk, desk.address);
    const rounds = await pump();
    expect(rounds).toBeLessThanOrEqual(3);
    const aToB = smtp.mails.filter((m) => m.envelopeTo.includes(peerDesk.address) && isAutomatic(m));
    const bToA = smtp.mails.filter(
      (m) => m.envelopeTo.some((to) => withoutPlusTag(to) === desk.address) && isAutomatic(m)
    );
    expect(aToB).toHaveLength(1);
    expect(bToA).toHaveLength(1);
    // Different instances, different loop-header values: the peer's acknowledgement is another desk's auto-reply.
    expect(aToB[0].header('x-email-piping-loop')).not.toBe(bToA[0].header('x-email-piping-loop'));
    const receipts = await receiptsOf(desk);
    expect(receipts.map((r) => `${r.outcome}:${r.mailClass}`)).toEqual([
      'ticket-created:person',
      'ticket-created:auto-reply',
    ]);
  });

  it('its own mail coming back (a forwarding loop) is recorded and dropped', async () => {
    const desk = await deskA();
    await writeTo(desk, `jane-${tag()}@customer.test`);
    await pump();
    const acknowledgement = smtp.mails.at(-1)!;
    expect(isAutomatic(acknowledgement)).toBe(true);
    const sentBefore = smtp.mails.length;
    // The customer's server forwards everything back to the help desk.
    await appendMessages(dovecot, desk.imapUser, [acknowledgement.raw]);
    await pump();
    expect(smtp.mails.length).toBe(sentBefore);
    const receipts = await receiptsOf(desk);
    expect(receipts.at(-1)).toMatchObject({ outcome: 'own-mail', mailClass: 'own-mail', ticketId: null });
    expect(await ticketsOf(desk)).toHaveLength(1);
  });

  it('never mails a no-reply address automatically, even when it is on the ticket', async () => {
    const desk = await deskA();
    const customer = `jane-${tag()}@customer.test`;
    await writeTo(desk, customer, { Cc: 'donotreply@shop-notices.test' });
    await pump();
    const outbox = await outboxOf(desk);
    expect(outbox.find((row) => row.recipient === customer)?.status).toBe('sent');
    const held = outbox.find((row) => row.recipient === 'donotreply@shop-notices.test');
    expect(held?.status).toBe('suppressed');
    expect(held?.lastResponse).toMatch(/system or no-reply address/);
  });

  it('the circuit breaker pauses a mailbox’s automatic mail, alerts, lets import go on, and resumes', async () => {
    const agent = `agent-${tag()}@example.test`;
    const desk = await deskA({ agentAddresses: [agent] });
    const events: unknown[] = [];
    const unsubscribe = app.strapi.eventHub.on(
      'email-piping.mailbox.auto-mail-paused',
      async (payload: unknown) => {
        events.push(payload);
      }
    );
    const config = app.strapi.config.get('plugin::email-piping') as Record<string, unknown>;
    app.strapi.config.set('plugin::email-piping', {
      ...config,
      autoMailLimits: { ...LIMITS, mailboxBreaker: { minutes: 60, max: 3 } },
    });
    try {
      // Four different people: no per-recipient limit applies, only the mailbox's total.
      const people = [1, 2, 3, 4].map((i) => `person${i}-${tag()}@customer.test`);
      for (const person of people) await writeTo(desk, person);
      await pump();
      expect(people.map((person) => sentTo(person).length)).toEqual([1, 1, 1, 0]);
      const mailbox = await admin.request<{
        data: { autoMailPausedAt: string | null; autoMailPausedReason: string };
      }>('GET', `/email-piping/mailboxes/${desk.id}`);
      expect(mailbox.body.data.autoMailPausedAt).not.toBeNull();
      expect(mailbox.body.data.autoMailPausedReason).toMatch(/circuit breaker: 3 automatic mails/);
      expect(events).toEqual([expect.objectContaining({ mailboxId: desk.id })]);

      // Import goes on while automatic mail is paused.
      const late = `late-${tag()}@customer.test`;
      await writeTo(desk, late);
      await pump();
      expect((await ticketsOf(desk)).map((t) => t.requesterEmail)).toContain(late);
      expect(sentTo(late)).toHaveLength(0);
      expect((await outboxOf(desk)).find((row) => row.recipient === late)?.lastResponse).toMatch(
        /automatic mail of this mailbox is paused/
      );

      // An admin resumes it (with the limit raised again): the next person is acknowledged.
      app.strapi.config.set('plugin::email-piping', { ...config, autoMailLimits: LIMITS });
      const resumed = await admin.request('POST', `/email-piping/mailboxes/${desk.id}/resume-auto-mail`);
      expect(resumed.status).toBe(200);
      const next = `next-${tag()}@customer.test`;
      await writeTo(desk, next);
      await pump();
      expect(sentTo(next)).toHaveLength(1);
      // The agents heard of every ticket throughout: the breaker guards mail to the outside world only.
      expect(sentTo(agent)).toHaveLength(people.length + 2);
    } finally {
      app.strapi.config.set('plugin::email-piping', config);
      unsubscribe?.();
    }
  });

  it('an unmonitored mailbox makes no ticket and answers each person once with where help is', async () => {
    const desk = await deskA({
      unmonitored: true,
      unmonitoredHelpText: 'Please write to help@shop.test instead.',
    });
    const person = `jane-${tag()}@customer.test`;
    await writeTo(desk, person);
    await writeTo(desk, person);
    const vacation = `vacation-${tag()}@robots.test`;
    robots.set(vacation, createRfcVacationResponder());
    await writeTo(desk, vacation, { 'Auto-Submitted': 'auto-replied' });
    await pump();
    expect(await ticketsOf(desk)).toHaveLength(0);
    expect((await receiptsOf(desk)).map((r) => r.outcome)).toEqual([
      'unmonitored',
      'unmonitored',
      'unmonitored',
    ]);
    const answers = sentTo(person);
    expect(answers).toHaveLength(1);
    expect(answers[0].parsed.text).toContain('Please write to help@shop.test instead.');
    expect(answers[0].header('auto-submitted')).toBe('auto-replied');
    expect(sentTo(vacation)).toHaveLength(0);
  });

  it('counts for the dashboard what the robots sent and what was held back', async () => {
    const stats = await admin.request<{
      data: {
        days: string[];
        ticketsByMailbox: Array<{ mailboxId: number; counts: number[]; total: number }>;
        automatic: Record<string, number[]>;
        loopsStopped: number[];
        totals: { tickets: number; automatic: number; loopsStopped: number };
      };
    }>('GET', '/email-piping/stats?days=7');
    expect(stats.status, JSON.stringify(stats.body)).toBe(200);
    const { data } = stats.body;
    expect(data.days).toHaveLength(7);
    expect(data.days[6]).toBe(new Date().toISOString().slice(0, 10));
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(data.ticketsByMailbox.map((m) => m.total))).toBe(await query('ticket').count({}));
    const automaticReceipts = await query('inbound-receipt').count({
      where: { mailClass: { $ne: 'person' } },
    });
    expect(data.totals.automatic).toBe(automaticReceipts);
    expect(sum(data.automatic.bounce)).toBe(3); // the DSN and qmail bounces, and the one without VERP
    expect(sum(data.automatic['out-of-office']) + sum(data.automatic['auto-reply'])).toBeGreaterThanOrEqual(
      3
    );
    expect(sum(data.automatic['own-mail'])).toBe(1);
    expect(sum(data.loopsStopped)).toBe(
      await query('outbox-message').count({ where: { status: 'suppressed', automatic: true } })
    );
    expect(data.totals.loopsStopped).toBeGreaterThanOrEqual(3);
    expect((await admin.request('GET', '/email-piping/stats?days=0')).status).toBe(400);
  });
});
