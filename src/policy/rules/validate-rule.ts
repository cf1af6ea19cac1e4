/**
 * Checks a piping rule as the admin saves it, and again when stored rules are compiled (an older version may have
 * saved what this one refuses). Strict, and each error names its field (`conditions[2].mode`).
 */
import { PRIORITIES, STATUSES } from '../../../contracts/ticket';
import {
  ACTION_TYPES,
  AUTHENTICATION_RESULTS,
  CONDITION_FIELDS,
  MATCH_MODES,
  RULE_MATCHES,
  type Condition,
  type ConditionField,
  type MatchMode,
  type PipingRule,
  type RuleAction,
  type RuleActionType,
  type RuleMatch,
} from '../../../contracts/rules';
import { compilePattern, type CompiledPattern } from '../../regex/compile-pattern';

export const MAX_RULE_NAME_LENGTH = 200;
export const MAX_CONDITIONS = 50;
export const MAX_ACTIONS = 20;
const MAX_LIST_ENTRIES = 50;
const MAX_TAG_LENGTH = 100;
const MAX_HEADER_NAME_LENGTH = 100;

import type { ValidationError } from '../../../contracts/api';

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const BAD_IN_ADDRESS = /[\s<>()[\]\\,;:"\u0000-\u001f\u007f]/;

/** `local@domain.tld`, nothing that could not be a mailbox. */
export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || value.length > 254 || BAD_IN_ADDRESS.test(value)) return false;
  const domain = value.slice(at + 1);
  return /^[^.@]+(\.[^.@]+)+$/.test(domain) && !value.slice(0, at).includes('@');
}

/** Printable ASCII without colon or space (RFC 5322 field name). */
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

const CONDITION_KEYS = ['field', 'header', 'mode', 'pattern', 'caseSensitive', 'negate'];
const RULE_KEYS = ['id', 'name', 'enabled', 'match', 'conditions', 'actions'];
const ACTION_KEYS: Record<RuleActionType, string[]> = {
  setPriority: ['type', 'value'],
  setStatus: ['type', 'value'],
  addTags: ['type', 'value'],
  setCategory: ['type', 'value'],
  assign: ['type', 'adminUserId'],
  addRecipients: ['type', 'value'],
  skipNotifications: ['type'],
  stopProcessing: ['type'],
};

