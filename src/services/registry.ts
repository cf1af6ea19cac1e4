/**
 * The one way the plugin reaches its own Strapi services: `pluginService(strapi, 'outbox')` answers with the type
 * the `outbox` service factory returns, so a renamed method or a wrong argument is a type error instead of a
 * runtime `undefined is not a function`. The keys are the ones registered in `services/index.ts` — public API that
 * site owners call as `pluginService(strapi, 'rules')` — and stay as they are.
 *
 * Only the type of the service map is imported (`import type`), so the services that call this helper do not
 * import `services/index.ts` at run time, and there is no import circle.
 */
import type { Core } from '@strapi/strapi';
import type services from './index';

export type PluginServices = { [K in keyof typeof services]: ReturnType<(typeof services)[K]> };
export type PluginServiceName = keyof PluginServices;

export function pluginService<K extends PluginServiceName>(strapi: Core.Strapi, name: K): PluginServices[K] {
  return strapi.plugin('email-piping').service(name) as PluginServices[K];
}
