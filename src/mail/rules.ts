/**
 * Piping rules: ordered "conditions → actions" an admin writes ("subject or body contains Pilne / Urgent → priority
 * high"), validated when saved, compiled once, and evaluated for every mail that opens a ticket (and by the rule
 * simulator, which shows the same trace the importer records).
 *
 * What a pattern means (the same for block rules, see block.ts):
 *
 *   - exact: the whole value equals the pattern, surrounding whitespace ignored. For the address fields (sender,
 *     forwarding address, To, Cc, recipients) a condition matches when any one address equals it.
 *   - wildcard: a micromatch glob over the whole value (surrounding whitespace ignored), so `*Urgent*` means
 *     "contains Urgent" and `*@example.com` "ends with @example.com". Mail is not a path: `/` is an ordinary
 *     character, and `*` and `?` match anything, spaces, `/` and newlines included.
 *   - regex: a JavaScript regular expression, searched anywhere in the value (`RegExp.prototype.test`); anchor it
 *     with `^` / `$` to match the whole value. No flags besides `i`.
 *
 * All three ignore case unless the condition says `caseSensitive`. `negate` inverts the condition's result as a
 * whole: "To is not x@y" holds when no To address is x@y. A field with no value (no Cc, no forwarding address, no such
 * header) matches nothing, so its negation holds. Body, subject and header values are cut to their first
 * {@link MAX_MATCH_INPUT} characters before any pattern sees them.
 *
 * Admin-written regular expressions run on attacker-written mail, so each is checked on save (see "Regex safety"):
 * a pattern whose backtracking can grow exponentially, or polynomially beyond n², with the text length is refused.
 * Quadratic patterns stay allowed, since refusing them would refuse `foo.*bar`; two rewrites that keep `test`'s
 * answer make the commonest ones linear (a leading `.*` is dropped, a leading `\w+` only starts where a run of `\w`
 * starts), and the 64 KB bound caps the rest: `foo.*bar` on 64 KB of "foofoo…" takes about 1.4 s here.
 *
 * Speed: 1,000 rules must cost well under 0.2 ms a mail. Identical patterns are compiled once and tested at most
 * once per mail; exact patterns are looked up in a map; and every wildcard / regex pattern is given the literals one
 * of which any match must contain (`invoice\s+\d+` → "invoice"), which one Aho–Corasick pass per field finds for all
 * patterns at once, so a regex only runs when its literal is in the text.
 *
 * Nothing here knows about Strapi; block.ts reuses the pattern machinery.
 */
import { PRIORITIES, STATUSES, type Priority, type TicketStatus } from '../../contracts/ticket';
import { AUTHENTICATION_RESULTS } from './authenticate';
import micromatch from 'micromatch';
import { RegExpParser, type AST } from '@eslint-community/regexpp';
import { linearRegex } from './linear-regex';

/* ------------------------------------------------------------------------------------------------ */
/* Types and limits                                                                                 */
/* ------------------------------------------------------------------------------------------------ */

/** Body, subject and header values are cut to this many characters before matching. */
export const MAX_MATCH_INPUT = 65536;
export const MAX_PATTERN_LENGTH = 1000;
export const MAX_RULE_NAME_LENGTH = 200;
export const MAX_CONDITIONS = 50;
export const MAX_ACTIONS = 20;
const MAX_LIST_ENTRIES = 50;
const MAX_TAG_LENGTH = 100;
const MAX_HEADER_NAME_LENGTH = 100;

export type MatchMode = 'exact' | 'wildcard' | 'regex';
export const MATCH_MODES: readonly MatchMode[] = ['exact', 'wildcard', 'regex'];

export type ConditionField =
  | 'sender'
  | 'forwardingAddress'
  | 'to'
  | 'cc'
  | 'recipients'
  | 'subject'
  | 'body'
  | 'header'
  | 'authentication';
export const CONDITION_FIELDS: readonly ConditionField[] = [
  'sender',
  'forwardingAddress',
  'to',
  'cc',
  'recipients',
  'subject',
  'body',
  'header',
  'authentication',
];

export interface Condition {
  field: ConditionField;
  /** The header's name, required when `field` is `header` (stored lower-cased). */
  header?: string;
  mode: MatchMode;
  pattern: string;
  caseSensitive?: boolean;
  negate?: boolean;
}

export { PRIORITIES, STATUSES, type Priority, type TicketStatus };

export type RuleAction =
  | { type: 'setPriority'; value: Priority }
  | { type: 'setStatus'; value: TicketStatus }
  | { type: 'addTags'; value: string[] }
  | { type: 'setCategory'; value: string }
  | { type: 'assign'; adminUserId: number }
  | { type: 'addRecipients'; value: string[] }
  | { type: 'skipNotifications' }
  | { type: 'stopProcessing' };
