/**
 * Compiles one admin pattern (piping rules and block rules alike) into what runs, refusing invalid and unsafe ones
 * with a message. What a pattern means:
 *
 *   - exact: the whole value equals the pattern, surrounding whitespace ignored. For the address fields (sender,
 *     forwarding address, To, Cc, recipients) a condition matches when any one address equals it.
 *   - wildcard: a micromatch glob over the whole value (surrounding whitespace ignored), so `*Urgent*` means
 *     "contains Urgent" and `*@example.com` "ends with @example.com". Mail is not a path: `/` is an ordinary
 *     character, and `*` and `?` match anything, spaces, `/` and newlines included.
 *   - regex: a JavaScript regular expression, searched anywhere in the value (`RegExp.prototype.test`); anchor it
 *     with `^` / `$` to match the whole value. No flags besides `i`.
 *
 * All three ignore case unless `caseSensitive`. Identical patterns are compiled once (the safety check is the costly
 * part); each compiled pattern carries the literals one of which any match must contain, for the prefilter.
 */
import micromatch from 'micromatch';
import type { AST } from '@eslint-community/regexpp';
import type { MatchMode } from '../../contracts/rules';
import { linearRegex } from './linear-regex';
import { SLASH_STAND_IN } from './match-input';
import { parseSource, safetyOf, type SafetyVerdict } from './regex-safety';
import { requiredLiterals } from './required-literals';

export const MAX_PATTERN_LENGTH = 1000;

export interface CompiledPattern {
  mode: MatchMode;
  /** As written. */
  pattern: string;
  caseSensitive: boolean;
  /** exact: the trimmed pattern, lower-cased unless case-sensitive. */
  exact: string | null;
  /** wildcard / regex: what runs (for wildcard, on the trimmed value with `/` replaced, see `wildcardValue`). */
  regex: RegExp | null;
  /** Lower-cased ASCII literals one of which every match contains; empty when there is none to rely on. */
  literals: string[];
  /** False when the regex cannot share an alternation with others (backreferences, named groups). */
  combinable: boolean;
  /**
   * The same regex on V8's linear-time engine, for patterns whose backtracking search can cost O(n²) on hostile text
   * (an unbounded repeat after the start, as in `invoice.*paid`); null when not at risk or the engine refuses it.
   * See {@link runRegex} for when it is used.
   */
  linear: RegExp | null;
}

export type PatternResult = { ok: true; compiled: CompiledPattern } | { ok: false; message: string };

function safetyMessage(
  kind: 'regular expression' | 'wildcard pattern',
  verdict: SafetyVerdict,
  nested: boolean
): string {
  switch (verdict) {
    case 'exponential':
      return nested
        ? `this ${kind} can take exponential time (nested quantifiers such as (a+)+); rewrite it`
        : `this ${kind} can take exponential time (a repeat whose alternatives can match the same text, such as (a|a)*); rewrite it`;
    case 'polynomial':
      return kind === 'wildcard pattern'
        ? `this ${kind} can take polynomial time on long text (three or more * with text between them, such as *a*b*c); split it into several conditions combined with "all"`
        : `this ${kind} can take polynomial time on long text (several unbounded repeats in a row that can match the same characters, such as .*a.*b.*c or \\s*\\s*x); split it into several conditions combined with "all", or rewrite it`;
    default:
      return `this ${kind} is too complex to check for safety; simplify it`;
  }
}

/** Drops leading `.*` / `.*?`: for a search they change nothing but the cost. */
function withoutLeadingDotStar(source: string): string {
  let s = source;
  while (s.startsWith('.*')) s = s.slice(s.startsWith('.*?') ? 3 : 2);
  return s;
}

/**
 * Whether a regex can share an alternation with others: not with backreferences or named groups (their numbers and
 * names would clash), nor with `\1`-style escapes, which are octal escapes alone but backreferences next to another
 * member's groups.
 */
function combinable(ast: AST.Pattern, source: string): boolean {
  return !/\\[1-9]/.test(source) && !usesBackreferencesOrNames(ast);
}

function usesBackreferencesOrNames(ast: AST.Pattern): boolean {
  let found = false;
  const visit = (node: AST.Node): void => {
    if (found) return;
    if (node.type === 'Backreference' || (node.type === 'CapturingGroup' && node.name !== null)) {
      found = true;
      return;
    }
    if ('alternatives' in node) node.alternatives.forEach(visit);
    if ('elements' in node && node.type === 'Alternative') node.elements.forEach(visit);
    if (node.type === 'Quantifier') visit(node.element);
  };
  visit(ast);
  return found;
}

/**
 * Compiles one pattern and checks it: invalid syntax and unsafe regular expressions give a message (without the
 * field name); this is what validation and compilation both use, so what was accepted on save is what runs.
 */
export function compilePattern(mode: MatchMode, pattern: string, caseSensitive = false): PatternResult {
  if (typeof pattern !== 'string' || pattern.trim() === '')
    return { ok: false, message: 'must not be empty' };
  // Rule sets are recompiled whenever one rule changes (and, in a cluster, every few seconds): the safety check is
  // the costly part, and its verdict for a given pattern never changes. The regexes carry no state for `test`.
  const key = `${mode}\u0000${caseSensitive ? 1 : 0}\u0000${pattern}`;
  const known = PATTERN_CACHE.get(key);
  if (known) return known;
  const result = compileUncached(mode, pattern, caseSensitive);
  if (PATTERN_CACHE.size >= PATTERN_CACHE_LIMIT) PATTERN_CACHE.clear();
  PATTERN_CACHE.set(key, result);
  return result;
}

