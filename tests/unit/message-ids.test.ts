import { describe, expect, it } from 'vitest';
import { normalizeMessageId, parseMessageIdList, threadCandidateIds } from '../../src/mail/message-ids';

describe('normalizeMessageId', () => {
  it('strips brackets and whitespace and lower-cases', () => {
    expect(normalizeMessageId('<CAF=abc123@Mail.Gmail.COM>')).toBe('caf=abc123@mail.gmail.com');
    expect(normalizeMessageId('  <abc@example.com>  ')).toBe('abc@example.com');
    expect(normalizeMessageId('abc@example.com')).toBe('abc@example.com');
    expect(normalizeMessageId('<abc@\r\n example.com>')).toBe('abc@example.com');
  });

  it('takes the bracketed id when there is text around it', () => {
    expect(normalizeMessageId('<id-1@example.com> (added by postmaster)')).toBe('id-1@example.com');
  });

  it('keeps ids without @ (some mailers generate them)', () => {
    expect(normalizeMessageId('<11107978796724623>')).toBe('11107978796724623');
  });

  it('returns null for empty values and garbage', () => {
    expect(normalizeMessageId('')).toBeNull();
    expect(normalizeMessageId('   ')).toBeNull();
    expect(normalizeMessageId('<>')).toBeNull();
    expect(normalizeMessageId('<<>>')).toBeNull();
    expect(normalizeMessageId('<...@...>')).toBeNull();
    expect(normalizeMessageId('<a\u0000b@example.com>')).toBeNull();
    expect(normalizeMessageId('<' + 'a'.repeat(1000) + '@example.com>')).toBeNull();
  });
});

describe('parseMessageIdList', () => {
  it('returns [] for missing headers', () => {
    expect(parseMessageIdList(undefined)).toEqual([]);
    expect(parseMessageIdList('')).toEqual([]);
    expect(parseMessageIdList([])).toEqual([]);
  });

  it('reads several bracketed ids in header order, folded or not', () => {
    expect(parseMessageIdList('<A@x.com> <b@X.com>\r\n\t<c@x.com>')).toEqual([
      'a@x.com',
      'b@x.com',
      'c@x.com',
    ]);
    expect(parseMessageIdList('<a@x.com><b@x.com>')).toEqual(['a@x.com', 'b@x.com']);
  });

  it('reads ids without brackets, space or comma separated', () => {
    expect(parseMessageIdList('a@x.com b@x.com')).toEqual(['a@x.com', 'b@x.com']);
    expect(parseMessageIdList('a@x.com, b@x.com,c@x.com')).toEqual(['a@x.com', 'b@x.com', 'c@x.com']);
  });

  it('skips comments (nested, escaped) and quoted phrases', () => {
    expect(parseMessageIdList('<a@x.com> (comment with <fake@x.com> inside) <b@x.com>')).toEqual([
      'a@x.com',
      'b@x.com',
    ]);
    expect(parseMessageIdList('(outer (inner \\) still) done) <a@x.com>')).toEqual(['a@x.com']);
    expect(parseMessageIdList('Your message of "Mon, 1 Jan 2024 <10:00>" <a@x.com>')).toEqual(['a@x.com']);
    // Old RFC 822 style: a phrase without quotes; its words contain no @ and are ignored.
    expect(parseMessageIdList('Your message of Mon, 1 Jan 2024 <a@x.com>')).toEqual(['a@x.com']);
  });

  it('dedupes case-insensitively, keeping the first occurrence', () => {
    expect(parseMessageIdList('<a@x.com> <b@x.com> <A@X.COM> <c@x.com> <b@x.com>')).toEqual([
      'a@x.com',
      'b@x.com',
      'c@x.com',
    ]);
  });

  it('accepts a repeated header (array) and dedupes across its values', () => {
    expect(parseMessageIdList(['<a@x.com> <b@x.com>', '<b@x.com> <c@x.com>'])).toEqual([
      'a@x.com',
      'b@x.com',
      'c@x.com',
    ]);
  });

  it('drops empty and garbage entries, keeps an unterminated last id', () => {
    expect(parseMessageIdList('<> <a@x.com> <   > <b@x.com')).toEqual(['a@x.com', 'b@x.com']);
  });
});

describe('threadCandidateIds', () => {
  it('puts In-Reply-To first, then References newest to oldest, deduplicated', () => {
    expect(
      threadCandidateIds({
        inReplyTo: ['parent@x'],
        references: ['root@x', 'middle@x', 'parent@x'],
      })
    ).toEqual(['parent@x', 'middle@x', 'root@x']);
  });

  it('works with References only or In-Reply-To only', () => {
    expect(threadCandidateIds({ inReplyTo: [], references: ['a@x', 'b@x'] })).toEqual(['b@x', 'a@x']);
    expect(threadCandidateIds({ inReplyTo: ['a@x', 'b@x'], references: [] })).toEqual(['a@x', 'b@x']);
    expect(threadCandidateIds({ inReplyTo: [], references: [] })).toEqual([]);
  });

  it('normalizes ids given in raw form', () => {
    expect(threadCandidateIds({ inReplyTo: ['<Parent@X>'], references: ['<ROOT@x>', 'parent@x'] })).toEqual([
      'parent@x',
      'root@x',
    ]);
  });

  it('caps a hostile References list at max lookups (default 20), newest first', () => {
    const references = Array.from({ length: 5000 }, (_, i) => `ref${i}@x`);
    const ids = threadCandidateIds({ inReplyTo: ['parent@x'], references });
    expect(ids).toHaveLength(20);
    expect(ids[0]).toBe('parent@x');
    expect(ids[1]).toBe('ref4999@x');
    expect(ids[19]).toBe('ref4981@x');
  });

  it('honours a custom max, including 0', () => {
    expect(threadCandidateIds({ inReplyTo: ['a@x'], references: ['b@x', 'c@x'] }, 2)).toEqual(['a@x', 'c@x']);
    expect(threadCandidateIds({ inReplyTo: ['a@x'], references: ['b@x'] }, 0)).toEqual([]);
  });
});
