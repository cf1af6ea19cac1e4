/**
 * The import path writes through the query engine (fast) instead of the Document Service (which would fire Strapi's
 * own events), so it announces what it created here. Listeners use `strapi.eventHub.on('email-piping.ticket.created')`;
 * webhooks can subscribe to the same events (registered in `register.ts`).
 */
import type { Core } from '@strapi/strapi';

export const PLUGIN_EVENTS = {
  'ticket.created': 'email-piping.ticket.created',
  'message.created': 'email-piping.message.created',
  /** The circuit breaker paused a mailbox's automatic mail: an admin should look. */
  'mailbox.auto-mail-paused': 'email-piping.mailbox.auto-mail-paused',
} as const;

export type PluginEventName = keyof typeof PLUGIN_EVENTS;

export function emitPluginEvent(
  strapi: Core.Strapi,
  name: PluginEventName,
  payload: Record<string, unknown>
): void {
  void strapi.eventHub.emit(PLUGIN_EVENTS[name], payload);
}
