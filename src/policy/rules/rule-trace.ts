/**
 * The sentences of a rule trace, for the receipt and the admin's rule simulator: what a condition's test found, what
 * an action does, and one line per matching rule that says which earlier value it overrides.
 */
import type { Condition, RuleAction } from '../../../contracts/rules';
import { describePattern } from '../../regex/compile-pattern';
import type { CompiledCondition, CompiledRule } from './compiled-rule-set';
import { FIELD_LABELS } from './rule-fields';

/** "subject matches /urgent/i", "sender is not "x@y"": what the condition's test found (before `negate`). */
export function describeCondition(condition: Condition, found: boolean): string {
  const field = condition.field === 'header' ? `header ${condition.header}` : FIELD_LABELS[condition.field];
  const pattern = describePattern({
    mode: condition.mode,
    pattern: condition.pattern,
    caseSensitive: condition.caseSensitive === true,
  });
  if (condition.mode === 'exact') return `${field} ${found ? 'is' : 'is not'} ${pattern}`;
  return `${field} ${found ? 'matches' : 'does not match'} ${pattern}`;
}

export function describeAction(action: RuleAction): string {
  switch (action.type) {
    case 'setPriority':
      return `priority ${action.value}`;
    case 'setStatus':
      return `status ${action.value}`;
    case 'addTags':
      return `tags ${action.value.join(', ')}`;
    case 'setCategory':
      return `category "${action.value}"`;
    case 'assign':
      return `assign to admin user #${action.adminUserId}`;
    case 'addRecipients':
      return `add recipients ${action.value.join(', ')}`;
    case 'skipNotifications':
      return 'skip notifications';
    case 'stopProcessing':
      return 'stop processing';
  }
}

/** The single value an action sets (an earlier rule's is overridden, and the trace says so), or null. */
function singleValueOf(action: RuleAction): { key: string; value: string } | null {
  switch (action.type) {
    case 'setPriority':
      return { key: 'priority', value: action.value };
    case 'setStatus':
      return { key: 'status', value: action.value };
    case 'setCategory':
      return { key: 'category', value: `"${action.value}"` };
    case 'assign':
      return { key: 'assignee', value: `admin user #${action.adminUserId}` };
    default:
      return null;
  }
}

/** "rule #3 'VIP': sender is "vip@x" → priority high (overrides normal from rule #1), tags vip". */
export function traceLine(
  rule: CompiledRule,
  reasons: readonly CompiledCondition[],
  setBy: Map<string, { ruleId: number; value: string }>
): string {
  const done = rule.actions.map((action, i) => {
    const text = rule.actionTexts[i];
    const single = singleValueOf(action);
    if (!single) return text;
    const earlier = setBy.get(single.key);
    setBy.set(single.key, { ruleId: rule.id, value: single.value });
    return earlier && earlier.value !== single.value
      ? `${text} (overrides ${earlier.value} from rule #${earlier.ruleId})`
      : text;
  });
  const because = reasons
    .map((c) => (c.negate ? c.missed : c.found))
    .join(rule.match === 'all' ? ' and ' : ' or ');
  return `${rule.label}: ${because} → ${done.join(', ')}`;
}
