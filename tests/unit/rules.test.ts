import { describe, expect, it } from 'vitest';
import type { Condition, PipingRule, RuleAction } from '../../contracts/rules';
import { compileRules } from '../../src/policy/rules/compile-rules';
import { evaluateRules } from '../../src/policy/rules/evaluate-rules';
import type { RuleInput } from '../../src/policy/rules/rule-fields';
import { formatValidationErrors, validateRule } from '../../src/policy/rules/validate-rule';
import { compilePattern } from '../../src/regex/compile-pattern';
import { LiteralScanner } from '../../src/regex/literal-scanner';
import { MAX_MATCH_INPUT } from '../../src/regex/match-input';
import { regexSafety } from '../../src/regex/regex-safety';
import { testPattern } from '../../src/regex/run-pattern';

const MAIL: RuleInput = {
  sender: 'jane@customer.test',
  forwardingAddress: 'sales@ourco.test',
  to: ['support@ourco.test'],
  cc: ['boss@customer.test'],
  subject: 'Invoice 2024/15 overdue',
  body: 'Hello,\nplease see the invoice attached.\nRegards',
  headers: {
    'x-priority': '1 (Highest)',
    'x-mailer': 'Microsoft Outlook 16.0',
    received: ['from mx.customer.test by mx.ourco.test', 'from laptop by mx.customer.test'],
  },
};

let nextId = 1;
function rule(
  conditions: Condition[],
  actions: RuleAction[] = [{ type: 'addTags', value: ['hit'] }],
  extra: Partial<PipingRule> = {}
): PipingRule {
  return { id: nextId++, name: 'Test', enabled: true, match: 'all', conditions, actions, ...extra };
}

function matches(condition: Condition, input: RuleInput = MAIL): boolean {
  const compiled = compileRules([rule([condition])]);
  expect(compiled.invalid).toEqual([]);
  return evaluateRules(compiled, input).matched.length === 1;
}

function errorsOf(input: unknown): string[] {
  const result = validateRule(input);
  if (!('errors' in result)) throw new Error('expected errors');
  return formatValidationErrors(result.errors);
}

const VALID = {
  name: 'Urgent',
  conditions: [{ field: 'subject', mode: 'wildcard', pattern: '*urgent*' }],
  actions: [{ type: 'setPriority', value: 'high' }],
};

