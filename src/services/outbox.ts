/**
 * The outbox: every mail the plugin sends is first an outbox row, written in the same transaction as the change that
 * causes it; this service delivers due rows afterwards. A crash never loses a queued mail (the row is committed) and
 * a row is marked sent only after the SMTP server accepted it; each row has one stable Message-ID, so even a resend
 * after a crash in the instant between "accepted" and "marked" is recognised as the same mail by the receiving side.
 *
 * Rows are claimed with a conditional update (a lease), so several Strapi instances can run senders side by side.
 */
import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { nextAttemptDelaySeconds } from '../ingest/backoff';
import { Mailer, type SendResult } from '../outbound/mailer';
import type { PlannedMail } from '../outbound/plan-notifications';
import { InputError } from '../errors';
import { UID } from '../uids';
import { createVerpToken } from '../mail/bounce/verp';
import { createAutoMailGuard } from '../repositories/send-permission';
import { pluginConfig } from '../plugin-config';
import { createRowWriter } from '../repositories/row-writer';
import { pluginService } from './registry';

const LIST_FIELDS = [
  'id',
  'ticketId',
  'event',
  'automatic',
  'recipient',
  'subject',
  'status',
  'attempts',
  'nextAttemptAt',
  'lastResponse',
  'sentAt',
  'messageId',
  'bouncedAt',
  'bounceStatus',
  'createdAt',
];
const BATCH = 50;
const OUTBOX_STATUSES = ['queued', 'sent', 'failed', 'suppressed', 'bounced'];

interface OutboxRow {
  id: number;
  mailboxId: number;
  recipient: string;
  fromAddress: string;
  fromName: string | null;
  replyTo: string | null;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[] | null;
  headers: Record<string, string> | null;
  attempts: number | null;
  verpToken: string | null;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const rows = () => strapi.db.query(UID.outbox as never);
  const mailer = new Mailer();
  const guard = createAutoMailGuard(strapi);
  const writer = createRowWriter(strapi);
  let timer: NodeJS.Timeout | null = null;
  let draining: Promise<number> | null = null;
  let again = false;
  let stopped = false;

  async function claim(row: OutboxRow, token: string): Promise<boolean> {
    const now = new Date();
    const result = (await rows().updateMany({
      where: {
        id: row.id,
        status: 'queued',
        $or: [{ claimExpiresAt: { $null: true } }, { claimExpiresAt: { $lt: now } }],
      },
      data: {
        claimToken: token,
        claimExpiresAt: new Date(now.getTime() + pluginConfig(strapi).outboxLeaseSeconds * 1000),
      },
    })) as { count: number };
    return result.count === 1;
  }

  async function record(row: OutboxRow, result: SendResult): Promise<void> {
    const config = pluginConfig(strapi);
    const attempts = (row.attempts ?? 0) + 1;
    if (result.ok) {
      await rows().update({
        where: { id: row.id },
        data: {
          status: 'sent',
          sentAt: new Date(),
          attempts,
          lastResponse: result.response,
          claimToken: null,
          claimExpiresAt: null,
        },
      });
      return;
    }
    const giveUp = result.permanent || attempts >= config.outboxMaxAttempts;
    const delay = nextAttemptDelaySeconds(
      attempts,
      config.outboxRetryBaseSeconds,
      config.outboxRetryMaxSeconds
    );
    await rows().update({
      where: { id: row.id },
      data: {
        status: giveUp ? 'failed' : 'queued',
        attempts,
        lastResponse: result.response,
        nextAttemptAt: giveUp ? null : new Date(Date.now() + delay * 1000),
        claimToken: null,
        claimExpiresAt: null,
      },
    });
    if (giveUp) {
      strapi.log.warn(
        `email-piping: mail #${row.id} to ${row.recipient} failed for good: ${result.response}`
      );
    }
  }

  async function deliver(row: OutboxRow): Promise<void> {
    let result: SendResult;
    try {
      const profile = await pluginService(strapi, 'mailboxes').deliveryProfile(row.mailboxId, row.verpToken);
      result = profile
        ? await mailer.send(`mailbox-${row.mailboxId}`, profile.smtp, {
            from: { name: row.fromName, address: row.fromAddress },
            to: row.recipient,
            replyTo: row.replyTo,
            subject: row.subject,
            text: row.textBody,
            html: row.htmlBody,
            messageId: row.messageId,
            inReplyTo: row.inReplyTo,
            references: row.references ?? [],
            headers: row.headers ?? {},
            envelopeFrom: profile.envelopeFrom,
          })
        : {
            ok: false,
            permanent: false,
            response: 'the mailbox has no SMTP settings (host, port and address)',
          };
    } catch (error) {
      result = { ok: false, permanent: false, response: (error as Error).message };
    }
    await record(row, result);
  }

