/**
 * The plugin's settings, their defaults and the validator Strapi runs at boot. Site owners set these under
 * `'email-piping': { config: { ... } }` in their app's `config/plugins`.
 */
import os from 'node:os';
import path from 'node:path';
import { validate as validateCron } from 'node-cron';
import { parseEncryptionKey } from '../src/crypto/secrets';

export interface PluginConfig {
  /** 32-byte key (base64 or hex) that encrypts mailbox passwords at rest. Without it no password can be stored. */
  encryptionKey?: string;
  /** Start the import schedules when Strapi boots. Tests and one-off scripts turn it off. */
  autoStart: boolean;
  /** Messages larger than this (bytes, as the IMAP server reports them) are quarantined without being downloaded. */
  maxMessageBytes: number;
  /** Cron expression a new mailbox gets when none is given. */
  defaultSchedule: string;
  /** Where messages and attachments are spooled while they are imported. */
  spoolDir: string;
  /** First wait after a connection failure; doubles on each further failure up to `retryMaxSeconds`. */
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** IMAP connect / greeting / socket timeout. */
  imapTimeoutMs: number;
}

export const defaultConfig: PluginConfig = {
  encryptionKey: undefined,
  autoStart: true,
  maxMessageBytes: 25 * 1024 * 1024,
  defaultSchedule: '* * * * *',
  spoolDir: path.join(os.tmpdir(), 'strapi-email-piping'),
  retryBaseSeconds: 60,
  retryMaxSeconds: 3600,
  imapTimeoutMs: 30_000,
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
  positiveInteger(merged.retryBaseSeconds, 'retryBaseSeconds');
  positiveInteger(merged.retryMaxSeconds, 'retryMaxSeconds');
  positiveInteger(merged.imapTimeoutMs, 'imapTimeoutMs');
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
