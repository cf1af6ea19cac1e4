/**
 * The last word on whether an automatic mail (acknowledgement, notification, one-time answer) may go out: addresses
 * that never get one, rate limits per recipient, and a circuit breaker per mailbox (email standards guide, §2).
 *
 * A loop between two robots, or forged mail that names a victim as sender, turns a help desk into a mail bomb; every
 * inbound check can be fooled by a robot that sets no headers, so the outbound side counts what it sends and stops.
 *
 * Pure on purpose: the caller loads the send times of earlier automatic mails (as far back as
 * {@link longestWindowMinutes}) and passes the clock in; nothing here reads a database or the time.
 *
 * Windows are half open: a mail sent `minutes` ago or earlier has left the window, one sent later is inside it (as
 * Zammad's `created_at > minutes.ago`). Send times in the future (a clock that was ahead) count as inside: a mail that
 * went out is never forgotten because of a clock.
 */
import { SUBADDRESS_TAG, withoutSubaddress } from '../mail/tokens';

export interface RateWindow {
  minutes: number;
  max: number;
}

export interface AutoMailLimits {
  /** per recipient per ticket, Zammad's defaults {10:10, 30:15, 60:25, 180:50, 600:100} */
  perTicketRecipient: RateWindow[];
  /** per recipient over all tickets {10:30, 30:60, 60:120, 180:240, 600:360} */
  perRecipient: RateWindow[];
  /** circuit breaker per mailbox: more than `max` automatic mails in `minutes` pauses automatic mail (default 60 min / 300) */
  mailboxBreaker: RateWindow;
}

const windows = (pairs: Array<[number, number]>): RateWindow[] =>
  pairs.map(([minutes, max]) => Object.freeze({ minutes, max }));

/** Zammad's defaults for the two rate limits; a breaker loose enough for a busy desk, tight enough to stop a loop. */
export const DEFAULT_AUTO_MAIL_LIMITS: AutoMailLimits = Object.freeze({
  perTicketRecipient: Object.freeze(
    windows([
      [10, 10],
      [30, 15],
      [60, 25],
      [180, 50],
      [600, 100],
    ])
  ) as RateWindow[],
  perRecipient: Object.freeze(
    windows([
      [10, 30],
      [30, 60],
      [60, 120],
      [180, 240],
      [600, 360],
    ])
  ) as RateWindow[],
  mailboxBreaker: Object.freeze({ minutes: 60, max: 300 }),
});

/* ------------------------------------------------------------------------------------------------ */
/* Validation (plugin config)                                                                       */
/* ------------------------------------------------------------------------------------------------ */

/**
 * The widest window accepted: 30 days. The caller loads every send time inside the widest window, so an unbounded
 * one would load the whole history on every send.
 */
export const MAX_WINDOW_MINUTES = 30 * 24 * 60;
/** More windows than this per limit add nothing but work per send. */
export const MAX_WINDOWS = 20;

const PREFIX = 'autoMailLimits';
const LIST_KEYS = ['perTicketRecipient', 'perRecipient'] as const;
const KEYS: readonly string[] = [...LIST_KEYS, 'mailboxBreaker'];
const EXAMPLE_WINDOW = '{ "minutes": 10, "max": 30 }';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own keys only: `constructor` or `__proto__` must not come from the prototype. */
function has(object: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key) && object[key] !== undefined;
}

class LimitError extends Error {}

function wholeNumber(value: unknown, path: string, upTo?: number): number {
  const ok =
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    value >= 1 &&
    (upTo === undefined || value <= upTo);
  if (!ok) {
    const got = typeof value === 'string' ? `"${value}"` : String(value);
    throw new LimitError(
      upTo === undefined
        ? `${path} must be a whole number ≥ 1 (got ${got})`
        : `${path} must be a whole number from 1 to ${upTo} (got ${got})`
    );
  }
  return value;
}

function rateWindow(value: unknown, path: string, fallback?: RateWindow): RateWindow {
  if (!isPlainObject(value)) throw new LimitError(`${path} must be an object such as ${EXAMPLE_WINDOW}`);
  for (const key of Object.keys(value)) {
    if (key !== 'minutes' && key !== 'max') {
      throw new LimitError(`${path}.${key} is not a setting (a window has "minutes" and "max")`);
    }
  }
  const pick = (key: 'minutes' | 'max'): unknown => {
    if (has(value, key)) return value[key];
    if (fallback) return fallback[key];
    throw new LimitError(`${path}.${key} is missing (a window needs both, e.g. ${EXAMPLE_WINDOW})`);
  };
  return {
    minutes: wholeNumber(pick('minutes'), `${path}.minutes`, MAX_WINDOW_MINUTES),
    max: wholeNumber(pick('max'), `${path}.max`),
  };
}

