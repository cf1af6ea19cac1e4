import type { Core } from '@strapi/strapi';
import { shutdownParsePool } from './ingest/parse-pool';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.plugin('email-piping').service('importer').stop();
  await strapi.plugin('email-piping').service('outbox').stop();
  await shutdownParsePool();
};