export type RuleActionType = RuleAction['type'];
export const ACTION_TYPES: readonly RuleActionType[] = [
  'setPriority',
  'setStatus',
  'addTags',
  'setCategory',
  'assign',
  'addRecipients',
  'skipNotifications',
  'stopProcessing',
];

/** One rule; rules run in array order. */
export interface PipingRule {
  id: number;
  name: string;
  enabled: boolean;
  match: 'all' | 'any';
  conditions: Condition[];
  actions: RuleAction[];
}

export interface RuleInput {
  sender: string;
  /** The configured forwarding address the mail came in through (see forwarding.ts), or null. */
  forwardingAddress: string | null;
  to: string[];
  cc: string[];
  subject: string;
  body: string;
  /** Lower-cased header names (as in `ParsedMail.headers`). */
  headers: Record<string, string | string[]>;
  /** The sender authentication verdict (`pass`, `fail`, `none`; see authenticate.ts); absent: not checked. */
  authentication?: string;
}

export interface RuleOutcome {
  matched: Array<{ ruleId: number; name: string }>;
  priority?: Priority;
  status?: TicketStatus;
  tags: string[];
  category?: string;
  assigneeId?: number;
  addRecipients: string[];
  skipNotifications: boolean;
  /** Why, line by line, for the receipt and the admin's rule simulator. */
  trace: string[];
}

export interface ValidationError {
  /** Path of the offending input, e.g. `conditions[2].mode`. */
  field: string;
  message: string;
}

/* ------------------------------------------------------------------------------------------------ */
/* Character ranges (for the safety check)                                                          */
/* ------------------------------------------------------------------------------------------------ */

/** A set of UTF-16 code units as sorted, disjoint, inclusive [lo, hi] pairs, flattened. */
type Ranges = readonly number[];

const MAX_UNIT = 0xffff;
const ALL: Ranges = [0, MAX_UNIT];

function rangesOf(pairs: number[]): Ranges {
  const list: Array<[number, number]> = [];
  for (let i = 0; i < pairs.length; i += 2) list.push([pairs[i], pairs[i + 1]]);
  list.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of list) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last] + 1) out[last] = Math.max(out[last], hi);
    else out.push(lo, hi);
  }
  return out;
}

function complement(r: Ranges): Ranges {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i] > next) out.push(next, r[i] - 1);
    next = r[i + 1] + 1;
  }
  if (next <= MAX_UNIT) out.push(next, MAX_UNIT);
  return out;
}

function intersect(a: Ranges, b: Ranges): Ranges {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i], b[j]);
    const hi = Math.min(a[i + 1], b[j + 1]);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return out;
}

function overlaps(a: Ranges, b: Ranges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (Math.max(a[i], b[j]) <= Math.min(a[i + 1], b[j + 1])) return true;
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return false;
}

function isAll(r: Ranges): boolean {
  return r.length === 2 && r[0] === 0 && r[1] === MAX_UNIT;
}

/** Adds the other-case partners under the `i` flag (large ranges contain most of theirs already). */
function caseClosed(r: Ranges): Ranges {
  const extra: number[] = [];
  for (let i = 0; i < r.length; i += 2) {
    if (r[i + 1] - r[i] > 4096) continue;
    for (let c = r[i]; c <= r[i + 1]; c++) {
      const s = String.fromCharCode(c);
      for (const other of [s.toUpperCase(), s.toLowerCase()]) {
        if (other.length === 1 && other !== s) extra.push(other.charCodeAt(0), other.charCodeAt(0));
      }
    }
  }
  return extra.length === 0 ? r : rangesOf([...r, ...extra]);
}

const DIGIT: Ranges = [48, 57];
const WORD: Ranges = [48, 57, 65, 90, 95, 95, 97, 122];
const SPACE: Ranges = rangesOf([
  9, 13, 32, 32, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f,
  0x3000, 0x3000, 0xfeff, 0xfeff,
]);
const NOT_LINE_END: Ranges = complement(rangesOf([10, 10, 13, 13, 0x2028, 0x2029]));

