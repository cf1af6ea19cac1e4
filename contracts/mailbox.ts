/**
 * The mailbox settings both the server and the admin know, each declared once with its allowed values and its
 * default: the server's validation (src/schemas/mailbox.ts) checks a body against these, the admin's form draft
 * (mailboxDraft.ts) starts from these defaults and its pickers offer these values. A setting that is a choice or an
 * on/off switch is one line in MAILBOX_CHOICES or MAILBOX_FLAGS plus its name in MAILBOX_SETTING_FIELDS; the content
 * type's schema.json repeats the enumeration for Strapi (a unit test holds the two equal).
 */

export const SECURITIES = ['tls', 'starttls', 'none'] as const;
export type Security = (typeof SECURITIES)[number];

export const AFTER_IMPORT_MODES = ['mark-seen', 'move', 'delete'] as const;
export type AfterImport = (typeof AFTER_IMPORT_MODES)[number];

/** What a reply to a closed ticket does: reopens it, or opens a new ticket. */
export const CLOSED_TICKET_REPLIES = ['reopen', 'new-ticket'] as const;
export type ClosedTicketReplies = (typeof CLOSED_TICKET_REPLIES)[number];

export const ALLOWED_MAIL = ['new-and-replies', 'new-only', 'replies-only'] as const;
export type AllowedMailSetting = (typeof ALLOWED_MAIL)[number];

/** Which body the ticket shows and stores as the main one. */
export const CONTENT_PREFERENCES = ['html', 'text'] as const;
export type ContentPreference = (typeof CONTENT_PREFERENCES)[number];

/**
 * What automatic answers (acknowledgement, one-time answers) do for a sender whose domain fails DMARC: not sent
 * (`suppress`, the default: the From is probably forged, the answer would be backscatter), or sent at most once a day
 * per address (`rate-limit-hard`).
 */
export const UNAUTHENTICATED_ANSWERS = ['suppress', 'rate-limit-hard'] as const;
export type UnauthenticatedAnswers = (typeof UNAUTHENTICATED_ANSWERS)[number];

/**
 * The settings that are one of a list of values, with the value a body that leaves them out gets. Keys are the API's
 * field names.
 */
export const MAILBOX_CHOICES = {
  security: { values: SECURITIES, default: 'tls' },
  afterImport: { values: AFTER_IMPORT_MODES, default: 'mark-seen' },
  smtpSecurity: { values: SECURITIES, default: 'starttls' },
  closedTicketReplies: { values: CLOSED_TICKET_REPLIES, default: 'reopen' },
  allowedMail: { values: ALLOWED_MAIL, default: 'new-and-replies' },
  contentPreference: { values: CONTENT_PREFERENCES, default: 'html' },
  unauthenticatedAnswers: { values: UNAUTHENTICATED_ANSWERS, default: 'suppress' },
} as const satisfies Record<string, { values: readonly string[]; default: string }>;
export type MailboxChoice = keyof typeof MAILBOX_CHOICES;
export type MailboxChoiceValues = {
  -readonly [K in MailboxChoice]: (typeof MAILBOX_CHOICES)[K]['values'][number];
};

/**
 * The on/off settings and their defaults. `unmonitored`: nobody reads this mailbox (noreply@), its mail makes no
 * ticket. `verpBounces`: send with a per-mail envelope sender so each bounce names its mail (off for SMTP services
 * that refuse or rewrite envelope senders). `ccImport`: To and Cc addresses become recipients of the ticket. `push`:
 * keep a connection in IMAP IDLE so new mail is imported at once (the schedule still runs as the sweeper).
 */
export const MAILBOX_FLAGS = {
  enabled: true,
  ccImport: true,
  unmonitored: false,
  verpBounces: true,
  push: true,
} as const satisfies Record<string, boolean>;
export type MailboxFlag = keyof typeof MAILBOX_FLAGS;
export type MailboxFlagValues = { -readonly [K in MailboxFlag]: boolean };

/** The defaults of every choice and switch, as one object (the admin's empty form, the server's fallbacks). */
export function mailboxChoiceAndFlagDefaults(): MailboxChoiceValues & MailboxFlagValues {
  const defaults: Record<string, string | boolean> = { ...MAILBOX_FLAGS };
  for (const [key, spec] of Object.entries(MAILBOX_CHOICES)) defaults[key] = spec.default;
  return defaults as MailboxChoiceValues & MailboxFlagValues;
}

