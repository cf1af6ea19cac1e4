import type { Core } from '@strapi/strapi';
import { configureParsePool } from './ingest/parse-pool';
import { actionDefinitions } from './permissions';
import { ensureIndexes } from './services/indexes';
import { pluginConfig } from './services/plugin-config';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  const config = pluginConfig(strapi);
  configureParsePool({
    workers: config.parseWorkers,
    timeoutMs: config.parseTimeoutMs,
    memoryMb: config.parseMemoryMb,
  });
  await strapi.service('admin::permission').actionProvider.registerMany(actionDefinitions);
  await ensureIndexes(strapi);
  await strapi.plugin('email-piping').service('rules').seedDefaults();
  await strapi.plugin('email-piping').service('importer').clearInterruptedProgress();
  await strapi.plugin('email-piping').service('importer').syncSchedules();
  if (pluginConfig(strapi).outboxAutoStart) strapi.plugin('email-piping').service('outbox').start();
};
