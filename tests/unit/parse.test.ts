import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeAttachmentFilename } from '../../src/mail/parse/attachment-names';
import { removeSpooledAttachments } from '../../src/mail/parse/attachment-spool';
import { parseMail } from '../../src/mail/parse/parse-mail';
import type { ParsedMail } from '../../src/mail/types';
import { corpusDir, readManifest } from '../harness/corpus';

const CORPUS = corpusDir;

const manifest = readManifest();
const manifestPaths = new Set(manifest.map((row) => row.localPath));

let spoolRoot: string;

beforeAll(() => {
  spoolRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-parse-test-'));
});

afterAll(() => {
  fs.rmSync(spoolRoot, { recursive: true, force: true });
});

/** A fresh, empty spool directory for one test. */
function newSpoolDir(): string {
  return fs.mkdtempSync(path.join(spoolRoot, 'spool-'));
}

function corpusPath(localPath: string): string {
  // Only messages listed in the manifest are used, so a renamed or removed fixture fails loudly here.
  expect(manifestPaths.has(localPath), `${localPath} is listed in MANIFEST.tsv`).toBe(true);
  return path.join(CORPUS, localPath);
}

async function parseCorpus(localPath: string, spoolDir = newSpoolDir()): Promise<ParsedMail> {
  return parseMail(fs.createReadStream(corpusPath(localPath)), { spoolDir });
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('parseMail on corpus messages (values checked against the .eml source)', () => {
  it('decodes an RFC 2047 display name (discourse/encoded_display_name.eml)', async () => {
    const mail = await parseCorpus('discourse/encoded_display_name.eml');
    expect(mail.from).toEqual({ address: 'random.name@bar.ru', name: 'Случайная Имя' });
    expect(mail.to).toEqual([{ address: 'team@bar.com', name: '' }]);
    expect(mail.subject).toBe('I need help');
    expect(mail.messageId).toBe('29@foo.bar.mail');
    expect(mail.date?.toISOString()).toBe('2016-01-14T23:12:43.000Z');
    expect(mail.text).toBe('Будьте здоровы!\n');
    expect(mail.html).toBeNull();
    expect(mail.attachments).toEqual([]);
    expect(mail.warnings).toEqual([]);
  });

  it('decodes an RFC 2047 attachment file name, after an mbox From_ line (discourse/encoded_filename.eml)', async () => {
    const spoolDir = newSpoolDir();
    const mail = await parseCorpus('discourse/encoded_filename.eml', spoolDir);
    expect(mail.from).toEqual({ address: 'xxxxxxxxx.xxxxxxx@gmail.com', name: 'xxxxxxxxx xxxxxxx' });
    expect(mail.messageId).toBe('e85734b90505081209eaaa17b@mail.gmail.com');
    expect(mail.inReplyTo).toEqual(['f6e2d0b4-cc35-4a91-ba4c-c7c712b10c13@mac.com']);
    expect(mail.references).toEqual(['f6e2d0b4-cc35-4a91-ba4c-c7c712b10c13@mac.com']);
    expect(mail.subject).toBe('Fwd: Signed email causes file attachments');
    expect(mail.text.startsWith('We should not include these files or vcards as attachments.\n')).toBe(true);
    expect(mail.attachments).toHaveLength(1);
    const [pdf] = mail.attachments;
    expect(pdf.filename).toBe('This is a test.pdf');
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.size).toBe(399);
    expect(pdf.sha256).toBe('3edf4dcb7f2569a4d2d29ea442b37ce50ceeb0e6019a81529612752d4768c3ac');
    expect(pdf.contentId).toBeNull();
    expect(pdf.inline).toBe(false);
    expect(path.dirname(pdf.tempPath)).toBe(spoolDir);
    expect(fs.statSync(pdf.tempPath).size).toBe(399);
    expect(sha256File(pdf.tempPath)).toBe(pdf.sha256);
    await removeSpooledAttachments(mail);
    expect(fs.existsSync(pdf.tempPath)).toBe(false);
  });

  it('repairs a body declared Big5 that is UTF-8 (discourse/chinese_reply.eml)', async () => {
    const mail = await parseCorpus('discourse/chinese_reply.eml');
    expect(mail.text).toBe('您好！ 你今天好吗？');
    expect(mail.warnings).toEqual(['Text part declared as "Big5" is UTF-8; decoded as UTF-8']);
  });

  it('decodes real Big5 text and HTML parts (discourse/big5.eml, leading blank line)', async () => {
    const mail = await parseCorpus('discourse/big5.eml');
    expect(mail.text).toBe('媽！我上電視了！\n');
    expect(mail.html).toBe('<div dir="ltr">媽！我上電視了！<br /></div>\n');
    expect(mail.warnings).toEqual([]);
  });

  it('decodes a base64 UTF-8 Hebrew body (discourse/hebrew_reply.eml)', async () => {
    const mail = await parseCorpus('discourse/hebrew_reply.eml');
    expect(mail.text).toBe('שלום! מה שלומך היום?');
    expect(mail.from).toEqual({ address: 'discourse@bar.com', name: 'Foo Bar' });
    expect(mail.subject).toBe('');
  });

  it('reads headers after a leading blank line (discourse/hebrew.eml)', async () => {
    const mail = await parseCorpus('discourse/hebrew.eml');
    expect(mail.messageId).toBe('4597127794206131679@unknownmsgid');
    expect(mail.from).toEqual({ address: 'walter.white@googlemail.com', name: 'Walter White' });
    expect(mail.inReplyTo).toEqual(['51efeb9b36c34_66dc2dfce6811866@discourse.mail']);
    expect(mail.references).toEqual([
      'topic/5043@discourse.org',
      '51efeb9b36c34_66dc2dfce6811866@discourse.mail',
    ]);
    expect(mail.subject).toBe("Re: [Discourse] new reply to your post in 'Crystal Blue'");
    expect(mail.text).toBe('שלום');
    expect(mail.headers['delivered-to']).toBe(
      'discourse-reply+cd480e301683c9902891f15968bf07a5@discourse.org'
    );
  });

  it('reads the body of a multipart message that has no boundaries (discourse/dutch.eml)', async () => {
    const mail = await parseCorpus('discourse/dutch.eml');
    expect(mail.text).toBe(
      'Dit is een antwoord in het Nederlands.\n\nOp 18 juli 2013 10:23 schreef Sander Datema het volgende:\n\nDit is de originele post.'
    );
    expect(mail.warnings).toEqual([
      'Multipart message without boundary lines; its body was read as plain text',
    ]);
  });

  it('strips a NUL byte from an encoded subject (discourse/null_byte_in_subject.eml)', async () => {
    const mail = await parseCorpus('discourse/null_byte_in_subject.eml');
    expect(mail.subject).toBe('testing');
    expect(mail.headers.subject).toBe('testing');
  });

  it('accepts a message without Message-ID and without body (discourse/missing_message_id.eml)', async () => {
    const mail = await parseCorpus('discourse/missing_message_id.eml');
    expect(mail.messageId).toBeNull();
    expect(mail.from).toEqual({ address: 'foo@bar.com', name: 'Foo Bar' });
    expect(mail.text).toBe('');
    expect(mail.html).toBeNull();
    expect(mail.subject).toBe('');
    expect(mail.warnings).toEqual(['No Message-ID header']);
  });

  it('gives from = null for a missing or address-less From', async () => {
    const noFrom = await parseCorpus('discourse/no_from.eml');
    expect(noFrom.from).toBeNull();
    expect(noFrom.subject).toBe('Nobody sent this');
    expect(noFrom.warnings).toEqual(['No From header']);

    const daemon = await parseCorpus('discourse/invalid_from_2.eml');
    expect(daemon.from).toBeNull();
    expect(daemon.date?.toISOString()).toBe('2017-08-25T21:25:34.000Z');
    expect(daemon.warnings).toEqual(['From header has no usable address']);
  });

  it('keeps the address of a From whose display name is not RFC-valid (discourse/invalid_from_1.eml)', async () => {
    const mail = await parseCorpus('discourse/invalid_from_1.eml');
    expect(mail.from).toEqual({ address: 'discourse@bar.com', name: 'Foo Bar [THIS IS INVALID]' });
  });

  it('decodes 8bit ISO-8859-1 and survives a UTF-7 label', async () => {
    const latin1 = await parseCorpus('discourse/reply_with_8bit_encoding.eml');
    expect(latin1.text).toBe('hab vergessen kritische zeichen einzufügen:\näöüÄÖÜß\n');
    const utf7 = await parseCorpus('discourse/reply_with_weird_encoding.eml');
    expect(utf7.text).toBe('This is a reply with a weird encoding.\n');
  });

  it('spools a message/rfc822 attachment as a file (discourse/attached_eml_file.eml)', async () => {
    const mail = await parseCorpus('discourse/attached_eml_file.eml');
    expect(mail.text).toBe('Please find the eml file attached.\n');
    expect(mail.attachments).toHaveLength(1);
    const [eml] = mail.attachments;
    expect(eml).toMatchObject({
      filename: 'sample.eml',
      contentType: 'message/rfc822',
      size: 193,
      sha256: '881ed309fc97e6e0c8e1e4fa86887d35336c397e2f7da82cf1817f05c4eb069f',
      contentId: 'f_jnxo58s31',
      inline: false,
    });
    expect(
      fs.readFileSync(eml.tempPath, 'latin1').startsWith('Date: Sun, 1 Apr 2012 14:25:25 -0600\r\n')
    ).toBe(true);
    await removeSpooledAttachments(mail);
  });

  it('spools every attachment of a mailparser fixture with correct names, sizes and hashes (mailparser/nodemailer.eml)', async () => {
    const mail = await parseCorpus('mailparser/nodemailer.eml');
    expect(mail.subject).toBe('Nodemailer is unicode friendly ✔ (1476358788189)');
    expect(mail.text).toBe('Hello to myself!');
    expect(mail.html).toContain('<img src="cid:note@example.com" />');
    expect(
      mail.attachments.map(({ filename, contentType, size, sha256, contentId, inline }) => ({
        filename,
        contentType,
        size,
        sha256,
        contentId,
        inline,
      }))
    ).toEqual([
      // text/watch-html inside multipart/alternative has no name: fallback name.
      expect.objectContaining({ filename: 'attachment-1.bin', contentType: 'text/watch-html', size: 22 }),
      {
        filename: 'image.png',
        contentType: 'image/png',
        size: 126,
        sha256: 'eff5f180c92c09e85f5c8cbbedced077fde3f1b7036499c79d060ee508f23925',
        contentId: 'note@example.com',
        inline: false, // referenced, but declared `Content-Disposition: attachment`
      },
      {
        filename: 'nyan cat ✔.gif',
        contentType: 'image/gif',
        size: 29361,
        sha256: 'c9c06996e64d1e1056a84823751e31d041d79f20caa027ef993ffa95b45707db',
        contentId: 'nyan@example.com',
        inline: false,
      },
      {
        filename: 'notes.txt',
        contentType: 'text/plain',
        size: 28,
        sha256: '991b72b637c372fc6e33fcff01c71111b8eece2eee99f95b1b8dbd5a4ab36323',
        contentId: null,
        inline: false,
      },
    ]);
    for (const attachment of mail.attachments) {
      expect(fs.statSync(attachment.tempPath).size).toBe(attachment.size);
      expect(sha256File(attachment.tempPath)).toBe(attachment.sha256);
    }
    await removeSpooledAttachments(mail);
  });

  it('marks an inline image that the HTML references as inline', async () => {
    const mail = await parseCorpus('mikel-mail/attachment_emails/attachment_message_rfc822_inline_image.eml');
    const image = mail.attachments.find((attachment) => attachment.filename === 'img.png');
    expect(image).toMatchObject({
      contentType: 'image/png',
      size: 370,
      sha256: '950a114c1cb32b9faf073bdfb6ea00532e85900c76b6eeefc6b2b6a320bec888',
      contentId: 'emedfeb92f-a786-4718-a446-98db8afb53fb@kronos',
      inline: true,
    });
    expect(mail.html).toContain('src="cid:emedfeb92f-a786-4718-a446-98db8afb53fb@kronos"');
    const forwarded = mail.attachments.find((attachment) => attachment.contentType === 'message/rfc822');
    expect(forwarded).toMatchObject({ filename: 'Testmail.eml', inline: false });
    await removeSpooledAttachments(mail);
  });

  it('decodes RFC 2231 file names (percent-encoded, continued)', async () => {
    const polish = await parseCorpus('django-mailbox/message_with_utf8_attachment.eml');
    expect(polish.subject).toBe('Odpowiedź od burmistrza na wniosek stowarzyszenia');
    expect(polish.attachments.map((attachment) => attachment.filename)).toEqual([
      'piłkochwyty.jpg',
      'odpowiedź Burmistrza.jpg',
    ]);
    await removeSpooledAttachments(polish);

    const japanese = await parseCorpus('mikel-mail/multi_charset/japanese_attachment_long_name.eml');
    expect(japanese.attachments).toHaveLength(1);
    expect(japanese.attachments[0].filename).toBe('かきくけこかきくけこかきくけこかきくけこかきくけこ.txt');
    // The fixture has CRLF line ends; the CRLF before the boundary belongs to the boundary.
    expect(fs.readFileSync(japanese.attachments[0].tempPath, 'utf8')).toBe('this is the data\r\n');
    await removeSpooledAttachments(japanese);
  });

  it('keeps delivery-status parts as attachments (mailparser/delivery-status.eml)', async () => {
    const mail = await parseCorpus('mailparser/delivery-status.eml');
    expect(mail.from).toEqual({ address: 'mailer-daemon@amazonses.com', name: '' });
    expect(mail.text).toBe(
      'An error occurred while trying to deliver the mail to the following recipients:\nxxxx@xxxx.com'
    );
    expect(
      mail.attachments.map(({ filename, contentType, size }) => ({ filename, contentType, size }))
    ).toEqual([
      { filename: 'attachment-1.txt', contentType: 'message/delivery-status', size: 461 },
      { filename: 'attachment-2.eml', contentType: 'message/rfc822', size: 1024 },
    ]);
    expect(fs.readFileSync(mail.attachments[0].tempPath, 'utf8')).toContain('Action: failed');
    await removeSpooledAttachments(mail);
  });

  it('removes NUL bytes from the text body (stalwart-mail-parser/thirdparty/000.eml)', async () => {
    const mail = await parseCorpus('stalwart-mail-parser/thirdparty/000.eml');
    expect(mail.text).not.toContain('\u0000');
    expect(mail.text.startsWith('we have\ra lot \nof binary stuff in here')).toBe(true);
    expect(mail.warnings).toContain('NUL characters removed from the text body');
  });

  it('gives the same result for a stream, a Buffer and a string', async () => {
    const file = corpusPath('discourse/encoded_display_name.eml');
    const fromStream = await parseMail(fs.createReadStream(file), { spoolDir: newSpoolDir() });
    const fromBuffer = await parseMail(fs.readFileSync(file), { spoolDir: newSpoolDir() });
    const fromString = await parseMail(fs.readFileSync(file, 'utf8'), { spoolDir: newSpoolDir() });
    expect(fromBuffer).toEqual(fromStream);
    expect(fromString).toEqual(fromStream);
  });
});

