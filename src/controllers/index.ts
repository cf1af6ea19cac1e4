/** Thin HTTP layer: read the request, call a service, answer. Validation lives in `schemas/`, storage in services. */
import type { Core } from '@strapi/strapi';
import { idParam, respond } from './respond';
import { PluginError } from '../errors';
import { pluginService } from '../services/registry';

type Ctx = Parameters<typeof respond>[0] & {
  request: { body?: unknown; query: Record<string, unknown> };
  query: Record<string, unknown>;
  state: { user: { id: number; email: string; firstname?: string; lastname?: string } };
  set(name: string, value: string): void;
};

const service = pluginService;

export default {
  mailboxes: ({ strapi }: { strapi: Core.Strapi }) => ({
    find: (ctx: Ctx) => respond(ctx, () => service(strapi, 'mailboxes').list()),
    findOne: (ctx: Ctx) => respond(ctx, () => service(strapi, 'mailboxes').get(idParam(ctx))),
    create: (ctx: Ctx) => respond(ctx, () => service(strapi, 'mailboxes').create(ctx.request.body), 201),
    update: (ctx: Ctx) =>
      respond(ctx, async () => service(strapi, 'mailboxes').update(idParam(ctx), ctx.request.body)),
    delete: (ctx: Ctx) => respond(ctx, () => service(strapi, 'mailboxes').remove(idParam(ctx))),
    /** Lifts a circuit-breaker pause: automatic mail of the mailbox goes out again. */
    resumeAutoMail: (ctx: Ctx) =>
      respond(ctx, () => service(strapi, 'mailboxes').resumeAutoMail(idParam(ctx))),
    testUnsaved: (ctx: Ctx) =>
      respond(ctx, () => service(strapi, 'mailboxes').testConnection(null, ctx.request.body)),
    testSaved: (ctx: Ctx) =>
      respond(ctx, () => service(strapi, 'mailboxes').testConnection(idParam(ctx), ctx.request.body ?? {})),
    /** Starts an import now. `?wait=true` answers when it has finished (scripts, tests); otherwise 202 at once. */
    run: async (ctx: Ctx) => {
      const id = idParam(ctx);
      const importer = service(strapi, 'importer');
      await respond(ctx, () => service(strapi, 'mailboxes').get(id));
      if (ctx.status !== 200) return;
      if (ctx.query.wait === 'true') {
        return respond(ctx, () => importer.runMailbox(id, { manual: true }));
      }
      const alreadyRunning = importer.isRunning(id);
      void importer.runMailbox(id, { manual: true }).catch((error: unknown) => {
        if (!(error instanceof PluginError))
          strapi.log.error(`email-piping: run of mailbox #${id} failed: ${String(error)}`);
      });
      ctx.status = 202;
      ctx.body = { data: { started: !alreadyRunning, alreadyRunning } };
    },
  }),

  tickets: ({ strapi }: { strapi: Core.Strapi }) => ({
    find: (ctx: Ctx) => respond(ctx, () => service(strapi, 'tickets').list(ctx.query, ctx.state.user.id)),
    findOne: (ctx: Ctx) => respond(ctx, () => service(strapi, 'tickets').get(idParam(ctx))),
    update: (ctx: Ctx) =>
      respond(ctx, () =>
        service(strapi, 'conversation').update(idParam(ctx), ctx.state.user, ctx.request.body)
      ),
    reply: (ctx: Ctx) =>
      respond(
        ctx,
        () => service(strapi, 'conversation').reply(idParam(ctx), ctx.state.user, ctx.request.body),
        201
      ),
    /** An internal note: stays in the admin, never mailed. */
    addNote: (ctx: Ctx) =>
      respond(
        ctx,
        () => service(strapi, 'conversation').addNote(idParam(ctx), ctx.state.user, ctx.request.body),
        201
      ),
  }),

  assignees: ({ strapi }: { strapi: Core.Strapi }) => ({
    find: (ctx: Ctx) => respond(ctx, () => service(strapi, 'assignees').list()),
  }),

  templates: ({ strapi }: { strapi: Core.Strapi }) => ({
    find: (ctx: Ctx) => respond(ctx, () => service(strapi, 'templates').list()),
    upsert: (ctx: Ctx) => respond(ctx, () => service(strapi, 'templates').upsert(ctx.request.body)),
    delete: (ctx: Ctx) => respond(ctx, () => service(strapi, 'templates').remove(idParam(ctx))),
    preview: (ctx: Ctx) => respond(ctx, () => service(strapi, 'templates').preview(ctx.request.body)),
  }),

  rules: ({ strapi }: { strapi: Core.Strapi }) => ({
    findPiping: (ctx: Ctx) => respond(ctx, () => service(strapi, 'rules').listPiping()),
    createPiping: (ctx: Ctx) =>
      respond(ctx, () => service(strapi, 'rules').createPiping(ctx.request.body), 201),
    updatePiping: (ctx: Ctx) =>
      respond(ctx, () => service(strapi, 'rules').updatePiping(idParam(ctx), ctx.request.body)),
    reorderPiping: (ctx: Ctx) => respond(ctx, () => service(strapi, 'rules').reorderPiping(ctx.request.body)),
    deletePiping: (ctx: Ctx) => respond(ctx, () => service(strapi, 'rules').deletePiping(idParam(ctx))),
    findBlock: (ctx: Ctx) => respond(ctx, () => service(strapi, 'rules').listBlock()),
    createBlock: (ctx: Ctx) =>
      respond(ctx, () => service(strapi, 'rules').createBlock(ctx.request.body), 201),
    updateBlock: (ctx: Ctx) =>
      respond(ctx, () => service(strapi, 'rules').updateBlock(idParam(ctx), ctx.request.body)),
    deleteBlock: (ctx: Ctx) => respond(ctx, () => service(strapi, 'rules').deleteBlock(idParam(ctx))),
    simulate: (ctx: Ctx) => respond(ctx, () => service(strapi, 'simulator').simulate(ctx.request.body)),
  }),

  outbox: ({ strapi }: { strapi: Core.Strapi }) => ({
    find: (ctx: Ctx) => respond(ctx, () => service(strapi, 'outbox').list(ctx.query)),
  }),

  stats: ({ strapi }: { strapi: Core.Strapi }) => ({
    overview: (ctx: Ctx) => respond(ctx, () => service(strapi, 'stats').overview(ctx.query)),
  }),

  suppressions: ({ strapi }: { strapi: Core.Strapi }) => ({
    find: (ctx: Ctx) => respond(ctx, () => service(strapi, 'suppressions').list()),
    delete: (ctx: Ctx) => respond(ctx, () => service(strapi, 'suppressions').remove(idParam(ctx))),
  }),

  receipts: ({ strapi }: { strapi: Core.Strapi }) => ({
    find: (ctx: Ctx) => respond(ctx, () => service(strapi, 'receipts').list(ctx.query)),
    reprocess: (ctx: Ctx) => respond(ctx, () => service(strapi, 'importer').reprocessReceipt(idParam(ctx))),
    discard: (ctx: Ctx) =>
      respond(ctx, () => service(strapi, 'receipts').discard(idParam(ctx), ctx.state.user)),
    raw: async (ctx: Ctx) => {
      await respond(ctx, () => service(strapi, 'receipts').rawSource(idParam(ctx)));
      if (ctx.status !== 200) return;
      const { filename, body } = (ctx.body as { data: { filename: string; body: Buffer } }).data;
      // A raw mail is hostile content: always a download, never rendered by the browser.
      ctx.set('Content-Type', 'message/rfc822');
      ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.body = body;
    },
  }),
};
