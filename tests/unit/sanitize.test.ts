import { describe, expect, it } from 'vitest';
import { isSafeDataImage, sanitizeMailHtml } from '../../src/mail/sanitize';

const LINK_ATTRS = 'target="_blank" rel="noopener noreferrer nofollow"';

describe('sanitizeMailHtml: active content is removed', () => {
  it('drops script elements with their content', () => {
    expect(
      sanitizeMailHtml('<p>Hi<script>alert(1)</script></p><script src="https://evil/x.js"></script>')
    ).toBe('<p>Hi</p>');
  });

  it('drops on* event handlers', () => {
    expect(sanitizeMailHtml('<img src="https://example.com/a.png" onerror="alert(1)" alt="a">')).toBe(
      '<img src="https://example.com/a.png" alt="a" />'
    );
    expect(sanitizeMailHtml('<div onclick="x()" onmouseover="y()" class="c">t</div>')).toBe(
      '<div class="c">t</div>'
    );
  });

  it('drops javascript:, vbscript: and data: link targets, also obfuscated or mixed case', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'jav&#x09;ascript:alert(1)',
      '&#106;avascript:alert(1)',
      ' javascript:alert(1)',
      'java\nscript:alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    ]) {
      expect(sanitizeMailHtml(`<a href="${href}">x</a>`), href).toBe(`<a ${LINK_ATTRS}>x</a>`);
    }
  });

  it('drops svg entirely, content and handlers included', () => {
    expect(sanitizeMailHtml('<svg onload="alert(1)"><circle r="1"/><text>svg text</text></svg>after')).toBe(
      'after'
    );
    expect(sanitizeMailHtml('<p><svg><script>alert(1)</script></svg>ok</p>')).toBe('<p>ok</p>');
  });

  it('drops frames, objects and embeds with their content', () => {
    expect(sanitizeMailHtml('<iframe src="https://evil"><p>inner</p></iframe>after')).toBe('after');
    expect(sanitizeMailHtml('<frameset><frame src="https://evil"></frameset>x')).toBe('x');
    expect(sanitizeMailHtml('<object data="x.swf"><embed src="y.swf"></object>z')).toBe('z');
  });

  it('drops forms, inputs and buttons but keeps ordinary text inside a form', () => {
    expect(
      sanitizeMailHtml(
        '<form action="https://evil/login" method="post"><input name="password" type="password">' +
          '<button type="submit">Log in</button><select><option>a</option></select><p>form text</p></form>'
      )
    ).toBe('<p>form text</p>');
  });

  it('drops <link>, <style>, <base> and <meta http-equiv>', () => {
    expect(sanitizeMailHtml('<link rel="stylesheet" href="https://evil/x.css"><p>t</p>')).toBe('<p>t</p>');
    expect(sanitizeMailHtml('<style>@import url(https://evil/x.css); p{color:red}</style><p>t</p>')).toBe(
      '<p>t</p>'
    );
    expect(sanitizeMailHtml('<base href="https://evil/"><a href="/x">x</a>')).toBe(
      `<a href="/x" ${LINK_ATTRS}>x</a>`
    );
    expect(sanitizeMailHtml('<meta http-equiv="refresh" content="0;url=https://evil/"><p>t</p>')).toBe(
      '<p>t</p>'
    );
  });

  it('drops a whole <head> (title text does not leak into the body)', () => {
    expect(
      sanitizeMailHtml(
        '<html><head><title>Title</title><meta charset="utf-8"><style>p{}</style></head><body><p>Body</p></body></html>'
      )
    ).toBe('<p>Body</p>');
  });

  it('drops raw-text elements whose text would be markup (xmp, noscript)', () => {
    expect(sanitizeMailHtml('<xmp><script>alert(1)</script></xmp>x')).toBe('x');
    expect(sanitizeMailHtml('<noscript><img src=x onerror=alert(1)></noscript>y')).toBe('y');
  });

  it('drops HTML comments, including Outlook conditional comments', () => {
    expect(sanitizeMailHtml('<!--[if mso]><p>mso</p><![endif]--><p>ok</p><!-- hidden -->')).toBe('<p>ok</p>');
  });
});

describe('sanitizeMailHtml: inline styles', () => {
  it('removes url(...) (background images, tracking) and keeps harmless properties', () => {
    expect(sanitizeMailHtml('<p style="background:url(https://evil/x.png);color:red">t</p>')).toBe(
      '<p style="color:red">t</p>'
    );
    expect(sanitizeMailHtml('<p style="background-color: url(https://evil/x.png)">t</p>')).toBe('<p>t</p>');
    expect(sanitizeMailHtml('<p style="background-image:url(https://evil/x.png)">t</p>')).toBe('<p>t</p>');
  });

  it('removes expression(), CSS escapes and positioning', () => {
    expect(sanitizeMailHtml('<p style="width: expression(alert(1)); height: 10px">t</p>')).toBe(
      '<p style="height:10px">t</p>'
    );
    expect(sanitizeMailHtml('<p style="color: \\72 ed; margin: 0">t</p>')).toBe('<p style="margin:0">t</p>');
    expect(sanitizeMailHtml('<p style="position:fixed;top:0;left:0;z-index:9999;color:blue">t</p>')).toBe(
      '<p style="color:blue">t</p>'
    );
  });

  it('keeps typical mail formatting declarations', () => {
    expect(
      sanitizeMailHtml(
        '<td style="font-family: \'Segoe UI\', Arial; font-size: 14px; text-align: center; padding: 4px 8px; border: 1px solid #ccc; background-color: #fff">x</td>'
      )
    ).toBe(
      '<td style="font-family:\'Segoe UI\', Arial;font-size:14px;text-align:center;padding:4px 8px;border:1px solid #ccc;background-color:#fff">x</td>'
    );
  });
});

