/**
 * IMAP helpers for tests, the demo script and the benchmark: seed mailboxes, inspect them, generate messages.
 *
 * No vitest imports here, so plain Node scripts can use this module too. Every helper opens its own connection
 * and logs out before it returns (except connectImap, whose caller owns the client).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { doveadm, userProcessIds, type DovecotServer } from './dovecot';

/** Where to connect: a DovecotServer fits, and so does any other IMAP server with one shared password. */
export interface ImapEndpoint {
  host: string;
  port: number;
  password: string;
}

/** A fresh lowercase mailbox user name, e.g. `t-3f9a1c2b7d@example.test` (Dovecot lowercases logins). */
export function uniqueUser(prefix = 't'): string {
  return `${prefix.toLowerCase()}-${randomBytes(5).toString('hex')}@example.test`;
}

/**
 * A logged-in ImapFlow client (plain TCP, logging off). The caller must `logout()` it.
 * `options` are passed through to ImapFlow (e.g. `{ logger: console }` while debugging).
 */
export async function connectImap(
  server: ImapEndpoint,
  user: string,
  options: Partial<ImapFlowOptions> = {}
): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    auth: { user, pass: server.password },
    logger: false,
    ...options,
  });
  // Without a listener an 'error' event (e.g. socket reset after a server stop) would crash the process;
  // failures still reach the caller as rejected command promises.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Connects, runs `fn`, and always logs out (or closes the socket if logout fails). */
