/**
 * The plugin's settings, their defaults and the validator Strapi runs at boot. Site owners set these under
 * `'email-piping': { config: { ... } }` in their app's `config/plugins`.
 */
import os from 'node:os';
import path from 'node:path';
import { validate as validateCron } from 'node-cron';
import { parseEncryptionKey } from '../src/crypto/secrets';
import { DEFAULT_PARSE_POOL } from '../src/ingest/parse-pool';
import {
  DEFAULT_AUTO_MAIL_LIMITS,
  validateAutoMailLimits,
  type AutoMailLimits,
} from '../src/outbound/decide-auto-mail';

export interface PluginConfig {
  /** 32-byte key (base64 or hex) that encrypts mailbox passwords at rest. Without it no password can be stored. */
  encryptionKey?: string;
  /** Start the import schedules and push watchers when Strapi boots. Tests and one-off scripts turn it off. */
  autoStart: boolean;
  /** Messages larger than this (bytes, as the IMAP server reports them) are quarantined without being downloaded. */
  maxMessageBytes: number;
  /**
   * Parsing runs in worker processes so no mail can hold or crash Strapi (see src/ingest/parse-pool.ts): how many
   * (1–4), how long one message may take (ms; past it the worker is replaced and the mail quarantined) and how
   * much heap a worker may use (MB; likewise).
   */
  parseWorkers: number;
  parseTimeoutMs: number;
  parseMemoryMb: number;
  /** Cron expression a new mailbox gets when none is given. */
  defaultSchedule: string;
  /**
   * How often (seconds) each instance re-reads the mailboxes to follow a mailbox created, changed, disabled or
   * deleted on another instance (src/ingest/mailbox-feed.ts). Changes made on this instance apply at once.
   */
  scheduleSyncSeconds: number;
  /** Where messages and attachments are spooled while they are imported. */
  spoolDir: string;
  /** First wait after a connection failure; doubles on each further failure up to `retryMaxSeconds`. */
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** IMAP connect / greeting / socket timeout. */
  imapTimeoutMs: number;
  /**
   * Push (IMAP IDLE, mailboxes with `push` on): how often the IDLE is renewed (RFC 2177 asks for at most 29 minutes,
   * so at most 1740), and after how long a quiet connection is probed with a NOOP (unanswered for as long again:
   * the connection counts as dead and is re-established with back-off; the schedule imports meanwhile).
   */
  pushRenewSeconds: number;
  pushKeepaliveSeconds: number;
  /**
   * Secret that signs reply tokens (Reply-To addresses, Message-IDs). When unset it is derived from `encryptionKey`;
   * set it separately to rotate one without the other.
   */
  replySecret?: string;
  /** Public URL of the Strapi admin, for ticket links in agent notifications (e.g. https://cms.example.com/admin). */
  adminUrl?: string;
  /** Site name used in notifications. */
  siteName: string;
  /** How often the outbox looks for mail to send, in milliseconds. */
  outboxPollMs: number;
  /** First retry after a temporary SMTP failure; doubles on each further failure up to `outboxRetryMaxSeconds`. */
  outboxRetryBaseSeconds: number;
  outboxRetryMaxSeconds: number;
  /** After this many failed attempts a mail is marked failed for good. */
  outboxMaxAttempts: number;
  /**
   * How long a sender may hold a mail it is delivering. A sender that crashed mid-delivery leaves its claim behind;
   * after this long another (or the restarted) sender takes the mail over.
   */
  outboxLeaseSeconds: number;
  /**
   * How long an instance holds a mailbox's importer lease without renewing it (renewed every third of it). An
   * instance that dies leaves its mailboxes to the others after about this long; at least 3 seconds.
   */
  importerLeaseSeconds: number;
  /** A sender whose mail a mailbox refuses is answered at most once per this many hours (if answers are on). */
  refusedMailAnswerHours: number;
  /** Start the outbox sender when Strapi boots (tests that simulate a crash before sending turn it off). */
  outboxAutoStart: boolean;
  /** An address that bounced for good (5.x.x) gets no mail for this many days (Zammad uses 60). */
  bounceSuppressionDays: number;
  /** An unmonitored mailbox answers a sender at most once per this many hours (Sieve vacation's default: 7 days). */
  unmonitoredAnswerHours: number;
  /**
   * Limits on automatic mail (acknowledgements, notifications, one-time answers), as {minutes, max} windows: per
   * recipient and ticket, per recipient overall, and the per-mailbox circuit breaker that pauses automatic mail and
   * alerts the admins when tripped. Missing keys keep their defaults.
   */
  autoMailLimits: AutoMailLimits;
  /**
   * DNS lookups of sender authentication (DKIM keys, DMARC policies), `(name, rrtype) => records` like Node's
   * `dns.promises.resolve`. Unset: the system's DNS. Tests and offline demos pass a local table.
   */
  dnsResolver?: (name: string, rrtype: string) => Promise<unknown>;
}