function windowList(value: unknown, path: string): RateWindow[] {
  if (!Array.isArray(value)) {
    throw new LimitError(`${path} must be a list of windows such as [${EXAMPLE_WINDOW}]`);
  }
  // An empty list would switch the limit off; a loop is exactly when nobody is watching, so it is refused.
  if (value.length === 0)
    throw new LimitError(`${path} must list at least one window, e.g. [${EXAMPLE_WINDOW}]`);
  if (value.length > MAX_WINDOWS) throw new LimitError(`${path} may list at most ${MAX_WINDOWS} windows`);
  const list = value.map((item, index) => rateWindow(item, `${path}[${index}]`));
  list.forEach((window, index) => {
    const first = list.findIndex((other) => other.minutes === window.minutes);
    if (first !== index) {
      throw new LimitError(
        `${path}[${index}].minutes: a ${window.minutes}-minute window is already given at ${path}[${first}]`
      );
    }
  });
  // Shortest first, so a verdict names the tightest window that is full.
  return list.sort((a, b) => a.minutes - b.minutes);
}

function copyLimits(limits: AutoMailLimits): AutoMailLimits {
  return {
    perTicketRecipient: limits.perTicketRecipient.map((w) => ({ ...w })),
    perRecipient: limits.perRecipient.map((w) => ({ ...w })),
    mailboxBreaker: { ...limits.mailboxBreaker },
  };
}

/**
 * The `autoMailLimits` plugin setting, checked: the limits, or one message that names the setting and says what
 * would be accepted (e.g. `autoMailLimits.perRecipient[1].max must be a whole number ≥ 1 (got 0)`). Missing keys
 * (and a missing setting) fall back to {@link DEFAULT_AUTO_MAIL_LIMITS}; so do `minutes` or `max` left out of
 * `mailboxBreaker`. A list replaces the default list as a whole.
 */
export function validateAutoMailLimits(value: unknown): { limits: AutoMailLimits } | { error: string } {
  if (value === undefined || value === null) return { limits: copyLimits(DEFAULT_AUTO_MAIL_LIMITS) };
  if (!isPlainObject(value)) {
    return {
      error: `${PREFIX} must be an object with any of ${KEYS.join(', ')} (leave it out for the defaults)`,
    };
  }
  try {
    for (const key of Object.keys(value)) {
      if (!KEYS.includes(key))
        throw new LimitError(`${PREFIX}.${key} is not a setting (one of ${KEYS.join(', ')})`);
    }
    const limits = copyLimits(DEFAULT_AUTO_MAIL_LIMITS);
    for (const key of LIST_KEYS) {
      if (has(value, key)) limits[key] = windowList(value[key], `${PREFIX}.${key}`);
    }
    if (has(value, 'mailboxBreaker')) {
      limits.mailboxBreaker = rateWindow(
        value.mailboxBreaker,
        `${PREFIX}.mailboxBreaker`,
        DEFAULT_AUTO_MAIL_LIMITS.mailboxBreaker
      );
    }
    return { limits };
  } catch (error) {
    if (error instanceof LimitError) return { error: error.message };
    throw error;
  }
}

/* ------------------------------------------------------------------------------------------------ */
/* Addresses that never get automatic mail                                                          */
/* ------------------------------------------------------------------------------------------------ */

/**
 * Zammad's default block pattern, widened to the spellings classify.ts already recognises (`mailer_daemon`,
 * `no_reply`, `do.not.reply`). Anchored at the start of the local part: `jane.noreply@` is a person.
 *
 * Deliberately a prefix: `noreplyfan@`, `abuse-desk@` and `bounces+x@` match too. A person who picked such a name
 * loses an acknowledgement; a robot we miss costs a loop or a bounce storm. Zammad made the same trade.
 */
const SYSTEM_ADDRESS =
  /^(?:mailer[-_]?daemon|post[-_]?master|abuse|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounce)[^@]*@/i;
/** Mailing-list managers (RFC 2142 and list-server custom): mail to them reaches a robot or a whole list. */
const LIST_ROBOT_ADDRESS = /^(?:owner-[^@]*|[^@]*-request)@/i;
/** `Jane <jane@x>` → `jane@x`: callers sometimes hold a header value rather than a bare address. */
const BRACKETED_ADDRESS = /<([^<>]*)>/;
const BARE_ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/**
 * Why `address` must never get automatic mail, or null when it may. Refused: anything that is not an address, the
 * system and no-reply addresses above, list robots, and our own addresses (compared without `+tag` and case, so a
 * reply address `support+t12.x@` is ours too).
 */
