import { Readable } from 'node:stream';
import * as fs from 'node:fs';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOVECOT_MISSING_MESSAGE,
  dovecotAvailable,
  portIsOpen,
  startDovecot,
  type DovecotServer,
} from './dovecot';
import {
  appendMessageStream,
  appendMessages,
  connectImap,
  createFolder,
  extractMessageId,
  generateLargeMessageStream,
  generateMessage,
  listUids,
  mailboxStatus,
  resetUidValidity,
  uniqueUser,
  withImap,
} from './imap';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function messageIdsByUid(server: DovecotServer, user: string, folder: string) {
  return withImap(server, user, async (client) => {
    await client.mailboxOpen(folder, { readOnly: true });
    const ids: Record<number, string | undefined> = {};
    for await (const msg of client.fetch('1:*', { uid: true, envelope: true }))
      ids[msg.uid] = msg.envelope?.messageId;
    return ids;
  });
}

describe('message generation', () => {
  it('produces a parseable RFC 5322 message with CRLF line ends, HTML and an attachment', async () => {
    const raw = generateMessage(7, {
      subject: 'Grüße aus Köln',
      from: 'Jörg Müller <joerg@example.test>',
      inReplyTo: 'orig-1@example.test',
      references: ['<orig-0@example.test>', 'orig-1@example.test'],
      html: '<p>Hello <b>there</b></p>',
      attachmentBytes: 1000,
    });
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(extractMessageId(raw)).toMatch(/^<gen-7-[0-9a-f]+@example\.test>$/);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Grüße aus Köln');
    expect(parsed.from?.value[0]).toEqual({ name: 'Jörg Müller', address: 'joerg@example.test' });
    expect(parsed.inReplyTo).toBe('<orig-1@example.test>');
    expect(parsed.references).toEqual(['<orig-0@example.test>', '<orig-1@example.test>']);
    expect(parsed.text?.trim()).toBe('Hello, this is generated test message 7.');
    expect(parsed.html).toContain('<b>there</b>');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0].filename).toBe('attachment-7.bin');
    expect(parsed.attachments[0].size).toBe(1000);
    expect(generateMessage(7)).not.toBe(generateMessage(7)); // unique Message-IDs
  });

  it('streams exactly the bytes generateMessage builds, with an exact length', async () => {
    const date = new Date('2024-01-02T03:04:05Z');
    for (const bytes of [0, 1, 56, 57, 58, 57 * 16 * 1024 + 5, 3 * 1024 * 1024]) {
      const large = generateLargeMessageStream(bytes, { index: 3, date, messageId: 'fixed@example.test' });
      const streamed = await collect(large.stream);
      expect(streamed.length).toBe(large.length);
      const built = generateMessage(3, { attachmentBytes: bytes, date, messageId: 'fixed@example.test' });
      expect(streamed.equals(Buffer.from(built, 'utf8'))).toBe(true);
    }
  });
});

