import type { Core } from '@strapi/strapi';
import { configureParsePool } from './ingest/parse-pool';
import { actionDefinitions } from './permissions';
import { ensureIndexes } from './database-indexes';
import { pluginConfig } from './plugin-config';
import { createRowWriter } from './repositories/row-writer';
import { createTicketNumbers } from './repositories/ticket-numbers';
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
  await createTicketNumbers(strapi, createRowWriter(strapi)).ensureBase();
  await pluginService(strapi, 'importer').syncSchedules();
  // An importing instance takes its share of the mailboxes' leases before the first schedule fires.
  if (config.autoStart) await pluginService(strapi, 'leases').start();
  if (pluginConfig(strapi).outboxAutoStart) pluginService(strapi, 'outbox').start();
};
