/**
 * Aho–Corasick over lower-cased ASCII: one pass over a text marks every literal it contains. The automaton is a full
 * transition table over the characters the literals use (others lead back to the root), with each state's row offset
 * stored pre-multiplied and negated when the state ends a literal, so the inner loop is one load and one sign test.
 *
 * Values are scanned as Latin-1 bytes: `Buffer#write(…, 'latin1')` is native and a byte loop is several times
 * faster than `charCodeAt` here. A character above U+00FF becomes its low byte, which can only add a spurious hit
 * (it may look like an ASCII letter), never hide a real one, so the prefilter stays safe.
 */
import { MAX_MATCH_INPUT } from './match-input';

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
