import { PLUGIN_ID } from '../pluginId';

/** The react-intl id of one of the plugin's strings: `email-piping.<key>` (registerTrads adds the same prefix). */
export const getTranslation = (key: string) => `${PLUGIN_ID}.${key}`;