describe('conditions: every field in every mode', () => {
  const cases: Array<[string, Condition, boolean]> = [
    ['sender exact, any case', { field: 'sender', mode: 'exact', pattern: 'JANE@Customer.test' }, true],
    [
      'sender exact is the whole address',
      { field: 'sender', mode: 'exact', pattern: 'jane@customer' },
      false,
    ],
    ['sender wildcard', { field: 'sender', mode: 'wildcard', pattern: '*@customer.test' }, true],
    ['sender wildcard, other domain', { field: 'sender', mode: 'wildcard', pattern: '*@other.test' }, false],
    ['sender regex', { field: 'sender', mode: 'regex', pattern: '^jane@' }, true],
    ['sender regex, no match', { field: 'sender', mode: 'regex', pattern: '^john@' }, false],
    ['forwarding exact', { field: 'forwardingAddress', mode: 'exact', pattern: 'sales@ourco.test' }, true],
    ['forwarding wildcard', { field: 'forwardingAddress', mode: 'wildcard', pattern: 'sales@*' }, true],
    ['forwarding regex, no match', { field: 'forwardingAddress', mode: 'regex', pattern: 'billing' }, false],
    ['To exact', { field: 'to', mode: 'exact', pattern: 'support@ourco.test' }, true],
    ['To wildcard', { field: 'to', mode: 'wildcard', pattern: 'support@*' }, true],
    ['To regex, no match', { field: 'to', mode: 'regex', pattern: '^nobody@' }, false],
    ['Cc exact', { field: 'cc', mode: 'exact', pattern: 'boss@customer.test' }, true],
    ['Cc wildcard', { field: 'cc', mode: 'wildcard', pattern: 'boss@*.test' }, true],
    ['Cc regex', { field: 'cc', mode: 'regex', pattern: '^boss@' }, true],
    ['Cc exact does not see To', { field: 'cc', mode: 'exact', pattern: 'support@ourco.test' }, false],
    [
      'recipients exact (from To)',
      { field: 'recipients', mode: 'exact', pattern: 'support@ourco.test' },
      true,
    ],
    [
      'recipients exact (from Cc)',
      { field: 'recipients', mode: 'exact', pattern: 'boss@customer.test' },
      true,
    ],
    ['recipients wildcard', { field: 'recipients', mode: 'wildcard', pattern: '*@customer.test' }, true],
    ['recipients regex', { field: 'recipients', mode: 'regex', pattern: '@ourco\\.test$' }, true],
    [
      'subject exact, whole value',
      { field: 'subject', mode: 'exact', pattern: 'invoice 2024/15 OVERDUE' },
      true,
    ],
    ['subject exact, part is not enough', { field: 'subject', mode: 'exact', pattern: 'Invoice' }, false],
    ['subject wildcard crosses "/"', { field: 'subject', mode: 'wildcard', pattern: '*2024/15*' }, true],
    ['subject wildcard prefix', { field: 'subject', mode: 'wildcard', pattern: 'invoice*' }, true],
    ['subject wildcard "?" matches "/"', { field: 'subject', mode: 'wildcard', pattern: '*2024?15*' }, true],
    [
      'subject wildcard without * is whole value',
      { field: 'subject', mode: 'wildcard', pattern: 'overdue' },
      false,
    ],
    ['subject regex searches anywhere', { field: 'subject', mode: 'regex', pattern: '\\d{4}/\\d+' }, true],
    ['body exact', { field: 'body', mode: 'exact', pattern: MAIL.body }, true],
    ['body wildcard', { field: 'body', mode: 'wildcard', pattern: '*invoice attached*' }, true],
    [
      'body wildcard crosses newlines',
      { field: 'body', mode: 'wildcard', pattern: 'hello*see the*regards' },
      true,
    ],
    ['body regex', { field: 'body', mode: 'regex', pattern: 'please\\s+see' }, true],
    ['body regex ^ is the start of the body', { field: 'body', mode: 'regex', pattern: '^please' }, false],
    ['header exact', { field: 'header', header: 'x-priority', mode: 'exact', pattern: '1 (highest)' }, true],
    ['header wildcard', { field: 'header', header: 'x-priority', mode: 'wildcard', pattern: '1*' }, true],
    [
      'header regex',
      { field: 'header', header: 'x-mailer', mode: 'regex', pattern: 'outlook\\s+\\d+' },
      true,
    ],
    [
      'repeated header: any value',
      { field: 'header', header: 'received', mode: 'regex', pattern: '^from laptop' },
      true,
    ],
    [
      'missing header matches nothing',
      { field: 'header', header: 'x-spam', mode: 'wildcard', pattern: '*' },
      false,
    ],
  ];
  it.each(cases)('%s', (_name, condition, expected) => {
    expect(matches(condition)).toBe(expected);
  });

  it('a field without a value matches nothing, and its negation holds', () => {
    const noForwarding = { ...MAIL, forwardingAddress: null, cc: [] };
    expect(matches({ field: 'forwardingAddress', mode: 'wildcard', pattern: '*' }, noForwarding)).toBe(false);
    expect(
      matches({ field: 'forwardingAddress', mode: 'wildcard', pattern: '*', negate: true }, noForwarding)
    ).toBe(true);
    expect(matches({ field: 'cc', mode: 'regex', pattern: '.' }, noForwarding)).toBe(false);
    expect(matches({ field: 'header', header: 'x-spam', mode: 'regex', pattern: 'x', negate: true })).toBe(
      true
    );
  });

  it('takes header names in any case (stored lower-cased)', () => {
    const result = validateRule({
      ...VALID,
      conditions: [{ field: 'header', header: 'X-Priority', mode: 'wildcard', pattern: '1*' }],
    });
    expect('rule' in result && result.rule.conditions[0].header).toBe('x-priority');
    expect(matches({ field: 'header', header: 'X-Priority', mode: 'wildcard', pattern: '1*' })).toBe(true);
  });
});

describe('case sensitivity and negation', () => {
  it('ignores case unless asked', () => {
    expect(matches({ field: 'sender', mode: 'exact', pattern: 'Jane@customer.test' })).toBe(true);
    expect(
      matches({ field: 'sender', mode: 'exact', pattern: 'Jane@customer.test', caseSensitive: true })
    ).toBe(false);
    expect(matches({ field: 'subject', mode: 'wildcard', pattern: '*invoice*' })).toBe(true);
    expect(matches({ field: 'subject', mode: 'wildcard', pattern: '*invoice*', caseSensitive: true })).toBe(
      false
    );
    expect(matches({ field: 'subject', mode: 'wildcard', pattern: '*Invoice*', caseSensitive: true })).toBe(
      true
    );
    expect(matches({ field: 'subject', mode: 'regex', pattern: 'INVOICE' })).toBe(true);
    expect(matches({ field: 'subject', mode: 'regex', pattern: 'INVOICE', caseSensitive: true })).toBe(false);
  });

  it('negates the condition as a whole', () => {
    expect(matches({ field: 'subject', mode: 'regex', pattern: 'refund', negate: true })).toBe(true);
    expect(matches({ field: 'subject', mode: 'regex', pattern: 'invoice', negate: true })).toBe(false);
    // "To is not support@…" fails when any To address is support@…
    const twoTo = { ...MAIL, to: ['other@ourco.test', 'support@ourco.test'] };
    expect(matches({ field: 'to', mode: 'exact', pattern: 'support@ourco.test', negate: true }, twoTo)).toBe(
      false
    );
    expect(matches({ field: 'to', mode: 'exact', pattern: 'nobody@ourco.test', negate: true }, twoTo)).toBe(
      true
    );
  });
});

