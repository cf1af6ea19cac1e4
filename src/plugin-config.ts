import type { Core } from '@strapi/strapi';
import { defaultConfig, type PluginConfig } from '../config';

export function pluginConfig(strapi: Core.Strapi): PluginConfig {
  return {
    ...defaultConfig,
    ...(strapi.config.get('plugin::email-piping') as Partial<PluginConfig> | undefined),
  };
}
