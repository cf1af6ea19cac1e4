/**
 * Block rules: mail whose sender or subject matches one is not imported at all (bounces, no-reply robots, a spammer
 * who found the support address). Patterns mean what they mean in piping rules (exact / wildcard / regex, case-
 * insensitive unless asked; see regex/compile-pattern.ts), and pass the same safety check on save.
 *
 * Every inbound mail is checked against every block rule, so with 1,000 of them the check must stay in the
 * microseconds: exact patterns sit in a map (one lookup per field), and so do the commonest wildcards, `*@domain`
 * and `prefix@*` (one lookup per distinct length); the other wildcard and regex patterns of one field and kind are
 * merged into alternations of a few dozen, so a mail that matches none costs a handful of regex runs. Only a group
 * that hits is tested member by member, to name the rule (the first in order that matches).
 */
import { BLOCK_FIELDS, MATCH_MODES, type BlockField, type MatchMode } from '../../contracts/rules';
import type { ValidationError } from '../../contracts/api';
import { compilePattern, describePattern, type CompiledPattern } from '../regex/compile-pattern';
import { bounded, exactValue, wildcardValue } from '../regex/match-input';
import { testPattern } from '../regex/run-pattern';

export { BLOCK_FIELDS, type BlockField };

export interface BlockRule {
  id: number;
  field: BlockField;
  mode: MatchMode;
  pattern: string;
  caseSensitive?: boolean;
  /** Stored rules may be switched off; a rule without the flag is on. */
  enabled?: boolean;
}

/**
 * Seeded once into a new database, then the admin's to edit or delete. Machine senders that never want an answer
 * (src/policy/classify/ flags more of them as automatic, but imports them).
 */
export const DEFAULT_BLOCK_RULES: readonly BlockRule[] = [
  { id: 1, field: 'sender', mode: 'wildcard', pattern: 'mailer-daemon@*' },
  { id: 2, field: 'sender', mode: 'wildcard', pattern: 'postmaster@*' },
  { id: 3, field: 'sender', mode: 'wildcard', pattern: 'noreply@*' },
  { id: 4, field: 'sender', mode: 'wildcard', pattern: 'no-reply@*' },
];

/** A block rule as validated for saving. */
export interface BlockRuleInput {
  field: BlockField;
  mode: MatchMode;
  pattern: string;
  caseSensitive: boolean;
  enabled: boolean;
  /** Free text for the admin ("default", "spam wave of March"). */
  note: string | null;
}

const BLOCK_KEYS = ['id', 'field', 'mode', 'pattern', 'caseSensitive', 'enabled', 'note'];
const MAX_NOTE_LENGTH = 500;

/** Checks a block rule as the admin saves it; each error names its field. `id` is ignored, null means "not set". */
export function validateBlockRule(input: unknown): { rule: BlockRuleInput } | { errors: ValidationError[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { errors: [{ field: 'rule', message: 'must be an object' }] };
  }
  const errors: ValidationError[] = [];
  const data = input as Record<string, unknown>;
  for (const key of Object.keys(data)) {
    if (!BLOCK_KEYS.includes(key)) {
      errors.push({ field: key, message: `unknown field (allowed: ${BLOCK_KEYS.slice(1).join(', ')})` });
    }
  }
  const { field, mode, pattern, note } = data;
  if (!BLOCK_FIELDS.includes(field as BlockField)) {
    errors.push({
      field: 'field',
      message: field === undefined ? 'required' : `must be one of ${BLOCK_FIELDS.join(', ')}`,
    });
  }
  if (!MATCH_MODES.includes(mode as MatchMode)) {
    errors.push({
      field: 'mode',
      message: mode === undefined ? 'required' : `must be one of ${MATCH_MODES.join(', ')}`,
    });
  }
  const flag = (key: 'caseSensitive' | 'enabled', fallback: boolean): boolean => {
    const value = data[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') errors.push({ field: key, message: 'must be true or false' });
    return value === true;
  };
  const caseSensitive = flag('caseSensitive', false);
  const enabled = flag('enabled', true);
  if (pattern === undefined || pattern === null) errors.push({ field: 'pattern', message: 'required' });
  else if (typeof pattern !== 'string') errors.push({ field: 'pattern', message: 'must be a string' });
  else if (MATCH_MODES.includes(mode as MatchMode)) {
    const result = compilePattern(mode as MatchMode, pattern, caseSensitive);
    if (!result.ok) errors.push({ field: 'pattern', message: result.message });
  } else if (pattern.trim() === '') errors.push({ field: 'pattern', message: 'must not be empty' });
  if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > MAX_NOTE_LENGTH)) {
    errors.push({ field: 'note', message: `must be text of at most ${MAX_NOTE_LENGTH} characters` });
  }
  if (errors.length > 0) return { errors };
  return {
    rule: {
      field: field as BlockField,
      mode: mode as MatchMode,
      pattern: pattern as string,
      caseSensitive,
      enabled,
      note: typeof note === 'string' && note.trim() !== '' ? note.trim() : null,
    },
  };
}

