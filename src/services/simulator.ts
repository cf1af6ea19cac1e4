/**
 * The rule simulator: takes a raw .eml and answers — storing nothing — which block rule, allowed-mail setting,
 * thread decision and piping rules would apply, and why. It runs `decideInbound`, the very function the importer
 * uses, with the same mailbox context.
 */
import type { Core } from '@strapi/strapi';
import { InputError, NotFoundError } from '../errors';
import { decideInbound, mailClassOf } from '../policy/decide-inbound';
import { prepareMessage, releasePrepared } from '../ingest/prepare-message';
import { spoolBuffer } from '../ingest/spool';
import { UID } from '../uids';
import { createImportStore } from '../repositories/import-store';
import { createInboundContextLoader } from '../repositories/inbound-context';
import { pluginConfig } from '../plugin-config';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const inbound = createInboundContextLoader(strapi);
  // The importer's own store answers what the road asks (mailbox facts, lookups); nothing is recorded through it.
  const road = createImportStore(strapi);

  return {
    async simulate(body: unknown) {
      const input = (body ?? {}) as { mailboxId?: unknown; eml?: unknown; encoding?: unknown };
      if (!Number.isInteger(input.mailboxId)) throw new InputError('mailboxId: must be the id of a mailbox');
      if (typeof input.eml !== 'string' || input.eml.trim() === '') {
        throw new InputError('eml: paste or upload the raw message (.eml) to simulate');
      }
      if (input.encoding !== undefined && input.encoding !== 'base64' && input.encoding !== 'text') {
        throw new InputError('encoding: must be "text" or "base64"');
      }
      const config = pluginConfig(strapi);
      const source = Buffer.from(input.eml, input.encoding === 'base64' ? 'base64' : 'utf8');
      if (source.length > config.maxMessageBytes) {
        throw new InputError(`eml: the message is larger than the ${config.maxMessageBytes}-byte limit`);
      }
      const mailboxId = input.mailboxId as number;
      if (
        !(await strapi.db.query(UID.mailbox as never).findOne({ select: ['id'], where: { id: mailboxId } }))
      ) {
        throw new NotFoundError(`Mailbox #${mailboxId} does not exist`);
      }
      const raw = await spoolBuffer(source, config.spoolDir);
      const prepared = await prepareMessage(
        raw,
        { mailboxId, uidValidity: 'simulation', uid: 0 },
        { spoolDir: config.spoolDir, preparation: await road.preparationFor(mailboxId) }
      );
      try {
        if (prepared.problem || !prepared.mail) return { outcome: 'quarantined', reason: prepared.problem };
        const mail = prepared.mail;
        const context = (await inbound.contextFor(mailboxId))!;
        const decision = await decideInbound({
          ...(await road.decisionContextFor(mailboxId)),
          mail,
          explain: true,
          classification: prepared.classification ?? null,
          authentication: prepared.authentication ?? null,
        });
        const mailSummary = {
          from: decision.sender,
          to: mail.to.map((a) => a.address),
          cc: mail.cc.map((a) => a.address),
          subject: mail.subject,
          messageId: mail.messageId,
        };
        const flags = {
          mailClass: mailClassOf(decision.flags),
          ...decision.flags,
          authentication: decision.authentication,
          unauthenticatedAnswers: decision.answerPolicy,
        };
        if (decision.kind === 'own-mail' || decision.kind === 'unmonitored') {
          return { outcome: decision.kind, reason: decision.reason, mail: mailSummary, flags };
        }
        if (decision.kind === 'bounce') {
          return {
            outcome: 'bounce',
            reason: decision.reason,
            mail: mailSummary,
            flags,
            bounce: decision.report,
            matched: decision.match,
          };
        }
        if (decision.kind === 'read-receipt') {
          return {
            outcome: 'read-receipt',
            reason: decision.reason,
            mail: mailSummary,
            flags,
            readReceipt: decision.receipt,
            matched: decision.match,
          };
        }
        if (decision.kind === 'blocked') {
          return {
            outcome: 'blocked',
            reason: decision.reason,
            ruleId: decision.ruleId,
            mail: mailSummary,
            automatic: decision.automatic,
            flags,
          };
        }
        const thread =
          decision.thread.kind === 'existing'
            ? {
                kind: 'existing',
                ticketNumber: decision.thread.ticket.number,
                via: decision.thread.via,
                refused: decision.thread.refused,
              }
            : { kind: 'new', refused: decision.thread.refused };
        if (decision.kind === 'refused') {
          return {
            outcome: 'refused',
            reason: decision.reason,
            mail: mailSummary,
            automatic: decision.automatic,
            flags,
            thread,
            forwardingAddress: decision.forwardingAddress,
          };
        }
        return {
          outcome: decision.plan.kind === 'new-ticket' ? 'ticket-created' : 'reply-added',
          mail: mailSummary,
          automatic: decision.automatic,
          flags,
          forwardingAddress: decision.forwardingAddress,
          thread,
          plan: decision.plan,
          rules: decision.rules,
          addedRecipients: decision.addedRecipients,
          notifications: context.sends ? decision.plan.notify : [],
        };
      } finally {
        await releasePrepared(prepared);
      }
    },
  };
};