describe('all / any', () => {
  const yes: Condition = { field: 'subject', mode: 'regex', pattern: 'invoice' };
  const no: Condition = { field: 'subject', mode: 'regex', pattern: 'refund' };
  it.each([
    ['all', [yes, yes], true],
    ['all', [yes, no], false],
    ['any', [no, yes], true],
    ['any', [no, no], false],
  ] as const)('%s of %j', (match, conditions, expected) => {
    const outcome = evaluateRules(compileRules([rule([...conditions], undefined, { match })]), MAIL);
    expect(outcome.matched.length === 1).toBe(expected);
  });
});

describe('actions', () => {
  it('applies every action', () => {
    const outcome = evaluateRules(
      compileRules([
        rule(
          [{ field: 'subject', mode: 'regex', pattern: 'invoice' }],
          [
            { type: 'setPriority', value: 'urgent' },
            { type: 'setStatus', value: 'pending' },
            { type: 'addTags', value: ['billing', 'overdue'] },
            { type: 'setCategory', value: 'Billing' },
            { type: 'assign', adminUserId: 7 },
            { type: 'addRecipients', value: ['Accounts@OurCo.test'] },
            { type: 'skipNotifications' },
          ]
        ),
      ]),
      MAIL
    );
    expect(outcome).toMatchObject({
      priority: 'urgent',
      status: 'pending',
      tags: ['billing', 'overdue'],
      category: 'Billing',
      assigneeId: 7,
      addRecipients: ['accounts@ourco.test'],
      skipNotifications: true,
    });
  });

  it('leaves everything unset when nothing matches', () => {
    const outcome = evaluateRules(
      compileRules([rule([{ field: 'subject', mode: 'regex', pattern: 'refund' }])]),
      MAIL
    );
    expect(outcome).toEqual({
      matched: [],
      tags: [],
      addRecipients: [],
      skipNotifications: false,
      trace: ['no rule matched (1 rule(s) checked)'],
    });
  });

  it('lets later rules override single values, while tags and recipients add up', () => {
    const subject: Condition = { field: 'subject', mode: 'regex', pattern: 'invoice' };
    const first = rule(
      [subject],
      [
        { type: 'setPriority', value: 'low' },
        { type: 'setCategory', value: 'Sales' },
        { type: 'assign', adminUserId: 1 },
        { type: 'addTags', value: ['a'] },
        { type: 'addRecipients', value: ['x@ourco.test'] },
      ]
    );
    const second = rule(
      [subject],
      [
        { type: 'setPriority', value: 'high' },
        { type: 'setStatus', value: 'open' },
        { type: 'setCategory', value: 'Billing' },
        { type: 'assign', adminUserId: 2 },
        { type: 'addTags', value: ['a', 'b'] },
        { type: 'addRecipients', value: ['x@ourco.test', 'y@ourco.test'] },
      ]
    );
    const outcome = evaluateRules(compileRules([first, second]), MAIL);
    expect(outcome).toMatchObject({
      priority: 'high',
      status: 'open',
      category: 'Billing',
      assigneeId: 2,
      tags: ['a', 'b'],
      addRecipients: ['x@ourco.test', 'y@ourco.test'],
    });
    expect(outcome.matched.map((m) => m.ruleId)).toEqual([first.id, second.id]);
    expect(outcome.trace[1]).toContain(`priority high (overrides low from rule #${first.id})`);
    expect(outcome.trace[1]).toContain(`category "Billing" (overrides "Sales" from rule #${first.id})`);
  });

  it('stops at a rule with stopProcessing, whose own actions all apply', () => {
    const subject: Condition = { field: 'subject', mode: 'regex', pattern: 'invoice' };
    const stop = rule([subject], [{ type: 'stopProcessing' }, { type: 'setPriority', value: 'low' }]);
    const later = rule([subject], [{ type: 'setPriority', value: 'urgent' }]);
    const outcome = evaluateRules(compileRules([stop, later]), MAIL);
    expect(outcome.priority).toBe('low');
    expect(outcome.matched.map((m) => m.ruleId)).toEqual([stop.id]);
    expect(outcome.trace).toContain(
      `rule #${stop.id} 'Test' stopped processing; 1 later rule(s) not evaluated`
    );
  });

  it('skips disabled rules', () => {
    const off = rule([{ field: 'subject', mode: 'regex', pattern: 'invoice' }], undefined, {
      enabled: false,
    });
    expect(compileRules([off]).rules).toHaveLength(0);
  });
});

