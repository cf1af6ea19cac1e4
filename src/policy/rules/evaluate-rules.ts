/**
 * Runs compiled piping rules on one mail, in order, for the importer and the rule simulator alike. Identical
 * patterns are tested at most once per mail, exact ones by one map lookup per value, and a wildcard / regex pattern
 * only runs when the field's one literal scan found a literal it needs. `negate` inverts a condition's result as a
 * whole: "To is not x@y" holds when no To address is x@y; a field with no value (no Cc, no such header) matches
 * nothing, so its negation holds.
 */
import type { RuleAction, RuleOutcome } from '../../../contracts/rules';
import {
  mayNeedLinearEngine,
  runRegex,
  BACKTRACKING_BUDGET,
  type RegexBudget,
} from '../../regex/run-pattern';
import { wildcardValue } from '../../regex/match-input';
import type { CompiledCondition, CompiledRule, CompiledRules } from './compiled-rule-set';
import { valuesOf, type RuleInput } from './rule-fields';
import { traceLine } from './rule-trace';
import { formatValidationErrors } from './validate-rule';

const UNKNOWN = 0;
const YES = 1;
const NO = 2;

export interface EvaluateOptions {
  /** Also say, for every rule that did not match, which condition failed (the rule simulator). */
  explainMisses?: boolean;
  /**
   * Write `trace` (default true). The importer turns it off: with a dozen matching rules per mail, composing their
   * sentences costs more than matching them, and only the simulator shows them.
   */
  trace?: boolean;
  /** Backtracking work allowed per mail before risky patterns move to the linear engine (see runRegex). */
  backtrackingBudget?: number;
}

/** Per-evaluation state, passed explicitly (closures over it would make every access slower). */
interface Evaluation {
  compiled: CompiledRules;
  input: RuleInput;
  /** Per matcher: UNKNOWN, YES or NO. */
  results: Uint8Array;
  values: Array<string[] | undefined>;
  wildcardValues: Array<string[] | undefined>;
  /** Backtracking work left for this mail's risky searches. */
  budget: RegexBudget;
  /** Per source: the stamp its scanner marked literals with in this evaluation, 0 before the scan. */
  stamps: Uint32Array;
}

/**
 * Match starts of a risky matcher in this mail: the occurrences of its literals, as the source's scan counted them
 * (summed over the source's values: an upper bound for each one). Without literals every place is a start.
 */
function startsOf(state: Evaluation, m: number, value: string): number {
  const matcher = state.compiled.matchers[m];
  const spec = state.compiled.sources[matcher.source];
  if (matcher.literals.length === 0 || !spec.hits) return value.length;
  const stamp = state.stamps[matcher.source];
  let starts = 0;
  for (const id of matcher.literals) if (spec.seen[id] === stamp) starts += spec.hits[id];
  return starts;
}

function sourceValues(state: Evaluation, s: number): string[] {
  return (state.values[s] ??= valuesOf(state.compiled.sources[s], state.input));
}

function nextStamp(compiled: CompiledRules): number {
  if (compiled.stamp >= 0xfffffffe) {
    // After four billion scans, start the marks afresh rather than let an old stamp come round again.
    for (const each of compiled.sources) each.seen.fill(0);
    compiled.stamp = 0;
  }
  return ++compiled.stamp;
}

/** Computes a matcher's result (and, for exact ones, those of every exact matcher of its source). */
function runMatcher(state: Evaluation, m: number): number {
  const { compiled, results } = state;
  const matcher = compiled.matchers[m];
  const s = matcher.source;
  const spec = compiled.sources[s];
  const list = sourceValues(state, s);
  if (matcher.compiled.mode === 'exact') {
    // All exact patterns of this source at once: one map lookup per value.
    const ids = spec.exactMatchers;
    for (let i = 0; i < ids.length; i++) results[ids[i]] = NO;
    for (let v = 0; v < list.length; v++) {
      const trimmed = list[v].trim();
      const sensitive = spec.exactSensitive.get(trimmed);
      if (sensitive) for (let i = 0; i < sensitive.length; i++) results[sensitive[i]] = YES;
      const insensitive = spec.exactInsensitive.get(trimmed.toLowerCase());
      if (insensitive) for (let i = 0; i < insensitive.length; i++) results[insensitive[i]] = YES;
    }
    return results[m];
  }
  if (matcher.literals.length > 0 && state.stamps[s] === 0) {
    // One pass over the source finds every literal; every matcher none of whose literals is there is settled.
    const stamp = (state.stamps[s] = nextStamp(compiled));
    const found = compiled.scratch.found;
    found.length = 0;
    for (let v = 0; v < list.length; v++)
      spec.scanner!.scan(list[v], spec.seen, stamp, found, spec.hits ?? undefined);
    const pending = spec.literalMatchers;
    for (let i = 0; i < pending.length; i++) results[pending[i]] = NO;
    for (let f = 0; f < found.length; f++) {
      const owners = spec.literalOwners[found[f]];
      for (let i = 0; i < owners.length; i++) results[owners[i]] = UNKNOWN;
    }
    if (results[m] !== UNKNOWN) return results[m];
  }
  if (matcher.compiled.mode === 'wildcard') {
    const regex = matcher.compiled.regex!;
    const subjects = (state.wildcardValues[s] ??= list.map(wildcardValue));
    for (let v = 0; v < subjects.length; v++) {
      if (regex.test(subjects[v])) return (results[m] = YES);
    }
    return (results[m] = NO);
  }
  for (let v = 0; v < list.length; v++) {
    const value = list[v];
    // The common case tests the regex straight away, without a closure per test.
    const hit = mayNeedLinearEngine(matcher.compiled, value)
      ? runRegex(matcher.compiled, value, () => startsOf(state, m, value), state.budget)
      : matcher.compiled.regex!.test(value);
    if (hit) return (results[m] = YES);
  }
  return (results[m] = NO);
}