export const defaultConfig: PluginConfig = {
  encryptionKey: undefined,
  autoStart: true,
  maxMessageBytes: 25 * 1024 * 1024,
  parseWorkers: DEFAULT_PARSE_POOL.workers,
  parseTimeoutMs: DEFAULT_PARSE_POOL.timeoutMs,
  parseMemoryMb: DEFAULT_PARSE_POOL.memoryMb,
  defaultSchedule: '* * * * *',
  scheduleSyncSeconds: 5,
  spoolDir: path.join(os.tmpdir(), 'strapi-email-piping'),
  retryBaseSeconds: 60,
  retryMaxSeconds: 3600,
  imapTimeoutMs: 30_000,
  pushRenewSeconds: 25 * 60,
  pushKeepaliveSeconds: 120,
  replySecret: undefined,
  adminUrl: undefined,
  siteName: 'Support',
  outboxPollMs: 5_000,
  outboxRetryBaseSeconds: 60,
  outboxRetryMaxSeconds: 3600,
  outboxMaxAttempts: 8,
  outboxLeaseSeconds: 120,
  importerLeaseSeconds: 30,
  refusedMailAnswerHours: 24,
  outboxAutoStart: true,
  bounceSuppressionDays: 60,
  unmonitoredAnswerHours: 168,
  autoMailLimits: DEFAULT_AUTO_MAIL_LIMITS,
};

const prefix = 'email-piping config:';

