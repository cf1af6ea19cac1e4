export const PLUGIN_ID = 'email-piping';
