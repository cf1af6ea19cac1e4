/**
 * The piping rule editor's state: conditions and actions as typed (lists of tags and addresses as text), turned into
 * the API's body on save. Each entry has a key of its own so React keeps its fields when another one is removed.
 */
import type {
  ConditionField,
  MatchMode,
  RuleAction,
  RuleActionType,
  RuleMatch,
} from '../../../../contracts/rules';
import { splitLines, type PipingRule } from '../api';

export interface ConditionDraft {
  key: number;
  field: ConditionField;
  header: string;
  mode: MatchMode;
  pattern: string;
  caseSensitive: boolean;
  negate: boolean;
}

export interface ActionDraft {
  key: number;
  type: RuleActionType;
  value: string;
}

export interface RuleDraft {
  name: string;
  enabled: boolean;
  match: RuleMatch;
  mailboxId: string;
  conditions: ConditionDraft[];
  actions: ActionDraft[];
}

/** The mailbox choice of a rule that applies in every mailbox (`mailboxId: null`). */
export const ALL_MAILBOXES = 'all';

let nextKey = 1;

export const newCondition = (): ConditionDraft => ({
  key: nextKey++,
  field: 'subject',
  header: '',
  mode: 'wildcard',
  pattern: '',
  caseSensitive: false,
  negate: false,
});

/** The value a new action of this type starts with. */
export function defaultActionValue(type: RuleActionType): string {
  if (type === 'setPriority') return 'high';
  if (type === 'setStatus') return 'pending';
  return '';
}

export const newAction = (): ActionDraft => ({
  key: nextKey++,
  type: 'setPriority',
  value: defaultActionValue('setPriority'),
});

export const newRuleDraft = (): RuleDraft => ({
  name: '',
  enabled: true,
  match: 'all',
  mailboxId: ALL_MAILBOXES,
  conditions: [newCondition()],
  actions: [newAction()],
});

function actionValue(action: RuleAction): string {
  switch (action.type) {
    case 'setPriority':
    case 'setStatus':
    case 'setCategory':
      return action.value;
    case 'addTags':
    case 'addRecipients':
      return action.value.join(', ');
    case 'assign':
      return String(action.adminUserId);
    default:
      return '';
  }
}

export function draftFromRule(rule: PipingRule): RuleDraft {
  return {
    name: rule.name,
    enabled: rule.enabled,
    match: rule.match,
    mailboxId: rule.mailboxId === null ? ALL_MAILBOXES : String(rule.mailboxId),
    conditions: rule.conditions.map((condition) => ({
      key: nextKey++,
      field: condition.field,
      header: condition.header ?? '',
      mode: condition.mode,
      pattern: condition.pattern,
      caseSensitive: condition.caseSensitive === true,
      negate: condition.negate === true,
    })),
    actions: rule.actions.map((action) => ({
      key: nextKey++,
      type: action.type,
      value: actionValue(action),
    })),
  };
}

/** The list with the entry at `index` changed by `patch`. */
export const patchAt = <T>(entries: T[], index: number, patch: Partial<T>): T[] =>
  entries.map((entry, i) => (i === index ? { ...entry, ...patch } : entry));

export const withoutAt = <T>(entries: T[], index: number): T[] => entries.filter((_, i) => i !== index);

/** The rule as `POST /piping-rules` and `PUT /piping-rules/:id` take it. */
export function ruleBody(draft: RuleDraft) {
  return {
    name: draft.name,
    enabled: draft.enabled,
    match: draft.match,
    mailboxId: draft.mailboxId === ALL_MAILBOXES ? null : Number(draft.mailboxId),
    conditions: draft.conditions.map((condition) => ({
      field: condition.field,
      ...(condition.field === 'header' ? { header: condition.header } : {}),
      mode: condition.mode,
      pattern: condition.pattern,
      caseSensitive: condition.caseSensitive,
      negate: condition.negate,
    })),
    actions: draft.actions.map((action) => {
      switch (action.type) {
        case 'setPriority':
        case 'setStatus':
        case 'setCategory':
          return { type: action.type, value: action.value };
        case 'addTags':
        case 'addRecipients':
          return { type: action.type, value: splitLines(action.value) };
        case 'assign':
          return {
            type: action.type,
            adminUserId: /^\d+$/.test(action.value.trim()) ? Number(action.value) : action.value,
          };
        default:
          return { type: action.type };
      }
    }),
  };
}
