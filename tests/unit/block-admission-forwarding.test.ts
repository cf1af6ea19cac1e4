import { describe, expect, it } from 'vitest';
import { admit, senderIsListed, type AdmissionInput } from '../../src/mail/admission';
import {
  compileBlockRules,
  DEFAULT_BLOCK_RULES,
  findBlockingRule,
  validateBlockRule,
  type BlockRule,
} from '../../src/mail/block';
import { addressesInHeader, forwardingAddressOf } from '../../src/mail/forwarding';
import { compilePattern } from '../../src/regex/compile-pattern';
import { MAX_MATCH_INPUT } from '../../src/regex/match-input';
import { testPattern } from '../../src/regex/run-pattern';
import type { MailAddress } from '../../src/mail/types';

describe('block rules', () => {
  const defaults = compileBlockRules(DEFAULT_BLOCK_RULES);

  it.each([
    ['MAILER-DAEMON@mx.example.com', 1, 'block rule #1 (sender matches "mailer-daemon@*")'],
    ['postmaster@example.org', 2, 'block rule #2 (sender matches "postmaster@*")'],
    ['noreply@shop.example', 3, 'block rule #3 (sender matches "noreply@*")'],
    ['no-reply@accounts.example', 4, 'block rule #4 (sender matches "no-reply@*")'],
  ])('blocks %s by default', (sender, ruleId, description) => {
    expect(findBlockingRule(defaults, { sender, subject: 'Delivery Status Notification' })).toEqual({
      ruleId,
      description,
    });
  });

  it('lets people through', () => {
    for (const sender of [
      'jane@customer.test',
      'reply@shop.example',
      'noreply.team@x.example',
      'x-noreply@x.test',
    ]) {
      expect(findBlockingRule(defaults, { sender, subject: 'Hello' })).toBeNull();
    }
  });

  it('matches senders and subjects by exact value, wildcard and regex', () => {
    const rules: BlockRule[] = [
      { id: 1, field: 'sender', mode: 'exact', pattern: 'Spammer@Bad.test' },
      { id: 2, field: 'sender', mode: 'exact', pattern: 'Case@Bad.test', caseSensitive: true },
      { id: 3, field: 'subject', mode: 'wildcard', pattern: '*win a free*' },
      { id: 4, field: 'subject', mode: 'regex', pattern: '\\b(casino|lottery)\\b' },
      { id: 5, field: 'sender', mode: 'regex', pattern: '^promo\\d+@' },
    ];
    const compiled = compileBlockRules(rules);
    const hit = (sender: string, subject: string) =>
      findBlockingRule(compiled, { sender, subject })?.ruleId ?? null;
    expect(hit('spammer@bad.test', 'hi')).toBe(1);
    expect(hit('case@bad.test', 'hi')).toBeNull();
    expect(hit('Case@Bad.test', 'hi')).toBe(2);
    expect(hit('jane@x.test', 'You WIN A FREE phone')).toBe(3);
    expect(hit('jane@x.test', 'Best Casino in town')).toBe(4);
    expect(hit('jane@x.test', 'casinos')).toBeNull();
    expect(hit('promo42@x.test', 'hi')).toBe(5);
    expect(findBlockingRule(compiled, { sender: 'jane@x.test', subject: 'Lottery!' })).toEqual({
      ruleId: 4,
      description: 'block rule #4 (subject matches /\\b(casino|lottery)\\b/i)',
    });
  });

  it('reports the first rule in order when several match', () => {
    const rules: BlockRule[] = [
      { id: 20, field: 'subject', mode: 'regex', pattern: 'offer' },
      { id: 10, field: 'sender', mode: 'exact', pattern: 'spam@bad.test' },
      { id: 5, field: 'sender', mode: 'wildcard', pattern: '*@bad.test' },
    ];
    expect(
      findBlockingRule(compileBlockRules(rules), { sender: 'spam@bad.test', subject: 'An offer' })?.ruleId
    ).toBe(20);
    expect(
      findBlockingRule(compileBlockRules(rules.slice(1)), { sender: 'spam@bad.test', subject: 'x' })?.ruleId
    ).toBe(10);
  });

  it('finds the rule inside a merged group of patterns', () => {
    const rules: BlockRule[] = Array.from({ length: 300 }, (_, i) => ({
      id: 1000 + i,
      field: 'sender' as const,
      mode: i % 2 === 0 ? ('wildcard' as const) : ('regex' as const),
      pattern: i % 2 === 0 ? `news-${i}-*@*.bulk.test` : `^promo-${i}@mailer\\.test$`,
    }));
    const compiled = compileBlockRules(rules);
    expect(compiled.count).toBe(300);
    expect(findBlockingRule(compiled, { sender: 'news-154-x@eu.bulk.test', subject: '' })?.ruleId).toBe(1154);
    expect(findBlockingRule(compiled, { sender: 'promo-277@mailer.test', subject: '' })?.ruleId).toBe(1277);
    expect(findBlockingRule(compiled, { sender: 'promo-278@mailer.test', subject: '' })).toBeNull();
  });

  it('keeps regexes with backreferences or octal escapes out of merged groups', () => {
    const compiled = compileBlockRules([
      { id: 1, field: 'sender', mode: 'regex', pattern: '^(\\w)\\1@' },
      { id: 2, field: 'sender', mode: 'regex', pattern: '(x)y' },
      { id: 3, field: 'sender', mode: 'regex', pattern: '^z\\1' },
    ]);
    expect(findBlockingRule(compiled, { sender: 'oo@x.test', subject: '' })?.ruleId).toBe(1);
    expect(findBlockingRule(compiled, { sender: 'ox@x.test', subject: '' })).toBeNull();
    expect(findBlockingRule(compiled, { sender: 'z\u0001@x.test', subject: '' })?.ruleId).toBe(3);
  });

  it('matches `*text` and `text*` exactly as micromatch would', () => {
    const patterns = ['*@bad.test', 'NoReply@*', '*.ru', '*-bounces@lists.test', 'a.b+c=d@*', 'x*'];
    const values = [
      'a@bad.test',
      '@bad.test',
      'a@BAD.test',
      'a@bad.test.evil',
      'noreply@shop',
      'NOREPLY@',
      'noreply',
      'mail@host.ru',
      'list-bounces@lists.test',
      'a.b+c=d@x',
      'x',
      ' x@y ',
      '\u212A@bad.test',
    ];
    patterns.forEach((pattern, i) => {
      for (const caseSensitive of [false, true]) {
        const compiled = compileBlockRules([
          { id: i, field: 'sender', mode: 'wildcard', pattern, caseSensitive },
        ]);
        const reference = compilePattern('wildcard', pattern, caseSensitive);
        if (!reference.ok) throw new Error(reference.message);
        for (const sender of values) {
          const blocked = findBlockingRule(compiled, { sender, subject: '' }) !== null;
          expect([pattern, caseSensitive, sender, blocked]).toEqual([
            pattern,
            caseSensitive,
            sender,
            testPattern(reference.compiled, sender),
          ]);
        }
      }
    });
  });

  it('looks at the first 64 KB of a subject only', () => {
    const compiled = compileBlockRules([{ id: 1, field: 'subject', mode: 'regex', pattern: 'casino' }]);
    expect(
      findBlockingRule(compiled, { sender: 'a@b.test', subject: `${'x'.repeat(MAX_MATCH_INPUT)}casino` })
    ).toBeNull();
    expect(
      findBlockingRule(compiled, { sender: 'a@b.test', subject: `${'x'.repeat(100)}casino` })
    ).not.toBeNull();
  });

  it('skips disabled rules and lists stored rules that no longer validate', () => {
    const compiled = compileBlockRules([
      { id: 1, field: 'sender', mode: 'wildcard', pattern: '*@bad.test', enabled: false },
      { id: 2, field: 'subject', mode: 'regex', pattern: '(a+)+$' },
    ]);
    expect(compiled.count).toBe(0);
    expect(compiled.invalid).toEqual([
      {
        ruleId: 2,
        message:
          'pattern: this regular expression can take exponential time (nested quantifiers such as (a+)+); rewrite it',
      },
    ]);
    expect(findBlockingRule(compiled, { sender: 'x@bad.test', subject: 'aaaa' })).toBeNull();
  });

  describe('validateBlockRule', () => {
    it('accepts and normalises', () => {
      expect(
        validateBlockRule({
          id: 3,
          field: 'sender',
          mode: 'wildcard',
          pattern: '*@bad.test',
          caseSensitive: null,
          note: ' ',
        })
      ).toEqual({
        rule: {
          field: 'sender',
          mode: 'wildcard',
          pattern: '*@bad.test',
          caseSensitive: false,
          enabled: true,
          note: null,
        },
      });
    });

    it.each<[string, unknown, string]>([
      ['not an object', null, 'rule: must be an object'],
      [
        'unknown key',
        { field: 'sender', mode: 'exact', pattern: 'a@b.test', hits: 1 },
        'hits: unknown field (allowed: field, mode, pattern, caseSensitive, enabled, note)',
      ],
      ['bad field', { field: 'body', mode: 'exact', pattern: 'x' }, 'field: must be one of sender, subject'],
      [
        'bad mode',
        { field: 'sender', mode: 'glob', pattern: 'x' },
        'mode: must be one of exact, wildcard, regex',
      ],
      ['empty pattern', { field: 'sender', mode: 'exact', pattern: '' }, 'pattern: must not be empty'],
      ['missing pattern', { field: 'sender', mode: 'exact' }, 'pattern: required'],
      [
        'unsafe regex',
        { field: 'subject', mode: 'regex', pattern: '([a-zA-Z]+)*$' },
        'pattern: this regular expression can take exponential time (nested quantifiers such as (a+)+); rewrite it',
      ],
      [
        'bad flag',
        { field: 'sender', mode: 'exact', pattern: 'x', enabled: 'no' },
        'enabled: must be true or false',
      ],
      [
        'long note',
        { field: 'sender', mode: 'exact', pattern: 'x', note: 'n'.repeat(501) },
        'note: must be text of at most 500 characters',
      ],
    ])('refuses %s', (_name, input, message) => {
      const result = validateBlockRule(input);
      expect('errors' in result && result.errors.map((e) => `${e.field}: ${e.message}`)).toContain(message);
    });
  });
});

