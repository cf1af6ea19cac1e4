/**
 * The IMAP end of the inbound road: open a folder, list what is new above the cursor, stream one message at a time,
 * and apply the after-import action once the database has committed. Knows imapflow, not Strapi.
 */
import type { Readable } from 'node:stream';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { Security } from '../../contracts/mailbox';
import type { AfterImport, MailSource, NewMessage } from './source';

export interface ImapSettings {
  host: string;
  port: number;
  security: Security;
  username: string;
  password: string;
  folder: string;
  timeoutMs: number;
}

export type ImapFailureKind = 'auth' | 'tls' | 'unreachable' | 'timeout' | 'folder' | 'protocol';

/** A connection-level failure, with a reason a site owner can act on. The mailbox's status shows `message`. */
export class ImapConnectionError extends Error {
  constructor(
    readonly kind: ImapFailureKind,
    message: string
  ) {
    super(message);
    this.name = 'ImapConnectionError';
  }
}

export interface ImapFolderSession {
  /** UIDVALIDITY of the open folder, as a decimal string (it is an unsigned 32-bit number). */
  readonly uidValidity: string;
  readonly messageCount: number;
  /** Messages with a UID strictly above `afterUid`, in ascending UID order. */
  listNewMessages(afterUid: number): Promise<NewMessage[]>;
  /** The raw RFC 5322 source of one message as a stream; it must be consumed before the next command. */
  download(uid: number): Promise<Readable>;
  markSeen(uids: number[]): Promise<void>;
  moveTo(uids: number[], folder: string): Promise<void>;
  delete(uids: number[]): Promise<void>;
  close(): Promise<void>;
}

interface ImapLikeError {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
}

function where(settings: ImapSettings): string {
  return `${settings.username}@${settings.host}:${settings.port}`;
}

/** OpenSSL reports read like `8019…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…`; keep the words. */
function readableDetail(detail: string): string {
  const openssl = /SSL routines:[^:]*:([^:]+)/.exec(detail);
  return (openssl ? openssl[1] : detail).split('\n')[0].trim();
}

/** Turns whatever imapflow or the socket threw into one of a few reasons a site owner can act on. */
export function describeImapFailure(error: unknown, settings: ImapSettings): ImapConnectionError {
  if (error instanceof ImapConnectionError) return error;
  const e = (error ?? {}) as ImapLikeError;
  const detail = readableDetail(e.responseText || e.message || String(error));
  const code = e.code ?? '';
  if (
    e.authenticationFailed ||
    code === 'AUTHENTICATIONFAILED' ||
    /authenticat|login|credentials/i.test(detail)
  ) {
    return new ImapConnectionError(
      'auth',
      `IMAP login failed for ${where(settings)}: ${detail} (check the user name and password, or use an app password)`
    );
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'EAI_AGAIN'
  ) {
    return new ImapConnectionError(
      'unreachable',
      `IMAP server ${settings.host}:${settings.port} is unreachable (${code}): check the host name and port`
    );
  }
  if (
    code === 'ETIMEDOUT' ||
    code === 'ETIMEOUT' ||
    code === 'CONNECT_TIMEOUT' ||
    code === 'GREETING_TIMEOUT' ||
    /timed? ?out/i.test(detail)
  ) {
    return new ImapConnectionError(
      'timeout',
      `IMAP server ${settings.host}:${settings.port} did not answer in time (${detail}): check the port and security setting`
    );
  }
  if (/certificate|ssl|tls|self[- ]signed|wrong version number|EPROTO/i.test(`${code} ${detail}`)) {
    return new ImapConnectionError(
      'tls',
      `TLS with ${settings.host}:${settings.port} failed (${detail}): check the security setting (TLS on 993, STARTTLS on 143) and the server certificate`
    );
  }
  return new ImapConnectionError('protocol', `IMAP error on ${where(settings)}: ${detail}`);
}

