import { Mail } from '@strapi/icons';
import { PLUGIN_ID } from './pluginId';

const languages = ['en', 'fr', 'pt', 'pl', 'et'];

export default {
  register(app: { addMenuLink(link: unknown): void; registerPlugin(plugin: unknown): void }) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: Mail,
      intlLabel: { id: `${PLUGIN_ID}.plugin.name`, defaultMessage: 'Tickets' },
      Component: () => import('./pages/App'),
      permissions: [{ action: 'plugin::email-piping.tickets.read', subject: null }],
    });
    app.registerPlugin({ id: PLUGIN_ID, name: 'Email piping' });
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        const language = languages.includes(locale) ? locale : 'en';
        const { default: data } = await import(`./translations/${language}.json`);
        const prefixed = Object.fromEntries(
          Object.entries(data as Record<string, string>).map(([key, value]) => [`${PLUGIN_ID}.${key}`, value])
        );
        return { data: prefixed, locale };
      })
    );
  },
};
