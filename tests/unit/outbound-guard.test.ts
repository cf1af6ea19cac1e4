import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUTO_MAIL_LIMITS,
  GUARD_PATTERNS,
  MAX_WINDOW_MINUTES,
  breakerVerdict,
  longestWindowMinutes,
  neverAutoMailReason,
  rateLimitVerdict,
  validateAutoMailLimits,
  type AutoMailLimits,
} from '../../src/outbound/decide-auto-mail';
import { regexSafety } from '../../src/regex/regex-safety';

const MINUTE = 60_000;
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

/** `count` send times, `minutesAgo` before NOW (the same instant: what matters is where they fall). */
function sent(count: number, minutesAgo: number): number[] {
  return Array.from({ length: count }, () => NOW - minutesAgo * MINUTE);
}

function limitsOf(value: unknown): AutoMailLimits {
  const result = validateAutoMailLimits(value);
  if ('error' in result) throw new Error(result.error);
  return result.limits;
}

function errorOf(value: unknown): string {
  const result = validateAutoMailLimits(value);
  if (!('error' in result)) throw new Error(`expected an error for ${JSON.stringify(value)}`);
  return result.error;
}

describe('DEFAULT_AUTO_MAIL_LIMITS', () => {
  it('are Zammad’s rate limits and a 300-per-hour breaker', () => {
    expect(DEFAULT_AUTO_MAIL_LIMITS.perTicketRecipient.map((w) => [w.minutes, w.max])).toEqual([
      [10, 10],
      [30, 15],
      [60, 25],
      [180, 50],
      [600, 100],
    ]);
    expect(DEFAULT_AUTO_MAIL_LIMITS.perRecipient.map((w) => [w.minutes, w.max])).toEqual([
      [10, 30],
      [30, 60],
      [60, 120],
      [180, 240],
      [600, 360],
    ]);
    expect(DEFAULT_AUTO_MAIL_LIMITS.mailboxBreaker).toEqual({ minutes: 60, max: 300 });
    expect(longestWindowMinutes(DEFAULT_AUTO_MAIL_LIMITS)).toBe(600);
  });

  it('cannot be changed by a caller, and validation hands out a copy', () => {
    expect(Object.isFrozen(DEFAULT_AUTO_MAIL_LIMITS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_AUTO_MAIL_LIMITS.perRecipient)).toBe(true);
    expect(Object.isFrozen(DEFAULT_AUTO_MAIL_LIMITS.perRecipient[0])).toBe(true);
    const copy = limitsOf(undefined);
    copy.perRecipient[0].max = 1;
    copy.mailboxBreaker.max = 1;
    expect(DEFAULT_AUTO_MAIL_LIMITS.perRecipient[0].max).toBe(30);
    expect(DEFAULT_AUTO_MAIL_LIMITS.mailboxBreaker.max).toBe(300);
  });
});