/* ------------------------------------------------------------------------------------------------ */
/* Regex safety                                                                                     */
/* ------------------------------------------------------------------------------------------------ */
/*
 * Why our own check: `safe-regex2` only measures star height, so it misses overlapping alternatives such as
 * `(a|a)*$` and refuses harmless ones such as `(\d{3}-)?` or `(\d+\.)+`; `re2` is a native build. This is the
 * standard ambiguity analysis (Weideman et al., "Analyzing matching time behavior of backtracking regular
 * expression matchers by using ambiguity of NFA"), done on a Glushkov automaton built from the parsed pattern:
 *
 *   - exponential: a loop that can read the same text along two different paths and come back: in the product of
 *     the automaton with itself, a strongly connected component that holds a pair (q, q) and a pair (p, r) with
 *     p ≠ r, or two distinct edges between pairs of equal states (nested quantifiers: `(a+)+` has one position with
 *     two self-loops, so edges are kept with their multiplicity);
 *   - polynomial: loops p, q with a word w that takes p→p, p→q and q→q; a chain of k such loops costs n^(k+1). The
 *     search itself (trying every start position) is one more loop unless the pattern starts with `^`. A chain of
 *     two (n³ or worse) is refused: measured here, `.*foo.*bar` on 4 KB took 7 s and on 16 KB eight minutes.
 *     A loop after which the match cannot fail (end of pattern, or `$` after a loop over every character) ends no
 *     chain, since the matcher stops at the first success: `*urgent*invoice*` stays allowed.
 *
 * Counted repeats are expanded up to four copies; larger counts are treated as unbounded (a superset, so the check
 * errs on the side of refusing). A leading `.*` is dropped before the check and before matching: for a search it
 * changes nothing but the cost (`.*@example\.com$` is otherwise quadratic: 4 s on 64 KB).
 */

export type SafetyVerdict = 'safe' | 'exponential' | 'polynomial' | 'too-complex';

class TooComplex extends Error {}

const MAX_POSITIONS = 2000;
const MAX_EDGES = 200_000;
const MAX_WORK = 4_000_000;
const SMALL_REPEAT = 4;

interface Frag {
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

class Glushkov {
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

function escapeSet(node: AST.EscapeCharacterSet | AST.UnicodePropertyCharacterSet): Ranges {
  if (node.kind === 'property') return ALL;
  const base = node.kind === 'digit' ? DIGIT : node.kind === 'space' ? SPACE : WORD;
  return node.negate ? complement(base) : base;
}

function classSet(node: AST.CharacterClass): Ranges {
  if (node.unicodeSets) return ALL;
  const pairs: number[] = [];
  for (const element of node.elements) {
    if (element.type === 'Character') pairs.push(element.value, element.value);
    else if (element.type === 'CharacterClassRange') pairs.push(element.min.value, element.max.value);
    else pairs.push(...escapeSet(element));
  }
  const set = rangesOf(pairs);
  return node.negate ? complement(set) : set;
}

/** Tarjan's strongly connected components, iteratively; component ids come out in reverse topological order. */
function components(count: number, adjacency: ReadonlyArray<readonly number[]>): Int32Array {
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const comp = new Int32Array(count).fill(-1);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const work: Array<[number, number]> = [];
  let nextIndex = 0;
  let nextComp = 0;
  for (let root = 0; root < count; root++) {
    if (index[root] !== -1) continue;
    work.push([root, 0]);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const v = frame[0];
      if (frame[1] === 0 && index[v] === -1) {
        index[v] = low[v] = nextIndex++;
        stack.push(v);
        onStack[v] = 1;
      }
      const edges = adjacency[v];
      if (frame[1] < edges.length) {
        const w = edges[frame[1]++];
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = nextComp;
        } while (w !== v);
        nextComp++;
      }
    }
  }
  return comp;
}

interface Automaton {
  sets: Ranges[];
  out: number[][];
  first: number[];
  anchored: boolean;
  sure: Set<number>;
}

/** True when some loop can read one text along two paths and come back (exponential backtracking). */
function exponentiallyAmbiguous(a: Automaton, comp: Int32Array, budget: { work: number }): boolean {
  const members = new Map<number, number[]>();
  comp.forEach((c, p) => {
    const list = members.get(c);
    if (list) list.push(p);
    else members.set(c, [p]);
  });
  for (const positions of members.values()) {
    const cyclic = positions.length > 1 || a.out[positions[0]].includes(positions[0]);
    if (!cyclic) continue;
    const k = positions.length;
    const local = new Map(positions.map((p, i) => [p, i]));
    // Pairs reachable from the diagonal, with their edges; divergent = two different edges out of (q, q).
    const ids = new Map<number, number>();
    const pairs: number[] = [];
    const adjacency: number[][] = [];
    const divergent: Array<[number, number]> = [];
    const idOf = (key: number): number => {
      let id = ids.get(key);
      if (id === undefined) {
        id = pairs.length;
        ids.set(key, id);
        pairs.push(key);
        adjacency.push([]);
      }
      return id;
    };
    for (let i = 0; i < k; i++) idOf(i * k + i);
    for (let n = 0; n < pairs.length; n++) {
      const x = Math.floor(pairs[n] / k);
      const y = pairs[n] % k;
      const ox = a.out[positions[x]];
      const oy = a.out[positions[y]];
      for (let i = 0; i < ox.length; i++) {
        const tx = local.get(ox[i]);
        if (tx === undefined) continue;
        for (let j = 0; j < oy.length; j++) {
          if (++budget.work > MAX_WORK) throw new TooComplex();
          const ty = local.get(oy[j]);
          if (ty === undefined || !overlaps(a.sets[ox[i]], a.sets[oy[j]])) continue;
          const target = idOf(tx * k + ty);
          adjacency[n].push(target);
          if (x === y && i !== j && tx === ty) divergent.push([n, target]);
        }
      }
    }
    const pc = components(pairs.length, adjacency);
    const diagonal = new Set<number>();
    pairs.forEach((key, n) => {
      if (Math.floor(key / k) === key % k) diagonal.add(pc[n]);
    });
    for (let n = 0; n < pairs.length; n++) {
      if (Math.floor(pairs[n] / k) !== pairs[n] % k && diagonal.has(pc[n])) return true;
    }
    for (const [from, to] of divergent) if (pc[from] === pc[to]) return true;
  }
  return false;
}

