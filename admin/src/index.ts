import { Mail } from '@strapi/icons';
import { PLUGIN_ID } from './pluginId';
import { PERMISSIONS } from './utils/permissions';
import { registerDashboard } from './dashboard/register';
import { registerSettings, settingsTranslations } from './settings/register';

const languages = ['en', 'fr', 'pt', 'pl', 'et'];

export default {
  register(app: {
    addMenuLink(link: unknown): void;
    addSettingsLink(section: unknown, links: unknown): void;
    registerPlugin(plugin: unknown): void;
  }) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: Mail,
      intlLabel: { id: `${PLUGIN_ID}.plugin.name`, defaultMessage: 'Tickets' },
      Component: () => import('./pages/App'),
      permissions: PERMISSIONS.readTickets,
    });
    registerDashboard(app);
    registerSettings(app);
    app.registerPlugin({ id: PLUGIN_ID, name: 'Email piping' });
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        // `pt-BR` and other regional variants fall back to their language, then to English.
        const base = locale.split('-')[0];
        const language = languages.includes(locale) ? locale : languages.includes(base) ? base : 'en';
        const { default: data } = await import(`./translations/${language}.json`);
        const settings = await settingsTranslations(language);
        const prefixed = Object.fromEntries(
          Object.entries({ ...(data as Record<string, string>), ...settings }).map(([key, value]) => [
            `${PLUGIN_ID}.${key}`,
            value,
          ])
        );
        return { data: prefixed, locale };
      })
    );
  },
};