describe('validateAutoMailLimits', () => {
  it('falls back to the defaults for a missing setting and for missing keys', () => {
    expect(limitsOf(undefined)).toEqual(DEFAULT_AUTO_MAIL_LIMITS);
    expect(limitsOf(null)).toEqual(DEFAULT_AUTO_MAIL_LIMITS);
    expect(limitsOf({})).toEqual(DEFAULT_AUTO_MAIL_LIMITS);
    const onlyBreaker = limitsOf({ mailboxBreaker: { minutes: 30, max: 50 } });
    expect(onlyBreaker.mailboxBreaker).toEqual({ minutes: 30, max: 50 });
    expect(onlyBreaker.perTicketRecipient).toEqual(DEFAULT_AUTO_MAIL_LIMITS.perTicketRecipient);
    expect(onlyBreaker.perRecipient).toEqual(DEFAULT_AUTO_MAIL_LIMITS.perRecipient);
    // Half a breaker keeps the other half of the default.
    expect(limitsOf({ mailboxBreaker: { max: 500 } }).mailboxBreaker).toEqual({ minutes: 60, max: 500 });
    expect(limitsOf({ perRecipient: undefined }).perRecipient).toEqual(DEFAULT_AUTO_MAIL_LIMITS.perRecipient);
  });

  it('replaces a list as a whole and sorts it shortest window first', () => {
    const limits = limitsOf({
      perRecipient: [
        { minutes: 1440, max: 20 },
        { minutes: 60, max: 5 },
      ],
    });
    expect(limits.perRecipient).toEqual([
      { minutes: 60, max: 5 },
      { minutes: 1440, max: 20 },
    ]);
    expect(longestWindowMinutes(limits)).toBe(1440);
  });

  it('names the setting and says what would be accepted', () => {
    expect(
      errorOf({
        perRecipient: [
          { minutes: 10, max: 30 },
          { minutes: 30, max: 0 },
        ],
      })
    ).toBe('autoMailLimits.perRecipient[1].max must be a whole number ≥ 1 (got 0)');
    expect(errorOf({ perRecipient: [{ minutes: 10, max: 2.5 }] })).toBe(
      'autoMailLimits.perRecipient[0].max must be a whole number ≥ 1 (got 2.5)'
    );
    expect(errorOf({ perTicketRecipient: [{ minutes: '10', max: 3 }] })).toBe(
      `autoMailLimits.perTicketRecipient[0].minutes must be a whole number from 1 to ${MAX_WINDOW_MINUTES} (got "10")`
    );
    expect(errorOf({ perTicketRecipient: [{ minutes: MAX_WINDOW_MINUTES + 1, max: 3 }] })).toMatch(
      /^autoMailLimits\.perTicketRecipient\[0\]\.minutes must be a whole number from 1 to 43200/
    );
    expect(errorOf({ perTicketRecipient: [{ minutes: 10 }] })).toBe(
      'autoMailLimits.perTicketRecipient[0].max is missing (a window needs both, e.g. { "minutes": 10, "max": 30 })'
    );
    expect(errorOf({ perTicketRecipient: [{ minutes: 10, max: 3, per: 'day' }] })).toBe(
      'autoMailLimits.perTicketRecipient[0].per is not a setting (a window has "minutes" and "max")'
    );
    expect(errorOf({ perTicketRecipient: [5] })).toBe(
      'autoMailLimits.perTicketRecipient[0] must be an object such as { "minutes": 10, "max": 30 }'
    );
    expect(errorOf({ perRecipient: { 10: 30 } })).toBe(
      'autoMailLimits.perRecipient must be a list of windows such as [{ "minutes": 10, "max": 30 }]'
    );
    expect(errorOf({ perRecipient: [] })).toBe(
      'autoMailLimits.perRecipient must list at least one window, e.g. [{ "minutes": 10, "max": 30 }]'
    );
    expect(
      errorOf({
        perRecipient: [
          { minutes: 10, max: 3 },
          { minutes: 10, max: 5 },
        ],
      })
    ).toBe(
      'autoMailLimits.perRecipient[1].minutes: a 10-minute window is already given at autoMailLimits.perRecipient[0]'
    );
    expect(
      errorOf({ perRecipient: Array.from({ length: 21 }, (_, i) => ({ minutes: i + 1, max: 1 })) })
    ).toBe('autoMailLimits.perRecipient may list at most 20 windows');
    expect(errorOf({ mailboxBreaker: { minutes: 60, max: -1 } })).toBe(
      'autoMailLimits.mailboxBreaker.max must be a whole number ≥ 1 (got -1)'
    );
    expect(errorOf({ mailboxBreaker: 300 })).toBe(
      'autoMailLimits.mailboxBreaker must be an object such as { "minutes": 10, "max": 30 }'
    );
    expect(errorOf({ perRecipent: [] })).toBe(
      'autoMailLimits.perRecipent is not a setting (one of perTicketRecipient, perRecipient, mailboxBreaker)'
    );
    expect(errorOf('strict')).toMatch(/^autoMailLimits must be an object with any of perTicketRecipient/);
    expect(errorOf([])).toMatch(/^autoMailLimits must be an object/);
  });

  it('does not read keys from the prototype', () => {
    const sneaky = Object.create({ perRecipient: [] }) as Record<string, unknown>;
    expect(limitsOf(sneaky)).toEqual(DEFAULT_AUTO_MAIL_LIMITS);
  });
});