interface BlockEntry {
  /** Position in the rule list: the first matching rule (lowest position) is the one reported. */
  index: number;
  rule: BlockRule;
  compiled: CompiledPattern;
}

interface BlockGroup {
  /** The members' regexes as one alternation; a miss here clears them all. */
  regex: RegExp;
  wildcard: boolean;
  members: BlockEntry[];
}

/** Wildcards `*text` (suffix) or `text*` (prefix) with a plain text, by that text (lower-cased unless sensitive). */
interface AffixIndex {
  insensitive: Map<string, BlockEntry>;
  sensitive: Map<string, BlockEntry>;
  lengths: number[];
}

interface FieldIndex {
  exactInsensitive: Map<string, BlockEntry>;
  exactSensitive: Map<string, BlockEntry>;
  suffix: AffixIndex;
  prefix: AffixIndex;
  /** In order of their first member. */
  groups: BlockGroup[];
}

/**
 * Text that micromatch reads literally (no `*?[]{}()!\`, no `/`, not only dots), so `*text` is exactly "ends with
 * text" and `text*` "starts with text" (checked against micromatch in the tests).
 */
const PLAIN_AFFIX = /^(?!\.+$)[a-z0-9@._+=-]+$/i;

function affixOf(pattern: string): { kind: 'suffix' | 'prefix'; text: string } | null {
  const p = pattern.trim();
  if (p.length < 2) return null;
  if (p.startsWith('*') && PLAIN_AFFIX.test(p.slice(1))) return { kind: 'suffix', text: p.slice(1) };
  if (p.endsWith('*') && PLAIN_AFFIX.test(p.slice(0, -1))) return { kind: 'prefix', text: p.slice(0, -1) };
  return null;
}

function newAffixIndex(): AffixIndex {
  return { insensitive: new Map(), sensitive: new Map(), lengths: [] };
}

export interface CompiledBlockRules {
  readonly sender: FieldIndex;
  readonly subject: FieldIndex;
  readonly count: number;
  /** Stored rules that no longer pass validation: never applied. */
  readonly invalid: ReadonlyArray<{ ruleId: number; message: string }>;
}

/** Members per alternation: big enough that 1,000 patterns make a few dozen groups, small enough to re-test. */
const GROUP_SIZE = 40;