/**
 * Runs the rules in order. Every matching rule's actions apply; a later rule overrides the single-valued results
 * (priority, status, category, assignee) of an earlier one, tags and recipients add up, and a rule with
 * `stopProcessing` is the last one looked at.
 */
export function evaluateRules(
  compiled: CompiledRules,
  input: RuleInput,
  options: EvaluateOptions = {}
): RuleOutcome {
  const outcome: RuleOutcome = {
    matched: [],
    tags: [],
    addRecipients: [],
    skipNotifications: false,
    trace: [],
  };
  const tracing = options.trace !== false || options.explainMisses === true;
  for (const bad of tracing ? compiled.invalid : []) {
    outcome.trace.push(
      `rule #${bad.ruleId} '${bad.name}' skipped: invalid (${formatValidationErrors(bad.errors).join('; ')})`
    );
  }
  const { scratch } = compiled;
  scratch.results.fill(UNKNOWN);
  scratch.stamps.fill(0);
  const state: Evaluation = {
    compiled,
    input,
    results: scratch.results,
    values: scratch.values,
    wildcardValues: scratch.wildcardValues,
    budget: { left: options.backtrackingBudget ?? BACKTRACKING_BUDGET },
    stamps: scratch.stamps,
  };
  try {
    evaluateInto(state, options, outcome, tracing);
  } finally {
    // Not kept until the next mail: the values are this mail's text.
    scratch.values.fill(undefined);
    scratch.wildcardValues.fill(undefined);
  }
  return outcome;
}

function evaluateInto(
  state: Evaluation,
  options: EvaluateOptions,
  outcome: RuleOutcome,
  tracing: boolean
): void {
  const { compiled } = state;
  const results = state.results;
  const { ruleStart, conditionMatcher, conditionNegate, ruleAll } = compiled;
  const setBy = tracing ? new Map<string, { ruleId: number; value: string }>() : null;
  const rules = compiled.rules;
  for (let r = 0; r < rules.length; r++) {
    const all = ruleAll[r] === 1;
    let matched = all;
    let decisiveAt = -1;
    for (let c = ruleStart[r]; c < ruleStart[r + 1]; c++) {
      const m = conditionMatcher[c];
      let result = results[m];
      if (result === UNKNOWN) result = runMatcher(state, m);
      const holds = (result === YES) !== (conditionNegate[c] === 1);
      if (holds !== all) {
        // "all" stops at the first condition that fails, "any" at the first that holds.
        matched = holds;
        decisiveAt = c - ruleStart[r];
        break;
      }
    }
    const rule = rules[r];
    const decisive = decisiveAt >= 0 ? rule.conditions[decisiveAt] : null;
    if (!matched) {
      if (options.explainMisses) {
        const why = decisive
          ? decisive.negate
            ? decisive.found
            : decisive.missed
          : 'none of its conditions holds';
        outcome.trace.push(`${rule.label} did not match: ${why}`);
      }
      continue;
    }
    if (applyRule(rule, !setBy || all ? rule.conditions : [decisive!], outcome, setBy)) {
      const left = rules.length - r - 1;
      if (left > 0 && tracing)
        outcome.trace.push(`${rule.label} stopped processing; ${left} later rule(s) not evaluated`);
      break;
    }
  }
  if (outcome.matched.length === 0 && tracing)
    outcome.trace.push(`no rule matched (${rules.length} rule(s) checked)`);
}

/**
 * Applies a matching rule's actions and, when `setBy` is given (tracing), writes its trace line; true when it stops
 * processing. The importer's path (no trace) allocates nothing but the `matched` entry.
 */
function applyRule(
  rule: CompiledRule,
  reasons: readonly CompiledCondition[],
  outcome: RuleOutcome,
  setBy: Map<string, { ruleId: number; value: string }> | null
): boolean {
  outcome.matched.push({ ruleId: rule.id, name: rule.name });
  let stop = false;
  for (let i = 0; i < rule.actions.length; i++) {
    if (applyAction(rule.actions[i], outcome)) stop = true;
  }
  if (setBy) outcome.trace.push(traceLine(rule, reasons, setBy));
  return stop;
}

/** One action on the outcome; true for "stop processing". */
function applyAction(action: RuleAction, outcome: RuleOutcome): boolean {
  switch (action.type) {
    case 'setPriority':
      outcome.priority = action.value;
      return false;
    case 'setStatus':
      outcome.status = action.value;
      return false;
    case 'setCategory':
      outcome.category = action.value;
      return false;
    case 'assign':
      outcome.assigneeId = action.adminUserId;
      return false;
    case 'addTags':
      for (const tag of action.value) if (!outcome.tags.includes(tag)) outcome.tags.push(tag);
      return false;
    case 'addRecipients':
      for (const address of action.value) {
        const normalised = address.trim().toLowerCase();
        if (!outcome.addRecipients.includes(normalised)) outcome.addRecipients.push(normalised);
      }
      return false;
    case 'skipNotifications':
      outcome.skipNotifications = true;
      return false;
    case 'stopProcessing':
      return true;
  }
}
