import type { Core } from '@strapi/strapi';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.plugin('email-piping').service('importer').stop();
  await strapi.plugin('email-piping').service('outbox').stop();
};