describe('sanitizeMailHtml: formatting is kept', () => {
  it('keeps quote markers: gmail_quote, moz-cite-prefix classes and blockquote type=cite', () => {
    expect(
      sanitizeMailHtml(
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, X wrote:<br></div></div>'
      )
    ).toBe('<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, X wrote:<br /></div></div>');
    expect(sanitizeMailHtml('<div class="moz-cite-prefix">On 1/1/24 X wrote:</div>')).toBe(
      '<div class="moz-cite-prefix">On 1/1/24 X wrote:</div>'
    );
    expect(sanitizeMailHtml('<blockquote type="cite">quoted</blockquote>')).toBe(
      '<blockquote type="cite">quoted</blockquote>'
    );
  });

  it('keeps tables with their layout attributes', () => {
    const table =
      '<table border="0" cellpadding="2" cellspacing="0" width="100%"><thead><tr><th>H</th></tr></thead>' +
      '<tbody><tr><td colspan="2" align="right" valign="top">c</td></tr></tbody></table>';
    expect(sanitizeMailHtml(table)).toBe(table);
  });

  it('keeps lists, headings and inline formatting', () => {
    const html =
      '<h2>T</h2><ol start="3"><li><b>b</b> <i>i</i> <u>u</u></li></ol><ul><li><span class="x">s</span></li></ul>';
    expect(sanitizeMailHtml(html)).toBe(html);
  });

  it('keeps images from cid:, https:, http: and raster data: URLs', () => {
    expect(sanitizeMailHtml('<img src="cid:image001.png@01D9A2B3.C4D5E6F0" alt="">')).toBe(
      '<img src="cid:image001.png@01D9A2B3.C4D5E6F0" alt="" />'
    );
    expect(sanitizeMailHtml('<img src="https://example.com/logo.png" width="10" height="10">')).toBe(
      '<img src="https://example.com/logo.png" width="10" height="10" />'
    );
    expect(sanitizeMailHtml('<img src="http://example.com/logo.png">')).toBe(
      '<img src="http://example.com/logo.png" />'
    );
    expect(sanitizeMailHtml('<img src="data:image/png;base64,iVBORw0KGgo=">')).toBe(
      '<img src="data:image/png;base64,iVBORw0KGgo=" />'
    );
  });

  it('drops non-raster data: images, javascript: images and protocol-relative sources', () => {
    expect(sanitizeMailHtml('<img src="data:image/svg+xml;base64,PHN2Zz4=">')).toBe('<img />');
    expect(sanitizeMailHtml('<img src="data:text/html;base64,PHNjcmlwdD4=">')).toBe('<img />');
    expect(sanitizeMailHtml('<img src="javascript:alert(1)">')).toBe('<img />');
    expect(sanitizeMailHtml('<img src="//evil.example/pixel.gif">')).toBe('<img />');
  });

  it('gives links target=_blank and rel=noopener noreferrer nofollow, overriding what the mail said', () => {
    expect(
      sanitizeMailHtml('<a href="https://example.com/a?b=1&c=2" target="_self" rel="opener">x</a>')
    ).toBe(`<a href="https://example.com/a?b=1&amp;c=2" ${LINK_ATTRS}>x</a>`);
    expect(sanitizeMailHtml('<a href="mailto:help@example.com">m</a>')).toBe(
      `<a href="mailto:help@example.com" ${LINK_ATTRS}>m</a>`
    );
  });

  it('drops id attributes (no DOM clobbering of the page showing the mail)', () => {
    expect(sanitizeMailHtml('<p id="x">a</p><form name="y"></form>')).toBe('<p>a</p>');
  });

  it('returns an empty string for empty input', () => {
    expect(sanitizeMailHtml('')).toBe('');
  });
});

describe('isSafeDataImage', () => {
  it('accepts raster image data URLs only', () => {
    expect(isSafeDataImage('data:image/png;base64,AAAA')).toBe(true);
    expect(isSafeDataImage('DATA:IMAGE/JPEG;base64,AAAA')).toBe(true);
    expect(isSafeDataImage('data:image/svg+xml,<svg/>')).toBe(false);
    expect(isSafeDataImage('data:text/html,<b>')).toBe(false);
    expect(isSafeDataImage('https://example.com/a.png')).toBe(false);
  });
});
