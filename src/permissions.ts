/** RBAC actions of the plugin, registered at bootstrap; every admin route names one of them (contracts/permissions.ts). */
import { ACTION_UIDS, PLUGIN_NAME } from '../contracts/permissions';

export { ACTIONS } from '../contracts/permissions';

export const actionDefinitions = Object.values(ACTION_UIDS).map(({ uid, displayName }) => ({
  section: 'plugins',
  displayName,
  uid,
  pluginName: PLUGIN_NAME,
}));
