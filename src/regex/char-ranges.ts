/**
 * Sets of UTF-16 code units as sorted [lo, hi] ranges, and the sets a parsed pattern's characters, classes and
 * escapes stand for: what the regex safety check compares to find two paths that can read the same text.
 */
import type { AST } from '@eslint-community/regexpp';

/** A set of UTF-16 code units as sorted, disjoint, inclusive [lo, hi] pairs, flattened. */
export type Ranges = readonly number[];

const MAX_UNIT = 0xffff;
export const ALL: Ranges = [0, MAX_UNIT];

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

export function intersect(a: Ranges, b: Ranges): Ranges {
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

export function overlaps(a: Ranges, b: Ranges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (Math.max(a[i], b[j]) <= Math.min(a[i + 1], b[j + 1])) return true;
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return false;
}

export function isAll(r: Ranges): boolean {
  return r.length === 2 && r[0] === 0 && r[1] === MAX_UNIT;
}

/** Adds the other-case partners under the `i` flag (large ranges contain most of theirs already). */
export function caseClosed(r: Ranges): Ranges {
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
export const NOT_LINE_END: Ranges = complement(rangesOf([10, 10, 13, 13, 0x2028, 0x2029]));

export function escapeSet(node: AST.EscapeCharacterSet | AST.UnicodePropertyCharacterSet): Ranges {
  if (node.kind === 'property') return ALL;
  const base = node.kind === 'digit' ? DIGIT : node.kind === 'space' ? SPACE : WORD;
  return node.negate ? complement(base) : base;
}

export function classSet(node: AST.CharacterClass): Ranges {
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
