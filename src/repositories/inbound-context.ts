/**
 * What the inbound road needs to know about a mailbox — its admission settings, agents, our own addresses, compiled
 * rules, the reply secret — read once per couple of seconds rather than once per message. Shared by the importer and
 * the rule simulator, so both decide with the same facts.
 */
import type { Core } from '@strapi/strapi';
import type { InboundSettings } from '../policy/decide-inbound';
import {
  mailboxChoiceAndFlagDefaults,
  type AllowedMailSetting,
  type AllowedSendersSetting,
  type ClosedTicketReplies,
  type ContentPreference,
  type UnauthenticatedAnswers,
} from '../../contracts/mailbox';
import { UID } from '../uids';
import { NOTIFICATION_MAILBOX_FIELDS, type NotificationMailboxRow } from '../services/notifications';
import { pluginService } from '../services/registry';

/** Mailbox settings are read once per this many milliseconds, not once per message. */
const MAILBOX_CONTEXT_TTL_MS = 2000;
/** What an unset column means: the defaults the admin's form and the API's validation use too. */
const DEFAULTS = mailboxChoiceAndFlagDefaults();
type ChoicesAndFlags = typeof DEFAULTS;
/**
 * Every choice and switch of contracts/mailbox.ts is read and handed to the decision as it is (or its default), so
 * a new one the road decides on needs no line here: the contract, the content type, the form and decide-inbound.
 */
const CHOICE_AND_FLAG_FIELDS = Object.keys(DEFAULTS) as Array<keyof ChoicesAndFlags>;

function choicesAndFlagsOf(row: Partial<Record<keyof ChoicesAndFlags, unknown>>): ChoicesAndFlags {
  const values: Record<string, unknown> = {};
  for (const field of CHOICE_AND_FLAG_FIELDS) values[field] = row[field] ?? DEFAULTS[field];
  return values as ChoicesAndFlags;
}

export interface MailboxContext {
  row: NotificationMailboxRow & MailboxInboundFields & Partial<Record<keyof ChoicesAndFlags, unknown>>;
  /** Everything `decideInbound` needs besides the mail. */
  settings: InboundSettings;
  /** The mailbox can send (SMTP and address set): only then are notifications planned at all. */
  sends: boolean;
  loadedAt: number;
}

export interface MailboxInboundFields {
  closedTicketReplies: ClosedTicketReplies | null;
  allowedMail: AllowedMailSetting | null;
  allowedSenders: AllowedSendersSetting | null;
  contentPreference: ContentPreference | null;
  ccImport: boolean | null;
  forwardingAddresses: string[] | null;
  unmonitored: boolean | null;
  unmonitoredHelpText: string | null;
  trustedAuthservIds: string[] | null;
  unauthenticatedAnswers: UnauthenticatedAnswers | null;
}

export function createInboundContextLoader(strapi: Core.Strapi) {
  const query = (uid: string) => strapi.db.query(uid as never);
  const mailboxContexts = new Map<number, MailboxContext>();

  async function contextFor(mailboxId: number): Promise<MailboxContext | null> {
    const cached = mailboxContexts.get(mailboxId);
    if (cached && Date.now() - cached.loadedAt < MAILBOX_CONTEXT_TTL_MS) return cached;
    const row = (await query(UID.mailbox).findOne({
      select: [
        ...new Set([
          ...NOTIFICATION_MAILBOX_FIELDS,
          ...CHOICE_AND_FLAG_FIELDS,
          'allowedSenders',
          'forwardingAddresses',
          'unmonitoredHelpText',
          'trustedAuthservIds',
        ]),
      ],
      where: { id: mailboxId },
    })) as MailboxContext['row'] | null;
    if (!row) return null;
    const notifications = pluginService(strapi, 'notifications');
    const compiled = await pluginService(strapi, 'rules').compiledFor(mailboxId);
    const context: MailboxContext = {
      row,
      settings: {
        ...choicesAndFlagsOf(row),
        allowedSenders: row.allowedSenders ?? { mode: 'anyone' },
        forwardingAddresses: row.forwardingAddresses ?? [],
        agents: await notifications.agentsOf(row),
        ownAddresses: await notifications.ownAddresses(),
        rules: compiled.rules,
        blockRules: compiled.blockRules,
        replySecret: notifications.secret(),
        instanceId: notifications.loopHeaderValue(),
      },
      sends: Boolean(row.smtpHost && row.address),
      loadedAt: Date.now(),
    };
    mailboxContexts.set(mailboxId, context);
    return context;
  }

  /** A registered user of the site (users-permissions), when the mailbox admits only those. */
  async function senderIsRegistered(address: string): Promise<boolean> {
    if (!strapi.plugin('users-permissions')) return false;
    const found = await query('plugin::users-permissions.user').count({
      where: { email: { $eqi: address }, blocked: { $ne: true } },
    });
    return found > 0;
  }

  return { contextFor, senderIsRegistered };
}
