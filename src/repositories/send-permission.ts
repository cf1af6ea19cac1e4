/**
 * The last check before a mail is queued: may it go out at all? Decided by `outbound/decide-auto-mail.ts` (pure) over facts
 * read here: suppressed (bounced) addresses for every mail; for automatic mail also our own and no-reply-style
 * addresses, a paused mailbox, the rate limits per recipient and ticket, and the per-mailbox circuit breaker — which,
 * when it trips, pauses the mailbox's automatic mail until an admin resumes it, and says so (event + log).
 *
 * Runs inside the transaction that queues the mail, so it counts the rows that transaction has written already.
 */
import type { Core } from '@strapi/strapi';
import {
  DEFAULT_AUTO_MAIL_LIMITS,
  breakerVerdict,
  longestWindowMinutes,
  neverAutoMailReason,
  rateLimitVerdict,
  validateAutoMailLimits,
  type AutoMailLimits,
} from '../outbound/decide-auto-mail';
import type { PlannedMail } from '../outbound/plan-notifications';
import { AGENT_EVENTS } from '../../contracts/templates';
import { UID } from '../uids';
import { emitPluginEvent } from '../plugin-events';
import { pluginConfig } from '../plugin-config';
import { pluginService } from '../services/registry';

export type GuardVerdict = { send: true } | { send: false; reason: string };

/** Statuses of mail that went (or is going) out: a suppressed row was never sent and counts for no limit. */
const COUNTED_STATUSES = ['queued', 'sent', 'failed', 'bounced'];
const OWN_ADDRESSES_TTL_MS = 5000;
/** "Rate-limit hard" for senders that fail DMARC: one automatic answer per address a day, whatever the ticket. */
const UNAUTHENTICATED_WINDOW = Object.freeze({ minutes: 24 * 60, max: 1 });
export const SENDER_NOT_AUTHENTICATED = 'suppressed: sender not authenticated';

export function createAutoMailGuard(strapi: Core.Strapi) {
  const query = (uid: string) => strapi.db.query(uid as never);
  let ownAddresses: { list: string[]; loadedAt: number } | null = null;

  function limits(): AutoMailLimits {
    const checked = validateAutoMailLimits(pluginConfig(strapi).autoMailLimits);
    // The config validator refused bad limits at boot; this keeps a broken runtime change from disabling them.
    return 'limits' in checked ? checked.limits : DEFAULT_AUTO_MAIL_LIMITS;
  }

  async function ours(): Promise<string[]> {
    if (!ownAddresses || Date.now() - ownAddresses.loadedAt > OWN_ADDRESSES_TTL_MS) {
      const list = await pluginService(strapi, 'notifications').ownAddresses();
      ownAddresses = { list, loadedAt: Date.now() };
    }
    return ownAddresses.list;
  }

  async function sendTimes(
    where: Record<string, unknown>,
    since: Date
  ): Promise<Array<{ at: number; ticketId: number | null }>> {
    const rows = (await query(UID.outbox).findMany({
      select: ['createdAt', 'ticketId'],
      where: {
        ...where,
        automatic: true,
        event: { $notIn: AGENT_EVENTS },
        status: { $in: COUNTED_STATUSES },
        createdAt: { $gt: since },
      },
    })) as Array<{ createdAt: string | Date; ticketId: number | null }>;
    return rows.map((row) => ({ at: new Date(row.createdAt).getTime(), ticketId: row.ticketId }));
  }

  async function pauseMailbox(mailboxId: number, reason: string): Promise<void> {
    await query(UID.mailbox).updateMany({
      where: { id: mailboxId },
      data: { autoMailPausedAt: new Date(), autoMailPausedReason: reason },
    });
    strapi.log.warn(
      `email-piping: mailbox #${mailboxId}: ${reason}. Resume it in the admin once the cause is known.`
    );
    emitPluginEvent(strapi, 'mailbox.auto-mail-paused', { mailboxId, reason });
  }

  return {
    async check(mail: PlannedMail): Promise<GuardVerdict> {
      const suppressed = await pluginService(strapi, 'suppressions').activeFor(mail.recipient);
      if (suppressed) {
        const until = new Date(suppressed.suppressedUntil).toISOString().slice(0, 10);
        return {
          send: false,
          reason: `suppressed: ${mail.recipient} bounced${suppressed.status ? ` (${suppressed.status})` : ''}; no mail to it until ${until}`,
        };
      }
      if (!mail.automatic) return { send: true };

      const never = neverAutoMailReason(mail.recipient, await ours());
      if (never) return { send: false, reason: `no automatic mail: ${never}` };
      // Notifications to the mailbox's own agents are the help desk talking to itself: a busy day must not silence
      // them. The limits and the breaker are for mail to the outside world, where loops happen.
      if (AGENT_EVENTS.includes(mail.event)) return { send: true };

      const mailbox = (await query(UID.mailbox).findOne({
        select: ['autoMailPausedAt', 'autoMailPausedReason'],
        where: { id: mail.mailboxId },
      })) as { autoMailPausedAt: string | null; autoMailPausedReason: string | null } | null;
      if (mailbox?.autoMailPausedAt) {
        return {
          send: false,
          reason: `automatic mail of this mailbox is paused (${mailbox.autoMailPausedReason ?? 'by an admin'})`,
        };
      }

      if (mail.unauthenticatedSender === 'suppress') return { send: false, reason: SENDER_NOT_AUTHENTICATED };
      const now = Date.now();
      const current: AutoMailLimits =
        mail.unauthenticatedSender === 'rate-limit-hard'
          ? {
              ...limits(),
              perTicketRecipient: [UNAUTHENTICATED_WINDOW],
              perRecipient: [UNAUTHENTICATED_WINDOW],
            }
          : limits();
      const since = new Date(now - longestWindowMinutes(current) * 60_000);
      const toRecipient = await sendTimes({ recipient: mail.recipient }, since);
      const rate = rateLimitVerdict({
        now,
        recipient: mail.recipient,
        recipientTimes: toRecipient.map((row) => row.at),
        ticketTimes: toRecipient
          .filter((row) => mail.ticketId !== null && row.ticketId === mail.ticketId)
          .map((row) => row.at),
        limits: current,
      });
      if (rate.limited) return { send: false, reason: rate.reason };

      const breakerSince = new Date(now - current.mailboxBreaker.minutes * 60_000);
      const fromMailbox = await sendTimes({ mailboxId: mail.mailboxId }, breakerSince);
      const breaker = breakerVerdict({
        now,
        mailboxTimes: fromMailbox.map((row) => row.at),
        limits: current,
      });
      if (breaker.tripped) {
        await pauseMailbox(mail.mailboxId, breaker.reason!);
        return { send: false, reason: breaker.reason! };
      }
      return { send: true };
    },
  };
}