describe('neverAutoMailReason', () => {
  const own = ['support@example.test', 'Sales@Example.test'];

  it.each([
    'mailer-daemon@example.org',
    'MAILER-DAEMON@example.org',
    'mailer_daemon@example.org',
    'postmaster@example.org',
    'abuse@example.org',
    'noreply@github.com',
    'no-reply@accounts.google.com',
    'no_reply@example.org',
    'no.reply@example.org',
    'do-not-reply@example.org',
    'donotreply@example.org',
    'DoNotReply@example.org',
    'bounce@example.org',
    'bounces+b0123456789abcdef01234567@example.org',
    'noreply-billing@example.org',
    // The documented edge: the pattern is a prefix, as Zammad's. A person named this way gets no acknowledgement.
    'noreplyfan@example.org',
    'abusedesk@example.org',
  ])('refuses the system or no-reply address %s', (address) => {
    expect(neverAutoMailReason(address, own)).toBe(
      `${address.toLowerCase()} is a system or no-reply address`
    );
  });

  it.each([
    'jane.noreply@example.org',
    'jane-noreply@example.org',
    'my-postmaster@example.org',
    'reply@example.org',
    'no@example.org',
    'jane@noreply.example.org',
    'jane@example.org',
  ])('lets %s through (the pattern anchors at the start of the local part)', (address) => {
    expect(neverAutoMailReason(address, own)).toBeNull();
  });

  it('refuses mailing-list robots', () => {
    expect(neverAutoMailReason('owner-users@lists.example.org', own)).toBe(
      'owner-users@lists.example.org is a mailing-list robot'
    );
    expect(neverAutoMailReason('users-request@lists.example.org', own)).toBe(
      'users-request@lists.example.org is a mailing-list robot'
    );
    expect(neverAutoMailReason('request@example.org', own)).toBeNull();
  });

  it('refuses our own addresses, with or without a +tag, in any case', () => {
    expect(neverAutoMailReason('support@example.test', own)).toBe(
      'support@example.test is one of our own addresses'
    );
    expect(neverAutoMailReason('SUPPORT+t12.abcdefghijklmnop@Example.TEST', own)).toBe(
      'support+t12.abcdefghijklmnop@example.test is one of our own addresses'
    );
    expect(neverAutoMailReason('sales@example.test', own)).toMatch(/own addresses/);
    // A +tag on the configured address is ignored too.
    expect(neverAutoMailReason('help@example.test', ['help+imap@example.test'])).toMatch(/own addresses/);
    expect(neverAutoMailReason('support@other.test', own)).toBeNull();
    expect(neverAutoMailReason('supporter@example.test', own)).toBeNull();
  });

  it('reads an address in angle brackets, and refuses what is not an address', () => {
    expect(neverAutoMailReason('Robot <noreply@example.org>', own)).toBe(
      'noreply@example.org is a system or no-reply address'
    );
    expect(neverAutoMailReason('Jane <jane@example.org>', own)).toBeNull();
    expect(neverAutoMailReason('', own)).toBe('"" is not an email address');
    expect(neverAutoMailReason('jane', own)).toBe('"jane" is not an email address');
    expect(neverAutoMailReason('a b@example.org', own)).toMatch(/is not an email address/);
    expect(neverAutoMailReason('jane@@example.org', own)).toMatch(/is not an email address/);
  });
});

describe('rateLimitVerdict', () => {
  const limits = DEFAULT_AUTO_MAIL_LIMITS;
  const verdict = (ticketTimes: number[], recipientTimes: number[] = ticketTimes) =>
    rateLimitVerdict({ now: NOW, recipient: 'Jane@Example.org', ticketTimes, recipientTimes, limits });

  it('lets mail through below every window', () => {
    expect(verdict([])).toEqual({ limited: false });
    expect(verdict(sent(9, 1))).toEqual({ limited: false });
  });

  it('stops at max inside the 10-minute window of the ticket', () => {
    const result = verdict(sent(10, 1));
    expect(result).toEqual({
      limited: true,
      reason: 'rate limit: 10 automatic mails to jane@example.org in 10 min on this ticket',
      window: { minutes: 10, max: 10 },
      scope: 'ticket',
    });
  });

  it.each(DEFAULT_AUTO_MAIL_LIMITS.perTicketRecipient.map((w) => [w.minutes, w.max] as const))(
    'ticket window %i min / %i: full just inside the boundary, empty exactly at it and just outside',
    (minutes, max) => {
      const justInside = NOW - minutes * MINUTE + 1;
      const atBoundary = NOW - minutes * MINUTE;
      const justOutside = NOW - minutes * MINUTE - 1;
      const inside = verdict(
        Array.from({ length: max }, () => justInside),
        []
      );
      expect(inside).toMatchObject({ limited: true, scope: 'ticket', window: { minutes, max } });
      // One short of max is still fine.
      expect(
        verdict(
          Array.from({ length: max - 1 }, () => justInside),
          []
        )
      ).toMatchObject({
        limited: false,
      });
      // A mail sent exactly `minutes` ago has left the window (half-open, as Zammad's `created_at > minutes.ago`);
      // every wider default window allows more, so nothing is limited.
      expect(
        verdict(
          Array.from({ length: max }, () => atBoundary),
          []
        )
      ).toEqual({ limited: false });
      expect(
        verdict(
          Array.from({ length: max }, () => justOutside),
          []
        )
      ).toEqual({ limited: false });
    }
  );

  it.each(DEFAULT_AUTO_MAIL_LIMITS.perRecipient.map((w) => [w.minutes, w.max] as const))(
    'recipient window %i min / %i over all tickets, at and around the boundary',
    (minutes, max) => {
      const times = (offsetMs: number) =>
        Array.from({ length: max }, () => NOW - minutes * MINUTE + offsetMs);
      expect(verdict([], times(1))).toMatchObject({
        limited: true,
        scope: 'recipient',
        window: { minutes, max },
      });
      expect(verdict([], times(0))).toEqual({ limited: false });
      expect(verdict([], times(-1))).toEqual({ limited: false });
    }
  );

  it('finds a wider window full when the narrow ones are not', () => {
    // 15 mails spread 20–29 minutes ago: outside 10 min, inside 30 min (max 15).
    const times = Array.from({ length: 15 }, (_, i) => NOW - (20 + i * 0.5) * MINUTE);
    expect(verdict(times, [])).toMatchObject({
      limited: true,
      window: { minutes: 30, max: 15 },
      reason: 'rate limit: 15 automatic mails to jane@example.org in 30 min on this ticket',
    });
    // 100 mails 9 hours ago: only the 10-hour window (600 min, max 100) holds them.
    expect(verdict(sent(100, 540), [])).toMatchObject({
      limited: true,
      window: { minutes: 600, max: 100 },
      reason: 'rate limit: 100 automatic mails to jane@example.org in 10 h on this ticket',
    });
  });

  it('names the recipient scope over all tickets', () => {
    expect(verdict(sent(3, 1), sent(30, 5))).toEqual({
      limited: true,
      reason: 'rate limit: 30 automatic mails to jane@example.org in 10 min over all tickets',
      window: { minutes: 10, max: 30 },
      scope: 'recipient',
    });
    expect(verdict([], sent(240, 170))).toMatchObject({
      reason: 'rate limit: 240 automatic mails to jane@example.org in 3 h over all tickets',
    });
  });

  it('checks the ticket first, and counts future times (a clock ahead) but not garbage', () => {
    expect(verdict(sent(10, 1), sent(30, 1))).toMatchObject({ scope: 'ticket' });
    expect(verdict(sent(10, -5), [])).toMatchObject({ limited: true, scope: 'ticket' });
    expect(verdict([...sent(9, 1), Number.NaN, Number.POSITIVE_INFINITY], [])).toEqual({ limited: false });
  });

  it('reads custom limits given in any order', () => {
    const custom: AutoMailLimits = {
      perTicketRecipient: [
        { minutes: 60, max: 3 },
        { minutes: 5, max: 1 },
      ],
      perRecipient: [{ minutes: 60, max: 10 }],
      mailboxBreaker: { minutes: 60, max: 100 },
    };
    expect(
      rateLimitVerdict({
        now: NOW,
        recipient: 'a@b.test',
        ticketTimes: sent(1, 1),
        recipientTimes: [],
        limits: custom,
      })
    ).toMatchObject({
      window: { minutes: 5, max: 1 },
      reason: 'rate limit: 1 automatic mails to a@b.test in 5 min on this ticket',
    });
  });
});

