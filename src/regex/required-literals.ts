/**
 * The literal prefilter's input: for each pattern, a small set of lower-cased ASCII strings one of which every match
 * must contain, found by walking the parsed pattern: `(urgent|pilne)!?` → {urgent, pilne}; `invoice\s+\d{4,}` →
 * {invoice}. Only ASCII is used: under JavaScript's non-unicode `i` flag an ASCII letter matches only its ASCII other
 * case, so lower-casing ASCII letters is exact, and a text without the literal cannot match. Patterns without a
 * literal of three or more characters are always run.
 */
import type { AST } from '@eslint-community/regexpp';
import { SMALL_REPEAT } from './glushkov';

interface LiteralInfo {
  /** Every string the node can match, when few and short. */
  exact: string[] | null;
  /** Strings one of which every match contains. */
  required: string[] | null;
}

const LITERAL_SET_MAX = 16;
const LITERAL_LENGTH_MAX = 64;
const LITERAL_LENGTH_MIN = 3;
const NO_LITERAL: LiteralInfo = { exact: null, required: null };

function literalScore(set: string[] | null): number {
  if (!set || set.length === 0) return -1;
  return Math.min(...set.map((s) => s.length)) * 100 - set.length;
}

function cross(a: string[], b: string[]): string[] | null {
  if (a.length * b.length > LITERAL_SET_MAX) return null;
  const out = new Set<string>();
  for (const x of a) {
    for (const y of b) {
      if (x.length + y.length > LITERAL_LENGTH_MAX) return null;
      out.add(x + y);
    }
  }
  return [...out];
}

function lowerAscii(code: number): string {
  return String.fromCharCode(code >= 65 && code <= 90 ? code + 32 : code);
}

function literalsOfAlternatives(alternatives: AST.Alternative[]): LiteralInfo {
  const infos = alternatives.map(literalsOfSequence);
  let exact: string[] | null = [];
  let required: string[] | null = [];
  for (const info of infos) {
    exact = exact && info.exact ? [...new Set([...exact, ...info.exact])] : null;
    const own = literalScore(info.required) >= literalScore(info.exact) ? info.required : info.exact;
    required = required && own ? [...new Set([...required, ...own])] : null;
  }
  return {
    exact: exact && exact.length <= LITERAL_SET_MAX ? exact : null,
    required: required && required.length <= LITERAL_SET_MAX ? required : null,
  };
}

function literalsOfSequence(alternative: AST.Alternative): LiteralInfo {
  let run: string[] = [''];
  let whole = true;
  let best: string[] | null = null;
  const consider = (set: string[] | null): void => {
    if (literalScore(set) > literalScore(best)) best = set;
  };
  for (const element of alternative.elements) {
    const info = literalsOf(element);
    if (info.exact) {
      const next = cross(run, info.exact);
      if (next) {
        run = next;
        continue;
      }
      consider(run);
      run = info.exact;
      whole = false;
      continue;
    }
    whole = false;
    consider(run);
    consider(info.required);
    run = [''];
  }
  consider(run);
  return { exact: whole ? run : null, required: best };
}

function literalsOf(node: AST.Element): LiteralInfo {
  switch (node.type) {
    case 'Character':
      return node.value < 128 ? { exact: [lowerAscii(node.value)], required: null } : NO_LITERAL;
    case 'CharacterClass': {
      if (node.negate || node.unicodeSets) return NO_LITERAL;
      const chars = new Set<string>();
      for (const element of node.elements) {
        if (element.type === 'Character' && element.value < 128) chars.add(lowerAscii(element.value));
        else if (element.type === 'CharacterClassRange' && element.max.value < 128) {
          if (element.max.value - element.min.value > 8) return NO_LITERAL;
          for (let c = element.min.value; c <= element.max.value; c++) chars.add(lowerAscii(c));
        } else return NO_LITERAL;
      }
      return chars.size > 0 && chars.size <= 8 ? { exact: [...chars], required: null } : NO_LITERAL;
    }
    case 'Assertion':
      return { exact: [''], required: null };
    case 'Group':
    case 'CapturingGroup':
      return literalsOfAlternatives(node.alternatives);
    case 'Quantifier': {
      const inner = literalsOf(node.element);
      let exact: string[] | null = null;
      if (inner.exact && node.max <= SMALL_REPEAT) {
        exact = [];
        let power: string[] | null = [''];
        for (let k = 0; k <= node.max && power; k++) {
          if (k >= node.min) exact = [...new Set([...exact, ...power])];
          power = k < node.max ? cross(power, inner.exact) : power;
        }
        if (!power || exact.length > LITERAL_SET_MAX) exact = null;
      }
      const own = literalScore(inner.required) >= literalScore(inner.exact) ? inner.required : inner.exact;
      return { exact, required: node.min >= 1 ? own : null };
    }
    default:
      return NO_LITERAL;
  }
}

export function requiredLiterals(ast: AST.Pattern): string[] {
  const info = literalsOfAlternatives(ast.alternatives);
  const set = literalScore(info.required) >= literalScore(info.exact) ? info.required : info.exact;
  if (!set || set.length === 0 || set.some((s) => s.length < LITERAL_LENGTH_MIN)) return [];
  // "urgent!" adds nothing next to "urgent": wherever it occurs, so does "urgent".
  return set.filter((s) => !set.some((other) => other !== s && s.includes(other)));
}