/** Errors collected with their field path. */
class Problems {
  readonly list: ValidationError[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
  unknownKeys(input: Plain, allowed: string[], prefix: string): void {
    for (const key of Object.keys(input)) {
      if (!allowed.includes(key)) {
        this.add(
          `${prefix}${key}`,
          `unknown field (allowed: ${allowed.filter((k) => k !== 'id').join(', ')})`
        );
      }
    }
  }
  /** An optional boolean (null counts as absent). */
  flag(input: Plain, key: string, field: string): boolean | undefined {
    const value = input[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.add(field, 'must be true or false');
      return undefined;
    }
    return value;
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

function checkCondition(
  input: unknown,
  at: string,
  problems: Problems
): { condition: Condition; compiled: CompiledPattern } | null {
  if (!isPlain(input)) {
    problems.add(at, 'must be an object with field, mode and pattern');
    return null;
  }
  const before = problems.list.length;
  problems.unknownKeys(input, CONDITION_KEYS, `${at}.`);
  const { field, mode, pattern, header } = input;
  if (field === undefined) problems.add(`${at}.field`, 'required');
  else if (!oneOf(field, CONDITION_FIELDS))
    problems.add(`${at}.field`, `must be one of ${CONDITION_FIELDS.join(', ')}`);
  let headerName: string | undefined;
  if (field === 'header') {
    if (header === undefined || header === null || header === '')
      problems.add(`${at}.header`, 'required when field is header');
    else if (
      typeof header !== 'string' ||
      !HEADER_NAME.test(header) ||
      header.length > MAX_HEADER_NAME_LENGTH
    ) {
      problems.add(
        `${at}.header`,
        'must be a header name such as X-Priority (printable characters, no colon or space)'
      );
    } else headerName = header.toLowerCase();
  } else if (header !== undefined && header !== null) {
    problems.add(`${at}.header`, 'only allowed when field is header');
  }
  if (mode === undefined) problems.add(`${at}.mode`, 'required');
  else if (!oneOf(mode, MATCH_MODES)) problems.add(`${at}.mode`, `must be one of ${MATCH_MODES.join(', ')}`);
  const caseSensitive = problems.flag(input, 'caseSensitive', `${at}.caseSensitive`);
  const negate = problems.flag(input, 'negate', `${at}.negate`);
  let compiled: CompiledPattern | null = null;
  if (pattern === undefined || pattern === null) problems.add(`${at}.pattern`, 'required');
  else if (typeof pattern !== 'string') problems.add(`${at}.pattern`, 'must be a string');
  else if (oneOf(mode, MATCH_MODES)) {
    const result = compilePattern(mode, pattern, caseSensitive === true);
    if (result.ok) compiled = result.compiled;
    else problems.add(`${at}.pattern`, result.message);
  } else if (pattern.trim() === '') problems.add(`${at}.pattern`, 'must not be empty');
  if (
    field === 'authentication' &&
    mode === 'exact' &&
    typeof pattern === 'string' &&
    !(AUTHENTICATION_RESULTS as readonly string[]).includes(pattern.toLowerCase())
  ) {
    problems.add(`${at}.pattern`, `sender authentication is one of ${AUTHENTICATION_RESULTS.join(', ')}`);
  }
  if (problems.list.length > before || !compiled) return null;
  const condition: Condition = {
    field: field as ConditionField,
    mode: mode as MatchMode,
    pattern: pattern as string,
  };
  if (headerName !== undefined) condition.header = headerName;
  if (caseSensitive) condition.caseSensitive = true;
  if (negate) condition.negate = true;
  return { condition, compiled };
}

function stringList(
  value: unknown,
  at: string,
  problems: Problems,
  check: (entry: string) => string | null
): string[] | null {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(at, 'must be a non-empty list');
    return null;
  }
  if (value.length > MAX_LIST_ENTRIES) {
    problems.add(at, `at most ${MAX_LIST_ENTRIES} entries`);
    return null;
  }
  const out: string[] = [];
  let ok = true;
  value.forEach((entry, i) => {
    const text = typeof entry === 'string' ? entry.trim() : null;
    const message = text === null ? 'must be a string' : text === '' ? 'must not be empty' : check(text);
    if (message) {
      problems.add(`${at}[${i}]`, message);
      ok = false;
    } else if (!out.includes(text!)) out.push(text!);
  });
  return ok ? out : null;
}

function checkAction(input: unknown, at: string, problems: Problems): RuleAction | null {
  if (!isPlain(input)) {
    problems.add(at, 'must be an object with a type');
    return null;
  }
  const { type, value } = input;
  if (!oneOf(type, ACTION_TYPES)) {
    problems.add(`${at}.type`, type === undefined ? 'required' : `must be one of ${ACTION_TYPES.join(', ')}`);
    return null;
  }
  const before = problems.list.length;
  problems.unknownKeys(input, ACTION_KEYS[type], `${at}.`);
  const valueAt = `${at}.value`;
  let action: RuleAction | null = null;
  switch (type) {
    case 'setPriority':
      if (oneOf(value, PRIORITIES)) action = { type, value };
      else problems.add(valueAt, `must be one of ${PRIORITIES.join(', ')}`);
      break;
    case 'setStatus':
      if (oneOf(value, STATUSES)) action = { type, value };
      else problems.add(valueAt, `must be one of ${STATUSES.join(', ')}`);
      break;
    case 'addTags': {
      const tags = stringList(value, valueAt, problems, (tag) =>
        tag.length > MAX_TAG_LENGTH ? `at most ${MAX_TAG_LENGTH} characters` : null
      );
      if (tags) action = { type, value: tags };
      break;
    }
    case 'setCategory':
      if (typeof value !== 'string' || value.trim() === '')
        problems.add(valueAt, 'must be a non-empty string');
      else if (value.trim().length > MAX_RULE_NAME_LENGTH)
        problems.add(valueAt, `at most ${MAX_RULE_NAME_LENGTH} characters`);
      else action = { type, value: value.trim() };
      break;
    case 'assign': {
      const id = input.adminUserId;
      if (typeof id === 'number' && Number.isInteger(id) && id > 0) action = { type, adminUserId: id };
      else problems.add(`${at}.adminUserId`, 'must be the id of an admin user (a positive whole number)');
      break;
    }
    case 'addRecipients': {
      const list = stringList(value, valueAt, problems, (address) =>
        isEmailAddress(address) ? null : `"${address}" is not an email address`
      );
      if (list) action = { type, value: [...new Set(list.map((a) => a.toLowerCase()))] };
      break;
    }
    case 'skipNotifications':
    case 'stopProcessing':
      action = { type };
      break;
  }
  return problems.list.length > before ? null : action;
}

export interface CheckedRule {
  rule: Omit<PipingRule, 'id'>;
  patterns: CompiledPattern[];
}

export function checkRule(input: unknown): CheckedRule | { errors: ValidationError[] } {
  const problems = new Problems();
  if (!isPlain(input)) return { errors: [{ field: 'rule', message: 'must be an object' }] };
  problems.unknownKeys(input, RULE_KEYS, '');
  const { name, match, conditions, actions } = input;
  if (name === undefined || name === null || (typeof name === 'string' && name.trim() === '')) {
    problems.add('name', 'required');
  } else if (typeof name !== 'string') problems.add('name', 'must be a string');
  else if (name.trim().length > MAX_RULE_NAME_LENGTH)
    problems.add('name', `at most ${MAX_RULE_NAME_LENGTH} characters`);
  const enabled = problems.flag(input, 'enabled', 'enabled') ?? true;
  if (match !== undefined && !oneOf(match, RULE_MATCHES)) problems.add('match', 'must be one of all, any');
  const checkedConditions: Array<{ condition: Condition; compiled: CompiledPattern } | null> = [];
  if (
    conditions === undefined ||
    conditions === null ||
    (Array.isArray(conditions) && conditions.length === 0)
  ) {
    problems.add('conditions', 'at least one condition is required');
  } else if (!Array.isArray(conditions)) problems.add('conditions', 'must be a list of conditions');
  else if (conditions.length > MAX_CONDITIONS)
    problems.add('conditions', `at most ${MAX_CONDITIONS} conditions`);
  else conditions.forEach((c, i) => checkedConditions.push(checkCondition(c, `conditions[${i}]`, problems)));
  const checkedActions: Array<RuleAction | null> = [];
  if (actions === undefined || actions === null || (Array.isArray(actions) && actions.length === 0)) {
    problems.add('actions', 'at least one action is required');
  } else if (!Array.isArray(actions)) problems.add('actions', 'must be a list of actions');
  else if (actions.length > MAX_ACTIONS) problems.add('actions', `at most ${MAX_ACTIONS} actions`);
  else actions.forEach((a, i) => checkedActions.push(checkAction(a, `actions[${i}]`, problems)));
  if (problems.list.length > 0) return { errors: problems.list };
  const good = checkedConditions as Array<{ condition: Condition; compiled: CompiledPattern }>;
  return {
    rule: {
      name: (name as string).trim(),
      enabled,
      match: (match as RuleMatch | undefined) ?? 'all',
      conditions: good.map((c) => c.condition),
      actions: checkedActions as RuleAction[],
    },
    patterns: good.map((c) => c.compiled),
  };
}

/**
 * Checks a rule as the admin saves it. Strict: unknown fields, empty or over-long patterns, invalid or unsafe regular
 * expressions, bad header names, unknown action types and values are all refused, each error naming its field
 * (`conditions[2].mode`). `enabled` defaults to true and `match` to "all"; an `id` is ignored.
 */
export function validateRule(
  input: unknown
): { rule: Omit<PipingRule, 'id'> } | { errors: ValidationError[] } {
  const result = checkRule(input);
  return 'errors' in result ? result : { rule: result.rule };
}

/** Errors as one line each: `conditions[2].mode: must be one of exact, wildcard, regex`. */
export function formatValidationErrors(errors: readonly ValidationError[]): string[] {
  return errors.map((error) => `${error.field}: ${error.message}`);
}
