import { describe, expect, it } from 'vitest';
import { storedAttachmentName } from '../../src/mail/attachment-safety';
import { resolveCidReferences } from '../../src/mail/cid';

describe('storedAttachmentName', () => {
  it('keeps ordinary files as they are', () => {
    expect(storedAttachmentName('invoice.pdf', 'application/pdf')).toEqual({
      displayName: 'invoice.pdf',
      storageName: 'invoice.pdf',
      mimeType: 'application/pdf',
      neutralised: false,
    });
  });

  it.each([
    ['drawing.svg', 'image/svg+xml'],
    ['page.HTML', 'text/html'],
    ['innocent.png', 'image/svg+xml'],
    ['noext', 'text/html'],
    ['feed.xml', 'application/xml'],
    ['script.js', 'text/javascript'],
  ])('stores %s (%s) as a neutral download', (filename, type) => {
    const stored = storedAttachmentName(filename, type);
    expect(stored.displayName).toBe(filename);
    expect(stored.mimeType).toBe('application/octet-stream');
    expect(stored.storageName).toMatch(/\.download$/);
    expect(stored.storageName.slice(0, -'.download'.length)).not.toContain('.');
    expect(stored.neutralised).toBe(true);
  });

  it('makes names that file systems refuse storable', () => {
    expect(storedAttachmentName('a<b>:c|d?.txt', 'text/plain').storageName).toBe('a_b__c_d_.txt');
    expect(storedAttachmentName('CON.txt', 'text/plain').storageName).toBe('_CON.txt');
    expect(storedAttachmentName('tab\there.txt', 'text/plain').storageName).toBe('tab_here.txt');
  });
});

describe('resolveCidReferences', () => {
  const parts = [{ contentId: 'Logo@Example.test', url: '/uploads/logo_abc.png' }];

  it('points cid: references at the stored files, case-insensitively', () => {
    expect(resolveCidReferences('<img src="cid:logo@example.test">', parts)).toBe(
      '<img src="/uploads/logo_abc.png">'
    );
    expect(resolveCidReferences('<td style="background:url(\'cid:logo@example.test\')">', parts)).toContain(
      "url('/uploads/logo_abc.png')"
    );
  });

  it('leaves unknown references alone', () => {
    expect(resolveCidReferences('<img src="cid:other@x">', parts)).toBe('<img src="cid:other@x">');
  });
});