describe('trace', () => {
  it('says why, in the simulator’s words', () => {
    const urgent: PipingRule = {
      id: 3,
      name: 'Urgent',
      enabled: true,
      match: 'all',
      conditions: [{ field: 'subject', mode: 'regex', pattern: 'urgent' }],
      actions: [{ type: 'setPriority', value: 'high' }],
    };
    const outcome = evaluateRules(compileRules([urgent]), { ...MAIL, subject: 'URGENT: server down' });
    expect(outcome.trace).toEqual(["rule #3 'Urgent': subject matches /urgent/i → priority high"]);
  });

  it('describes every kind of condition and action', () => {
    const outcome = evaluateRules(
      compileRules([
        {
          id: 9,
          name: 'Mixed',
          enabled: true,
          match: 'all',
          conditions: [
            { field: 'sender', mode: 'exact', pattern: 'jane@customer.test' },
            { field: 'to', mode: 'exact', pattern: 'nobody@ourco.test', negate: true },
            { field: 'header', header: 'x-priority', mode: 'wildcard', pattern: '1*', caseSensitive: true },
            { field: 'body', mode: 'regex', pattern: 'refund', negate: true },
          ],
          actions: [
            { type: 'addTags', value: ['vip', 'billing'] },
            { type: 'assign', adminUserId: 4 },
            { type: 'addRecipients', value: ['a@ourco.test'] },
            { type: 'skipNotifications' },
          ],
        },
      ]),
      MAIL
    );
    expect(outcome.trace).toEqual([
      'rule #9 \'Mixed\': sender is "jane@customer.test" and To is not "nobody@ourco.test" and header x-priority ' +
        'matches "1*" (case-sensitive) and body does not match /refund/i → tags vip, billing, assign to admin user #4, ' +
        'add recipients a@ourco.test, skip notifications',
    ]);
  });

  it('names the condition that held for "any", and explains misses when asked', () => {
    const anyRule = rule(
      [
        { field: 'subject', mode: 'regex', pattern: 'refund' },
        { field: 'body', mode: 'wildcard', pattern: '*invoice*' },
      ],
      [{ type: 'setStatus', value: 'pending' }],
      { id: 20, name: 'Any', match: 'any' }
    );
    const missed = rule([{ field: 'sender', mode: 'wildcard', pattern: '*@vip.test' }], undefined, {
      id: 21,
      name: 'VIP',
    });
    const outcome = evaluateRules(compileRules([anyRule, missed]), MAIL, { explainMisses: true });
    expect(outcome.trace).toEqual([
      'rule #20 \'Any\': body matches "*invoice*" → status pending',
      'rule #21 \'VIP\' did not match: sender does not match "*@vip.test"',
    ]);
  });

  it('lists stored rules that no longer validate, and leaves them out', () => {
    const broken = {
      id: 5,
      name: 'Old',
      enabled: true,
      match: 'all',
      conditions: [{ field: 'subject', mode: 'regex', pattern: '(a+)+$' }],
      actions: [{ type: 'setPriority', value: 'high' }],
    } as PipingRule;
    const compiled = compileRules([broken]);
    expect(compiled.rules).toHaveLength(0);
    expect(compiled.invalid[0].ruleId).toBe(5);
    expect(evaluateRules(compiled, MAIL).trace[0]).toMatch(
      /^rule #5 'Old' skipped: invalid \(conditions\[0\]\.pattern: this regular expression can take exponential time/
    );
  });
});