describe('admission', () => {
  const base: AdmissionInput = {
    isReply: false,
    sender: 'Jane@Customer.test',
    allowedMail: 'new-and-replies',
    allowedSenders: { mode: 'anyone' },
  };

  it('takes new tickets and replies by default', () => {
    expect(admit(base)).toEqual({ admitted: true });
    expect(admit({ ...base, isReply: true })).toEqual({ admitted: true });
  });

  it('keeps to new tickets only or replies only', () => {
    expect(admit({ ...base, allowedMail: 'replies-only' })).toEqual({
      admitted: false,
      reason: 'this mailbox takes replies only; this mail would open a new ticket',
    });
    expect(admit({ ...base, allowedMail: 'replies-only', isReply: true })).toEqual({ admitted: true });
    expect(admit({ ...base, allowedMail: 'new-only', isReply: true })).toEqual({
      admitted: false,
      reason: 'this mailbox takes new tickets only; this mail is a reply to an existing ticket',
    });
    expect(admit({ ...base, allowedMail: 'new-only' })).toEqual({ admitted: true });
  });

  it('admits listed addresses and domains', () => {
    const listed = (sender: string) =>
      admit({
        ...base,
        sender,
        allowedSenders: {
          mode: 'listed',
          addresses: ['Boss@Partner.test'],
          domains: ['customer.test', '*.corp.test'],
        },
      });
    expect(listed('boss@partner.test')).toEqual({ admitted: true });
    expect(listed('jane@CUSTOMER.test')).toEqual({ admitted: true });
    expect(listed('jane@eu.corp.test')).toEqual({ admitted: true });
    expect(listed('jane@a.b.corp.test')).toEqual({ admitted: true });
    expect(listed('jane@mail.customer.test')).toEqual({
      admitted: false,
      reason: "jane@mail.customer.test is not on this mailbox's list of allowed senders",
    });
    expect(listed('jane@corp.test').admitted).toBe(false);
    expect(listed('jane@evilcorp.test').admitted).toBe(false);
    expect(listed('jane@badcustomer.test').admitted).toBe(false);
    expect(listed('').admitted).toBe(false);
  });

  it('admits registered users only when the caller confirms them', () => {
    const registered = { ...base, allowedSenders: { mode: 'registered' as const } };
    expect(admit({ ...registered, senderIsRegistered: true })).toEqual({ admitted: true });
    expect(admit({ ...registered, senderIsRegistered: false })).toEqual({
      admitted: false,
      reason: 'this mailbox takes mail from registered users only; jane@customer.test is not one',
    });
    expect(admit(registered)).toEqual({
      admitted: false,
      reason: 'this mailbox takes mail from registered users only; jane@customer.test could not be looked up',
    });
  });

  it('checks the kind of mail before the sender', () => {
    expect(
      admit({
        ...base,
        allowedMail: 'replies-only',
        allowedSenders: { mode: 'registered' },
        senderIsRegistered: false,
      })
    ).toMatchObject({ reason: 'this mailbox takes replies only; this mail would open a new ticket' });
  });

  it('senderIsListed takes an @ before a domain', () => {
    expect(senderIsListed('a@x.test', [], ['@x.test'])).toBe(true);
    expect(senderIsListed('not-an-address', [], ['x.test'])).toBe(false);
  });
});

