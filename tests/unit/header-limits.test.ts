import { describe, expect, it } from 'vitest';
import MailComposer from 'nodemailer/lib/mail-composer';
import {
  MAX_MESSAGE_ID_CHARS,
  MAX_SUBJECT_CHARS,
  boundedReferences,
  clipName,
  clipSubject,
  clipText,
  isReferableId,
} from '../../src/outbound/header-limits';
import { messageOptions, type OutgoingMail } from '../../src/outbound/mailer';
import { DEFAULT_TEMPLATES } from '../../src/outbound/templates/default-templates';
import { chooseTemplate } from '../../src/outbound/templates/choose';
import { renderTemplate } from '../../src/outbound/templates/render';

/** The raw header block nodemailer writes for a mail (real nodemailer, no transport). */
async function rawHeaders(mail: OutgoingMail): Promise<string[]> {
  const raw = await new MailComposer(messageOptions(mail)).compile().build();
  const text = raw.toString('utf8');
  return text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n');
}

function mail(overrides: Partial<OutgoingMail>): OutgoingMail {
  return {
    from: { name: 'Support', address: 'support@example.test' },
    to: 'customer@example.test',
    replyTo: null,
    subject: 'Hello',
    text: 'Body',
    html: null,
    messageId: 'ep.1@example.test',
    inReplyTo: null,
    references: [],
    headers: {},
    ...overrides,
  };
}