  /** Sends every due row once; answers how many were attempted. */
  async function drainOnce(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const now = new Date();
      const due = (await rows().findMany({
        where: {
          status: 'queued',
          $and: [
            { $or: [{ nextAttemptAt: { $null: true } }, { nextAttemptAt: { $lte: now } }] },
            { $or: [{ claimExpiresAt: { $null: true } }, { claimExpiresAt: { $lt: now } }] },
          ],
        },
        orderBy: [{ id: 'asc' }],
        limit: BATCH,
      })) as OutboxRow[];
      if (due.length === 0 || stopped) return attempted;
      const token = crypto.randomBytes(12).toString('hex');
      for (const row of due) {
        if (stopped) return attempted;
        if (!(await claim(row, token))) continue;
        attempted += 1;
        await deliver(row);
      }
      if (due.length < BATCH) return attempted;
    }
  }

  /** One drain at a time in this process; a kick during a drain makes it go round once more. */
  function drain(): Promise<number> {
    if (draining) {
      again = true;
      return draining;
    }
    draining = (async () => {
      let total = 0;
      do {
        again = false;
        total += await drainOnce();
      } while (again && !stopped);
      return total;
    })().finally(() => {
      draining = null;
    });
    return draining;
  }

  return {
    /**
     * Writes planned mails as queued rows; call inside the transaction of the change that causes them. A mail the
     * guard stops (bounced address, rate limit, paused mailbox…) is written too, as `suppressed` with the reason, so
     * the ticket shows what was not sent and why. Answers the ids of the rows that will be sent.
     */
    async enqueue(planned: PlannedMail[]): Promise<number[]> {
      const ids: number[] = [];
      for (const mail of planned) {
        const verdict = await guard.check(mail);
        const id = await writer.insert(UID.outbox, {
          mailboxId: mail.mailboxId,
          ticketId: mail.ticketId,
          ticketMessageId: mail.ticketMessageId,
          event: mail.event,
          automatic: mail.automatic,
          recipient: mail.recipient,
          fromAddress: mail.fromAddress,
          fromName: mail.fromName,
          replyTo: mail.replyTo,
          subject: mail.subject,
          textBody: mail.textBody,
          htmlBody: mail.htmlBody,
          messageId: mail.messageId,
          inReplyTo: mail.inReplyTo,
          references: mail.references,
          headers: mail.headers,
          language: mail.language,
          status: verdict.send ? 'queued' : 'suppressed',
          lastResponse: verdict.send ? null : verdict.reason,
          attempts: 0,
          verpToken: createVerpToken(),
        });
        if (verdict.send) ids.push(id);
      }
      return ids;
    },

    /** Asks the sender to look now (after a commit) instead of at its next tick. */
    kick(): void {
      if (!stopped && timer)
        void drain().catch((error: Error) => strapi.log.error(`email-piping outbox: ${error.message}`));
    },

    /** Sends what is due now and waits for it (tests, scripts). */
    drain,

    start(): void {
      if (timer || stopped) return;
      const { outboxPollMs } = pluginConfig(strapi);
      timer = setInterval(() => {
        void drain().catch((error: Error) => strapi.log.error(`email-piping outbox: ${error.message}`));
      }, outboxPollMs);
      timer.unref();
      void drain().catch((error: Error) => strapi.log.error(`email-piping outbox: ${error.message}`));
    },

    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await draining?.catch(() => undefined);
      mailer.close();
    },

    /** The outbox for the admin: newest first, filterable by status and ticket. */
    async list(queryString: Record<string, unknown>) {
      const where: Record<string, unknown> = {};
      if (queryString.status !== undefined) {
        if (!OUTBOX_STATUSES.includes(String(queryString.status))) {
          throw new InputError(`status: must be one of ${OUTBOX_STATUSES.join(', ')}`);
        }
        where.status = String(queryString.status);
      }
      if (queryString.ticket !== undefined) {
        if (!/^\d+$/.test(String(queryString.ticket))) throw new InputError('ticket: must be a ticket id');
        where.ticketId = Number(queryString.ticket);
      }
      return rows().findMany({ select: LIST_FIELDS, where, orderBy: [{ id: 'desc' }], limit: 200 });
    },

    async listForTicket(ticketId: number) {
      return rows().findMany({
        select: LIST_FIELDS,
        where: { ticketId },
        orderBy: [{ id: 'asc' }],
      });
    },
  };
};