/** Length of the longest chain of loops that can share a word (0: linear, 1: n², 2: n³ …). */
function polynomialDegree(a: Automaton, comp: Int32Array, budget: { work: number }): number {
  const n = a.sets.length;
  const out = a.out.map((edges) => [...new Set(edges)]);
  const loops = new Map<number, number[]>();
  comp.forEach((c, p) => {
    const list = loops.get(c);
    if (list) list.push(p);
    else loops.set(c, [p]);
  });
  for (const [c, positions] of [...loops]) {
    const cyclic = positions.length > 1 || out[positions[0]].includes(positions[0]);
    // Reaching a loop after which the match cannot fail ends the search, not a chain.
    if (!cyclic || positions.every((p) => a.sure.has(p))) loops.delete(c);
  }
  if (loops.size < 2) return 0;
  const reachFrom = (starts: number[], edges: number[][]): Uint8Array => {
    const seen = new Uint8Array(n);
    const queue = [...starts];
    for (const s of starts) seen[s] = 1;
    while (queue.length > 0) {
      const v = queue.pop()!;
      for (const w of edges[v]) {
        if (!seen[w]) {
          seen[w] = 1;
          queue.push(w);
        }
      }
    }
    return seen;
  };
  const reverse: number[][] = Array.from({ length: n }, () => []);
  out.forEach((edges, v) => edges.forEach((w) => reverse[w].push(v)));
  const ambiguousPair = (pa: number[], pb: number[]): boolean => {
    const forward = reachFrom(pa, out);
    if (!pb.some((q) => forward[q])) return false;
    const backward = reachFrom(pb, reverse);
    const ca = comp[pa[0]];
    const cb = comp[pb[0]];
    for (const p of pa) {
      for (const q of pb) {
        // Walk (x, y, z) from (p, p, q) looking for (p, q, q): p→p, p→q and q→q on one word.
        const seen = new Set<number>();
        const queue: Array<[number, number, number]> = [[p, p, q]];
        while (queue.length > 0) {
          const [x, y, z] = queue.pop()!;
          for (const x2 of out[x]) {
            if (comp[x2] !== ca) continue;
            for (const y2 of out[y]) {
              if (!forward[y2] || !backward[y2]) continue;
              const xy = intersect(a.sets[x2], a.sets[y2]);
              if (xy.length === 0) continue;
              for (const z2 of out[z]) {
                if (++budget.work > MAX_WORK) throw new TooComplex();
                if (comp[z2] !== cb || !overlaps(xy, a.sets[z2])) continue;
                if (x2 === p && y2 === q && z2 === q) return true;
                const key = (x2 * n + y2) * n + z2;
                if (seen.has(key)) continue;
                seen.add(key);
                queue.push([x2, y2, z2]);
              }
            }
          }
        }
      }
    }
    return false;
  };
  // Tarjan numbers successors first, so a loop can only reach loops with a smaller component id.
  const order = [...loops.keys()].sort((x, y) => x - y);
  const depth = new Map<number, number>();
  for (const c of order) {
    let best = 0;
    for (const d of order) {
      if (d >= c) break;
      const candidate = depth.get(d)! + 1;
      if (candidate > best && ambiguousPair(loops.get(c)!, loops.get(d)!)) best = candidate;
    }
    depth.set(c, best);
  }
  return Math.max(...depth.values());
}

function analyseAlternatives(
  alternatives: AST.Alternative[],
  ci: boolean,
  dotAll: boolean,
  budget: { work: number },
  nested: AST.Alternative[][]
): { exponential: boolean; degree: number; starHeight: number } {
  const g = new Glushkov();
  const frag = g.alt(alternatives.map((a) => g.build(a, ci, dotAll, 0)));
  nested.push(...g.lookarounds);
  const anchored = alternatives.every(
    (a) => a.elements[0]?.type === 'Assertion' && a.elements[0].kind === 'start'
  );
  let first = frag.first;
  if (!anchored) {
    // The search: try again one character further on, any number of times.
    const search = g.position(ALL);
    g.link([search], [search, ...frag.first]);
    first = [search, ...first];
  }
  const sure = new Set(frag.lastStrict);
  for (const p of frag.lastEnd) if (isAll(g.sets[p]) && g.out[p].includes(p)) sure.add(p);
  const automaton: Automaton = { sets: g.sets, out: g.out, first, anchored, sure };
  const comp = components(g.sets.length, g.out);
  const exponential = exponentiallyAmbiguous(automaton, comp, budget);
  const degree = exponential ? 0 : polynomialDegree(automaton, comp, budget);
  return { exponential, degree, starHeight: g.starHeight };
}

