/**
 * Piping rules and block rules as the admin manages them: validated on save (a refusal names the field), ordered,
 * counted when they hit; and the compiled forms the importer and the simulator use, rebuilt only when a rule changed.
 */
import type { Core } from '@strapi/strapi';
import { InputError, NotFoundError } from '../errors';
import {
  compileBlockRules,
  DEFAULT_BLOCK_RULES,
  validateBlockRule,
  type BlockRule,
  type CompiledBlockRules,
} from '../mail/block';
import type { PipingRule, RuleAction } from '../../contracts/rules';
import { compileRules } from '../policy/rules/compile-rules';
import type { CompiledRules } from '../policy/rules/compiled-rule-set';
import { validateRule } from '../policy/rules/validate-rule';
import { UID } from '../uids';
import { pluginService } from './registry';

interface PipingRuleRow extends PipingRule {
  position: number;
  mailboxId: number | null;
  hitCount: number | null;
  lastHitAt: string | null;
}

interface BlockRuleRow extends BlockRule {
  enabled: boolean;
  note: string | null;
  hitCount: number | null;
  lastHitAt: string | null;
}

const SEEDED_KEY = 'block-rules-seeded';

function refuse(errors: Array<{ field: string; message: string }>): never {
  throw new InputError(errors.map((error) => `${error.field}: ${error.message}`).join('; '), { errors });
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const pipingRules = () => strapi.db.query(UID.pipingRule as never);
  const blockRules = () => strapi.db.query(UID.blockRule as never);
  /** Compiled rules, cached until a rule is saved or deleted (in this process) or 5 seconds pass (other instances). */
  let compiled: { at: number; piping: Map<number | 'all', CompiledRules>; block: CompiledBlockRules } | null =
    null;
  const invalidate = () => {
    compiled = null;
  };

  async function load() {
    if (compiled && Date.now() - compiled.at < 5000) return compiled;
    const rules = (await pipingRules().findMany({
      where: { enabled: true },
      orderBy: [{ position: 'asc' }, { id: 'asc' }],
    })) as PipingRuleRow[];
    const blocks = (await blockRules().findMany({
      where: { enabled: true },
      orderBy: [{ id: 'asc' }],
    })) as BlockRuleRow[];
    const piping = new Map<number | 'all', CompiledRules>();
    const mailboxIds = new Set(rules.map((rule) => rule.mailboxId).filter((id): id is number => id !== null));
    // A rule without a mailbox applies to all of them; a mailbox's set is the global rules plus its own, in order.
    piping.set('all', compileRules(rules.filter((rule) => rule.mailboxId === null)));
    for (const id of mailboxIds) {
      piping.set(id, compileRules(rules.filter((rule) => rule.mailboxId === null || rule.mailboxId === id)));
    }
    compiled = { at: Date.now(), piping, block: compileBlockRules(blocks) };
    return compiled;
  }

  /** A rule applies to one existing mailbox, or to all of them (null). */
  async function mailboxScopeErrors(mailboxId: unknown): Promise<Array<{ field: string; message: string }>> {
    if (mailboxId === null) return [];
    if (!Number.isInteger(mailboxId)) {
      return [{ field: 'mailboxId', message: 'must be a mailbox id or null (all mailboxes)' }];
    }
    const mailbox = await strapi.db
      .query(UID.mailbox as never)
      .findOne({ select: ['id'], where: { id: mailboxId } });
    return mailbox ? [] : [{ field: 'mailboxId', message: `mailbox #${String(mailboxId)} does not exist` }];
  }

  /** An "assign" action names someone who can be assigned tickets now (the ticket update's own check). */
  async function assigneeErrors(
    actions: readonly RuleAction[]
  ): Promise<Array<{ field: string; message: string }>> {
    const assignees = pluginService(strapi, 'assignees');
    const errors: Array<{ field: string; message: string }> = [];
    for (const [index, action] of actions.entries()) {
      if (action.type !== 'assign') continue;
      const reason = await assignees.notAssignableReason(action.adminUserId);
      if (reason) errors.push({ field: `actions[${index}].adminUserId`, message: reason });
    }
    return errors;
  }

  /**
   * A piping rule as create and update store it. On update the body is partial: fields left out, the mailbox scope
   * included, keep their stored values; every field is checked the same way either way.
   */
  async function validPipingRule(body: unknown, existing?: PipingRuleRow) {
    const { mailboxId = existing?.mailboxId ?? null, ...rest } = (body ?? {}) as Record<string, unknown>;
    const stored = existing
      ? {
          name: existing.name,
          enabled: existing.enabled,
          match: existing.match,
          conditions: existing.conditions,
          actions: existing.actions,
        }
      : {};
    const result = validateRule({ ...stored, ...rest });
    // One refusal names every wrong field, the scope included.
    const errors = [
      ...('errors' in result ? result.errors : await assigneeErrors(result.rule.actions)),
      ...(await mailboxScopeErrors(mailboxId)),
    ];
    if ('errors' in result || errors.length > 0) refuse(errors);
    return { ...result.rule, mailboxId: mailboxId as number | null };
  }

  return {
    /** The compiled rules for one mailbox (importer and simulator). */
    async compiledFor(mailboxId: number): Promise<{ rules: CompiledRules; blockRules: CompiledBlockRules }> {
      const current = await load();
      return {
        rules: current.piping.get(mailboxId) ?? current.piping.get('all')!,
        blockRules: current.block,
      };
    },

    /** Counts hits; called inside the import transaction. */
    async recordHits(kind: 'piping' | 'block', ruleIds: number[]): Promise<void> {
      if (ruleIds.length === 0) return;
      const meta = strapi.db.metadata.get((kind === 'piping' ? UID.pipingRule : UID.blockRule) as never);
      const hitColumn = (meta.attributes.hitCount as { columnName: string }).columnName;
      const lastColumn = (meta.attributes.lastHitAt as { columnName: string }).columnName;
      const knex = strapi.db.connection;
      // An atomic increment (the query engine can only set values, and two imports may count the same rule),
      // inside the caller's transaction: SQLite has one connection, and the hit belongs to the commit anyway.
      await strapi.db.transaction(async ({ trx }) => {
        await knex(meta.tableName)
          .transacting(trx)
          .whereIn('id', ruleIds)
          .update({ [hitColumn]: knex.raw('coalesce(??, 0) + 1', [hitColumn]), [lastColumn]: new Date() });
      });
    },

    /** Seeds the editable default block rules once per database. */
    async seedDefaults(): Promise<void> {
      const store = strapi.store({ type: 'plugin', name: 'email-piping' });
      if (await store.get({ key: SEEDED_KEY })) return;
      if ((await blockRules().count({})) === 0) {
        for (const rule of DEFAULT_BLOCK_RULES) {
          const { id: _id, ...data } = rule;
          await blockRules().create({ data: { ...data, enabled: true, note: 'default' } });
        }
      }
      await store.set({ key: SEEDED_KEY, value: true });
      invalidate();
    },

    async listPiping() {
      return pipingRules().findMany({ orderBy: [{ position: 'asc' }, { id: 'asc' }] });
    },

    async createPiping(body: unknown) {
      const data = await validPipingRule(body);
      const last = (await pipingRules().findOne({ select: ['position'], orderBy: { position: 'desc' } })) as {
        position: number;
      } | null;
      const row = await pipingRules().create({
        data: { ...data, position: (last?.position ?? 0) + 1, hitCount: 0 },
      });
      invalidate();
      return row;
    },

    async updatePiping(id: number, body: unknown) {
      const existing = (await pipingRules().findOne({ where: { id } })) as PipingRuleRow | null;
      if (!existing) throw new NotFoundError(`Piping rule #${id} does not exist`);
      const row = await pipingRules().update({ where: { id }, data: await validPipingRule(body, existing) });
      invalidate();
      return row;
    },

    /** Puts the rules in the given order (ids first to last); rules not named keep their relative order after. */
    async reorderPiping(body: unknown) {
      const ids = (body as { ids?: unknown })?.ids;
      if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id))) {
        refuse([{ field: 'ids', message: 'must be the list of rule ids in their new order' }]);
      }
      const all = (await pipingRules().findMany({
        select: ['id'],
        orderBy: [{ position: 'asc' }, { id: 'asc' }],
      })) as Array<{
        id: number;
      }>;
      const known = new Set(all.map((rule) => rule.id));
      for (const id of ids as number[])
        if (!known.has(id)) throw new NotFoundError(`Piping rule #${id} does not exist`);
      const order = [
        ...(ids as number[]),
        ...all.map((rule) => rule.id).filter((id) => !(ids as number[]).includes(id)),
      ];
      await strapi.db.transaction(async () => {
        for (const [index, id] of order.entries()) {
          await pipingRules().updateMany({ where: { id }, data: { position: index + 1 } });
        }
      });
      invalidate();
      return this.listPiping();
    },

    async deletePiping(id: number) {
      if (!(await pipingRules().findOne({ where: { id } })))
        throw new NotFoundError(`Piping rule #${id} does not exist`);
      await pipingRules().delete({ where: { id } });
      invalidate();
      return { id };
    },

    async listBlock() {
      return blockRules().findMany({ orderBy: [{ id: 'asc' }] });
    },

    async createBlock(body: unknown) {
      const result = validateBlockRule(body);
      if ('errors' in result) refuse(result.errors);
      const row = await blockRules().create({ data: { ...result.rule, hitCount: 0 } });
      invalidate();
      return row;
    },

    async updateBlock(id: number, body: unknown) {
      const existing = (await blockRules().findOne({ where: { id } })) as BlockRuleRow | null;
      if (!existing) throw new NotFoundError(`Block rule #${id} does not exist`);
      const { field, mode, pattern, caseSensitive, enabled, note } = existing;
      const result = validateBlockRule({
        field,
        mode,
        pattern,
        caseSensitive,
        enabled,
        note,
        ...(body as object),
      });
      if ('errors' in result) refuse(result.errors);
      const row = await blockRules().update({ where: { id }, data: result.rule });
      invalidate();
      return row;
    },

    async deleteBlock(id: number) {
      if (!(await blockRules().findOne({ where: { id } })))
        throw new NotFoundError(`Block rule #${id} does not exist`);
      await blockRules().delete({ where: { id } });
      invalidate();
      return { id };
    },
  };
};
