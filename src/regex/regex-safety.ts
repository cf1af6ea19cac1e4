/**
 * Regex safety: admin-written regular expressions run on attacker-written mail, so each is checked before it is
 * accepted. A pattern whose backtracking can grow exponentially, or polynomially beyond n², with the text length is
 * refused.
 *
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
import { RegExpParser, type AST } from '@eslint-community/regexpp';
import { ALL, intersect, isAll, overlaps, type Ranges } from './char-ranges';
import { Glushkov, TooComplex } from './glushkov';

export type SafetyVerdict = 'safe' | 'exponential' | 'polynomial' | 'too-complex';

/** Steps the analysis may take over all of a pattern's loops before it is "too complex". */
const MAX_WORK = 4_000_000;

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

export function parseSource(source: string): AST.Pattern | null {
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

export function safetyOf(ast: AST.Pattern, flags: string): { verdict: SafetyVerdict; nested: boolean } {
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