function parseSource(source: string): AST.Pattern | null {
  try {
    return new RegExpParser({ ecmaVersion: 2025 }).parsePattern(source, 0, source.length, { unicode: false });
  } catch {
    return null;
  }
}

/** The safety verdict for a regular expression source that already compiled with `flags`. */
export function regexSafety(source: string, flags: string): SafetyVerdict {
  const ast = parseSource(source);
  if (!ast) return 'too-complex';
  return safetyOf(ast, flags).verdict;
}

function safetyOf(ast: AST.Pattern, flags: string): { verdict: SafetyVerdict; nested: boolean } {
  const budget = { work: 0 };
  const ci = flags.includes('i');
  const dotAll = flags.includes('s');
  const queue: AST.Alternative[][] = [ast.alternatives];
  try {
    while (queue.length > 0) {
      const result = analyseAlternatives(queue.shift()!, ci, dotAll, budget, queue);
      if (result.exponential) return { verdict: 'exponential', nested: result.starHeight >= 2 };
      if (result.degree >= 2) return { verdict: 'polynomial', nested: false };
    }
  } catch (error) {
    if (error instanceof TooComplex) return { verdict: 'too-complex', nested: false };
    throw error;
  }
  return { verdict: 'safe', nested: false };
}

/* ------------------------------------------------------------------------------------------------ */
/* Required literals (the prefilter)                                                                */
/* ------------------------------------------------------------------------------------------------ */
/*
 * For each pattern, a small set of lower-cased ASCII strings one of which every match must contain, found by
 * walking the parsed pattern: `(urgent|pilne)!?` → {urgent, pilne}; `invoice\s+\d{4,}` → {invoice}. Only ASCII is
 * used: under JavaScript's non-unicode `i` flag an ASCII letter matches only its ASCII other case, so lower-casing
 * ASCII letters is exact, and a text without the literal cannot match. Patterns without a literal of three or more
 * characters are always run.
 */

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

function requiredLiterals(ast: AST.Pattern): string[] {
  const info = literalsOfAlternatives(ast.alternatives);
  const set = literalScore(info.required) >= literalScore(info.exact) ? info.required : info.exact;
  if (!set || set.length === 0 || set.some((s) => s.length < LITERAL_LENGTH_MIN)) return [];
  // "urgent!" adds nothing next to "urgent": wherever it occurs, so does "urgent".
  return set.filter((s) => !set.some((other) => other !== s && s.includes(other)));
}

/**
 * Aho–Corasick over lower-cased ASCII: one pass over a text marks every literal it contains. The automaton is a full
 * transition table over the characters the literals use (others lead back to the root), with each state's row offset
 * stored pre-multiplied and negated when the state ends a literal, so the inner loop is one load and one sign test.
 */
/**
 * Values are scanned as Latin-1 bytes: `Buffer#write(…, 'latin1')` is native and a byte loop is several times
 * faster than `charCodeAt` here. A character above U+00FF becomes its low byte, which can only add a spurious hit
 * (it may look like an ASCII letter), never hide a real one, so the prefilter stays safe.
 */
const SCAN_BUFFER = Buffer.allocUnsafe(MAX_MATCH_INPUT);
/** The same memory as a plain Uint8Array: indexing it is faster than indexing the Buffer. */
const SCAN_BYTES = new Uint8Array(SCAN_BUFFER.buffer, SCAN_BUFFER.byteOffset, SCAN_BUFFER.length);

export class LiteralScanner {
  readonly size: number;
  /** Length of the longest literal. */
  private readonly longest: number;
  private readonly classes = new Uint8Array(256);
  private readonly width: number;
  private readonly delta: Int32Array;
  private readonly outStart: Int32Array;
  private readonly outIds: Int32Array;