describe('Dovecot test harness', () => {
  let server: DovecotServer;

  beforeAll(async () => {
    if (!dovecotAvailable()) throw new Error(DOVECOT_MISSING_MESSAGE);
    const started = Date.now();
    server = await startDovecot({ password: 'sel%ftest' });
    console.log(`dovecot up on 127.0.0.1:${server.port} in ${Date.now() - started} ms`);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('appends, lists and reports status for a fresh user', async () => {
    const user = uniqueUser();
    const messages = [0, 1, 2].map((i) => generateMessage(i));
    const uids = await appendMessages(server, user, messages);
    expect(uids).toEqual([1, 2, 3]);
    expect(await listUids(server, user, 'INBOX')).toEqual(uids);

    await withImap(server, user, async (client) => {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd('2', ['\\Seen'], { uid: true });
    });
    const status = await mailboxStatus(server, user, 'INBOX');
    expect(status.messages).toBe(3);
    expect(status.uidNext).toBe(4);
    expect(status.uidValidity).toBeGreaterThan(0);
    expect(status.flags).toEqual({ 1: [], 2: ['\\Seen'], 3: [] });
    expect(server.logTail(50)).toContain(`user=<${user}>`);
  });

  it('creates folders and rejects a wrong password', async () => {
    const user = uniqueUser();
    await createFolder(server, user, 'Processed');
    await createFolder(server, user, 'Processed'); // no error if it exists
    expect(await appendMessages(server, user, [generateMessage(1)], 'Processed')).toEqual([1]);
    expect(await listUids(server, user, 'Processed')).toEqual([1]);
    await expect(connectImap({ ...server, password: 'wrong' }, user)).rejects.toThrow();
  });

  it('forces a UIDVALIDITY change that renumbers and keeps the messages (INBOX and a folder)', async () => {
    const user = uniqueUser();
    for (const folder of ['INBOX', 'Archive']) {
      if (folder !== 'INBOX') await createFolder(server, user, folder);
      await appendMessages(
        server,
        user,
        [0, 1, 2, 3].map((i) => generateMessage(i)),
        folder
      );
      await withImap(server, user, async (client) => {
        await client.mailboxOpen(folder);
        await client.messageDelete('1', { uid: true }); // a gap, so renumbering is visible
        await client.messageFlagsAdd('3', ['\\Seen', '$Ticketed'], { uid: true });
      });
      const idsBefore = Object.values(await messageIdsByUid(server, user, folder)).sort();
      const before = await mailboxStatus(server, user, folder);
      expect(before.uidNext).toBe(5);

      const result = await resetUidValidity(server, user, folder);
      expect(result.before).toEqual({ uidValidity: before.uidValidity, uids: [2, 3, 4] });
      expect(result.after.uidValidity).not.toBe(before.uidValidity);
      expect(result.after.uids).toEqual([1, 2, 3]);

      const after = await mailboxStatus(server, user, folder);
      expect(after.uidValidity).toBe(result.after.uidValidity);
      expect(after.messages).toBe(3);
      expect(after.uidNext).toBe(4);
      expect(Object.values(after.flags).filter((f) => f.includes('\\Seen'))).toEqual([
        ['$Ticketed', '\\Seen'],
      ]);
      expect(Object.values(await messageIdsByUid(server, user, folder)).sort()).toEqual(idsBefore);
      // new mail now gets a UID at or below the old cursor
      expect(await appendMessages(server, user, [generateMessage(9)], folder)).toEqual([4]);
    }
  });

  it('can change only the UIDVALIDITY value, and refuses to race an open session unless told to kick it', async () => {
    const user = uniqueUser();
    await appendMessages(server, user, [generateMessage(0), generateMessage(1)]);
    const before = await mailboxStatus(server, user, 'INBOX');

    const result = await resetUidValidity(server, user, 'INBOX', { keepUids: true });
    expect(result.after).toEqual({ uidValidity: before.uidValidity + 1, uids: [1, 2] });
    expect((await mailboxStatus(server, user, 'INBOX')).uidNext).toBe(3);

    const client = await connectImap(server, user);
    await client.mailboxOpen('INBOX');
    await expect(resetUidValidity(server, user, 'INBOX')).rejects.toThrow(/open IMAP session/);
    let closed = false;
    client.on('close', () => (closed = true));
    const kicked = await resetUidValidity(server, user, 'INBOX', { kick: true });
    expect(kicked.after.uidValidity).not.toBe(kicked.before.uidValidity);
    expect(closed).toBe(true);
  });

  it('handles 50 concurrent IMAP sessions', async () => {
    const users = Array.from({ length: 50 }, () => uniqueUser('c'));
    const clients = await Promise.all(users.map((user) => connectImap(server, user)));
    try {
      const boxes = await Promise.all(clients.map((client) => client.mailboxOpen('INBOX')));
      expect(boxes.every((box) => box.exists === 0)).toBe(true);
    } finally {
      await Promise.all(clients.map((client) => client.logout().catch(() => client.close())));
    }
  });

  it('appends a 30 MB message through the streaming path', async () => {
    const user = uniqueUser();
    // imapflow's append() refuses streams; appendMessageStream exists because of that
    await withImap(server, user, async (client) => {
      const stream = Readable.from([Buffer.from(generateMessage(0))]);
      await expect(client.append('INBOX', stream as unknown as Buffer)).rejects.toThrow(
        /Buffer, Uint8Array or string/
      );
    });

    const large = generateLargeMessageStream(30 * 1024 * 1024, { index: 1, subject: 'big one' });
    expect(large.length).toBeGreaterThan(40 * 1024 * 1024);
    const started = Date.now();
    const uid = await appendMessageStream(server, user, large, 'INBOX', ['\\Seen']);
    console.log(`streamed ${large.length} bytes in ${Date.now() - started} ms`);
    expect(uid).toBe(1);

    await withImap(server, user, async (client) => {
      await client.mailboxOpen('INBOX', { readOnly: true });
      const msg = await client.fetchOne(
        '1',
        { uid: true, size: true, envelope: true, flags: true },
        { uid: true }
      );
      expect(msg && msg.size).toBe(large.length);
      expect(msg && msg.envelope?.messageId).toBe(large.messageId);
      expect(msg && msg.envelope?.subject).toBe('big one');
      expect(msg && [...(msg.flags ?? [])]).toContain('\\Seen');
    });
  });

  it('stops: the port is closed and the directory removed', async () => {
    const other = await startDovecot();
    const { port, dir } = other;
    expect(await portIsOpen('127.0.0.1', port)).toBe(true);
    const started = Date.now();
    await other.stop();
    console.log(`dovecot stopped in ${Date.now() - started} ms`);
    expect(await portIsOpen('127.0.0.1', port)).toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
    await other.stop(); // idempotent
  });
});