/**
 * How new mail of a mailbox reaches the importer, as the admin shows it: `push` (a connection sits in IMAP IDLE and
 * imports as soon as the server announces mail) or `polling` (only the schedule; the row's `pushReason` says why:
 * push is off, the server has no IDLE, the connection is being re-established…).
 */
export const PUSH_STATES = ['push', 'polling'] as const;
export type PushState = (typeof PUSH_STATES)[number];

/** Who may open tickets or write to them through this mailbox. */
export type AllowedSendersSetting =
  { mode: 'anyone' } | { mode: 'listed'; addresses: string[]; domains: string[] } | { mode: 'registered' };
export const ALLOWED_SENDERS_MODES = ['anyone', 'listed', 'registered'] as const;

/** Which notification events a mailbox sends, each switched on or off on its own, and how a new mailbox has them. */
const NOTIFICATION_DEFAULTS = {
  ticketAcknowledgement: true,
  agentReply: true,
  ticketResolved: true,
  ticketClosed: true,
  agentNewTicket: true,
  agentCustomerReply: true,
  /** Answer mail the mailbox refuses (allowed mail / senders), once per sender per period; off unless chosen. */
  refusedMail: false,
} satisfies Record<string, boolean>;
export type NotificationSwitch = keyof typeof NOTIFICATION_DEFAULTS;
export type NotificationSwitches = Record<NotificationSwitch, boolean>;
export const DEFAULT_NOTIFICATIONS: NotificationSwitches = NOTIFICATION_DEFAULTS;
export const NOTIFICATION_SWITCHES = Object.keys(DEFAULT_NOTIFICATIONS) as NotificationSwitch[];

/** Every stored setting of a mailbox, as the API takes it (passwords apart). */
export interface MailboxSettings extends MailboxChoiceValues, MailboxFlagValues {
  name: string;
  /** The support address customers write to; From of notifications and base of reply addresses. */
  address: string | null;
  fromName: string | null;
  host: string;
  port: number;
  username: string;
  folder: string;
  moveToFolder: string | null;
  schedule: string;
  smtpHost: string | null;
  smtpPort: number | null;
  smtpUsername: string | null;
  notifications: NotificationSwitches;
  /** Addresses that get agent notifications and whose mail to a ticket counts as an agent reply. */
  agentAddresses: string[];
  /** Strapi admin roles whose active users are agents of this mailbox too. */
  agentRoleIds: number[];
  allowedSenders: AllowedSendersSetting;
  /** Other addresses forwarded into this mailbox (sales@, billing@): recorded on the ticket and used as From. */
  forwardingAddresses: string[];
  /** Where help is available, quoted in the unmonitored answer (e.g. "write to support@example.com"). */
  unmonitoredHelpText: string | null;
  /**
   * Authserv-ids of the site's own receiving servers (the first token of the `Authentication-Results` header they
   * add, e.g. `mx.google.com`): only their verdicts are read.
   */
  trustedAuthservIds: string[];
}

/**
 * The stored settings in the order the server validates them (the first refusal is the one answered). A new
 * setting's name goes here too; the type below fails to compile when one is missing.
 */
export const MAILBOX_SETTING_FIELDS = [
  'name',
  'address',
  'fromName',
  'host',
  'port',
  'security',
  'username',
  'folder',
  'afterImport',
  'moveToFolder',
  'schedule',
  'enabled',
  'smtpHost',
  'smtpPort',
  'smtpSecurity',
  'smtpUsername',
  'notifications',
  'agentAddresses',
  'agentRoleIds',
  'closedTicketReplies',
  'allowedMail',
  'allowedSenders',
  'contentPreference',
  'ccImport',
  'forwardingAddresses',
  'unmonitored',
  'unmonitoredHelpText',
  'verpBounces',
  'trustedAuthservIds',
  'unauthenticatedAnswers',
  'push',
] as const satisfies ReadonlyArray<keyof MailboxSettings>;
/** Compiles only while MAILBOX_SETTING_FIELDS names every setting. */
export const EVERY_SETTING_LISTED: Exclude<
  keyof MailboxSettings,
  (typeof MAILBOX_SETTING_FIELDS)[number]
> extends never
  ? true
  : never = true;

/** The write-only fields: the API takes them, never answers them (`hasPassword`, `hasSmtpPassword` instead). */
export const MAILBOX_SECRET_FIELDS = ['password', 'smtpPassword'] as const;