  constructor(literals: readonly string[]) {
    this.size = literals.length;
    this.longest = Math.max(1, ...literals.map((l) => l.length));
    let classCount = 1;
    for (const literal of literals) {
      for (let i = 0; i < literal.length; i++) {
        const c = literal.charCodeAt(i);
        if (this.classes[c] === 0) {
          this.classes[c] = classCount;
          if (c >= 97 && c <= 122) this.classes[c - 32] = classCount;
          classCount++;
        }
      }
    }
    const width = (this.width = classCount);
    const next: Int32Array[] = [new Int32Array(width).fill(-1)];
    const ends: number[][] = [[]];
    literals.forEach((literal, id) => {
      let state = 0;
      for (let i = 0; i < literal.length; i++) {
        const cls = this.classes[literal.charCodeAt(i)];
        if (next[state][cls] === -1) {
          next[state][cls] = next.length;
          next.push(new Int32Array(width).fill(-1));
          ends.push([]);
        }
        state = next[state][cls];
      }
      ends[state].push(id);
    });
    const fail = new Int32Array(next.length);
    const outputs: number[][] = ends.map((e) => [...e]);
    const queue: number[] = [];
    for (let cls = 0; cls < width; cls++) {
      const child = next[0][cls];
      if (child > 0 && cls > 0) {
        fail[child] = 0;
        queue.push(child);
      } else next[0][cls] = 0;
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head];
      outputs[state].push(...outputs[fail[state]]);
      for (let cls = 0; cls < width; cls++) {
        const child = next[state][cls];
        if (child > 0 && cls > 0) {
          fail[child] = next[fail[state]][cls];
          queue.push(child);
        } else next[state][cls] = cls === 0 ? 0 : next[fail[state]][cls];
      }
    }
    this.delta = new Int32Array(next.length * width);
    this.outStart = new Int32Array(next.length + 1);
    const ids: number[] = [];
    next.forEach((row, state) => {
      for (let cls = 0; cls < width; cls++) {
        const target = row[cls];
        this.delta[state * width + cls] = outputs[target].length > 0 ? -(target * width) : target * width;
      }
      this.outStart[state] = ids.length;
      ids.push(...new Set(outputs[state]));
    });
    this.outStart[next.length] = ids.length;
    this.outIds = Int32Array.from(ids);
  }

  /**
   * Marks `seen[id] = stamp` for every literal in `text` and appends the newly marked ids to `found` (when given);
   * returns how many distinct literals were newly marked. With `hits`, also counts every occurrence of each literal
   * (saturating at 65535) and reads the whole text, where it would otherwise stop once every literal was seen.
   */
  scan(text: string, seen: Uint32Array, stamp: number, found?: number[], hits?: Uint16Array): number {
    const span = SCAN_BYTES.length;
    const overlap = this.longest - 1;
    let count = 0;
    // Longer texts (callers bound theirs already) go in windows that overlap by a literal's length.
    for (let start = 0; ; start += span - overlap) {
      const chunk = start === 0 && text.length <= span ? text : text.slice(start, start + span);
      count += this.scanBytes(SCAN_BUFFER.write(chunk, 0, 'latin1'), seen, stamp, found, count, hits);
      if ((count === this.size && !hits) || start + span >= text.length) return count;
    }
  }

  /**
   * The automaton over the first `n` bytes of the scan buffer; returns how many literals were newly marked. Two
   * automata run at once, over each half (the first reaching a literal's length into the second, so a literal across
   * the middle is still seen): two independent chains of table loads measured about 15% faster than one.
   */
  private scanBytes(
    n: number,
    seen: Uint32Array,
    stamp: number,
    found: number[] | undefined,
    before: number,
    hits: Uint16Array | undefined
  ): number {
    const { delta, classes } = this;
    const bytes = SCAN_BYTES;
    const mid = n < 1024 ? n : n >> 1;
    const endA = Math.min(n, mid + this.longest - 1);
    const joint = Math.min(endA, n - mid);
    let count = before;
    let a = 0;
    let b = 0;
    for (let i = 0; i < joint; i++) {
      a = delta[a + classes[bytes[i]]];
      b = delta[b + classes[bytes[mid + i]]];
      if ((a | b) < 0) {
        if (a < 0) {
          a = -a;
          count += this.report(a, seen, stamp, found, hits);
        }
        if (b < 0) {
          b = -b;
          count += this.report(b, seen, stamp, found, hits);
        }
        if (count === this.size && !hits) return count - before;
      }
    }
    for (let i = joint; i < endA; i++) {
      a = delta[a + classes[bytes[i]]];
      if (a < 0) {
        a = -a;
        count += this.report(a, seen, stamp, found, hits);
      }
    }
    for (let i = mid + joint; i < n; i++) {
      b = delta[b + classes[bytes[i]]];
      if (b < 0) {
        b = -b;
        count += this.report(b, seen, stamp, found, hits);
      }
    }
    return count - before;
  }

  /** Marks the literals ending in the state at row offset `offset`; returns how many were new. */
  private report(
    offset: number,
    seen: Uint32Array,
    stamp: number,
    found: number[] | undefined,
    hits: Uint16Array | undefined
  ): number {
    const state = offset / this.width;
    let count = 0;
    for (let k = this.outStart[state]; k < this.outStart[state + 1]; k++) {
      const id = this.outIds[k];
      if (seen[id] !== stamp) {
        seen[id] = stamp;
        if (hits) hits[id] = 1;
        found?.push(id);
        count++;
      } else if (hits && hits[id] < 0xffff) {
        hits[id]++;
      }
    }
    return count;
  }
}