describe('forwarding addresses', () => {
  const address = (a: string): MailAddress => ({ address: a, name: '' });
  const mail = (headers: Record<string, string | string[]>, to: string[] = [], cc: string[] = []) => ({
    headers,
    to: to.map(address),
    cc: cc.map(address),
  });
  const KNOWN = ['Sales@OurCo.test', 'billing@ourco.test', 'help@ourco.test'];

  it('prefers the envelope headers, in order, over To and Cc', () => {
    expect(
      forwardingAddressOf(
        mail({ 'delivered-to': ['support@ourco.test', 'sales@ourco.test'] }, ['billing@ourco.test']),
        KNOWN
      )
    ).toBe('sales@ourco.test');
    expect(
      forwardingAddressOf(
        mail({ 'x-forwarded-to': 'help@ourco.test', 'x-original-to': 'billing@ourco.test' }, [
          'sales@ourco.test',
        ]),
        KNOWN
      )
    ).toBe('billing@ourco.test');
    expect(
      forwardingAddressOf(
        mail({ 'resent-to': 'help@ourco.test', 'x-forwarded-to': 'billing@ourco.test' }),
        KNOWN
      )
    ).toBe('billing@ourco.test');
    expect(forwardingAddressOf(mail({ 'resent-to': '"Help" <HELP@ourco.test>' }), KNOWN)).toBe(
      'help@ourco.test'
    );
  });

  it('falls back to To, then Cc', () => {
    expect(
      forwardingAddressOf(mail({}, ['jane@x.test', 'billing@ourco.test'], ['sales@ourco.test']), KNOWN)
    ).toBe('billing@ourco.test');
    expect(forwardingAddressOf(mail({}, ['jane@x.test'], ['sales@ourco.test']), KNOWN)).toBe(
      'sales@ourco.test'
    );
  });

  it('reads display names and lists, ignores case and +tags', () => {
    expect(
      forwardingAddressOf(mail({ 'x-original-to': '"Sales, EU" <Sales+EU@OurCo.test>, other@x.test' }), KNOWN)
    ).toBe('sales@ourco.test');
  });

  it('returns null when no known address is there', () => {
    expect(
      forwardingAddressOf(mail({ 'delivered-to': 'support@ourco.test' }, ['support@ourco.test']), KNOWN)
    ).toBeNull();
    expect(forwardingAddressOf(mail({ 'delivered-to': 'sales@ourco.test' }), [])).toBeNull();
  });

  it('parses address header values', () => {
    expect(
      addressesInHeader(
        '"Doe, Jane" <Jane@X.test>, bob@y.test (Bob, the builder), Team: a@z.test, b@z.test;, <c@z.test>'
      )
    ).toEqual(['jane@x.test', 'bob@y.test', 'a@z.test', 'b@z.test', 'c@z.test']);
    expect(addressesInHeader('undisclosed-recipients:;')).toEqual([]);
  });
});