export async function withImap<T>(
  server: ImapEndpoint,
  user: string,
  fn: (client: ImapFlow) => Promise<T>
): Promise<T> {
  const client = await connectImap(server, user);
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Appends the messages in order over one connection; resolves with their UIDs (from UIDPLUS APPENDUID). */
export async function appendMessages(
  server: ImapEndpoint,
  user: string,
  messages: (Buffer | string)[],
  folder = 'INBOX'
): Promise<number[]> {
  return withImap(server, user, async (client) => {
    const uids: number[] = [];
    for (const message of messages) {
      const result = await client.append(folder, message);
      if (!result || typeof result.uid !== 'number') {
        throw new Error(`APPEND to ${folder} returned no UID (server without UIDPLUS?)`);
      }
      uids.push(result.uid);
    }
    return uids;
  });
}

/** All UIDs in `folder`, ascending (EXAMINE: read-only, changes nothing). */
export async function listUids(server: ImapEndpoint, user: string, folder = 'INBOX'): Promise<number[]> {
  return withImap(server, user, async (client) => {
    const mailbox = await client.mailboxOpen(folder, { readOnly: true });
    if (mailbox.exists === 0) return [];
    const uids = await client.search({ all: true }, { uid: true });
    return (uids || []).slice().sort((a, b) => a - b);
  });
}

export interface MailboxStatus {
  /** Number of messages (EXISTS). */
  messages: number;
  /** UIDVALIDITY as a number (it is a 32-bit value; imapflow reports it as a bigint). */
  uidValidity: number;
  uidNext: number;
  /** Flags per UID, sorted; the session-specific `\Recent` is left out. */
  flags: Record<number, string[]>;
}

/** Message count, UIDVALIDITY, UIDNEXT and the flags of every message (read-only EXAMINE). */
export async function mailboxStatus(
  server: ImapEndpoint,
  user: string,
  folder = 'INBOX'
): Promise<MailboxStatus> {
  return withImap(server, user, async (client) => {
    const mailbox = await client.mailboxOpen(folder, { readOnly: true });
    const flags: Record<number, string[]> = {};
    if (mailbox.exists > 0) {
      for await (const message of client.fetch('1:*', { uid: true, flags: true })) {
        flags[message.uid] = [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent').sort();
      }
    }
    return {
      messages: mailbox.exists,
      uidValidity: Number(mailbox.uidValidity),
      uidNext: mailbox.uidNext,
      flags,
    };
  });
}

/** Creates `folder` (use the server's delimiter for nesting, or pass an array path); no error if it exists. */
export async function createFolder(
  server: ImapEndpoint,
  user: string,
  folder: string | string[]
): Promise<void> {
  await withImap(server, user, async (client) => {
    await client.mailboxCreate(folder);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// UIDVALIDITY reset (Dovecot only)
// ---------------------------------------------------------------------------------------------------------------

export interface ResetUidValidityOptions {
  /**
   * false (default): rebuild the folder's UID map, as after a server-side restore or migration: new UIDVALIDITY
   * and the remaining messages renumbered 1..n (UIDNEXT = n + 1), so new mail gets UIDs at or below the old cursor.
   * true: only the UIDVALIDITY value changes (`doveadm mailbox update --uid-validity`); UIDs and UIDNEXT stay.
   */
  keepUids?: boolean;
  /**
   * The rebuild must not race a running session of this user, which would write its cached UID map back.
   * false (default): wait up to 1 s for them to end, then reject. true: disconnect them first (`doveadm kick`),
   * as server maintenance would; the importer then has to reconnect.
   */
  kick?: boolean;
}

export interface ResetUidValidityResult {
  before: { uidValidity: number; uids: number[] };
  after: { uidValidity: number; uids: number[] };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `user` has no imap processes left; resolves with the pids still running after `ms`. */
async function waitForNoSessions(server: DovecotServer, user: string, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let pids = userProcessIds(server, user);
  while (pids.length && Date.now() < deadline) {
    await sleep(20);
    pids = userProcessIds(server, user);
  }
  return pids;
}

async function doveadmPath(server: DovecotServer, user: string, folder: string, type: 'mailbox' | 'index') {
  return (await doveadm(server, ['mailbox', 'path', '-u', user, '-t', type, folder])).trim();
}

/**
 * Forces a UIDVALIDITY change on `folder` of a Dovecot test server, keeping every message (with its flags).
 *
 * How (default, keepUids false): with no session of the user open, delete the folder's `dovecot-uidlist` and
 * `dovecot.index*` files and the user's `dovecot.list.index*` (the mailbox list index caches UIDVALIDITY for
 * STATUS), keeping the mail files in cur/ and new/ and `dovecot-keywords`. The next access makes Dovecot rebuild
 * the folder as if it had never seen it: it takes a fresh UIDVALIDITY from `dovecot-uidvalidity*` (always higher
 * than any it handed out) and numbers the messages 1..n in maildir file name order (roughly arrival order). Flags
 * survive because maildir keeps them in the file names. This works for INBOX too, which IMAP cannot DELETE, and
 * it is what a real server does after a restore / index loss. `doveadm mailbox status` triggers the rebuild at once.
 *
 * keepUids true: `doveadm mailbox update --uid-validity <old + 1>`; only the number changes.
 *
 * Either way the result is checked (new UIDVALIDITY differs, same message count) and the function throws otherwise.
 * User names are case-sensitive here: use the lowercase name the tests log in with.
 */
export async function resetUidValidity(
  server: DovecotServer,
  user: string,
  folder = 'INBOX',
  options: ResetUidValidityOptions = {}
): Promise<ResetUidValidityResult> {
  const before = await mailboxStatus(server, user, folder);
  const beforeUids = Object.keys(before.flags).map(Number);

  // A session of the user (even one that has just logged out, like mailboxStatus's above, and is still closing
  // the mailbox) could write its cached UID map back after the files are gone, so wait until none is left.
  if (options.kick && userProcessIds(server, user).length) await doveadm(server, ['kick', user]);
  const sessions = await waitForNoSessions(server, user, options.kick ? 5000 : 1000);
  if (sessions.length) {
    throw new Error(
      `resetUidValidity: ${user} still has ${sessions.length} open IMAP session(s) (pids ${sessions.join(', ')});` +
        ' log them out first or pass { kick: true }'
    );
  }

  if (options.keepUids) {
    const next = before.uidValidity >= 0xffffffff ? 1 : before.uidValidity + 1;
    await doveadm(server, ['mailbox', 'update', '-u', user, '--uid-validity', String(next), folder]);
  } else {
    const mailDir = await doveadmPath(server, user, folder, 'mailbox');
    const indexDir = await doveadmPath(server, user, folder, 'index');
    // the mailbox list index lives in the root index dir, which for Maildir++ is INBOX's
    const rootIndexDir = await doveadmPath(server, user, 'INBOX', 'index');
    const targets: [string, RegExp][] = [
      [mailDir, /^dovecot-uidlist/],
      [indexDir, /^dovecot\.index/],
      [rootIndexDir, /^dovecot\.list\.index/],
    ];
    // Dovecot's generator hands out max(last + 1, now): right after a keepUids reset (old + 1) it can return the
    // very value the folder has, so rebuild until the value differs (each rebuild takes a new one).
    for (let attempt = 0; attempt < 3; attempt++) {
      for (const [dir, pattern] of targets) {
        for (const entry of fs.readdirSync(dir)) {
          if (pattern.test(entry)) fs.rmSync(path.join(dir, entry), { force: true });
        }
      }
      // rebuild now (as the mail user), so that a failure shows up here rather than in the test
      const out = await doveadm(server, ['mailbox', 'status', '-u', user, 'uidvalidity', folder]);
      if (Number(/uidvalidity=(\d+)/.exec(out)?.[1]) !== before.uidValidity) break;
    }
  }

  const after = await mailboxStatus(server, user, folder);
  const afterUids = Object.keys(after.flags).map(Number);
  if (after.uidValidity === before.uidValidity || after.messages !== before.messages) {
    throw new Error(
      `resetUidValidity(${folder}) failed: UIDVALIDITY ${before.uidValidity} -> ${after.uidValidity}, ` +
        `messages ${before.messages} -> ${after.messages}`
    );
  }
  return {
    before: { uidValidity: before.uidValidity, uids: beforeUids },
    after: { uidValidity: after.uidValidity, uids: afterUids },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Message generation
// ---------------------------------------------------------------------------------------------------------------

export interface GenerateMessageOptions {
  /** Default `Test message <i>`. Non-ASCII is RFC 2047-encoded. */
  subject?: string;
  /** Default `Customer <i> <customer-<i>@example.test>`. */
  from?: string;
  /** Default `Support <support@example.test>`. */
  to?: string;
  /** A Message-ID, with or without angle brackets. */
  inReplyTo?: string;
  /** Message-IDs (array or an already formatted header value). */
  references?: string | string[];
  /** Plain-text body. Default: a short line naming the message. */
  text?: string;
  /** HTML body; with it the text becomes a multipart/alternative. */
  html?: string;
  /** Adds a base64 attachment of this many deterministic pseudo-random bytes (seeded by `i`). */
  attachmentBytes?: number;
  /** Attachment file name, default `attachment-<i>.bin`. */
  attachmentName?: string;
  /** Attachment content type, default `application/octet-stream`. */
  attachmentType?: string;
  /** Date header, default now. */
  date?: Date;
  /** Overrides the generated Message-ID (with or without angle brackets). */
  messageId?: string;
  /** Extra header lines, e.g. `{ 'Auto-Submitted': 'auto-replied' }`. ASCII values only. */
  headers?: Record<string, string>;
}

const CRLF = '\r\n';
/** 57 raw bytes = one 76-character base64 line. */
const B64_LINE_BYTES = 57;
/** Raw bytes per generated chunk (~0.9 MB raw, ~1.2 MB encoded). */
const CHUNK_BYTES = B64_LINE_BYTES * 16 * 1024;

function angle(id: string): string {
  const trimmed = id.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

function encodeWord(value: string): string {
  return /[^\x20-\x7e]/.test(value) ? `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=` : value;
}

/** `Name <addr>` with a non-ASCII name gets the name encoded; a bare address is left alone. */
function encodeAddress(value: string): string {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(value);
  if (!match || !/[^\x20-\x7e]/.test(match[1])) return value;
  return `${encodeWord(match[1])} <${match[2]}>`;
}

function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, CRLF);
}

function wrapBase64(data: Buffer): string {
  const b64 = data.toString('base64');
  let out = '';
  for (let pos = 0; pos < b64.length; pos += 76) out += b64.slice(pos, pos + 76) + CRLF;
  return out;
}

/** A text part: 7bit when it is ASCII with short lines, base64 otherwise. */
function textPart(contentType: string, body: string): string {
  const crlf = toCrlf(body.endsWith('\n') ? body : body + '\n');
  const plain = !/[^\t\r\n\x20-\x7e]/.test(crlf) && crlf.split(CRLF).every((line) => line.length <= 900);
  if (plain) {
    return `Content-Type: ${contentType}; charset=utf-8${CRLF}Content-Transfer-Encoding: 7bit${CRLF}${CRLF}${crlf}`;
  }
  return (
    `Content-Type: ${contentType}; charset=utf-8${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}` +
    wrapBase64(Buffer.from(crlf, 'utf8'))
  );
}

/** Length of the wrapped base64 of `bytes` raw bytes (76-character lines, CRLF after each, including the last). */
function base64WrappedLength(bytes: number): number {
  const fullLines = Math.floor(bytes / B64_LINE_BYTES);
  const rest = bytes % B64_LINE_BYTES;
  return fullLines * 78 + (rest ? Math.ceil(rest / 3) * 4 + 2 : 0);
}

/** Deterministic pseudo-random bytes (xorshift32), generated chunk by chunk. */
function* pseudoRandomChunks(bytes: number, seed: number): Generator<Buffer> {
  let state = (seed * 2654435761 + 0x9e3779b9) >>> 0 || 1;
  for (let done = 0; done < bytes; done += CHUNK_BYTES) {
    const size = Math.min(CHUNK_BYTES, bytes - done);
    const words = new Uint32Array(Math.ceil(size / 4));
    for (let k = 0; k < words.length; k++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      words[k] = state;
    }
    yield Buffer.from(words.buffer, 0, size);
  }
}

/** Base64 lines of the attachment, chunk by chunk (each chunk is a multiple of 57 bytes except the last). */
function* attachmentChunks(bytes: number, seed: number): Generator<Buffer> {
  for (const raw of pseudoRandomChunks(bytes, seed)) yield Buffer.from(wrapBase64(raw), 'latin1');
}

interface MessageLayout {
  messageId: string;
  head: string;
  attachment?: { bytes: number; seed: number };
  tail: string;
}

function layoutMessage(i: number, opts: GenerateMessageOptions): MessageLayout {
  const messageId = opts.messageId
    ? angle(opts.messageId)
    : `<gen-${i}-${randomBytes(6).toString('hex')}@example.test>`;
  // boundaries derive from the Message-ID: unique per message, yet reproducible for a fixed messageId
  const token = createHash('sha256').update(messageId).digest('hex').slice(0, 16);
  const headers: string[] = [
    `Date: ${(opts.date ?? new Date()).toUTCString().replace(/GMT$/, '+0000')}`,
    `From: ${encodeAddress(opts.from ?? `Customer ${i} <customer-${i}@example.test>`)}`,
    `To: ${encodeAddress(opts.to ?? 'Support <support@example.test>')}`,
    `Subject: ${encodeWord(opts.subject ?? `Test message ${i}`)}`,
    `Message-ID: ${messageId}`,
  ];
  if (opts.inReplyTo) headers.push(`In-Reply-To: ${angle(opts.inReplyTo)}`);
  if (opts.references !== undefined) {
    const refs = Array.isArray(opts.references) ? opts.references.map(angle).join(' ') : opts.references;
    if (refs) headers.push(`References: ${refs}`);
  }
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers.push(`${name}: ${value}`);
  headers.push('MIME-Version: 1.0');

  const text = textPart('text/plain', opts.text ?? `Hello, this is generated test message ${i}.`);
  let content: string;
  if (opts.html !== undefined) {
    const alt = `alt-${i}-${token}`;
    content =
      `Content-Type: multipart/alternative; boundary="${alt}"${CRLF}${CRLF}` +
      `--${alt}${CRLF}${text}${CRLF}--${alt}${CRLF}${textPart('text/html', opts.html)}${CRLF}--${alt}--${CRLF}`;
  } else {
    content = text;
  }

  const bytes = opts.attachmentBytes ?? 0;
  if (!(Number.isInteger(bytes) && bytes >= 0))
    throw new Error('attachmentBytes must be a non-negative integer');
  if (opts.attachmentBytes === undefined) {
    return { messageId, head: headers.join(CRLF) + CRLF + content, tail: '' };
  }
  const mixed = `mixed-${i}-${token}`;
  const name = (opts.attachmentName ?? `attachment-${i}.bin`).replace(/["\\\r\n]/g, '_');
  const head =
    headers.join(CRLF) +
    CRLF +
    `Content-Type: multipart/mixed; boundary="${mixed}"${CRLF}${CRLF}` +
    `This is a multi-part message in MIME format.${CRLF}` +
    `--${mixed}${CRLF}${content}${CRLF}--${mixed}${CRLF}` +
    `Content-Type: ${opts.attachmentType ?? 'application/octet-stream'}; name="${name}"${CRLF}` +
    `Content-Disposition: attachment; filename="${name}"${CRLF}` +
    `Content-Transfer-Encoding: base64${CRLF}${CRLF}`;
  return { messageId, head, attachment: { bytes, seed: i }, tail: `--${mixed}--${CRLF}` };
}

/**
 * A valid RFC 5322 message (CRLF line ends) with a unique Message-ID `<gen-<i>-<random>@example.test>`.
 * With `attachmentBytes` it is multipart/mixed with a base64 attachment of that many bytes. For very large
 * attachments prefer generateLargeMessageStream (same content, streamed).
 */
export function generateMessage(i: number, opts: GenerateMessageOptions = {}): string {
  const layout = layoutMessage(i, opts);
  let body = '';
  if (layout.attachment) {
    const parts: string[] = [];
    for (const chunk of attachmentChunks(layout.attachment.bytes, layout.attachment.seed)) {
      parts.push(chunk.toString('latin1'));
    }
    body = parts.join('');
  }
  return layout.head + body + layout.tail;
}

/** The Message-ID header value (with angle brackets) of a raw message, or undefined. */
export function extractMessageId(raw: string | Buffer): string | undefined {
  const head = (typeof raw === 'string' ? raw : raw.toString('latin1', 0, Math.min(raw.length, 65536))).split(
    /\r?\n\r?\n/
  )[0];
  return /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(head)?.[1];
}

export interface LargeMessage {
  /** The message, generated ~1.2 MB at a time (never held in memory as a whole). */
  stream: Readable;
  /** Exact byte length of everything `stream` will emit. */
  length: number;
  messageId: string;
}

/**
 * Like generateMessage(i, { ...opts, attachmentBytes: bytes }) but as a stream: a message with a base64 attachment
 * of `bytes` raw bytes. The message is ~4/3 of `bytes` plus ~1 KB (base64 with 76-character lines); `length` is
 * exact. Single-use stream; call again for another copy (the Message-ID differs, the attachment does not).
 */
export function generateLargeMessageStream(
  bytes: number,
  opts: GenerateMessageOptions & { index?: number } = {}
): LargeMessage {
  const i = opts.index ?? 0;
  const layout = layoutMessage(i, { ...opts, attachmentBytes: bytes });
  const head = Buffer.from(layout.head, 'utf8');
  const tail = Buffer.from(layout.tail, 'utf8');
  const length = head.length + base64WrappedLength(bytes) + tail.length;
  function* chunks(): Generator<Buffer> {
    yield head;
    yield* attachmentChunks(bytes, i);
    yield tail;
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), length, messageId: layout.messageId };
}

// ---------------------------------------------------------------------------------------------------------------
// Streaming APPEND (raw IMAP; imapflow's append() only takes a Buffer, Uint8Array or string)
// ---------------------------------------------------------------------------------------------------------------

function quoteImap(value: string, what: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`appendMessageStream: ${what} must be printable ASCII`);
  return `"${value.replace(/["\\]/g, (c) => '\\' + c)}"`;
}

/**
 * APPENDs a message from a stream without holding it in memory: a minimal IMAP session of its own
 * (LOGIN, `APPEND <folder> (<flags>) {<length>}`, wait for the `+` continuation, pipe the stream, LOGOUT).
 * Resolves with the new UID (APPENDUID). `length` must be the exact byte count of the stream.
 * The folder name must be ASCII (no modified UTF-7 encoding here).
 */
export async function appendMessageStream(
  server: ImapEndpoint,
  user: string,
  source: { stream: Readable; length: number },
  folder = 'INBOX',
  flags: string[] = [],
  timeoutMs = 300_000
): Promise<number> {
  const socket = net.connect({ host: server.host, port: server.port });
  let buffered = '';
  const lines: string[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let eol: number;
    while ((eol = buffered.indexOf(CRLF)) >= 0) {
      lines.push(buffered.slice(0, eol));
      buffered = buffered.slice(eol + 2);
    }
    notify();
  });
  socket.on('error', (err) => {
    failure ??= err;
    notify();
  });
  socket.on('close', () => {
    failure ??= new Error('IMAP connection closed');
    notify();
  });
  const timer = setTimeout(() => {
    failure ??= new Error(`appendMessageStream timed out after ${timeoutMs} ms`);
    socket.destroy();
    notify();
  }, timeoutMs);

  /** Next server line that satisfies `accept`; untagged lines in between are skipped. */
  const nextLine = async (accept: (line: string) => boolean): Promise<string> => {
    for (;;) {
      while (lines.length) {
        const line = lines.shift() as string;
        if (accept(line)) return line;
      }
      if (failure) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  const expectOk = async (tag: string, what: string): Promise<string> => {
    const line = await nextLine((l) => l.startsWith(tag + ' '));
    if (!line.startsWith(`${tag} OK`)) throw new Error(`${what} failed: ${line}`);
    return line;
  };
  const write = (data: string | Buffer) =>
    new Promise<void>((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));

  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const greeting = await nextLine(() => true);
    if (!greeting.startsWith('* OK')) throw new Error(`unexpected IMAP greeting: ${greeting}`);
    await write(`L1 LOGIN ${quoteImap(user, 'user')} ${quoteImap(server.password, 'password')}${CRLF}`);
    await expectOk('L1', 'LOGIN');

    const flagList = flags.length ? ` (${flags.join(' ')})` : '';
    await write(`A1 APPEND ${quoteImap(folder, 'folder')}${flagList} {${source.length}}${CRLF}`);
    const ready = await nextLine((l) => l.startsWith('+') || l.startsWith('A1 '));
    if (!ready.startsWith('+')) throw new Error(`APPEND refused: ${ready}`);

    let sent = 0;
    for await (const chunk of source.stream) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      sent += data.length;
      if (sent > source.length) throw new Error(`stream is longer than the announced ${source.length} bytes`);
      if (failure) throw failure;
      if (!socket.write(data)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          socket.on('drain', done);
          socket.on('close', done);
        });
      }
    }
    if (sent !== source.length) throw new Error(`stream ended after ${sent} of ${source.length} bytes`);
    await write(CRLF);
    const done = await expectOk('A1', 'APPEND');
    const appendUid = /\[APPENDUID \d+ (\d+)\]/i.exec(done);
    if (!appendUid) throw new Error(`APPEND returned no APPENDUID: ${done}`);

    await write(`Z1 LOGOUT${CRLF}`);
    await nextLine((l) => l.startsWith('Z1 ')).catch(() => undefined);
    return Number(appendUid[1]);
  } finally {
    clearTimeout(timer);
    socket.destroy();
    source.stream.destroy();
  }
}