describe('parseMail on every manifest message', () => {
  it('resolves with a ParsedMail or rejects with "Cannot parse message", and leaves no temp file behind', async () => {
    const spoolDir = newSpoolDir();
    const rejected: { localPath: string; message: string }[] = [];
    let parsed = 0;
    let attachmentsSeen = 0;
    for (const row of manifest) {
      let mail: ParsedMail;
      try {
        mail = await parseMail(fs.createReadStream(path.join(CORPUS, row.localPath)), { spoolDir });
      } catch (err) {
        expect(err, row.localPath).toBeInstanceOf(Error);
        expect((err as Error).message, row.localPath).toMatch(/^Cannot parse message/);
        rejected.push({ localPath: row.localPath, message: (err as Error).message });
        expect(fs.readdirSync(spoolDir), `temp files left after rejecting ${row.localPath}`).toEqual([]);
        continue;
      }
      parsed++;
      // Shape and invariants of ParsedMail.
      expect(mail.messageId === null || /^[^\s<>]+$/.test(mail.messageId), row.localPath).toBe(true);
      expect(Array.isArray(mail.inReplyTo) && Array.isArray(mail.references), row.localPath).toBe(true);
      expect(mail.from === null || /^[^\s@]+@[^\s@]+$/.test(mail.from.address), row.localPath).toBe(true);
      for (const address of [...(mail.from ? [mail.from] : []), ...mail.to, ...mail.cc, ...mail.replyTo]) {
        expect(address.address, row.localPath).toBe(address.address.trim().toLowerCase());
        expect(address.address, row.localPath).toContain('@');
      }
      // eslint-disable-next-line no-control-regex
      expect(mail.subject, row.localPath).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(mail.text, row.localPath).not.toContain('\u0000');
      expect(mail.date === null || !Number.isNaN(mail.date.getTime()), row.localPath).toBe(true);
      expect(mail.html === null || !/<script|\son\w+=|javascript:/i.test(mail.html), row.localPath).toBe(
        true
      );
      for (const name of Object.keys(mail.headers)) {
        expect(name, row.localPath).toBe(name.toLowerCase());
      }
      for (const attachment of mail.attachments) {
        attachmentsSeen++;
        expect(attachment.filename.length, row.localPath).toBeGreaterThan(0);
        expect(Array.from(attachment.filename).length, row.localPath).toBeLessThanOrEqual(200);
        // eslint-disable-next-line no-control-regex
        expect(attachment.filename, row.localPath).not.toMatch(/[/\\\u0000-\u001f]/);
        expect(path.dirname(attachment.tempPath), row.localPath).toBe(spoolDir);
        expect(fs.statSync(attachment.tempPath).size, row.localPath).toBe(attachment.size);
        expect(sha256File(attachment.tempPath), row.localPath).toBe(attachment.sha256);
      }
      await removeSpooledAttachments(mail);
      expect(fs.readdirSync(spoolDir), `temp files left after ${row.localPath}`).toEqual([]);
    }
    // At the time of writing all 465 messages parse; malformed mail must degrade, not fail wholesale.
    expect(parsed + rejected.length).toBe(manifest.length);
    expect(rejected, JSON.stringify(rejected, null, 1)).toHaveLength(0);
    expect(attachmentsSeen).toBeGreaterThan(100);
  }, 180_000);
});

