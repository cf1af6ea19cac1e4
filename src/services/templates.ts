/**
 * Notification templates as the admin edits them: the shipped defaults for every event and language, the site
 * owner's own versions on top, validated on save (an unknown placeholder is refused, naming it), and a preview that
 * renders with sample values exactly as a real mail would be rendered.
 */
import type { Core } from '@strapi/strapi';
import { InputError, NotFoundError } from '../errors';
import { REPLY_ABOVE_MARKER } from '../mail/quotes/reply-marker';
import { subjectToken } from '../mail/tokens';
import {
  isCustomerEvent,
  isNotificationEvent,
  type Template,
  type TemplateList,
} from '../../contracts/templates';
import { DEFAULT_TEMPLATES } from '../outbound/templates/default-templates';
import { renderTemplate } from '../outbound/templates/render';
import { validateTemplate } from '../outbound/templates/validate';
import { UID } from '../uids';
import { pluginConfig } from '../plugin-config';

function parseTemplate(body: unknown): Template {
  const input = (body ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!['event', 'language', 'subject', 'body'].includes(key))
      throw new InputError(`${key}: is not a template field`);
  }
  if (!isNotificationEvent(input.event))
    throw new InputError(`event: "${String(input.event)}" is not a notification event`);
  const template = {
    event: input.event,
    language: String(input.language ?? '').trim(),
    subject: String(input.subject ?? ''),
    body: String(input.body ?? ''),
  };
  const problems = validateTemplate(template);
  if (problems.length > 0) throw new InputError(`template: ${problems.join('; ')}`, { problems });
  return template;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const rows = () => strapi.db.query(UID.template as never);

  return {
    async list(): Promise<TemplateList> {
      const own = (await rows().findMany({
        orderBy: [{ event: 'asc' }, { language: 'asc' }],
      })) as TemplateList['templates'];
      return { templates: own, defaults: DEFAULT_TEMPLATES };
    },

    /** One template per event and language: saving again replaces it. */
    async upsert(body: unknown) {
      const template = parseTemplate(body);
      const existing = (await rows().findOne({
        where: { event: template.event, language: { $eqi: template.language } },
      })) as { id: number } | null;
      if (existing) return rows().update({ where: { id: existing.id }, data: template });
      return rows().create({ data: template });
    },

    async remove(id: number) {
      const existing = await rows().findOne({ where: { id } });
      if (!existing) throw new NotFoundError(`Template #${id} does not exist`);
      await rows().delete({ where: { id } });
      return { id };
    },

    preview(body: unknown) {
      const template = parseTemplate(body);
      return renderTemplate(
        template,
        {
          ticket: {
            number: 1234,
            subject: 'My order has not arrived',
            status: 'open',
            priority: 'normal',
            adminUrl: `${pluginConfig(strapi).adminUrl ?? 'https://cms.example.com/admin'}/plugins/email-piping/tickets/1`,
          },
          requester: { name: 'Jane Doe', email: 'jane@example.com' },
          message: {
            text: 'Hello,\nmy order 7731 has not arrived yet.\nThanks!',
            from: 'Jane Doe <jane@example.com>',
          },
          agent: { name: 'Alex Agent' },
          site: { name: pluginConfig(strapi).siteName },
          mailbox: {
            name: 'Support',
            helpText: 'Please write to support@example.com or visit https://example.com/help.',
          },
          refusal: { reason: 'this address only accepts replies to existing tickets' },
        },
        {
          replyAboveMarker: isCustomerEvent(template.event) ? REPLY_ABOVE_MARKER : undefined,
          subjectToken: subjectToken(1234),
        }
      );
    },
  };
};
