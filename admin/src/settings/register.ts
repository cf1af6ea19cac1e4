/**
 * Settings → Email piping: one settings section with a link per panel, each guarded by settings.manage (Strapi hides
 * a link its user may not use; every page checks again with Page.Protect, and the server on every route).
 */
import { PLUGIN_ID } from '../pluginId';
import { PERMISSIONS } from '../utils/permissions';

const MANAGE = PERMISSIONS.manageSettings;

interface SettingsApp {
  addSettingsLink(section: unknown, links: unknown): void;
}

const page =
  <K extends string>(load: () => Promise<Record<K, unknown>>, name: K) =>
  () =>
    load().then((mod) => ({ default: mod[name] }));

const LINKS = [
  {
    id: 'mailboxes',
    label: 'Mailboxes',
    Component: () => import('./pages/MailboxesPage'),
  },
  {
    id: 'forwarding',
    label: 'Forwarding addresses',
    Component: page(() => import('./pages/MailboxFieldsPage'), 'ForwardingPage'),
  },
  {
    id: 'cc-import',
    label: 'CC import',
    Component: page(() => import('./pages/MailboxFieldsPage'), 'CcImportPage'),
  },
  {
    id: 'allowed-mail',
    label: 'Allowed mail and senders',
    Component: page(() => import('./pages/MailboxFieldsPage'), 'AllowedMailPage'),
  },
  { id: 'rules', label: 'Piping rules', Component: () => import('./pages/RulesPage') },
  { id: 'simulator', label: 'Rule simulator', Component: () => import('./pages/SimulatorPage') },
  { id: 'block-rules', label: 'Block lists', Component: () => import('./pages/BlockRulesPage') },
  { id: 'templates', label: 'Notification templates', Component: () => import('./pages/TemplatesPage') },
  { id: 'quarantine', label: 'Quarantine', Component: () => import('./pages/QuarantinePage') },
  { id: 'suppressions', label: 'Suppressed addresses', Component: () => import('./pages/SuppressionsPage') },
];

export function registerSettings(app: SettingsApp): void {
  app.addSettingsLink(
    { id: PLUGIN_ID, intlLabel: { id: `${PLUGIN_ID}.settings.section`, defaultMessage: 'Email piping' } },
    LINKS.map(({ id, label, Component }) => ({
      id: `${PLUGIN_ID}-${id}`,
      to: `${PLUGIN_ID}/${id}`,
      intlLabel: { id: `${PLUGIN_ID}.settings.link.${id}`, defaultMessage: label },
      Component,
      permissions: MANAGE,
    }))
  );
}

/** The settings pages' and the dashboard's strings in one language (keys without the plugin prefix). */
export async function settingsTranslations(language: string): Promise<Record<string, string>> {
  try {
    const { default: data } = await import(`./translations/${language}.json`);
    return data as Record<string, string>;
  } catch {
    return {};
  }
}
