/**
 * Admin regular expressions on V8's linear-time engine, so no pattern can make matching slow, whatever the mail.
 *
 * The safety check (regex-safety.ts) refuses exponential and cubic patterns, but a backtracking search for an ordinary
 * `invoice.*paid` over one 64 KB line of "invoice invoice …" still costs O(n²): 1.5 s per rule per hostile mail on
 * this machine. V8 ships a second engine (the one behind Chrome's `l` flag, an RE2-style automaton simulation) that
 * runs in time linear in the input; with it the same search takes milliseconds. Node turns it on with a V8 flag, set
 * here once at runtime (`v8.setFlagsFromString`), which affects only regexes created with the `l` flag.
 *
 * The engine has no case-insensitive mode, no lookaround, no backreferences and no large counted repeats. The `i`
 * flag is done by rewriting: every letter becomes a class of its case forms (`a` → `[aA]`, `[a-c]` → `[a-cA-C]`), as
 * JavaScript's non-unicode `i` would compare them. A pattern the engine still refuses (lookaround, `\1`, `{0,1000}`)
 * runs on the backtracking engine, under the safety check alone.
 */
import v8 from 'node:v8';
import { RegExpParser, type AST } from '@eslint-community/regexpp';

let engineReady: boolean | null = null;

/** Turns the linear engine on (once) and says whether this Node has it. */
export function linearEngineAvailable(): boolean {
  if (engineReady === null) {
    try {
      v8.setFlagsFromString('--enable-experimental-regexp-engine');
      // eslint-disable-next-line no-invalid-regexp -- `l` exists once the V8 flag above is set; this probes it
      new RegExp('a', 'l');
      engineReady = true;
    } catch {
      engineReady = false;
    }
  }
  return engineReady;
}

/** Characters that must be escaped inside a character class. */
function classChar(code: number): string {
  const s = String.fromCharCode(code);
  if (/[\\\]^-]/.test(s)) return `\\${s}`;
  if (code < 0x20 || code > 0x7e) return `\\u${code.toString(16).padStart(4, '0')}`;
  return s;
}

/** The other case forms of one UTF-16 unit that JavaScript's non-unicode `i` treats as equal to it. */
function caseForms(code: number): number[] {
  const s = String.fromCharCode(code);
  const forms = new Set<number>();
  for (const other of [s.toLowerCase(), s.toUpperCase()]) {
    // Non-unicode `i` never maps a non-ASCII character onto ASCII (ſ is not s), nor to more than one unit.
    if (other.length !== 1 || other === s) continue;
    const otherCode = other.charCodeAt(0);
    if (code >= 128 && otherCode < 128) continue;
    forms.add(otherCode);
  }
  return [...forms];
}

/** Character classes larger than this are not enumerated for their case forms; they keep their raw text. */
const MAX_ENUMERATED_RANGE = 4096;

class NotFoldable extends Error {}

function foldCharacterClass(node: AST.CharacterClass): string {
  const extra: number[] = [];
  for (const element of node.elements) {
    if (element.type === 'Character') {
      extra.push(...caseForms(element.value));
    } else if (element.type === 'CharacterClassRange') {
      const { min, max } = element;
      if (max.value - min.value > MAX_ENUMERATED_RANGE) throw new NotFoldable();
      for (let c = min.value; c <= max.value; c++) extra.push(...caseForms(c));
    } else if (element.type !== 'CharacterSet') {
      throw new NotFoldable(); // v-flag class syntax: not produced without the v flag
    }
    // \d \s \w are closed under case already; \p{…} needs the u flag, which admin patterns do not get.
  }
  if (extra.length === 0) return node.raw;
  const body = node.raw.slice(node.negate ? 2 : 1, -1);
  return `[${node.negate ? '^' : ''}${body}${[...new Set(extra)].map(classChar).join('')}]`;
}

function fold(node: AST.Node): string {
  switch (node.type) {
    case 'Pattern':
    case 'Group':
    case 'CapturingGroup': {
      const inner = node.alternatives.map(fold).join('|');
      if (node.type === 'Pattern') return inner;
      if (node.type === 'Group') return `(?:${inner})`;
      return node.name ? `(?<${node.name}>${inner})` : `(${inner})`;
    }
    case 'Alternative':
      return node.elements.map(fold).join('');
    case 'Quantifier': {
      const quantifier = node.raw.slice(node.element.raw.length);
      return `${fold(node.element)}${quantifier}`;
    }
    case 'Character': {
      const forms = caseForms(node.value);
      return forms.length === 0 ? node.raw : `[${[node.value, ...forms].map(classChar).join('')}]`;
    }
    case 'CharacterClass':
      return foldCharacterClass(node);
    default:
      // Sets (\d, ., \w), assertions (^ $ \b): unchanged by case. Lookarounds and backreferences are refused by the
      // linear engine anyway; their raw text is kept so the engine says so.
      return node.raw;
  }
}

/**
 * The pattern as a linear-time RegExp with the same matches as `new RegExp(source, flags)`, or null when the linear
 * engine is not available or refuses the pattern.
 */
export function linearRegex(source: string, flags: string): RegExp | null {
  if (!linearEngineAvailable()) return null;
  let linearSource = source;
  if (flags.includes('i')) {
    try {
      const ast = new RegExpParser({ ecmaVersion: 2025 }).parsePattern(source, 0, source.length, {
        unicode: flags.includes('u'),
      });
      linearSource = fold(ast);
    } catch {
      return null;
    }
  }
  try {
    return new RegExp(linearSource, `${flags.replace('i', '')}l`);
  } catch {
    return null;
  }
}