describe('parseMail on generated messages', () => {
  it('spools a 20 MB base64 attachment to disk with the right size and SHA-256', async () => {
    const spoolDir = newSpoolDir();
    const total = 20 * 1024 * 1024;
    const chunkBytes = 57 * 1024; // a multiple of 3 bytes: no base64 padding inside the stream
    const expectedHash = createHash('sha256');
    let produced = 0;
    let stage: 'head' | 'body' | 'tail' | 'done' = 'head';
    // Generated on the fly: the test itself never holds the whole message either.
    const source = new Readable({
      read() {
        if (stage === 'head') {
          stage = 'body';
          this.push(
            'From: Big Sender <big@example.com>\r\nTo: support@example.com\r\nSubject: big file\r\n' +
              'Message-ID: <big-1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n' +
              '--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n' +
              '--b1\r\nContent-Type: application/octet-stream; name="big.bin"\r\n' +
              'Content-Disposition: attachment; filename="big.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
          );
        } else if (stage === 'body') {
          const bytes = randomBytes(Math.min(chunkBytes, total - produced));
          expectedHash.update(bytes);
          produced += bytes.length;
          // 76-character lines; the last chunk ends with a partial line, which must end with CRLF too.
          this.push(bytes.toString('base64').replace(/.{1,76}/g, '$&\r\n'));
          if (produced >= total) {
            stage = 'tail';
          }
        } else if (stage === 'tail') {
          stage = 'done';
          this.push('--b1--\r\n');
        } else {
          this.push(null);
        }
      },
    });
    const mail = await parseMail(source, { spoolDir });
    expect(mail.text).toBe('See attached.');
    expect(mail.attachments).toHaveLength(1);
    const [big] = mail.attachments;
    const sha256 = expectedHash.digest('hex');
    expect(big).toMatchObject({
      filename: 'big.bin',
      contentType: 'application/octet-stream',
      size: total,
      sha256,
    });
    expect(fs.readdirSync(spoolDir)).toEqual([path.basename(big.tempPath)]);
    expect(fs.statSync(big.tempPath).size).toBe(total);
    expect(sha256File(big.tempPath)).toBe(sha256);
    await removeSpooledAttachments(mail);
    expect(fs.readdirSync(spoolDir)).toEqual([]);
  }, 120_000);

  it('flattens address groups, lower-cases and drops entries without an address', async () => {
    const mail = await parseMail(
      [
        'From: "Jane Q." <Jane.Q@Example.COM>',
        'To: Team: Alice <ALICE@example.com>, bob@example.com;, carol@example.com',
        'To: undisclosed-recipients:;',
        'Cc: postmaster, dave@example.com, Dave Again <DAVE@example.com>, nobody:;',
        'Reply-To: help@example.com',
        'Subject: =?UTF-8?Q?Hello=09world=0A?= =?UTF-8?B?4pyU?=',
        'Message-ID: <Abc.DEF@Example.com>',
        'In-Reply-To: <Parent@example.com> (sent by mail client)',
        'References: <root@example.com>',
        '  <Parent@example.com>',
        'Received: from a by b',
        'Received: from c by d',
        'Date: not a date',
        '',
        'Body.',
        '',
      ].join('\r\n'),
      { spoolDir: newSpoolDir() }
    );
    expect(mail.from).toEqual({ address: 'jane.q@example.com', name: 'Jane Q.' });
    expect(mail.to).toEqual([
      { address: 'alice@example.com', name: 'Alice' },
      { address: 'bob@example.com', name: '' },
      { address: 'carol@example.com', name: '' },
    ]);
    // `postmaster` has no address and the empty group none either; the second Dave is a duplicate.
    expect(mail.cc).toEqual([{ address: 'dave@example.com', name: '' }]);
    expect(mail.replyTo).toEqual([{ address: 'help@example.com', name: '' }]);
    expect(mail.subject).toBe('Hello world ✔');
    expect(mail.messageId).toBe('abc.def@example.com');
    expect(mail.inReplyTo).toEqual(['parent@example.com']);
    expect(mail.references).toEqual(['root@example.com', 'parent@example.com']);
    expect(mail.headers.received).toEqual(['from a by b', 'from c by d']);
    expect(mail.headers.references).toBe('<root@example.com>  <Parent@example.com>');
    expect(mail.date).toBeNull();
    expect(mail.warnings).toEqual(['Unparsable Date header: not a date']);
    expect(mail.text).toBe('Body.\n');
  });

  it('reads raw 8-bit headers as UTF-8, and as Latin-1 when they are not valid UTF-8', async () => {
    const mail = await parseMail(
      Buffer.concat([
        Buffer.from('From: "Jörg Ü" <j@example.de>\r\nSubject: Grüße ✔\r\nX-Legacy: ', 'utf8'),
        Buffer.from('Lütke', 'latin1'),
        Buffer.from('\r\n\r\nbody', 'utf8'),
      ]),
      { spoolDir: newSpoolDir() }
    );
    expect(mail.subject).toBe('Grüße ✔');
    expect(mail.from).toEqual({ address: 'j@example.de', name: 'Jörg Ü' });
    expect(mail.headers['x-legacy']).toBe('Lütke');
  });

  it('keeps hostile header names as ordinary keys of a plain object', async () => {
    const mail = await parseMail(
      'From: a@example.com\r\n__proto__: x\r\n__proto__: y\r\nConstructor: z\r\n\r\nhi',
      {
        spoolDir: newSpoolDir(),
      }
    );
    expect(Object.getPrototypeOf(mail.headers)).toBe(Object.prototype);
    expect(Object.keys(mail.headers)).toEqual(['from', '__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(mail.headers, '__proto__')?.value).toEqual(['x', 'y']);
    expect(mail.headers.constructor).toBe('z');
  });

  it('derives text from sanitized HTML when an HTML-only part sits in multipart/mixed', async () => {
    const mail = await parseMail(
      [
        'From: a@example.com',
        'Subject: html only',
        'Content-Type: multipart/mixed; boundary="m"',
        '',
        '--m',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><head><title>T</title></head><body><p>Hello <b>there</b></p><script>alert(1)</script><p>Second</p></body></html>',
        '--m',
        'Content-Type: text/plain; name="a.txt"',
        'Content-Disposition: attachment; filename="a.txt"',
        '',
        'file',
        '--m--',
        '',
      ].join('\r\n'),
      { spoolDir: newSpoolDir() }
    );
    expect(mail.html).toBe('<p>Hello <b>there</b></p><p>Second</p>');
    expect(mail.text).toBe('Hello there\n\nSecond');
    expect(mail.attachments.map((attachment) => attachment.filename)).toEqual(['a.txt']);
    await removeSpooledAttachments(mail);
  });

  it('stops spooling at maxAttachments and says so', async () => {
    const parts = Array.from(
      { length: 5 },
      (_, i) =>
        `--x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="f${i}.bin"\r\n\r\ndata${i}\r\n`
    );
    const spoolDir = newSpoolDir();
    const mail = await parseMail(
      `From: a@example.com\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n${parts.join('')}--x--\r\n`,
      { spoolDir, maxAttachments: 2 }
    );
    expect(mail.text).toBe('hi');
    expect(mail.attachments.map((attachment) => attachment.filename)).toEqual(['f0.bin', 'f1.bin']);
    expect(mail.warnings).toContain('Attachment limit reached: 2 kept, 3 more not stored');
    expect(fs.readdirSync(spoolDir)).toHaveLength(2);
    await removeSpooledAttachments(mail);
  });

  it('rejects a parser error and deletes the attachments already spooled', async () => {
    // 1100 parts: more than mailparser's maxChildNodes (1000), after 200 attachments were written.
    const parts = Array.from(
      { length: 1100 },
      (_, i) =>
        `--x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="f${i}.bin"\r\n\r\nd${i}\r\n`
    );
    const spoolDir = newSpoolDir();
    await expect(
      parseMail(
        `From: a@example.com\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n${parts.join('')}--x--\r\n`,
        {
          spoolDir,
        }
      )
    ).rejects.toThrow(/^Cannot parse message: Max allowed child nodes exceeded/);
    expect(fs.readdirSync(spoolDir)).toEqual([]);
  });

  it('rejects a source stream error and deletes the attachments already spooled', async () => {
    const spoolDir = newSpoolDir();
    const source = new Readable({ read() {} });
    // More than 64 KiB: mailparser buffers its input in 64 KiB chunks before it parses anything.
    const firstPdf = Buffer.alloc(96 * 1024, 'a')
      .toString('base64')
      .replace(/.{1,76}/g, '$&\r\n');
    source.push(
      'From: a@example.com\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n' +
        '--x\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="one.pdf"\r\n' +
        `Content-Transfer-Encoding: base64\r\n\r\n${firstPdf}` +
        '--x\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="two.pdf"\r\n\r\n%PDF-1.4\r\n'
    );
    // Fail the source only once an attachment is certainly on disk.
    let sawFile = false;
    const waitForFile = setInterval(() => {
      if (fs.existsSync(spoolDir) && fs.readdirSync(spoolDir).length > 0) {
        sawFile = true;
        clearInterval(waitForFile);
        source.destroy(new Error('connection reset'));
      }
    }, 5);
    try {
      await expect(parseMail(source, { spoolDir })).rejects.toThrow(
        'Cannot parse message: cannot read the message: connection reset'
      );
    } finally {
      clearInterval(waitForFile);
    }
    expect(sawFile).toBe(true);
    expect(fs.readdirSync(spoolDir)).toEqual([]);
  }, 20_000);

  it('rejects an empty message', async () => {
    await expect(parseMail('', { spoolDir: newSpoolDir() })).rejects.toThrow(
      'Cannot parse message: the message is empty'
    );
    await expect(parseMail(Buffer.from('\r\n\r\n'), { spoolDir: newSpoolDir() })).rejects.toThrow(
      'Cannot parse message: the message is empty'
    );
  });

  it('creates a missing spool directory', async () => {
    const spoolDir = path.join(newSpoolDir(), 'nested', 'dir');
    const mail = await parseMail(
      'From: a@example.com\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment\r\n\r\n%PDF',
      { spoolDir }
    );
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].filename).toBe('attachment-1.pdf');
    expect(fs.readFileSync(mail.attachments[0].tempPath, 'latin1')).toBe('%PDF');
    await removeSpooledAttachments(mail);
  });
});