/* ------------------------------------------------------------------------------------------------ */
/* Patterns                                                                                         */
/* ------------------------------------------------------------------------------------------------ */

/** Stands in for `/` in wildcard patterns and values: micromatch treats `/` as a path separator, mail has none. */
/**
 * `¤` (U+00A4, the generic currency sign, next to unused in real text): printable, so micromatch keeps it (it drops
 * control characters), and Latin-1, so a body with a `/` stays a one-byte string when replaced (a private-use
 * character made a two-byte copy: twice the memory, and slower regexes). The price: a pattern's `/` also matches a
 * `¤` in the value, and a `¤` in a pattern also matches `/`.
 */
const SLASH_STAND_IN = '\u00a4';

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

/** Cuts a value to the first {@link MAX_MATCH_INPUT} characters. */
export function bounded(value: string): string {
  return value.length > MAX_MATCH_INPUT ? value.slice(0, MAX_MATCH_INPUT) : value;
}

/** The form of a (bounded) value a wildcard regex runs on. */
export function wildcardValue(value: string): string {
  const trimmed = value.trim();
  return trimmed.includes('/') ? trimmed.split('/').join(SLASH_STAND_IN) : trimmed;
}

/** The exact-mode form of a value. */
export function exactValue(value: string, caseSensitive: boolean): string {
  const trimmed = value.trim();
  return caseSensitive ? trimmed : trimmed.toLowerCase();
}

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

/* ------------------------------------------------------------------------------------------------ */
/* Validation                                                                                       */
/* ------------------------------------------------------------------------------------------------ */

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

interface CheckedRule {
  rule: Omit<PipingRule, 'id'>;
  patterns: CompiledPattern[];
}

