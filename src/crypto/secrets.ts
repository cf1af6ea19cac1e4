/**
 * Encryption at rest for mailbox secrets (IMAP / SMTP passwords): AES-256-GCM with a key from the environment.
 * Fails closed: without a key nothing is encrypted and the caller must refuse to store the secret.
 */
import crypto from 'node:crypto';

const FORMAT_VERSION = 'v1';
const IV_BYTES = 12;

export class MissingEncryptionKeyError extends Error {
  constructor() {
    super(
      'No encryption key is configured, so the password cannot be stored safely. Set EMAIL_PIPING_ENCRYPTION_KEY ' +
        "(32 random bytes, base64: node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\") " +
        'and pass it as the plugin\'s "encryptionKey" setting.'
    );
    this.name = 'MissingEncryptionKeyError';
  }
}

/** Accepts 32 bytes written as base64 (44 chars) or hex (64 chars). */
export function parseEncryptionKey(key: string): Buffer {
  const trimmed = key.trim();
  let bytes: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) bytes = Buffer.from(trimmed, 'base64');
  if (!bytes || bytes.length !== 32) {
    throw new Error(
      'the encryption key must be 32 random bytes written as base64 (44 characters) or hex (64 characters)'
    );
  }
  return bytes;
}

export interface SecretBox {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

export function createSecretBox(key: string | undefined | null): SecretBox | null {
  if (!key) return null;
  const keyBytes = parseEncryptionKey(key);
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', keyBytes, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [FORMAT_VERSION, iv.toString('base64'), tag.toString('base64'), body.toString('base64')].join(
        ':'
      );
    },
    decrypt(sealed) {
      const [version, iv, tag, body] = sealed.split(':');
      if (version !== FORMAT_VERSION || !iv || !tag || body === undefined) {
        throw new Error('stored secret is not in a format this plugin wrote');
      }
      const decipher = crypto.createDecipheriv('aes-256-gcm', keyBytes, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString(
          'utf8'
        );
      } catch {
        throw new Error('stored secret cannot be decrypted: the encryption key changed since it was saved');
      }
    },
  };
}
