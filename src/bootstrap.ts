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
  if (config.autoStart) {
    // An importing instance takes its share of the mailboxes' leases before the first schedule fires; schedules and
    // push watchers follow the database, so a mailbox changed on another instance is followed here too.
    await pluginService(strapi, 'leases').start();
    // A mailbox created or enabled anywhere gets its lease taken at the next read, not the next beat.
    pluginService(strapi, 'mailboxWatcher').onMailboxesChanged(() => pluginService(strapi, 'leases').tick());
    pluginService(strapi, 'importer').followMailboxes();
    pluginService(strapi, 'push').followMailboxes();
    await pluginService(strapi, 'mailboxWatcher').start();
  }
  if (pluginConfig(strapi).outboxAutoStart) pluginService(strapi, 'outbox').start();
};
