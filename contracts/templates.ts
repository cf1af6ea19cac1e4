/**
 * The notification-template vocabulary both the server and the admin speak: the events that send mail, who each one
 * goes to, the placeholders a template may use, the languages the plugin ships, and the shape of a template and of a
 * rendered preview. Declared once here: the server validates and renders against these lists, the admin's editor
 * offers exactly these events and placeholders, and a label map typed `Record<NotificationEvent, string>` fails the
 * type check when an event is added without a label.
 */
export const NOTIFICATION_EVENTS = [
  'ticket-acknowledgement',
  'agent-reply',
  'ticket-resolved',
  'ticket-closed',
  'agent-new-ticket',
  'agent-customer-reply',
  'mail-refused',
  'mailbox-unmonitored',
] as const;

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** Events whose mail goes to the requester and the CC list (they carry the reply-above marker). */
export const CUSTOMER_EVENTS: readonly NotificationEvent[] = [
  'ticket-acknowledgement',
  'agent-reply',
  'ticket-resolved',
  'ticket-closed',
  'mail-refused',
  'mailbox-unmonitored',
];

/** Events whose mail goes to the agents. */
export const AGENT_EVENTS: readonly NotificationEvent[] = ['agent-new-ticket', 'agent-customer-reply'];

export function isNotificationEvent(value: unknown): value is NotificationEvent {
  return typeof value === 'string' && (NOTIFICATION_EVENTS as readonly string[]).includes(value);
}

export function isCustomerEvent(event: NotificationEvent): boolean {
  return CUSTOMER_EVENTS.includes(event);
}

/** Every placeholder a template may use, e.g. for the admin editor's help text. */
export const PLACEHOLDERS = [
  'ticket.number',
  'ticket.subject',
  'ticket.status',
  'ticket.priority',
  'ticket.adminUrl',
  'requester.name',
  'requester.email',
  'message.text',
  'message.from',
  'agent.name',
  'site.name',
  'mailbox.name',
  'mailbox.helpText',
  'refusal.reason',
] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Placeholders that must never reach a customer: refused by validation and rendered empty in customer mails. */
export const AGENT_ONLY_PLACEHOLDERS: readonly Placeholder[] = ['ticket.adminUrl'];

/** The languages the plugin ships templates in (every event in each). */
export const SHIPPED_LANGUAGES = ['en', 'fr', 'pt', 'pl', 'et', 'ar'] as const;

export type ShippedLanguage = (typeof SHIPPED_LANGUAGES)[number];

export interface Template {
  event: NotificationEvent;
  /** Language tag of the text, e.g. `en`, `pt-BR`, `ar`. Matched case-insensitively. */
  language: string;
  /** One line, with placeholders. The subject token is added when the template is rendered. */
  subject: string;
  /** Plain text with placeholders; the HTML part is derived from it. */
  body: string;
}

/** What `GET /templates` answers: the site owner's own templates (stored rows) and the shipped defaults. */
export interface TemplateList {
  templates: Array<Template & { id: number }>;
  defaults: Template[];
}

/** A rendered template: what a notification mail says, and what `POST /templates/preview` answers. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** The language of the template that was rendered. */
  language: string;
  direction: 'ltr' | 'rtl';
}