describe('the 64 KB bound', () => {
  const padding = 'a'.repeat(MAX_MATCH_INPUT);
  it('does not see text after the first 64 KB of the body', () => {
    const late = { ...MAIL, body: `${padding} urgent` };
    expect(matches({ field: 'body', mode: 'regex', pattern: 'urgent' }, late)).toBe(false);
    expect(matches({ field: 'body', mode: 'wildcard', pattern: '*urgent*' }, late)).toBe(false);
    const inside = { ...MAIL, body: `${padding.slice(0, MAX_MATCH_INPUT - 7)} urgent` };
    expect(inside.body).toHaveLength(MAX_MATCH_INPUT);
    expect(matches({ field: 'body', mode: 'regex', pattern: 'urgent' }, inside)).toBe(true);
    expect(matches({ field: 'body', mode: 'wildcard', pattern: '*urgent' }, inside)).toBe(true);
  });

  it('bounds subjects and header values too', () => {
    const long = { ...MAIL, subject: `${padding}urgent`, headers: { 'x-note': `${padding}urgent` } };
    expect(matches({ field: 'subject', mode: 'regex', pattern: 'urgent' }, long)).toBe(false);
    expect(matches({ field: 'header', header: 'x-note', mode: 'regex', pattern: 'urgent' }, long)).toBe(
      false
    );
  });

  it('runs a leading .* in linear time (it is dropped: for a search it changes nothing)', () => {
    const started = Date.now();
    const body = 'a'.repeat(MAX_MATCH_INPUT);
    expect(matches({ field: 'body', mode: 'regex', pattern: '.*@example\\.com$' }, { ...MAIL, body })).toBe(
      false
    );
    expect(
      matches(
        { field: 'body', mode: 'regex', pattern: '.*@example\\.com$' },
        { ...MAIL, body: 'x@example.com' }
      )
    ).toBe(true);
    // Without dropping it, V8 needs about 4 s for this.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('lets a leading repeat start only where its run starts, with the same answers', () => {
    const condition: Condition = { field: 'body', mode: 'regex', pattern: '\\w+@example\\.com' };
    const started = Date.now();
    expect(matches(condition, { ...MAIL, body: 'a'.repeat(MAX_MATCH_INPUT) })).toBe(false);
    // Without the lookbehind, V8 needs about 4 s for this.
    expect(Date.now() - started).toBeLessThan(1000);
    for (const [pattern, body, expected] of [
      ['\\w+@example\\.com', 'write to jo@example.com', true],
      ['\\w+@example\\.com', '@example.com', false],
      ['\\s*x', 'ab   x', true],
      ['\\s*x', 'x', true],
      ['(a|b)+x', 'ccabx', true],
      ['(a|b)+x', 'ccx', false],
      ['(a|b)+x\\1', 'ccabxb', true],
      ['[^@]+@bad', 'x@bad', true],
    ] as const) {
      expect([pattern, body, matches({ field: 'body', mode: 'regex', pattern }, { ...MAIL, body })]).toEqual([
        pattern,
        body,
        expected,
      ]);
    }
  });
});

describe('the "Pilne / Urgent → priority high" example', () => {
  const example: PipingRule = {
    id: 1,
    name: 'Pilne / Urgent',
    enabled: true,
    match: 'any',
    conditions: [
      { field: 'subject', mode: 'wildcard', pattern: '*pilne*' },
      { field: 'subject', mode: 'wildcard', pattern: '*urgent*' },
      { field: 'body', mode: 'wildcard', pattern: '*pilne*' },
      { field: 'body', mode: 'wildcard', pattern: '*urgent*' },
    ],
    actions: [{ type: 'setPriority', value: 'high' }],
  };
  const compiled = compileRules([example]);
  it.each([
    ['PILNE: awaria serwera', 'Dzień dobry', 'high'],
    ['Server down', 'Hello,\nthis is Urgent!\nJane', 'high'],
    ['Re: [#12] question', '> earlier text\nto jest pilne', 'high'],
    ['Question about invoices', 'No hurry at all.', undefined],
  ])('subject %j', (subject, body, priority) => {
    expect(evaluateRules(compiled, { ...MAIL, subject, body }).priority).toBe(priority);
  });
});

