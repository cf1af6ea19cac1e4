import type { Core } from '@strapi/strapi';
import { shutdownParsePool } from './ingest/parse-pool';
import { pluginService } from './services/registry';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  await pluginService(strapi, 'mailboxWatcher').stop();
  await pluginService(strapi, 'importer').stop();
  await pluginService(strapi, 'push').stopAll();
  // After the runs stopped: the leases go back at once, so another instance takes over without waiting for expiry.
  await pluginService(strapi, 'leases').stop();
  await pluginService(strapi, 'outbox').stop();
  await shutdownParsePool();
};