function positiveInteger(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${prefix} "${name}" must be a positive whole number, got ${JSON.stringify(value)}`);
  }
}

/** Throws an error a site owner can act on for the first bad setting it finds. */
export function validateConfig(config: Partial<PluginConfig>): void {
  const merged = { ...defaultConfig, ...config };
  if (merged.encryptionKey !== undefined && merged.encryptionKey !== null && merged.encryptionKey !== '') {
    try {
      parseEncryptionKey(merged.encryptionKey);
    } catch (error) {
      throw new Error(`${prefix} "encryptionKey": ${(error as Error).message}`);
    }
  }
  if (typeof merged.autoStart !== 'boolean') throw new Error(`${prefix} "autoStart" must be true or false`);
  positiveInteger(merged.maxMessageBytes, 'maxMessageBytes');
  positiveInteger(merged.parseWorkers, 'parseWorkers');
  if (merged.parseWorkers > 4)
    throw new Error(`${prefix} "parseWorkers" must be 1 to 4 (one per spare core)`);
  positiveInteger(merged.parseTimeoutMs, 'parseTimeoutMs');
  positiveInteger(merged.parseMemoryMb, 'parseMemoryMb');
  if (merged.parseMemoryMb < 64) throw new Error(`${prefix} "parseMemoryMb" must be at least 64 (MB)`);
  positiveInteger(merged.retryBaseSeconds, 'retryBaseSeconds');
  positiveInteger(merged.retryMaxSeconds, 'retryMaxSeconds');
  positiveInteger(merged.imapTimeoutMs, 'imapTimeoutMs');
  positiveInteger(merged.scheduleSyncSeconds, 'scheduleSyncSeconds');
  if (merged.scheduleSyncSeconds > 3600)
    throw new Error(
      `${prefix} "scheduleSyncSeconds" must be at most 3600 (an hour): other instances would follow a mailbox change that late`
    );
  positiveInteger(merged.pushRenewSeconds, 'pushRenewSeconds');
  if (merged.pushRenewSeconds > 1740)
    throw new Error(
      `${prefix} "pushRenewSeconds" must be at most 1740 (29 minutes: IMAP servers may end an IDLE after 30, RFC 2177)`
    );
  positiveInteger(merged.pushKeepaliveSeconds, 'pushKeepaliveSeconds');
  positiveInteger(merged.outboxPollMs, 'outboxPollMs');
  positiveInteger(merged.outboxRetryBaseSeconds, 'outboxRetryBaseSeconds');
  positiveInteger(merged.outboxRetryMaxSeconds, 'outboxRetryMaxSeconds');
  positiveInteger(merged.outboxMaxAttempts, 'outboxMaxAttempts');
  positiveInteger(merged.outboxLeaseSeconds, 'outboxLeaseSeconds');
  positiveInteger(merged.importerLeaseSeconds, 'importerLeaseSeconds');
  if (merged.importerLeaseSeconds < 3)
    throw new Error(
      `${prefix} "importerLeaseSeconds" must be at least 3 (seconds): it is renewed every third of it, and a shorter lease is lost to any pause`
    );
  positiveInteger(merged.refusedMailAnswerHours, 'refusedMailAnswerHours');
  positiveInteger(merged.bounceSuppressionDays, 'bounceSuppressionDays');
  positiveInteger(merged.unmonitoredAnswerHours, 'unmonitoredAnswerHours');
  const limits = validateAutoMailLimits(merged.autoMailLimits);
  if ('error' in limits) throw new Error(`${prefix} ${limits.error}`);
  if (
    merged.dnsResolver !== undefined &&
    merged.dnsResolver !== null &&
    typeof merged.dnsResolver !== 'function'
  ) {
    throw new Error(`${prefix} "dnsResolver" must be a function (name, rrtype) => Promise of records`);
  }
  if (typeof merged.outboxAutoStart !== 'boolean')
    throw new Error(`${prefix} "outboxAutoStart" must be true or false`);
  if (merged.replySecret !== undefined && merged.replySecret !== null && merged.replySecret !== '') {
    if (typeof merged.replySecret !== 'string' || merged.replySecret.length < 32) {
      throw new Error(`${prefix} "replySecret" must be at least 32 characters of random text`);
    }
  }
  if (merged.adminUrl !== undefined && merged.adminUrl !== null && merged.adminUrl !== '') {
    if (typeof merged.adminUrl !== 'string' || !/^https?:\/\/[^\s]+$/.test(merged.adminUrl)) {
      throw new Error(`${prefix} "adminUrl" must be an http(s) URL such as https://cms.example.com/admin`);
    }
  }
  if (typeof merged.siteName !== 'string' || merged.siteName.trim() === '') {
    throw new Error(`${prefix} "siteName" must be a non-empty text`);
  }
  if (merged.retryMaxSeconds < merged.retryBaseSeconds) {
    throw new Error(`${prefix} "retryMaxSeconds" must not be smaller than "retryBaseSeconds"`);
  }
  if (typeof merged.defaultSchedule !== 'string' || !validateCron(merged.defaultSchedule)) {
    throw new Error(
      `${prefix} "defaultSchedule" is not a valid cron expression: ${JSON.stringify(merged.defaultSchedule)} (example: "*/5 * * * *" for every five minutes)`
    );
  }
  if (typeof merged.spoolDir !== 'string' || !path.isAbsolute(merged.spoolDir)) {
    throw new Error(`${prefix} "spoolDir" must be an absolute path, got ${JSON.stringify(merged.spoolDir)}`);
  }
}

export default {
  default: () => defaultConfig,
  validator: (config: Partial<PluginConfig>) => validateConfig(config),
};