describe('validation', () => {
  it('accepts a valid rule, normalised', () => {
    const result = validateRule({
      id: 99,
      name: '  VIP  ',
      conditions: [{ field: 'header', header: 'X-VIP', mode: 'exact', pattern: 'yes', caseSensitive: false }],
      actions: [{ type: 'addRecipients', value: ['Boss@Example.COM', 'boss@example.com'] }],
    });
    expect(result).toEqual({
      rule: {
        name: 'VIP',
        enabled: true,
        match: 'all',
        conditions: [{ field: 'header', header: 'x-vip', mode: 'exact', pattern: 'yes' }],
        actions: [{ type: 'addRecipients', value: ['boss@example.com'] }],
      },
    });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'rule', 'rule: must be an object'],
    [
      'unknown key',
      { ...VALID, colour: 'red' },
      'colour: unknown field (allowed: name, enabled, match, conditions, actions)',
    ],
    ['no name', { ...VALID, name: ' ' }, 'name: required'],
    ['long name', { ...VALID, name: 'x'.repeat(201) }, 'name: at most 200 characters'],
    ['enabled not boolean', { ...VALID, enabled: 'yes' }, 'enabled: must be true or false'],
    ['bad match', { ...VALID, match: 'some' }, 'match: must be one of all, any'],
    ['no conditions', { ...VALID, conditions: [] }, 'conditions: at least one condition is required'],
    ['conditions not a list', { ...VALID, conditions: {} }, 'conditions: must be a list of conditions'],
    [
      'too many conditions',
      { ...VALID, conditions: Array(51).fill(VALID.conditions[0]) },
      'conditions: at most 50 conditions',
    ],
    ['no actions', { ...VALID, actions: [] }, 'actions: at least one action is required'],
    [
      'too many actions',
      { ...VALID, actions: Array(21).fill(VALID.actions[0]) },
      'actions: at most 20 actions',
    ],
    [
      'bad mode',
      {
        ...VALID,
        conditions: [
          VALID.conditions[0],
          VALID.conditions[0],
          { field: 'subject', mode: 'fuzzy', pattern: 'x' },
        ],
      },
      'conditions[2].mode: must be one of exact, wildcard, regex',
    ],
    [
      'unknown field',
      { ...VALID, conditions: [{ field: 'from', mode: 'exact', pattern: 'x' }] },
      'conditions[0].field: must be one of sender, forwardingAddress, to, cc, recipients, subject, body, header, authentication',
    ],
    [
      'unknown condition key',
      { ...VALID, conditions: [{ ...VALID.conditions[0], flags: 'g' }] },
      'conditions[0].flags: unknown field (allowed: field, header, mode, pattern, caseSensitive, negate)',
    ],
    [
      'empty pattern',
      { ...VALID, conditions: [{ field: 'subject', mode: 'regex', pattern: '  ' }] },
      'conditions[0].pattern: must not be empty',
    ],
    [
      'missing pattern',
      { ...VALID, conditions: [{ field: 'subject', mode: 'regex' }] },
      'conditions[0].pattern: required',
    ],
    [
      'long pattern',
      { ...VALID, conditions: [{ field: 'subject', mode: 'regex', pattern: 'a'.repeat(1001) }] },
      'conditions[0].pattern: at most 1000 characters',
    ],
    [
      'header missing',
      { ...VALID, conditions: [{ field: 'header', mode: 'exact', pattern: '1' }] },
      'conditions[0].header: required when field is header',
    ],
    [
      'header invalid',
      { ...VALID, conditions: [{ field: 'header', header: 'X Priority:', mode: 'exact', pattern: '1' }] },
      'conditions[0].header: must be a header name such as X-Priority (printable characters, no colon or space)',
    ],
    [
      'header on another field',
      { ...VALID, conditions: [{ field: 'subject', header: 'x-a', mode: 'exact', pattern: '1' }] },
      'conditions[0].header: only allowed when field is header',
    ],
    [
      'negate not boolean',
      { ...VALID, conditions: [{ ...VALID.conditions[0], negate: 1 }] },
      'conditions[0].negate: must be true or false',
    ],
    [
      'unknown action',
      { ...VALID, actions: [{ type: 'delete' }] },
      'actions[0].type: must be one of setPriority, setStatus, addTags, setCategory, assign, addRecipients, skipNotifications, stopProcessing',
    ],
    [
      'bad priority',
      { ...VALID, actions: [{ type: 'setPriority', value: 'critical' }] },
      'actions[0].value: must be one of low, normal, high, urgent',
    ],
    [
      'bad status',
      { ...VALID, actions: [{ type: 'setStatus', value: 'new' }] },
      'actions[0].value: must be one of open, pending, resolved, closed',
    ],
    [
      'bad recipient',
      { ...VALID, actions: [{ type: 'addRecipients', value: ['ok@example.com', 'not-an-address'] }] },
      'actions[0].value[1]: "not-an-address" is not an email address',
    ],
    [
      'no tags',
      { ...VALID, actions: [{ type: 'addTags', value: [] }] },
      'actions[0].value: must be a non-empty list',
    ],
    [
      'empty tag',
      { ...VALID, actions: [{ type: 'addTags', value: ['a', ''] }] },
      'actions[0].value[1]: must not be empty',
    ],
    [
      'empty category',
      { ...VALID, actions: [{ type: 'setCategory', value: '' }] },
      'actions[0].value: must be a non-empty string',
    ],
    [
      'bad admin id',
      { ...VALID, actions: [{ type: 'assign', adminUserId: 'bob' }] },
      'actions[0].adminUserId: must be the id of an admin user (a positive whole number)',
    ],
    [
      'unknown action key',
      { ...VALID, actions: [{ type: 'skipNotifications', value: true }] },
      'actions[0].value: unknown field (allowed: type)',
    ],
  ])('refuses %s', (_name, input, message) => {
    expect(errorsOf(input)).toContain(message);
  });

  it('reports the engine’s message for an invalid regular expression', () => {
    let engine = '';
    const source = '(unclosed';
    try {
      new RegExp(source, 'i');
    } catch (error) {
      engine = (error as Error).message;
    }
    expect(engine).toMatch(/Invalid regular expression/);
    expect(
      errorsOf({ ...VALID, conditions: [{ field: 'body', mode: 'regex', pattern: '(unclosed' }] })
    ).toEqual([`conditions[0].pattern: ${engine}`]);
  });

  it('names every error at once', () => {
    expect(
      errorsOf({
        name: '',
        conditions: [{ field: 'x', mode: 'y', pattern: '' }],
        actions: [{ type: 'setPriority' }],
      })
    ).toEqual([
      'name: required',
      'conditions[0].field: must be one of sender, forwardingAddress, to, cc, recipients, subject, body, header, authentication',
      'conditions[0].mode: must be one of exact, wildcard, regex',
      'conditions[0].pattern: must not be empty',
      'actions[0].value: must be one of low, normal, high, urgent',
    ]);
  });
});

