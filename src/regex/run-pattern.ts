/**
 * Runs a compiled pattern on a value: exact by comparison, wildcard and regex by their regex, and a regex at risk of
 * quadratic backtracking on V8's linear engine once its worst case no longer fits in the mail's budget.
 */
import type { CompiledPattern } from './compile-pattern';
import { exactValue, wildcardValue } from './match-input';

/** Tests one compiled pattern against one (bounded) value, without any prefilter. */
export function testPattern(compiled: CompiledPattern, value: string): boolean {
  if (compiled.mode === 'exact') return exactValue(value, compiled.caseSensitive) === compiled.exact;
  if (compiled.mode === 'wildcard') return compiled.regex!.test(wildcardValue(value));
  return runRegex(compiled, value);
}

/** Inputs up to this long are searched by backtracking whatever the pattern: O(n²) stays in the millions. */
const SHORT_INPUT = 2048;
/**
 * Backtracking work (match starts × input length, the worst case of one risky search) allowed per mail over all its
 * risky searches; past it the linear engine takes over. 20 M steps is about 20 ms here.
 */
export const BACKTRACKING_BUDGET = 20_000_000;

/** What is left of {@link BACKTRACKING_BUDGET} for one mail. */
export interface RegexBudget {
  left: number;
}

/**
 * Runs a regex pattern. The backtracking engine is fast on ordinary text, so it runs unless the pattern is at risk
 * (see {@link CompiledPattern.linear}) and its worst case on this input — each place the pattern's literal occurs is
 * a start from which `.*` may read to the end — no longer fits in the mail's budget. Then the linear engine runs
 * (slower per character, never quadratic): `invoice.*paid` over 64 KB of "invoice " takes 50 ms instead of 700 ms,
 * and the bound holds whatever the input and however many such rules there are.
 */
/** Whether {@link runRegex} must weigh the budget (count starts) for this pattern and value. */
export function mayNeedLinearEngine(
  compiled: CompiledPattern,
  value: string
): compiled is CompiledPattern & { linear: RegExp } {
  return compiled.linear !== null && value.length > SHORT_INPUT;
}

export function runRegex(
  compiled: CompiledPattern,
  value: string,
  starts: (limit: number) => number = (limit) => countStarts(compiled.literals, value.toLowerCase(), limit),
  budget: RegexBudget = { left: BACKTRACKING_BUDGET }
): boolean {
  if (mayNeedLinearEngine(compiled, value)) {
    const affordable = Math.floor(budget.left / value.length);
    const found = starts(affordable);
    if (found > affordable) return compiled.linear.test(value);
    budget.left -= Math.max(1, found) * value.length;
  }
  return compiled.regex!.test(value);
}

/** Occurrences of the literals in `lowered`, counted up to `limit` + 1; without literals every place is a start. */
export function countStarts(literals: readonly string[], lowered: string, limit: number): number {
  if (literals.length === 0) return lowered.length;
  let starts = 0;
  for (const literal of literals) {
    starts += countLiteral(literal, lowered, limit - starts);
    if (starts > limit) return starts;
  }
  return starts;
}

function countLiteral(literal: string, lowered: string, limit: number): number {
  let count = 0;
  for (let at = lowered.indexOf(literal); at !== -1; at = lowered.indexOf(literal, at + 1)) {
    if (++count > limit) return count;
  }
  return count;
}