/** Compiles enabled block rules once; reuse the result until a rule changes. */
export function compileBlockRules(rules: readonly BlockRule[]): CompiledBlockRules {
  const fields: Record<BlockField, FieldIndex> = {
    sender: {
      exactInsensitive: new Map(),
      exactSensitive: new Map(),
      suffix: newAffixIndex(),
      prefix: newAffixIndex(),
      groups: [],
    },
    subject: {
      exactInsensitive: new Map(),
      exactSensitive: new Map(),
      suffix: newAffixIndex(),
      prefix: newAffixIndex(),
      groups: [],
    },
  };
  const invalid: Array<{ ruleId: number; message: string }> = [];
  const open = new Map<string, { entries: BlockEntry[] }>();
  const pending: Array<{ field: BlockField; entries: BlockEntry[]; flags: string; wildcard: boolean }> = [];
  let count = 0;
  rules.forEach((rule, index) => {
    if (rule.enabled === false) return;
    if (!BLOCK_FIELDS.includes(rule.field) || !MATCH_MODES.includes(rule.mode)) {
      invalid.push({ ruleId: rule.id, message: `unknown field or mode` });
      return;
    }
    const result = compilePattern(rule.mode, rule.pattern, rule.caseSensitive === true);
    if (!result.ok) {
      invalid.push({ ruleId: rule.id, message: `pattern: ${result.message}` });
      return;
    }
    count++;
    const entry: BlockEntry = { index, rule, compiled: result.compiled };
    const target = fields[rule.field];
    if (rule.mode === 'exact') {
      const map = entry.compiled.caseSensitive ? target.exactSensitive : target.exactInsensitive;
      if (!map.has(entry.compiled.exact!)) map.set(entry.compiled.exact!, entry);
      return;
    }
    const affix = rule.mode === 'wildcard' ? affixOf(rule.pattern) : null;
    if (affix) {
      const index = target[affix.kind];
      const key = entry.compiled.caseSensitive ? affix.text : affix.text.toLowerCase();
      const map = entry.compiled.caseSensitive ? index.sensitive : index.insensitive;
      if (!map.has(key)) map.set(key, entry);
      if (!index.lengths.includes(key.length)) index.lengths.push(key.length);
      return;
    }
    const regex = entry.compiled.regex!;
    const wildcard = rule.mode === 'wildcard';
    if (!entry.compiled.combinable) {
      pending.push({ field: rule.field, entries: [entry], flags: regex.flags, wildcard });
      return;
    }
    const key = `${rule.field}\u0000${rule.mode}\u0000${regex.flags}`;
    let group = open.get(key);
    if (!group || group.entries.length >= GROUP_SIZE) {
      group = { entries: [] };
      open.set(key, group);
      pending.push({ field: rule.field, entries: group.entries, flags: regex.flags, wildcard });
    }
    group.entries.push(entry);
  });
  // `pending` is in order of each group's first member, so each field's groups are too.
  for (const group of pending) {
    const source =
      group.entries.length === 1
        ? group.entries[0].compiled.regex!.source
        : group.entries.map((e) => `(?:${e.compiled.regex!.source})`).join('|');
    fields[group.field].groups.push({
      regex: new RegExp(source, group.flags),
      wildcard: group.wildcard,
      members: group.entries,
    });
  }
  return { sender: fields.sender, subject: fields.subject, count, invalid };
}

function firstMatch(index: FieldIndex, value: string, best: BlockEntry | null): BlockEntry | null {
  const consider = (entry: BlockEntry | undefined): void => {
    if (entry && (!best || entry.index < best.index)) best = entry;
  };
  const trimmed = value.trim();
  consider(index.exactSensitive.get(trimmed));
  consider(index.exactInsensitive.get(exactValue(trimmed, false)));
  // Affix texts are ASCII, so folding only A–Z is exactly what the wildcard's `i` flag would do (and keeps lengths).
  const folded = trimmed.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  for (const kind of ['suffix', 'prefix'] as const) {
    const affixes = index[kind];
    for (const length of affixes.lengths) {
      if (length > trimmed.length) continue;
      const at = kind === 'suffix' ? trimmed.length - length : 0;
      consider(affixes.sensitive.get(trimmed.slice(at, at + length)));
      consider(affixes.insensitive.get(folded.slice(at, at + length)));
    }
  }
  let asWildcard: string | null = null;
  for (const group of index.groups) {
    if (best && group.members[0].index > best.index) break;
    const subject = group.wildcard ? (asWildcard ??= wildcardValue(value)) : value;
    if (!group.regex.test(subject)) continue;
    for (const member of group.members) {
      if (best && member.index > best.index) break;
      if (testPattern(member.compiled, value)) {
        consider(member);
        break;
      }
    }
  }
  return best;
}

/**
 * The block rule this mail falls under (the first one in order, when several do), or null. The sender is compared
 * as given (the caller lower-cases it); the subject is cut to its first 64 KB like every matched value.
 */
export function findBlockingRule(
  compiled: CompiledBlockRules,
  mail: { sender: string; subject: string }
): { ruleId: number; description: string } | null {
  let best: BlockEntry | null = null;
  if (mail.sender) best = firstMatch(compiled.sender, bounded(mail.sender), best);
  if (mail.subject) best = firstMatch(compiled.subject, bounded(mail.subject), best);
  if (!best) return null;
  const { rule, compiled: pattern } = best;
  const verb = rule.mode === 'exact' ? 'is' : 'matches';
  return {
    ruleId: rule.id,
    description: `block rule #${rule.id} (${rule.field} ${verb} ${describePattern(pattern)})`,
  };
}
