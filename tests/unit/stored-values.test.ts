/** Mail data made storable on every database: NUL replaced (PostgreSQL refuses it), indexed values clipped. */
import { describe, expect, it } from 'vitest';
import { clipChars, clipUtf8, withoutNul } from '../../src/ingest/stored-values';

describe('withoutNul', () => {
  it('replaces NUL in strings, nested arrays, objects and keys, visibly', () => {
    const row = {
      subject: 'a\u0000b',
      headers: { 'x-odd\u0000': ['c\u0000d', { deep: '\u0000' }] },
      sentAt: new Date(0),
      rawSize: 3,
    };
    const clean = withoutNul(row);
    expect(clean).toEqual({
      subject: 'a\uFFFDb',
      headers: { 'x-odd\uFFFD': ['c\uFFFDd', { deep: '\uFFFD' }] },
      sentAt: new Date(0),
      rawSize: 3,
    });
    expect(clean.sentAt).toBe(row.sentAt);
    expect(JSON.stringify(clean)).not.toContain('\\u0000');
    // The input is not changed.
    expect(row.subject).toBe('a\u0000b');
  });

  it('answers the very same object when there is no NUL (nothing copied on the import road)', () => {
    const row = { subject: 'fine', to: [{ address: 'a@b.test', name: '' }], headers: { a: ['b'] } };
    expect(withoutNul(row)).toBe(row);
  });
});

describe('clipUtf8', () => {
  it('keeps short values and cuts long ones on a character boundary within the byte budget', () => {
    expect(clipUtf8('abc', 10)).toBe('abc');
    expect(clipUtf8(null)).toBeNull();
    const ascii = 'm'.repeat(990);
    expect(clipUtf8(ascii)).toBe(ascii);
    const wide = '€'.repeat(1000); // 3 bytes each
    const clipped = clipUtf8(wide, 2000);
    expect(Buffer.byteLength(clipped, 'utf8')).toBeLessThanOrEqual(2000);
    expect(clipped).toBe('€'.repeat(666));
    expect(clipUtf8('😀😀', 5)).toBe('😀');
  });
});

describe('clipChars', () => {
  it('marks a cut with an ellipsis', () => {
    expect(clipChars('abcdef', 4)).toBe('abc…');
    expect(clipChars('abc', 4)).toBe('abc');
    expect(clipChars(null)).toBeNull();
  });
});