/** An imapflow client for a mailbox's settings; the push watcher (push-watch.ts) passes its own timeouts. */
export function createClient(settings: ImapSettings, overrides: Partial<ImapFlowOptions> = {}): ImapFlow {
  return new ImapFlow({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    // 'none' must never upgrade silently, 'starttls' must refuse a server that cannot upgrade.
    doSTARTTLS: settings.security === 'starttls' ? true : settings.security === 'none' ? false : undefined,
    auth: { user: settings.username, pass: settings.password },
    logger: false,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: Math.max(settings.timeoutMs, 60_000),
    disableAutoIdle: true,
    ...overrides,
  });
}

/** Connects, logs in and opens the folder for reading and flag changes. Throws ImapConnectionError. */
export async function openFolder(settings: ImapSettings): Promise<ImapFolderSession> {
  const client = createClient(settings);
  // imapflow emits 'error' on socket trouble after connect; without a listener Node would crash the process.
  let lastError: unknown = null;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await client.connect();
  } catch (error) {
    await client.logout().catch(() => undefined);
    client.close();
    throw describeImapFailure(lastError ?? error, settings);
  }
  let lock: { release(): void };
  try {
    lock = await client.getMailboxLock(settings.folder);
  } catch (error) {
    await client.logout().catch(() => undefined);
    throw new ImapConnectionError(
      'folder',
      `IMAP folder "${settings.folder}" cannot be opened on ${where(settings)}: ${(error as ImapLikeError).responseText || (error as Error).message}`
    );
  }
  const mailbox = client.mailbox;
  if (!mailbox) throw new ImapConnectionError('folder', `IMAP folder "${settings.folder}" did not open`);

  const guard = async <T>(action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw describeImapFailure(lastError ?? error, settings);
    }
  };

  return {
    uidValidity: String(mailbox.uidValidity),
    messageCount: mailbox.exists,
    async listNewMessages(afterUid) {
      if (mailbox.exists === 0) return [];
      return guard(async () => {
        const found: NewMessage[] = [];
        // `N:*` always includes the highest UID even when it is below N, so filter here (RFC 3501 §6.4.8).
        for await (const message of client.fetch(
          `${afterUid + 1}:*`,
          { uid: true, size: true },
          { uid: true }
        )) {
          if (message.uid > afterUid) found.push({ uid: message.uid, size: message.size ?? 0 });
        }
        return found.sort((a, b) => a.uid - b.uid);
      });
    },
    async download(uid) {
      return guard(async () => {
        const { content } = await client.download(String(uid), undefined, { uid: true });
        if (!content) throw new Error(`message UID ${uid} has no content on the server`);
        return content as Readable;
      });
    },
    async markSeen(uids) {
      if (uids.length === 0) return;
      await guard(() => client.messageFlagsAdd(uids.join(','), ['\\Seen'], { uid: true }));
    },
    async moveTo(uids, folder) {
      if (uids.length === 0) return;
      await guard(async () => {
        const result = await client.messageMove(uids.join(','), folder, { uid: true });
        if (!result) throw new Error(`moving to "${folder}" failed (does the folder exist?)`);
      });
    },
    async delete(uids) {
      if (uids.length === 0) return;
      await guard(() => client.messageDelete(uids.join(','), { uid: true }));
    },
    async close() {
      lock.release();
      await client.logout().catch(() => client.close());
    },
  };
}

/** A mailbox's IMAP folder as a {@link MailSource}: acknowledging applies the mailbox's after-import action. */
export async function openImapSource(settings: ImapSettings, afterImport: AfterImport): Promise<MailSource> {
  const session = await openFolder(settings);
  return {
    uidValidity: session.uidValidity,
    listNewMessages: (afterUid) => session.listNewMessages(afterUid),
    download: (uid) => session.download(uid),
    acknowledge(uids) {
      if (afterImport.action === 'move' && afterImport.moveToFolder)
        return session.moveTo(uids, afterImport.moveToFolder);
      if (afterImport.action === 'delete') return session.delete(uids);
      return session.markSeen(uids);
    },
    close: () => session.close(),
  };
}

/** Login and folder check for the admin's "test connection" button. */
export async function testImapConnection(
  settings: ImapSettings
): Promise<{ messages: number; uidValidity: string }> {
  const session = await openFolder(settings);
  try {
    return { messages: session.messageCount, uidValidity: session.uidValidity };
  } finally {
    await session.close();
  }
}