function checkRule(input: unknown): CheckedRule | { errors: ValidationError[] } {
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
  if (match !== undefined && !oneOf(match, ['all', 'any'] as const))
    problems.add('match', 'must be one of all, any');
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
      match: (match as 'all' | 'any' | undefined) ?? 'all',
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

/* ------------------------------------------------------------------------------------------------ */
/* Compilation                                                                                      */
/* ------------------------------------------------------------------------------------------------ */

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
  match: 'all' | 'any';
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

interface EvaluationScratch {
  results: Uint8Array;
  stamps: Uint32Array;
  values: Array<string[] | undefined>;
  wildcardValues: Array<string[] | undefined>;
  found: number[];
}

function sourceKey(condition: Condition): string {
  return condition.field === 'header' ? `header:${condition.header}` : condition.field;
}

/**
 * Compiles enabled rules once (patterns, regexes, lookup maps, literal scanners). Rules are checked again as on
 * save; a rule that fails is left out and listed in `invalid`. Build it once per rule change and reuse it.
 */
export function compileRules(rules: readonly PipingRule[]): CompiledRules {
  const sources: RuleSource[] = [];
  const sourceIds = new Map<string, number>();
  const matchers: RuleMatcher[] = [];
  const matcherIds = new Map<string, number>();
  const sourceLiterals: string[][] = [];
  const compiledRules: CompiledRule[] = [];
  const invalid: Array<{ ruleId: number; name: string; errors: ValidationError[] }> = [];

  for (const stored of rules) {
    if (!stored.enabled) continue;
    const { name, enabled, match, conditions, actions } = stored;
    const checked = checkRule({ name, enabled, match, conditions, actions });
    if ('errors' in checked) {
      invalid.push({ ruleId: stored.id, name: String(stored.name), errors: checked.errors });
      continue;
    }
    const compiledConditions = checked.rule.conditions.map((condition, i): CompiledCondition => {
      const key = sourceKey(condition);
      let source = sourceIds.get(key);
      if (source === undefined) {
        source = sources.length;
        sourceIds.set(key, source);
        sources.push({
          field: condition.field,
          header: condition.header ?? null,
          exactMatchers: [],
          exactInsensitive: new Map(),
          exactSensitive: new Map(),
          scanner: null,
          seen: new Uint32Array(0),
          literalMatchers: [],
          literalOwners: [],
          hits: null,
        });
        sourceLiterals.push([]);
      }
      const compiled = checked.patterns[i];
      const matcherKey = `${source}\u0000${compiled.mode}\u0000${compiled.caseSensitive}\u0000${compiled.pattern}`;
      let matcher = matcherIds.get(matcherKey);
      if (matcher === undefined) {
        matcher = matchers.length;
        matcherIds.set(matcherKey, matcher);
        const literals: number[] = [];
        const spec = sources[source];
        if (compiled.mode === 'exact') {
          const map = compiled.caseSensitive ? spec.exactSensitive : spec.exactInsensitive;
          map.set(compiled.exact!, [...(map.get(compiled.exact!) ?? []), matcher]);
          spec.exactMatchers.push(matcher);
        } else {
          const known = sourceLiterals[source];
          for (const literal of compiled.literals) {
            let id = known.indexOf(literal);
            if (id === -1) {
              id = known.push(literal) - 1;
              spec.literalOwners.push([]);
            }
            literals.push(id);
            spec.literalOwners[id].push(matcher);
          }
          if (literals.length > 0) spec.literalMatchers.push(matcher);
        }
        matchers.push({ source, compiled, literals });
      }
      return {
        condition,
        matcher,
        negate: condition.negate === true,
        found: describeCondition(condition, true),
        missed: describeCondition(condition, false),
      };
    });
    compiledRules.push({
      id: stored.id,
      name: checked.rule.name,
      match: checked.rule.match,
      conditions: compiledConditions,
      actions: checked.rule.actions,
      label: `rule #${stored.id} '${checked.rule.name}'`,
      actionTexts: checked.rule.actions.map(describeAction),
    });
  }
  sources.forEach((spec, i) => {
    if (sourceLiterals[i].length > 0) {
      spec.scanner = new LiteralScanner(sourceLiterals[i]);
      spec.seen = new Uint32Array(sourceLiterals[i].length);
      if (matchers.some((matcher) => matcher.source === i && matcher.compiled.linear !== null))
        spec.hits = new Uint16Array(sourceLiterals[i].length);
    }
  });
  const ruleStart = new Int32Array(compiledRules.length + 1);
  const flat = compiledRules.flatMap((rule) => rule.conditions);
  compiledRules.forEach((rule, r) => (ruleStart[r + 1] = ruleStart[r] + rule.conditions.length));
  return {
    rules: compiledRules,
    invalid,
    sources,
    matchers,
    ruleStart,
    conditionMatcher: Int32Array.from(flat, (c) => c.matcher),
    conditionNegate: Uint8Array.from(flat, (c) => (c.negate ? 1 : 0)),
    ruleAll: Uint8Array.from(compiledRules, (rule) => (rule.match === 'all' ? 1 : 0)),
    stamp: 0,
    scratch: {
      results: new Uint8Array(matchers.length),
      stamps: new Uint32Array(sources.length),
      values: new Array<string[] | undefined>(sources.length).fill(undefined),
      wildcardValues: new Array<string[] | undefined>(sources.length).fill(undefined),
      found: [],
    },
  };
}

/* ------------------------------------------------------------------------------------------------ */
/* Evaluation                                                                                       */
/* ------------------------------------------------------------------------------------------------ */

const UNKNOWN = 0;
const YES = 1;
const NO = 2;

function headerValues(headers: RuleInput['headers'], name: string): string[] {
  const value = headers[name];
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => bounded(String(v)));
}

function valuesOf(spec: RuleSource, input: RuleInput): string[] {
  switch (spec.field) {
    case 'sender':
      return input.sender ? [bounded(input.sender)] : [];
    case 'forwardingAddress':
      return input.forwardingAddress ? [bounded(input.forwardingAddress)] : [];
    case 'to':
      return input.to.map(bounded);
    case 'cc':
      return input.cc.map(bounded);
    case 'recipients':
      return [...input.to, ...input.cc].map(bounded);
    case 'subject':
      return [bounded(input.subject)];
    case 'body':
      return [bounded(input.body)];
    case 'header':
      return headerValues(input.headers, spec.header!);
    case 'authentication':
      return [input.authentication ?? 'none'];
  }
}

const FIELD_LABELS: Record<ConditionField, string> = {
  sender: 'sender',
  forwardingAddress: 'forwarding address',
  to: 'To',
  cc: 'Cc',
  recipients: 'To/Cc',
  subject: 'subject',
  body: 'body',
  header: 'header',
  authentication: 'sender authentication',
};

/** "subject matches /urgent/i", "sender is not "x@y"": what the condition's test found (before `negate`). */
function describeCondition(condition: Condition, found: boolean): string {
  const field = condition.field === 'header' ? `header ${condition.header}` : FIELD_LABELS[condition.field];
  const pattern = describePattern({
    mode: condition.mode,
    pattern: condition.pattern,
    caseSensitive: condition.caseSensitive === true,
  });
  if (condition.mode === 'exact') return `${field} ${found ? 'is' : 'is not'} ${pattern}`;
  return `${field} ${found ? 'matches' : 'does not match'} ${pattern}`;
}

function describeAction(action: RuleAction): string {
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
function traceLine(
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
