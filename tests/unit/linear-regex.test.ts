/**
 * Admin regexes on V8's linear-time engine: the same matches as the backtracking engine (the `i` flag rewritten as
 * case classes), and used exactly when a risky pattern meets a long, crowded input.
 */
import { describe, expect, it, vi } from 'vitest';
import type { PipingRule } from '../../contracts/rules';
import { compileRules } from '../../src/policy/rules/compile-rules';
import { evaluateRules } from '../../src/policy/rules/evaluate-rules';
import { compilePattern } from '../../src/regex/compile-pattern';
import { linearEngineAvailable, linearRegex } from '../../src/regex/linear-regex';
import { runRegex } from '../../src/regex/run-pattern';

describe('linearRegex', () => {
  it('is available on this Node', () => {
    expect(linearEngineAvailable()).toBe(true);
  });

  const patterns = [
    'invoice.*paid',
    '\\bFoo\\b',
    '[a-c]x+y',
    '[^a-z]+Q',
    'Zażółć\\s+gęślą',
    'ÉTÉ|straße',
    '(?<id>[A-F0-9]{4})-\\d+',
    're:\\s*order\\s+#?\\d{5,}',
    '\\x41\\u0062[\\u00e0-\\u00ff]',
    '[\\]\\-^]z',
  ];
  const inputs = [
    'INVOICE was paid',
    'Invoice is PAID today',
    'a foo b',
    'xFOOx',
    'BXXY cxy',
    '12Q',
    'zaŻÓŁĆ   GĘŚLĄ jaźń',
    'été STRASSE Straße',
    'id: abcd-12 ABCD-3',
    'RE:  Order #12345',
    'Abà AbÀ aBÿ',
    ']z -Z ^z',
  ];

  it('matches what the backtracking engine matches, with and without the i flag', () => {
    for (const source of patterns) {
      for (const flags of ['', 'i', 's', 'is']) {
        const linear = linearRegex(source, flags);
        expect(linear, `${source} /${flags}`).not.toBeNull();
        const reference = new RegExp(source, flags);
        for (const input of inputs) {
          expect(linear!.test(input), `/${source}/${flags} on ${JSON.stringify(input)}`).toBe(
            reference.test(input)
          );
        }
      }
    }
  });

  it('declines what the linear engine cannot run (lookaround, backreferences, large counted repeats)', () => {
    expect(linearRegex('(?<=a)b', 'i')).toBeNull();
    expect(linearRegex('(a)\\1', '')).toBeNull();
    expect(linearRegex('.{0,5000}x', '')).toBeNull();
  });
});

describe('runRegex', () => {
  const hostile = 'invoice '.repeat(8192); // 64 KB, one line: 8192 starts for `invoice.*paid`

  it('gives risky patterns a linear twin, and only those', () => {
    const risky = compilePattern('regex', 'invoice.*paid');
    const plain = compilePattern('regex', '\\b(pilne|urgent)\\b');
    const leading = compilePattern('regex', '\\w+@example\\.com');
    expect(risky.ok && risky.compiled.linear).toBeInstanceOf(RegExp);
    expect(plain.ok && plain.compiled.linear).toBeNull();
    expect(leading.ok && leading.compiled.linear).toBeNull(); // a leading repeat has the run-start guard instead
  });

  it('runs the linear engine on a long crowded input, backtracking on ordinary text', () => {
    const result = compilePattern('regex', 'invoice.*paid');
    if (!result.ok) throw new Error(result.message);
    const linear = vi.spyOn(result.compiled.linear!, 'test');
    expect(runRegex(result.compiled, hostile)).toBe(false);
    expect(linear).toHaveBeenCalledTimes(1);
    const ordinary = `Hello, the invoice was paid yesterday. ${'Regards and thanks. '.repeat(500)}`;
    expect(runRegex(result.compiled, ordinary)).toBe(true);
    expect(linear).toHaveBeenCalledTimes(1);
  });

  it('bounds a whole mail: piping rules over a hostile body switch to the linear engine', () => {
    const rules: PipingRule[] = ['paid', 'refund', 'closed', 'sent'].map((word, i) => ({
      id: i + 1,
      name: `invoice ${word}`,
      enabled: true,
      match: 'all',
      conditions: [{ field: 'body', mode: 'regex', pattern: `invoice.*${word}` }],
      actions: [{ type: 'addTags', value: [word] }],
    }));
    const compiled = compileRules(rules);
    const spies = compiled.matchers.map((matcher) => vi.spyOn(matcher.compiled.linear!, 'test'));
    const input = { sender: 'x@y.test', forwardingAddress: null, to: [], cc: [], subject: 's', headers: {} };
    expect(evaluateRules(compiled, { ...input, body: hostile }).matched).toEqual([]);
    expect(spies.every((spy) => spy.mock.calls.length === 1)).toBe(true);
    // Within the 64 KB that rules read, so the word at the end is seen.
    const crowdedButMatching = `${'invoice '.repeat(8000)}sent`;
    expect(
      evaluateRules(compiled, { ...input, body: crowdedButMatching }).matched.map((m) => m.name)
    ).toEqual(['invoice sent']);
  });
});
