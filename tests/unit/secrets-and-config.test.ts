import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultConfig, validateConfig } from '../../config';
import { createSecretBox, parseEncryptionKey } from '../../src/crypto/secrets';

const KEY = crypto.randomBytes(32).toString('base64');

describe('secret box', () => {
  it('round-trips a password and never stores it in the clear', () => {
    const box = createSecretBox(KEY)!;
    const sealed = box.encrypt('hunter2-ünïcödé');
    expect(sealed).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
    expect(sealed).not.toContain('hunter2');
    expect(box.decrypt(sealed)).toBe('hunter2-ünïcödé');
  });

  it('uses a fresh IV each time', () => {
    const box = createSecretBox(KEY)!;
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('refuses a tampered value and explains a changed key', () => {
    const box = createSecretBox(KEY)!;
    const sealed = box.encrypt('secret');
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3], 'base64');
    body[0] ^= 1;
    parts[3] = body.toString('base64');
    expect(() => box.decrypt(parts.join(':'))).toThrow(/cannot be decrypted/);
    const other = createSecretBox(crypto.randomBytes(32).toString('hex'))!;
    expect(() => other.decrypt(sealed)).toThrow(/encryption key changed/);
    expect(() => box.decrypt('plain-text')).toThrow(/not in a format/);
  });

  it('fails closed without a key', () => {
    expect(createSecretBox(undefined)).toBeNull();
    expect(createSecretBox('')).toBeNull();
  });

  it('accepts 32 bytes as base64 or hex and nothing else', () => {
    expect(parseEncryptionKey(KEY)).toHaveLength(32);
    expect(parseEncryptionKey(crypto.randomBytes(32).toString('hex'))).toHaveLength(32);
    expect(() => parseEncryptionKey('short')).toThrow(/32 random bytes/);
    expect(() => parseEncryptionKey(crypto.randomBytes(16).toString('base64'))).toThrow(/32 random bytes/);
  });
});

describe('plugin config validator', () => {
  it('accepts the defaults', () => {
    expect(() => validateConfig({})).not.toThrow();
    expect(defaultConfig.maxMessageBytes).toBe(25 * 1024 * 1024);
  });

  it.each([
    [{ encryptionKey: 'not-a-key' }, /"encryptionKey": the encryption key must be 32 random bytes/],
    [{ maxMessageBytes: 0 }, /"maxMessageBytes" must be a positive whole number/],
    [{ defaultSchedule: 'hourly' }, /"defaultSchedule" is not a valid cron expression/],
    [{ spoolDir: 'relative/dir' }, /"spoolDir" must be an absolute path/],
    [{ retryBaseSeconds: 600, retryMaxSeconds: 60 }, /"retryMaxSeconds" must not be smaller/],
    [{ autoStart: 'yes' as unknown as boolean }, /"autoStart" must be true or false/],
    [{ scheduleSyncSeconds: 0.5 }, /"scheduleSyncSeconds" must be a positive whole number, got 0.5/],
    [{ scheduleSyncSeconds: 86_400 }, /"scheduleSyncSeconds" must be at most 3600/],
    [{ pushRenewSeconds: 1800 }, /"pushRenewSeconds" must be at most 1740 \(29 minutes/],
    [{ pushKeepaliveSeconds: 0 }, /"pushKeepaliveSeconds" must be a positive whole number/],
  ])('refuses %j with a message a site owner can act on', (config, message) => {
    expect(() => validateConfig(config)).toThrow(message);
  });
});