describe('safeAttachmentFilename', () => {
  it('removes path separators, control and bidi characters, leading dots', () => {
    expect(safeAttachmentFilename('../../etc/passwd', 'text/plain', 1)).toBe('_.._etc_passwd');
    expect(safeAttachmentFilename('C:\\Users\\me\\report.pdf', 'application/pdf', 1)).toBe(
      'C:_Users_me_report.pdf'
    );
    expect(safeAttachmentFilename('a\u0000b\u0007c.txt', 'text/plain', 1)).toBe('abc.txt');
    expect(safeAttachmentFilename('invoice\u202Efdp.exe', 'application/octet-stream', 1)).toBe(
      'invoicefdp.exe'
    );
    expect(safeAttachmentFilename('.htaccess', 'text/plain', 1)).toBe('htaccess');
  });

  it('caps the length at 200 characters and keeps the extension', () => {
    const name = safeAttachmentFilename('x'.repeat(300) + '.pdf', 'application/pdf', 1);
    expect(name).toHaveLength(200);
    expect(name.endsWith('xxx.pdf')).toBe(true);
    const emoji = safeAttachmentFilename('😀'.repeat(250), 'image/png', 1);
    expect(Array.from(emoji)).toHaveLength(200);
  });

  it('falls back to attachment-<n> with an extension from the content type', () => {
    expect(safeAttachmentFilename(undefined, 'application/pdf', 3)).toBe('attachment-3.pdf');
    expect(safeAttachmentFilename('', 'message/rfc822', 1)).toBe('attachment-1.eml');
    expect(safeAttachmentFilename('  ', 'image/jpg', 2)).toBe('attachment-2.jpg');
    expect(safeAttachmentFilename('..', 'application/x-unknown-thing', 4)).toBe('attachment-4.bin');
  });
});
