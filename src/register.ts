import type { Core } from '@strapi/strapi';
import { PLUGIN_EVENTS } from './plugin-events';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  // Let site owners point webhooks at tickets created by the importer (which bypasses the Document Service).
  const webhookStore = strapi.get('webhookStore') as
    { addAllowedEvent(key: string, value: string): void } | undefined;
  webhookStore?.addAllowedEvent('EMAIL_PIPING_TICKET_CREATED', PLUGIN_EVENTS['ticket.created']);
  webhookStore?.addAllowedEvent('EMAIL_PIPING_MESSAGE_CREATED', PLUGIN_EVENTS['message.created']);
  webhookStore?.addAllowedEvent('EMAIL_PIPING_AUTO_MAIL_PAUSED', PLUGIN_EVENTS['mailbox.auto-mail-paused']);
};
