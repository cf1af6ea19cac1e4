/**
 * The Glushkov automaton of a parsed pattern (one position per character, class or escape it reads, and the edges
 * between them), in which the regex safety check looks for ambiguous loops. Building it stops with TooComplex past
 * a size bound, rather than take unbounded time and memory on an admin's pattern.
 */
import type { AST } from '@eslint-community/regexpp';
import { ALL, caseClosed, classSet, escapeSet, NOT_LINE_END, type Ranges } from './char-ranges';

/** Thrown when a pattern's automaton or its analysis outgrows the bounds: the pattern is "too complex". */
export class TooComplex extends Error {}

const MAX_POSITIONS = 2000;
const MAX_EDGES = 200_000;
/** Counted repeats up to this many copies are expanded; larger counts are treated as unbounded. */
export const SMALL_REPEAT = 4;

export interface Frag {
  first: number[];
  /** Positions after which the pattern may end, assertions treated as passable. */
  last: number[];
  nullable: boolean;
  /** As `last`, with every assertion treated as possibly failing. */
  lastStrict: number[];
  nullStrict: boolean;
  /** As `last`, with only `$` passable. */
  lastEnd: number[];
  nullEnd: boolean;
}

const EPSILON: Frag = {
  first: [],
  last: [],
  nullable: true,
  lastStrict: [],
  nullStrict: true,
  lastEnd: [],
  nullEnd: true,
};

export class Glushkov {
  readonly sets: Ranges[] = [];
  readonly out: number[][] = [];
  /** Lookaround bodies, checked as patterns of their own (they run at every position the pattern reaches). */
  readonly lookarounds: AST.Alternative[][] = [];
  /** Deepest nesting of repeats (more than once): 2 or more means nested quantifiers, for the message. */
  starHeight = 0;
  private edges = 0;

  position(set: Ranges): number {
    if (this.sets.length >= MAX_POSITIONS) throw new TooComplex();
    this.sets.push(set);
    this.out.push([]);
    return this.sets.length - 1;
  }

  link(from: readonly number[], to: readonly number[]): void {
    this.edges += from.length * to.length;
    if (this.edges > MAX_EDGES) throw new TooComplex();
    for (const f of from) for (const t of to) this.out[f].push(t);
  }

  leaf(set: Ranges): Frag {
    const p = this.position(set);
    return {
      first: [p],
      last: [p],
      nullable: false,
      lastStrict: [p],
      nullStrict: false,
      lastEnd: [p],
      nullEnd: false,
    };
  }

  seq(a: Frag, b: Frag): Frag {
    this.link(a.last, b.first);
    return {
      first: a.nullable ? [...a.first, ...b.first] : a.first,
      last: b.nullable ? [...b.last, ...a.last] : b.last,
      nullable: a.nullable && b.nullable,
      lastStrict: b.nullStrict ? [...b.lastStrict, ...a.lastStrict] : b.lastStrict,
      nullStrict: a.nullStrict && b.nullStrict,
      lastEnd: b.nullEnd ? [...b.lastEnd, ...a.lastEnd] : b.lastEnd,
      nullEnd: a.nullEnd && b.nullEnd,
    };
  }

  alt(frags: Frag[]): Frag {
    if (frags.length === 1) return frags[0];
    return {
      first: frags.flatMap((f) => f.first),
      last: frags.flatMap((f) => f.last),
      nullable: frags.some((f) => f.nullable),
      lastStrict: frags.flatMap((f) => f.lastStrict),
      nullStrict: frags.some((f) => f.nullStrict),
      lastEnd: frags.flatMap((f) => f.lastEnd),
      nullEnd: frags.some((f) => f.nullEnd),
    };
  }

  plus(f: Frag): Frag {
    this.link(f.last, f.first);
    return f;
  }

  optional(f: Frag): Frag {
    return { ...f, nullable: true, nullStrict: true, nullEnd: true };
  }

  build(node: AST.Element | AST.Alternative, ci: boolean, dotAll: boolean, depth: number): Frag {
    switch (node.type) {
      case 'Alternative': {
        let frag = EPSILON;
        for (const element of node.elements) frag = this.seq(frag, this.build(element, ci, dotAll, depth));
        return frag;
      }
      case 'Group': {
        // Inline modifiers (`(?i:…)`): assume the widest reading.
        const wide = node.modifiers !== null;
        return this.alt(node.alternatives.map((a) => this.build(a, ci || wide, dotAll || wide, depth)));
      }
      case 'CapturingGroup':
        return this.alt(node.alternatives.map((a) => this.build(a, ci, dotAll, depth)));
      case 'Character':
        return this.leaf(ci ? caseClosed([node.value, node.value]) : [node.value, node.value]);
      case 'CharacterSet':
        if (node.kind === 'any') return this.leaf(dotAll ? ALL : NOT_LINE_END);
        return this.leaf(escapeSet(node));
      case 'CharacterClass': {
        const set = classSet(node);
        return this.leaf(ci ? caseClosed(set) : set);
      }
      case 'ExpressionCharacterClass':
        return this.leaf(ALL);
      case 'Backreference': {
        // Matches whatever its group matched: as wide as any text, of any length.
        const p = this.position(ALL);
        this.link([p], [p]);
        return {
          first: [p],
          last: [p],
          nullable: true,
          lastStrict: [p],
          nullStrict: true,
          lastEnd: [p],
          nullEnd: true,
        };
      }
      case 'Assertion':
        if (node.kind === 'lookahead' || node.kind === 'lookbehind') this.lookarounds.push(node.alternatives);
        // Zero-width: passable for the paths (more paths = a stricter check), but it may fail at the end.
        return { ...EPSILON, nullStrict: false, nullEnd: node.kind === 'end' };
      case 'Quantifier':
        return this.quantifier(node, ci, dotAll, depth);
    }
  }

  private quantifier(node: AST.Quantifier, ci: boolean, dotAll: boolean, depth: number): Frag {
    const { min, max, element } = node;
    if (max === 0) return EPSILON;
    const inner = depth + (max > 1 ? 1 : 0);
    this.starHeight = Math.max(this.starHeight, inner);
    const copy = (): Frag => this.build(element, ci, dotAll, inner);
    const small = max <= SMALL_REPEAT;
    // Large or unbounded counts become "min(min, 2) copies, then a loop": a superset of the original.
    const mandatory = small ? min : Math.min(min, 2);
    let frag = EPSILON;
    for (let i = 0; i < mandatory - (small ? 0 : 1); i++) frag = this.seq(frag, copy());
    if (small) {
      // `x{1,3}` as `x(x(x)?)?`: the way a backtracking matcher counts, without inventing ambiguity.
      let tail: Frag | null = null;
      for (let i = 0; i < max - min; i++) tail = this.optional(tail ? this.seq(copy(), tail) : copy());
      return tail ? this.seq(frag, tail) : frag;
    }
    const loop = this.plus(copy());
    return this.seq(frag, mandatory === 0 ? this.optional(loop) : loop);
  }
}