describe('regular expression safety', () => {
  const evil = [
    '(a+)+$',
    '(a|a)*$',
    '(.*a){20}',
    '([a-zA-Z]+)*$',
    '(x+x+)+y',
    '(\\w|\\d)+$',
    '^(a*)*b',
    '(?=(a+)+$)x',
  ];
  it.each(evil)('refuses %s on save', (pattern) => {
    const errors = errorsOf({ ...VALID, conditions: [{ field: 'body', mode: 'regex', pattern }] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^conditions\[0\]\.pattern: this regular expression can take exponential time \(.+\); rewrite it$/
    );
  });

  it('says "nested quantifiers" for the classic case', () => {
    expect(errorsOf({ ...VALID, conditions: [{ field: 'body', mode: 'regex', pattern: '(a+)+$' }] })).toEqual(
      [
        'conditions[0].pattern: this regular expression can take exponential time (nested quantifiers such as (a+)+); rewrite it',
      ]
    );
  });

  it.each(['\\s*\\s*x', '.*a.*b.*c', 'a\\d*\\d*\\d*b'])(
    'refuses %s: polynomial beyond n² on 64 KB',
    (pattern) => {
      expect(compilePattern('regex', pattern)).toMatchObject({
        ok: false,
        message: expect.stringMatching(/^this regular expression can take polynomial time on long text/),
      });
    }
  );

  it.each([
    'urgent|pilne',
    '^\\[#\\d+\\]',
    'invoice\\s+\\d{4,}',
    '.*@example\\.com$',
    'foo.*bar',
    '(\\d+\\.)+x',
    '(\\d{1,3}\\.){3}\\d{1,3}',
    '(re:\\s*)+',
    '(a|ab)*c',
    '\\bpilne\\b',
    '^(re|fwd?):\\s*',
    '[a-z]{2,63}',
    '(a)\\1',
  ])('accepts %s', (pattern) => {
    expect(compilePattern('regex', pattern).ok).toBe(true);
    expect(regexSafety(pattern, 'i')).toBe('safe');
  });

  it('checks wildcards too, after micromatch turned them into regexes', () => {
    expect(compilePattern('wildcard', '*urgent*invoice*').ok).toBe(true);
    expect(compilePattern('wildcard', '+(a|b)x').ok).toBe(true);
    expect(compilePattern('wildcard', '*a*b*c')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^this wildcard pattern can take polynomial time/),
    });
  });

  it('refuses what it cannot check in time', () => {
    expect(compilePattern('regex', '(((((a{4}b){4}){4}){4}){4}){4}')).toEqual({
      ok: false,
      message: 'this regular expression is too complex to check for safety; simplify it',
    });
  });
});

