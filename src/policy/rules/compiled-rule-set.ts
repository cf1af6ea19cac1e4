/**
 * The shape of a compiled rule set: rules flattened into typed arrays for the evaluation loop, patterns shared
 * between conditions as matchers, and per source (field or header) its exact-match maps and literal scanner.
 * compile-rules.ts builds it, evaluate-rules.ts reads it.
 */
import type { Condition, ConditionField, RuleAction, RuleMatch } from '../../../contracts/rules';
import type { CompiledPattern } from '../../regex/compile-pattern';
import type { LiteralScanner } from '../../regex/literal-scanner';
import type { ValidationError } from '../../../contracts/api';

/** Where a condition's values come from: a field, or one named header. */
export interface RuleSource {
  field: ConditionField;
  header: string | null;
  /** Matchers (by index) of each kind reading this source. */
  exactMatchers: number[];
  /** Exact patterns → matcher indexes, by folded value. */
  exactInsensitive: Map<string, number[]>;
  exactSensitive: Map<string, number[]>;
  scanner: LiteralScanner | null;
  /** The scanner's marks, stamped per evaluation. */
  seen: Uint32Array;
  /** Matchers with literals; after the scan, those whose literals are all missing are settled as "no" at once. */
  literalMatchers: number[];
  /** Per literal id, the matchers it can let through. */
  literalOwners: number[][];
  /**
   * Per literal id, its occurrences in this mail (valid where `seen` carries the evaluation's stamp); only for sources
   * read by a risky pattern (see runRegex), which needs them to bound its backtracking.
   */
  hits: Uint16Array | null;
}

/** One distinct (source, mode, pattern, case) test; conditions sharing one share its result. */
export interface RuleMatcher {
  source: number;
  compiled: CompiledPattern;
  /** Literal ids in the source's scanner; empty = always run. */
  literals: number[];
}

export interface CompiledCondition {
  condition: Condition;
  matcher: number;
  negate: boolean;
  /** Trace text when the pattern was found / not found (before `negate`), written once at compile time. */
  found: string;
  missed: string;
}

export interface CompiledRule {
  id: number;
  name: string;
  match: RuleMatch;
  conditions: CompiledCondition[];
  actions: RuleAction[];
  /** `rule #3 'Urgent'`, for the trace. */
  label: string;
  actionTexts: string[];
}

export interface CompiledRules {
  readonly rules: readonly CompiledRule[];
  /** Stored rules that no longer pass validation (e.g. saved by an older version): skipped, and said in the trace. */
  readonly invalid: ReadonlyArray<{ ruleId: number; name: string; errors: ValidationError[] }>;
  readonly sources: readonly RuleSource[];
  readonly matchers: readonly RuleMatcher[];
  /** The rules' conditions flattened for the evaluation loop: rule r owns conditions ruleStart[r]..ruleStart[r+1]. */
  readonly ruleStart: Int32Array;
  readonly conditionMatcher: Int32Array;
  readonly conditionNegate: Uint8Array;
  readonly ruleAll: Uint8Array;
  /** Incremented per evaluation and source, so the scanners' marks need no clearing. */
  stamp: number;
  /**
   * Per-evaluation working memory, allocated once: an evaluation is synchronous, so one set per compiled rule set
   * serves every mail (a fresh typed array per mail cost more in allocation and gc than the lookups it holds).
   */
  readonly scratch: EvaluationScratch;
}

export interface EvaluationScratch {
  results: Uint8Array;
  stamps: Uint32Array;
  values: Array<string[] | undefined>;
  wildcardValues: Array<string[] | undefined>;
  found: number[];
}
