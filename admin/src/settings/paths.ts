import { PLUGIN_ID } from '../pluginId';

/** An admin URL under Settings → Email piping: `settingsPath('rules', 7)` is `/settings/email-piping/rules/7`. */
export const settingsPath = (...parts: Array<string | number>) =>
  ['/settings', PLUGIN_ID, ...parts].join('/');