describe('breakerVerdict', () => {
  const limits = DEFAULT_AUTO_MAIL_LIMITS;

  it('lets max mails through in the window and trips on the next', () => {
    expect(breakerVerdict({ now: NOW, mailboxTimes: sent(299, 1), limits })).toEqual({
      tripped: false,
      reason: null,
    });
    expect(breakerVerdict({ now: NOW, mailboxTimes: sent(300, 1), limits })).toEqual({
      tripped: true,
      reason:
        'circuit breaker: 300 automatic mails from this mailbox in 60 min (limit 300); automatic mail is paused',
    });
  });

  it('counts a mail just inside the window, not one exactly at its start or before', () => {
    const at = (offsetMs: number) => Array.from({ length: 300 }, () => NOW - 60 * MINUTE + offsetMs);
    expect(breakerVerdict({ now: NOW, mailboxTimes: at(1), limits }).tripped).toBe(true);
    expect(breakerVerdict({ now: NOW, mailboxTimes: at(0), limits }).tripped).toBe(false);
    expect(breakerVerdict({ now: NOW, mailboxTimes: at(-1), limits }).tripped).toBe(false);
  });

  it('follows custom limits', () => {
    const custom = limitsOf({ mailboxBreaker: { minutes: 180, max: 5 } });
    expect(breakerVerdict({ now: NOW, mailboxTimes: sent(5, 170), limits: custom })).toEqual({
      tripped: true,
      reason:
        'circuit breaker: 5 automatic mails from this mailbox in 3 h (limit 5); automatic mail is paused',
    });
    expect(longestWindowMinutes(limitsOf({ mailboxBreaker: { minutes: 720, max: 5 } }))).toBe(720);
  });
});

describe('patterns', () => {
  it('are all linear', () => {
    for (const pattern of GUARD_PATTERNS) {
      expect(regexSafety(pattern.source, pattern.flags), pattern.source).toBe('safe');
    }
  });

  it('stay fast on a hostile address', () => {
    const hostile = `noreply${'-'.repeat(100_000)}`;
    const started = performance.now();
    expect(neverAutoMailReason(hostile, ['x@y.test'])).toMatch(/not an email address/);
    expect(neverAutoMailReason(`${'a-'.repeat(200)}@example.org`, [])).toBeNull();
    expect(performance.now() - started).toBeLessThan(200);
  });
});