describe('clipText', () => {
  it('keeps short values as they are', () => {
    expect(clipText('Hello', 10)).toBe('Hello');
    expect(clipText('x'.repeat(10), 10)).toBe('x'.repeat(10));
  });

  it('cuts to the limit in characters, ending in an ellipsis', () => {
    const clipped = clipText('x'.repeat(11), 10);
    expect(clipped).toBe(`${'x'.repeat(9)}…`);
    expect([...clipped]).toHaveLength(10);
  });

  it('never splits a surrogate pair or a character from its combining mark', () => {
    const emoji = '😀'.repeat(300); // each is two UTF-16 units
    const clipped = clipText(emoji, 250);
    expect([...clipped]).toHaveLength(250);
    expect(clipped.endsWith('😀…')).toBe(true);
    expect(clipped).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);

    const accented = 'e\u0301'.repeat(20); // é as e + combining acute
    const cut = clipText(accented, 5);
    expect(cut).toBe(`${'e\u0301'.repeat(4)}…`);
  });

  it('costs the same for a huge value as for a long one', () => {
    const huge = 'a'.repeat(5_000_000);
    const started = performance.now();
    expect(clipText(huge, 250)).toHaveLength(250);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('clipSubject and clipName', () => {
  it('makes a subject one line of at most 250 characters', () => {
    expect(clipSubject('Re:\r\n  help\tplease')).toBe('Re: help please');
    const clipped = clipSubject(`[#1] ${'y'.repeat(200_000)}`);
    expect(clipped.startsWith('[#1] y')).toBe(true);
    expect([...clipped]).toHaveLength(MAX_SUBJECT_CHARS);
  });

  it('clips display names and keeps null', () => {
    expect(clipName(null)).toBeNull();
    expect([...(clipName('N'.repeat(300)) ?? '')]).toHaveLength(128);
  });
});

describe('boundedReferences', () => {
  it('is the parent chain plus the parent id when short', () => {
    expect(boundedReferences(['a@x', 'b@x'], 'c@x')).toEqual(['a@x', 'b@x', 'c@x']);
    expect(boundedReferences([], null)).toEqual([]);
    expect(boundedReferences(['a@x', 'a@x', 'c@x'], 'c@x')).toEqual(['a@x', 'c@x']);
  });

  it('keeps the root and the newest ids within the count limit, the parent last', () => {
    const chain = Array.from({ length: 50 }, (_, i) => `m${i}@x`);
    const kept = boundedReferences(chain, 'parent@x', 20);
    expect(kept).toHaveLength(20);
    expect(kept[0]).toBe('m0@x');
    expect(kept[kept.length - 1]).toBe('parent@x');
    expect(kept.slice(1, -1)).toEqual(chain.slice(32));
  });

  it('keeps within the character budget, always with the parent', () => {
    const long = (i: number) => `${String(i).padStart(3, '0')}${'z'.repeat(900)}@x`;
    const chain = Array.from({ length: 10 }, (_, i) => long(i));
    const kept = boundedReferences(chain, 'parent@x', 20, 4000);
    expect(kept.join(' ').length).toBeLessThanOrEqual(4000);
    expect(kept[kept.length - 1]).toBe('parent@x');
    expect(kept[0]).toBe(chain[0]);
    expect(kept).toContain(chain[9]);
  });

  it('leaves out ids that cannot be written on one header line', () => {
    const tooLong = `${'q'.repeat(MAX_MESSAGE_ID_CHARS)}@x`;
    expect(isReferableId(tooLong)).toBe(false);
    expect(isReferableId('with space@x')).toBe(false);
    expect(isReferableId(`${'q'.repeat(MAX_MESSAGE_ID_CHARS - 2)}@x`)).toBe(true);
    expect(boundedReferences(['root@x', tooLong], tooLong)).toEqual(['root@x']);
  });
});

describe('the message nodemailer writes', () => {
  it('has no header line over 998 characters for a 200,000-character subject and a huge chain', async () => {
    const lines = await rawHeaders(
      mail({
        subject: `[#1] ${'S'.repeat(200_000)}`,
        from: { name: 'N'.repeat(5000), address: 'support@example.test' },
        inReplyTo: `${'i'.repeat(5000)}@x`,
        references: [
          ...Array.from({ length: 500 }, (_, i) => `ref${i}.${'r'.repeat(900)}@x`),
          `${'i'.repeat(5000)}@x`,
        ],
      })
    );
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(998);
    const subject = lines.findIndex((line) => line.startsWith('Subject:'));
    expect(subject).toBeGreaterThanOrEqual(0);
    // The clipped subject ends in "…", so it goes out as encoded words, folded to short lines.
    expect(lines[subject].length).toBeLessThanOrEqual(78);
    expect(lines.some((line) => line.startsWith('In-Reply-To:'))).toBe(false);
  });

  it('folds a long subject with spaces and a long Arabic subject to lines of at most 78', async () => {
    for (const subject of ['word '.repeat(45).trim(), 'مرحبا بكم '.repeat(40).trim()]) {
      const lines = await rawHeaders(mail({ subject }));
      const start = lines.findIndex((line) => line.startsWith('Subject:'));
      let end = start + 1;
      while (end < lines.length && /^[ \t]/.test(lines[end])) end++;
      expect(end - start).toBeGreaterThan(1);
      for (const line of lines.slice(start, end)) expect(line.length).toBeLessThanOrEqual(78);
    }
  });

  it('keeps ordinary threading headers as they were', async () => {
    const lines = await rawHeaders(mail({ inReplyTo: 'p@x', references: ['a@x', 'p@x'] }));
    expect(lines).toContain('In-Reply-To: <p@x>');
    expect(lines).toContain('References: <a@x> <p@x>');
    expect(lines).toContain('Subject: Hello');
  });
});

describe('template values taken from the mail', () => {
  it('are bounded in the subject, the title and the body alike', () => {
    const template = chooseTemplate(DEFAULT_TEMPLATES, 'agent-new-ticket', ['en']);
    const mail = renderTemplate(
      template,
      {
        ticket: { number: 1, subject: 'S'.repeat(200_000), status: 'open', priority: 'normal' },
        requester: { name: 'N'.repeat(10_000), email: 'jane@customer.test' },
        message: { text: 'Hello', from: 'jane@customer.test' },
        site: { name: 'Example Shop' },
        mailbox: { name: 'Support' },
      },
      { subjectToken: '[#1]' }
    );
    expect(mail.html.length).toBeLessThan(5_000);
    expect(mail.text).toContain(`Subject: ${'S'.repeat(249)}…`);
    expect(mail.text).not.toContain('S'.repeat(250));
  });
});
