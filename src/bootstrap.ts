import type { Core } from '@strapi/strapi';
import { configureParsePool } from './ingest/parse-pool';
import { actionDefinitions } from './permissions';
import { ensureIndexes } from './database-indexes';
import { pluginConfig } from './plugin-config';
import { pluginService } from './services/registry';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  const config = pluginConfig(strapi);
  configureParsePool({
    workers: config.parseWorkers,
    timeoutMs: config.parseTimeoutMs,
    memoryMb: config.parseMemoryMb,
  });
  await strapi.service('admin::permission').actionProvider.registerMany(actionDefinitions);
  await ensureIndexes(strapi);
  await pluginService(strapi, 'rules').seedDefaults();
  await pluginService(strapi, 'importer').clearInterruptedProgress();
  if (config.autoStart) {
    // Schedules and push watchers follow the database, so a mailbox changed on another instance is followed here too.
    pluginService(strapi, 'importer').followMailboxes();
    pluginService(strapi, 'push').followMailboxes();
    await pluginService(strapi, 'mailboxWatcher').start();
  }
  if (pluginConfig(strapi).outboxAutoStart) pluginService(strapi, 'outbox').start();
};