export function neverAutoMailReason(address: string, ownAddresses: readonly string[]): string | null {
  const raw = typeof address === 'string' ? address.slice(0, 512) : '';
  const bracketed = BRACKETED_ADDRESS.exec(raw);
  const bare = (bracketed ? bracketed[1] : raw).trim().toLowerCase();
  if (!BARE_ADDRESS.test(bare)) return `"${raw.trim()}" is not an email address`;
  if (SYSTEM_ADDRESS.test(bare)) return `${bare} is a system or no-reply address`;
  if (LIST_ROBOT_ADDRESS.test(bare)) return `${bare} is a mailing-list robot`;
  const plain = withoutSubaddress(bare);
  const own = ownAddresses.find(
    (candidate) => typeof candidate === 'string' && withoutSubaddress(candidate) === plain
  );
  if (own !== undefined) return `${bare} is one of our own addresses`;
  return null;
}

/* ------------------------------------------------------------------------------------------------ */
/* Rate limits and the circuit breaker                                                              */
/* ------------------------------------------------------------------------------------------------ */

const MINUTE_MS = 60_000;

/** How many of `times` fall inside the window ending at `now`. Non-finite entries (bad rows) are ignored. */
function countInWindow(times: readonly number[], now: number, window: RateWindow): number {
  const start = now - window.minutes * MINUTE_MS;
  let count = 0;
  for (const time of times) {
    if (Number.isFinite(time) && time > start) count++;
  }
  return count;
}

/** `10 min`, `90 min`, `3 h`, `10 h`: whole hours read better from two hours up. */
function duration(minutes: number): string {
  return minutes >= 120 && minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

/**
 * Given the send times (ms epoch) of earlier automatic mails — `recipientTimes` to this recipient over all tickets,
 * `ticketTimes` to this recipient on this ticket — the first window that is full (count >= max), with a reason like
 * "rate limit: 10 automatic mails to jane@x in 10 min on this ticket", or null. Ticket windows are checked first,
 * each list shortest window first.
 */
export function rateLimitVerdict(input: {
  now: number;
  recipient: string;
  recipientTimes: readonly number[];
  ticketTimes: readonly number[];
  limits: AutoMailLimits;
}):
  { limited: true; reason: string; window: RateWindow; scope: 'ticket' | 'recipient' } | { limited: false } {
  const { now, limits } = input;
  const recipient = typeof input.recipient === 'string' ? input.recipient.trim().toLowerCase() : '';
  const checks = [
    {
      scope: 'ticket' as const,
      times: input.ticketTimes,
      windows: limits.perTicketRecipient,
      where: 'on this ticket',
    },
    {
      scope: 'recipient' as const,
      times: input.recipientTimes,
      windows: limits.perRecipient,
      where: 'over all tickets',
    },
  ];
  for (const { scope, times, windows: list, where } of checks) {
    for (const window of [...list].sort((a, b) => a.minutes - b.minutes)) {
      const count = countInWindow(times, now, window);
      if (count >= window.max) {
        return {
          limited: true,
          reason: `rate limit: ${count} automatic mails to ${recipient} in ${duration(window.minutes)} ${where}`,
          window: { ...window },
          scope,
        };
      }
    }
  }
  return { limited: false };
}

/** The widest window in minutes (how far back the caller must load send times). */
export function longestWindowMinutes(limits: AutoMailLimits): number {
  return Math.max(
    limits.mailboxBreaker.minutes,
    ...limits.perTicketRecipient.map((window) => window.minutes),
    ...limits.perRecipient.map((window) => window.minutes)
  );
}

/**
 * Circuit breaker: trips when `mailboxTimes` (automatic mails of the mailbox) within the breaker window reach max, so
 * at most `max` go out per window and the next one is held. It only reports: pausing the mailbox and alerting the
 * admins is the caller's job (and so is keeping it paused until someone looks, if that is wanted).
 */
export function breakerVerdict(input: {
  now: number;
  mailboxTimes: readonly number[];
  limits: AutoMailLimits;
}): { tripped: boolean; reason: string | null } {
  const window = input.limits.mailboxBreaker;
  const count = countInWindow(input.mailboxTimes, input.now, window);
  if (count < window.max) return { tripped: false, reason: null };
  return {
    tripped: true,
    reason:
      `circuit breaker: ${count} automatic mails from this mailbox in ${duration(window.minutes)} ` +
      `(limit ${window.max}); automatic mail is paused`,
  };
}

/** Every module-level pattern, so a test can prove each one linear with rules.ts's regexSafety. */
export const GUARD_PATTERNS: readonly RegExp[] = [
  SYSTEM_ADDRESS,
  LIST_ROBOT_ADDRESS,
  BRACKETED_ADDRESS,
  BARE_ADDRESS,
  SUBADDRESS_TAG,
];