const PATTERN_CACHE = new Map<string, PatternResult>();
const PATTERN_CACHE_LIMIT = 20_000;

function compileUncached(mode: MatchMode, pattern: string, caseSensitive: boolean): PatternResult {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, message: `at most ${MAX_PATTERN_LENGTH} characters` };
  }
  const base = {
    mode,
    pattern,
    caseSensitive,
    exact: null,
    regex: null,
    literals: [],
    combinable: true,
    linear: null,
  };
  if (mode === 'exact') {
    const trimmed = pattern.trim();
    return { ok: true, compiled: { ...base, exact: caseSensitive ? trimmed : trimmed.toLowerCase() } };
  }
  let source: string;
  let flags: string;
  if (mode === 'wildcard') {
    let made: RegExp;
    try {
      made = micromatch.makeRe(pattern.trim().split('/').join(SLASH_STAND_IN), {
        dot: true,
        nocase: !caseSensitive,
      });
    } catch (error) {
      return { ok: false, message: `not a valid wildcard pattern: ${(error as Error).message}` };
    }
    // Every `/` left in micromatch's output is its own path logic; with none in the value, its "any character but
    // a separator" is any character, and `s` lets `*` cross newlines.
    source = made.source.split('[^/]').join('[^]');
    flags = caseSensitive ? 's' : 'is';
  } else {
    flags = caseSensitive ? '' : 'i';
    try {
      new RegExp(pattern, flags);
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
    source = withoutLeadingDotStar(pattern);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const ast = parseSource(source);
  const kind = mode === 'regex' ? 'regular expression' : 'wildcard pattern';
  if (!ast) {
    return {
      ok: false,
      message: `this ${kind} uses syntax the safety check does not understand; simplify it`,
    };
  }
  const safety = safetyOf(ast, flags);
  if (safety.verdict !== 'safe')
    return { ok: false, message: safetyMessage(kind, safety.verdict, safety.nested) };
  const guarded = mode === 'regex' ? withRunStartGuard(ast) : null;
  return {
    ok: true,
    compiled: {
      ...base,
      regex: guarded ? new RegExp(`${guarded}${source}`, flags) : regex,
      linear: mode === 'regex' && hasInnerUnboundedRepeat(ast) ? linearRegex(source, flags) : null,
      literals: requiredLiterals(ast),
      combinable: combinable(ast, source),
    },
  };
}

/**
 * For a pattern that starts with an unbounded repeat of one character class (`\w+@example\.com`, `\s*x`,
 * `(a|b)+x`), a lookbehind that lets a match start only where a run of that class starts: a match from inside a run
 * implies one from its start (the repeat takes the extra characters), so `test` answers the same, but the search no
 * longer re-reads the run from every position in it. Measured on 64 KB: `\w+@example\.com` 3.9 s → under 1 ms.
 * Returns the lookbehind to put in front, or null when the pattern does not start that way.
 */
function withRunStartGuard(ast: AST.Pattern): string | null {
  if (ast.alternatives.length !== 1) return null;
  const first = ast.alternatives[0].elements[0];
  if (first?.type !== 'Quantifier' || first.max !== Infinity) return null;
  const element = first.element;
  const singleCharacter = (node: AST.Node): boolean =>
    node.type === 'Character' || node.type === 'CharacterClass' || node.type === 'CharacterSet';
  if (singleCharacter(element)) return `(?<!${element.raw})`;
  if (
    (element.type === 'Group' || element.type === 'CapturingGroup') &&
    element.alternatives.every((a) => a.elements.length === 1 && singleCharacter(a.elements[0]))
  ) {
    // Non-capturing, so group numbers (and backreferences) stay as written.
    return `(?<!(?:${element.alternatives.map((a) => a.raw).join('|')}))`;
  }
  return null;
}

/**
 * An unbounded repeat anywhere but at the very start (a leading one gets the run-start guard instead): the shape
 * whose backtracking search can be quadratic in the input.
 */
function hasInnerUnboundedRepeat(ast: AST.Pattern): boolean {
  let found = false;
  const visit = (node: AST.Node, leading: boolean): void => {
    if (found) return;
    switch (node.type) {
      case 'Pattern':
      case 'Group':
      case 'CapturingGroup':
      case 'Assertion':
        if ('alternatives' in node) for (const alternative of node.alternatives) visit(alternative, leading);
        return;
      case 'Alternative':
        node.elements.forEach((element, index) => visit(element, leading && index === 0));
        return;
      case 'Quantifier':
        if (node.max === Infinity && !leading) found = true;
        else visit(node.element, false);
        return;
      default:
        return;
    }
  };
  visit(ast, true);
  return found;
}

/** How a pattern reads in a trace or a receipt: `"*urgent*"`, `/urgent/i`. */
export function describePattern(
  compiled: Pick<CompiledPattern, 'mode' | 'pattern' | 'caseSensitive'>
): string {
  if (compiled.mode === 'regex') return `/${compiled.pattern}/${compiled.caseSensitive ? '' : 'i'}`;
  return `"${compiled.pattern}"${compiled.caseSensitive ? ' (case-sensitive)' : ''}`;
}