describe('the literal prefilter', () => {
  it('finds the literals every match must contain', () => {
    const literals = (pattern: string) => {
      const result = compilePattern('regex', pattern);
      return result.ok ? result.compiled.literals : null;
    };
    expect(literals('invoice\\s+\\d{4,}')).toEqual(['invoice']);
    expect(literals('(urgent|Pilne)!?')).toEqual(['urgent', 'pilne']);
    expect(literals('colou?r')).toEqual(['color', 'colour']);
    expect(literals('\\d{5}')).toEqual([]);
    expect(literals('a|bcd')).toEqual([]);
  });

  it('sees a literal anywhere: across the middle of a text and across 64 KB windows', () => {
    const scanner = new LiteralScanner(['needle', 'other']);
    const seen = new Uint32Array(2);
    const text = `${'x'.repeat(2045)}needle${'y'.repeat(2000)}`;
    expect(scanner.scan(text, seen, 1)).toBe(1);
    expect(seen[0]).toBe(1);
    const long = `${'x'.repeat(MAX_MATCH_INPUT - 3)}NEEDLE${'y'.repeat(100)}`;
    expect(scanner.scan(long, seen, 2)).toBe(1);
    expect(scanner.scan(`${'x'.repeat(5000)}neeDLe`, seen, 3)).toBe(1);
    expect(scanner.scan('no such thing', seen, 4)).toBe(0);
  });

  it('never changes a result: engine and plain pattern tests agree', () => {
    const patterns: Array<[Condition['mode'], string, boolean?]> = [
      ['regex', 'invoice\\s+\\d{4,}'],
      ['regex', 'Invoice', true],
      ['regex', '(urgent|pilne)!'],
      ['regex', 'stra(ss|ß)e'],
      ['regex', 'kelvin'],
      ['regex', '\\bre:'],
      ['wildcard', '*invoice*'],
      ['wildcard', '*INVOICE 12345*', true],
      ['wildcard', '*ünïcode*'],
      ['wildcard', 'invoice*'],
      ['wildcard', '*a/b*'],
      ['exact', 'invoice 12345'],
    ];
    const bodies = [
      'Invoice 12345 is here',
      'invoice   98765',
      'INVOICE\n\n1234',
      'pilne! urgent!',
      'URGENT!',
      'Straße and STRASSE',
      'KELVIN \u212Aelvin',
      'x re: y',
      'über ünïcode',
      'path a/b/c',
      ' invoice 12345 ',
      '',
    ];
    for (const [mode, pattern, caseSensitive] of patterns) {
      const condition: Condition = { field: 'body', mode, pattern, caseSensitive };
      const compiled = compilePattern(mode, pattern, caseSensitive === true);
      if (!compiled.ok) throw new Error(compiled.message);
      for (const body of bodies) {
        const expected = testPattern(compiled.compiled, body);
        expect([pattern, body, matches(condition, { ...MAIL, body })]).toEqual([pattern, body, expected]);
      }
    }
  });

  it('shares one result between rules with the same condition', () => {
    const condition: Condition = { field: 'subject', mode: 'regex', pattern: 'invoice' };
    const compiled = compileRules([
      rule([condition]),
      rule([condition]),
      rule([{ ...condition, negate: true }]),
    ]);
    expect(compiled.matchers).toHaveLength(1);
    expect(evaluateRules(compiled, MAIL).matched).toHaveLength(2);
  });
});

describe('sender authentication condition', () => {
  const rule = (pattern: string) => ({
    id: 1,
    name: 'Unauthenticated',
    conditions: [{ field: 'authentication', mode: 'exact', pattern }],
    actions: [{ type: 'addTags', value: ['suspect'] }],
  });

  it('refuses a value the verdict never takes', () => {
    expect(validateRule(rule('failed'))).toEqual({
      errors: [
        {
          field: 'conditions[0].pattern',
          message: 'sender authentication is one of pass, fail, none',
        },
      ],
    });
    expect(validateRule(rule('PASS'))).toHaveProperty('rule');
  });

  it('matches the verdict, counting an unchecked mail as none', () => {
    const compiled = compileRules([{ ...rule('fail'), enabled: true, match: 'all' } as PipingRule]);
    const input = {
      sender: 'a@b.test',
      forwardingAddress: null,
      to: [],
      cc: [],
      subject: '',
      body: '',
      headers: {},
    };
    expect(evaluateRules(compiled, { ...input, authentication: 'fail' }).tags).toEqual(['suspect']);
    expect(evaluateRules(compiled, { ...input, authentication: 'pass' }).tags).toEqual([]);
    const none = compileRules([{ ...rule('none'), enabled: true, match: 'all' } as PipingRule]);
    expect(evaluateRules(none, input).tags).toEqual(['suspect']);
  });
});
