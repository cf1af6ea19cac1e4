import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeSpooledAttachments } from '../../src/mail/parse/attachment-spool';
import { parseMail } from '../../src/mail/parse/parse-mail';
import { MAX_HTML_DEPTH } from '../../src/mail/html-budget';
import { trimQuotedHtml } from '../../src/mail/quotes/html-quotes';
import type { TrimmedText } from '../../src/mail/quotes/quote-cut';
import { REPLY_ABOVE_MARKER } from '../../src/mail/quotes/reply-marker';
import { trimQuotedText } from '../../src/mail/quotes/text-quotes';
import type { ParsedMail } from '../../src/mail/types';
import { corpusDir, readManifest } from '../harness/corpus';

const CORPUS = corpusDir;

/** Whitespace-insensitive form, for "visible + quoted is the original, modulo whitespace at the cut". */
function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

function htmlText(html: string): string {
  return DomUtils.textContent(parseDocument(html).children);
}

/** The invariants every result must keep, whatever was cut. */
function expectLossless(original: string, result: TrimmedText, kind: 'text' | 'html'): void {
  if (original.trim() !== '') expect(result.visible.trim()).not.toBe('');
  expect(result.visible.length).toBeLessThanOrEqual(original.length);
  if (result.quoted === null) {
    expect(result.visible).toBe(original);
    return;
  }
  if (kind === 'text') {
    expect(squash(result.visible + result.quoted)).toBe(squash(original));
  } else {
    // Same text, nothing lost or doubled; the reopened wrapper tags carry no text.
    expect(squash(htmlText(result.visible) + htmlText(result.quoted))).toBe(squash(htmlText(original)));
  }
}

function text(input: string): TrimmedText {
  const result = trimQuotedText(input);
  expectLossless(input, result, 'text');
  return result;
}

function html(input: string): TrimmedText {
  const result = trimQuotedHtml(input);
  expectLossless(input, result, 'html');
  return result;
}

/* ------------------------------------------------------------------------------------------------ */

describe('rule 1: our own marker', () => {
  it('cuts at the marker at the top of a notification', () => {
    expect(
      text(`Thanks, that fixed it!\n\n${REPLY_ABOVE_MARKER}\nTicket #12 was updated by Support.`)
    ).toEqual({
      visible: 'Thanks, that fixed it!',
      quoted: `${REPLY_ABOVE_MARKER}\nTicket #12 was updated by Support.`,
    });
  });

  it('takes the attribution above a `>`-quoted marker along', () => {
    const result = text(
      `Thanks!\n\nOn Mon, 3 Jun 2019 at 10:00, Support <support@example.com> wrote:\n\n> ${REPLY_ABOVE_MARKER}\n> Your ticket was updated.\n`
    );
    expect(result.visible).toBe('Thanks!');
    expect(result.quoted).toMatch(/^On Mon, 3 Jun 2019 at 10:00, Support <support@example.com> wrote:\n/);
  });

  it('wins over an inline reply and over a forward above it', () => {
    const inline = text(
      `On Mon, 3 Jun 2019, Ann <ann@example.com> wrote:\n> Which printer?\nThe one on floor 2.\n\n> ${REPLY_ABOVE_MARKER}\n> Ticket #12`
    );
    expect(inline.visible).toBe(
      'On Mon, 3 Jun 2019, Ann <ann@example.com> wrote:\n> Which printer?\nThe one on floor 2.'
    );
    expect(inline.quoted).toBe(`> ${REPLY_ABOVE_MARKER}\n> Ticket #12`);

    const forward = text(
      `See below.\n---------- Forwarded message ---------\nFrom: Ann\n\n${REPLY_ABOVE_MARKER}\nTicket`
    );
    expect(forward.quoted).toBe(`${REPLY_ABOVE_MARKER}\nTicket`);
  });

  it('cuts at the Gmail container that holds the marker, attribution included', () => {
    const result = html(
      `<div dir="ltr">Thanks!</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Support &lt;support@example.com&gt; wrote:<br></div>` +
        `<blockquote class="gmail_quote"><div>${REPLY_ABOVE_MARKER}</div><div>Ticket #12</div></blockquote></div>`
    );
    expect(result.visible).toBe('<div dir="ltr">Thanks!</div>');
    expect(result.quoted).toMatch(/^<div class="gmail_quote">/);
  });

  it('cuts at the marker inside HTML no client marked as a quote', () => {
    expect(html(`<div>Thanks</div><div><p>${REPLY_ABOVE_MARKER}</p><p>Ticket #12</p></div>`)).toEqual({
      visible: '<div>Thanks</div>',
      quoted: `<div><p>${REPLY_ABOVE_MARKER}</p><p>Ticket #12</p></div>`,
    });
  });
});

describe('rule 2, text: attribution lines', () => {
  const attributions: Array<[string, string]> = [
    ['English (Gmail)', 'On Mon, Jun 3, 2019 at 10:00 AM, Jane Doe <jane@example.com> wrote:'],
    ['English (Apple Mail)', 'On 3 Jun 2019, at 10:00, Jane Doe <jane@example.com> wrote:'],
    ['English (Yahoo, dashed)', '--- On Wed, 4/4/12, Jane <jane@example.com> wrote:'],
    ['French', 'Le lun. 3 juin 2019 à 10:00, Jean Dupont <jean@example.fr> a écrit :'],
    ['French, no-break space', 'Le 03/06/2019 à 10:00, Jean Dupont a écrit\u00a0:'],
    ['German (Gmail)', 'Am Mo., 3. Juni 2019 um 10:00 Uhr schrieb Max Mustermann <max@example.de>:'],
    ['German (Thunderbird)', 'Am 03.06.2019 um 10:00 schrieb Max Mustermann:'],
    ['Spanish', 'El lun., 3 jun. 2019 a las 10:00, Juan Pérez (<juan@example.es>) escribió:'],
    ['Portuguese', 'Em seg., 3 de jun. de 2019 às 10:00, João Silva <joao@example.pt> escreveu:'],
    ['Polish (Thunderbird)', 'W dniu 03.06.2019 o 10:00, Jan Kowalski pisze:'],
    ['Polish (Gmail)', 'pon., 3 cze 2019 o 10:00 Jan Kowalski <jan@example.pl> napisał(a):'],
    ['Estonian', 'Jaan Tamm <jaan@example.ee> kirjutas kuupäeval E, 3. juuni 2019 kell 10:00:'],
    ['Dutch (Gmail)', 'Op ma 3 jun. 2019 om 10:00 schreef Jan Jansen <jan@example.nl>:'],
    ['Dutch (older Gmail)', 'Op 18 juli 2013 10:23 schreef Sander Datema het volgende:'],
    ['Italian', 'Il giorno lun 3 giu 2019 alle ore 10:00 Mario Rossi <mario@example.it> ha scritto:'],
    ['Russian', '3 июня 2019 г., в 10:00, Иван <ivan@example.ru> написал(а):'],
    ['English, wrapped', 'On Mon, Jun 3, 2019 at 10:00 AM, Jane Doe <jane@example.com>\nwrote:'],
    [
      'French, wrapped at the address',
      'Le lun. 3 juin 2019 à 10:00, Jean Dupont <\njean@example.fr> a écrit :',
    ],
    ['German, wrapped', 'Am 03.06.2019 um 10:00 schrieb Max Mustermann\n<max@example.de>:'],
  ];

  it.each(attributions)('%s, above a `>` quote', (_language, attribution) => {
    const result = text(`Reply text.\n\n${attribution}\n\n> Quoted line one.\n> Quoted line two.\n`);
    expect(result.visible).toBe('Reply text.');
    expect(result.quoted?.startsWith(attribution)).toBe(true);
  });

  it.each(attributions)('%s, above a quote without `>`', (_language, attribution) => {
    const result = text(`Reply text.\n\n${attribution}\n\nThe original message.\n`);
    expect(result.visible).toBe('Reply text.');
    expect(result.quoted).toBe(`${attribution}\n\nThe original message.\n`);
  });

  it('takes a bare "Name wrote:" only right above a `>` quote', () => {
    expect(text('Agreed.\n\nJane Doe wrote:\n> Ship it?\n').visible).toBe('Agreed.');
    const prose = 'The reviewer wrote:\nthis needs more work, and I agree.';
    expect(text(prose)).toEqual({ visible: prose, quoted: null });
  });

  it('does not glue the line above onto an attribution that stands alone', () => {
    const result = text(
      'Call me at 555-1234\nOn Mon, 3 Jun 2019 at 10:00, Jane <jane@example.com> wrote:\n> Hi'
    );
    expect(result.visible).toBe('Call me at 555-1234');
  });
});

describe('rule 2, text: Outlook-style separators and header blocks', () => {
  const blocks: Array<[string, string]> = [
    [
      'Original Message (Outlook)',
      '-----Original Message-----\nFrom: Jane\nSent: Monday\nTo: Support\nSubject: Printer',
    ],
    ['Original Message (Yahoo/Comcast)', '----- Original Message -----\nFrom: Jane\nTo: Support'],
    ['Original Message, three dashes', '---Original Message---\nThe original.'],
    ['German Original Message', '-----Ursprüngliche Nachricht-----\nVon: Max'],
    ['French Original Message', "-----Message d'origine-----\nDe : Jean"],
    [
      'Outlook separator + header',
      '________________________________\nFrom: Jane Doe <jane@example.com>\nSent: Monday, June 3, 2019 10:00 AM\nTo: Support <support@example.com>\nSubject: Re: Printer\n\nThe original.',
    ],
    [
      'English header, bold in text',
      '*From:* Jane Doe <jane@example.com>\n*Sent:* Monday, June 3, 2019 10:00 AM\n*To:* Support\n*Subject:* Printer',
    ],
    [
      'French header',
      'De : Jean Dupont <jean@example.fr>\nEnvoyé : lundi 3 juin 2019 10:00\nÀ : Support <support@example.com>\nObjet : Imprimante',
    ],
    [
      'German header',
      'Von: Max <max@example.de>\nGesendet: Montag, 3. Juni 2019 10:00\nAn: Support\nBetreff: Drucker',
    ],
    [
      'Polish header',
      'Od: Jan Kowalski <jan@example.pl>\nWysłano: poniedziałek, 3 czerwca 2019 10:00\nDo: Support\nTemat: Drukarka',
    ],
    [
      'Spanish header',
      'De: Juan\nEnviado el: lunes, 3 de junio de 2019 10:00\nPara: Support\nAsunto: Impresora',
    ],
    ['Dutch header', 'Van: Jan\nVerzonden: maandag 3 juni 2019 10:00\nAan: Support\nOnderwerp: Printer'],
    [
      'Header with a wrapped To: list',
      'From: Jane\nSent: Monday\nTo: a@example.com; b@example.com;\n c@example.com\nSubject: Printer',
    ],
    [
      'Date header under an underscore rule (Outlook for Mac)',
      '________________________________\nFrom: Jane <jane@example.com>\nDate: Monday, 3 June 2019 at 10:00\nTo: Support\nSubject: Printer',
    ],
  ];

  it.each(blocks)('%s', (_name, block) => {
    const result = text(`Reply text.\n\n${block}\n`);
    expect(result.visible).toBe('Reply text.');
    expect(result.quoted).toBe(`${block}\n`);
  });

  it('keeps a From/Date/Subject block without a separator: that is how forwards look', () => {
    const forward =
      'FYI, see below.\n\nFrom: Jane <jane@example.com>\nDate: Mon, 3 Jun 2019 10:00:00 +0200\nSubject: Printer\nTo: Support <support@example.com>\n\nIt jams.';
    expect(text(forward)).toEqual({ visible: forward, quoted: null });
  });
});

describe('rule 2, text: quote blocks, inline replies and forwards', () => {
  it('cuts a trailing `>` block without attribution (Apple Mail, Hotmail)', () => {
    const result = text(
      'Hello\n> On 22 Aug 2015, at 19:21, Adam <adam@example.com> wrote:\n>\n> Hi there!\n'
    );
    expect(result).toEqual({
      visible: 'Hello',
      quoted: '> On 22 Aug 2015, at 19:21, Adam <adam@example.com> wrote:\n>\n> Hi there!\n',
    });
  });

  it('keeps everything when new text follows the quote (bottom posting)', () => {
    const bottom =
      'On Mon, 3 Jun 2019, Ann <ann@example.com> wrote:\n> Does it work?\n\nYes, it works now.\n';
    expect(text(bottom)).toEqual({ visible: bottom, quoted: null });
  });

  it('keeps everything for an interleaved reply, even with a trailing quote', () => {
    const inline =
      '> First question?\nFirst answer.\n\n> Second question?\nSecond answer.\n\n> Rest of the mail\n';
    expect(text(inline)).toEqual({ visible: inline, quoted: null });
  });

  it.each([
    ['Gmail', '---------- Forwarded message ---------'],
    ['Thunderbird', '-------- Forwarded Message --------'],
    ['Apple Mail', 'Begin forwarded message:'],
    ['German Gmail', '---------- Weitergeleitete Nachricht ---------'],
    ['French Apple Mail', 'Début du message réexpédié :'],
    ['Spanish Gmail', '---------- Mensaje reenviado ---------'],
  ])('keeps a forward (%s) visible, quotes inside it included', (_client, marker) => {
    const forward = `Can you look at this?\n\n${marker}\nFrom: Ann <ann@example.com>\nDate: Mon, 3 Jun 2019\nSubject: Printer\n\nIt jams.\n\nOn Sun, 2 Jun 2019, Bob <bob@example.com> wrote:\n> Restart it.\n`;
    expect(text(forward)).toEqual({ visible: forward, quoted: null });
  });

  it('keeps a forward with nothing new visible rather than empty', () => {
    const forward = '---------- Forwarded message ---------\nFrom: Ann <ann@example.com>\n\nIt jams.';
    expect(text(forward)).toEqual({ visible: forward, quoted: null });
  });

  it('never returns an empty visible part', () => {
    for (const allQuote of [
      '> a\n> b\n',
      'On Mon, 3 Jun 2019, Ann <ann@example.com> wrote:\n> a',
      '\n\n-----Original Message-----\nx',
    ]) {
      expect(text(allQuote)).toEqual({ visible: allQuote, quoted: null });
    }
    expect(text('')).toEqual({ visible: '', quoted: null });
    expect(text(' \n ')).toEqual({ visible: ' \n ', quoted: null });
  });

  it('handles CRLF line ends', () => {
    const result = text('Reply.\r\n\r\nOn Mon, 3 Jun 2019, Ann <ann@example.com> wrote:\r\n> q\r\n');
    expect(result).toEqual({
      visible: 'Reply.',
      quoted: 'On Mon, 3 Jun 2019, Ann <ann@example.com> wrote:\r\n> q\r\n',
    });
  });
});

describe('rule 2, text: mobile signatures (moved to the quoted part when they are the last line)', () => {
  it.each([
    'Sent from my iPhone',
    'Sent from my Samsung Galaxy smartphone.',
    'Get Outlook for Android',
    'Von meinem iPhone gesendet',
    'Envoyé de mon iPad',
    'Enviado desde mi iPhone',
    'Verstuurd vanaf mijn iPhone',
    'Inviato da iPhone',
    'Sent from Yahoo Mail on Android',
    'Wysłane z mojego iPhone’a',
  ])('%s', (signature) => {
    expect(text(`Thanks!\n\n${signature}\n`)).toEqual({ visible: 'Thanks!', quoted: `${signature}\n` });
  });

  it('moves the signature together with the quote below it, and its "-- " line', () => {
    expect(
      text('Hello\n\nSent from my iPhone\n\nOn Apr 3, 2012, at 4:19 PM, bob <bob@example.com> wrote:\n\n> Hi')
    ).toEqual({
      visible: 'Hello',
      quoted: 'Sent from my iPhone\n\nOn Apr 3, 2012, at 4:19 PM, bob <bob@example.com> wrote:\n\n> Hi',
    });
    expect(text('Hello\n-- \nSent from my iPhone').visible).toBe('Hello');
  });

  it('leaves it when it is all there is, or not the last line', () => {
    expect(text('Sent from my iPhone')).toEqual({ visible: 'Sent from my iPhone', quoted: null });
    const middle = 'Sent from my iPhone, so excuse typos.\nThe printer is fixed.';
    expect(text(middle)).toEqual({ visible: middle, quoted: null });
    // "sent" lines that name no device are the author's own words
    for (const sentence of [
      'The parts were sent via FedEx yesterday.',
      'Sent via FedEx yesterday.',
      'Saadetud arve on tasutud.',
    ]) {
      expect(text(`Hello,\n${sentence}`)).toEqual({ visible: `Hello,\n${sentence}`, quoted: null });
    }
  });
});

describe('rule 3, HTML: client quote containers', () => {
  const reply = '<div dir="ltr">Thanks, it works.</div>';
  const cases: Array<[string, string]> = [
    [
      'Gmail (gmail_quote + gmail_attr)',
      '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Jun 3, 2019 at 10:00 AM Ann &lt;<a href="mailto:ann@example.com">ann@example.com</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Does it work?</blockquote></div>',
    ],
    [
      'Gmail 2024 (gmail_quote_container)',
      '<div class="gmail_quote gmail_quote_container"><div class="gmail_attr">On Mon, Ann wrote:</div><blockquote class="gmail_quote">Does it work?</blockquote></div>',
    ],
    [
      'Outlook web with ids (#appendonsend, hr, #divRplyFwdMsg)',
      '<div id="appendonsend"></div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Ann<br><b>Sent:</b> Monday<br><b>To:</b> Support<br><b>Subject:</b> Printer</font><div>&nbsp;</div></div><div>Does it work?</div>',
    ],
    [
      'Outlook web, ids dropped by the sanitizer (header block text)',
      '<hr style="display:inline-block;width:98%"><div dir="ltr"><font face="Calibri"><b>From:</b> Ann<br><b>Sent:</b> Monday<br><b>To:</b> Support<br><b>Subject:</b> Printer</font><div>&nbsp;</div></div><div>Does it work?</div>',
    ],
    [
      'Outlook desktop (MsoNormal header, localized)',
      '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>Von:</b> Ann &lt;ann@example.com&gt;<br><b>Gesendet:</b> Montag, 3. Juni 2019 10:00<br><b>An:</b> Support<br><b>Betreff:</b> Drucker</p></div><p class="MsoNormal">Funktioniert es?</p>',
    ],
    [
      'Thunderbird (moz-cite-prefix + blockquote[type=cite])',
      '<div class="moz-cite-prefix">On 03.06.19 10:00, Ann wrote:<br></div><blockquote type="cite" cite="mid:1@example.com">Does it work?</blockquote>',
    ],
    [
      'Apple Mail (attribution div + blockquote[type=cite])',
      '<div><br><blockquote type="cite"><div>On 3 Jun 2019, at 10:00, Ann &lt;ann@example.com&gt; wrote:</div><br><div><div>Does it work?</div></div></blockquote></div>',
    ],
    [
      'ProtonMail',
      '<div class="protonmail_quote">------- Original Message -------<br>On Monday, Ann wrote:<br><blockquote class="protonmail_quote" type="cite">Does it work?</blockquote></div>',
    ],
    [
      'Yahoo',
      '<div class="ydp1234yahoo_quoted"><div>On Monday, June 3, 2019, 10:00, Ann wrote:</div><div>Does it work?</div></div>',
    ],
    [
      'Outlook for Mac (#OLK_SRC_BODY_SECTION)',
      '<span id="OLK_SRC_BODY_SECTION"><div><b>From: </b>Ann<br><b>Date: </b>Monday<br><b>To: </b>Support</div><blockquote id="MAC_OUTLOOK_ATTRIBUTION_BLOCKQUOTE">Does it work?</blockquote></span>',
    ],
    [
      'Outlook for Mac, ids dropped by the sanitizer (Date: header above a plain blockquote)',
      '<span><div><span>From: </span>Ann<br><span>Date: </span>Monday<br><span>To: </span>Support<br><span>Subject: </span>Printer<br></div><div><br></div><blockquote style="margin:0 0 0 5">Does it work?</blockquote></span>',
    ],
    [
      'a plain blockquote under a text attribution',
      'On Mon, 3 Jun 2019, Ann &lt;ann@example.com&gt; wrote:<br><blockquote style="margin-left:1ex">Does it work?</blockquote>',
    ],
  ];

  it.each(cases)('%s', (_client, quote) => {
    const result = html(`${reply}<br><br>${quote}`);
    expect(result.visible).toBe(reply);
    expect(result.quoted).toBe(`<br><br>${quote}`);
  });

  it('closes the wrappers left open at the cut, and reopens them in the quoted part', () => {
    const source =
      '<div dir="ltr"><div>Hi &amp; thanks</div><div class="gmail_extra"><br><div class="gmail_quote">On Mon, Ann wrote:<blockquote class="gmail_quote">q</blockquote></div></div></div>';
    expect(html(source)).toEqual({
      visible: '<div dir="ltr"><div>Hi &amp; thanks</div></div>',
      quoted:
        '<div dir="ltr"><div class="gmail_extra"><br><div class="gmail_quote">On Mon, Ann wrote:<blockquote class="gmail_quote">q</blockquote></div></div></div>',
    });
  });

  it('moves an Apple Mail "Sent from my iPhone" with the quote', () => {
    const result = html(
      '<div>Thanks</div><div><br></div><div>Sent from my iPhone</div><div><br>On 3 Jun 2019, at 10:00, Ann &lt;ann@example.com&gt; wrote:<br><br></div><blockquote type="cite"><div>q</div></blockquote>'
    );
    expect(result.visible).toBe('<div>Thanks</div>');
    expect(result.quoted?.startsWith('<div><br></div><div>Sent from my iPhone</div>')).toBe(true);
  });

  it('cuts inside a <pre> that holds a plain-text reply', () => {
    expect(
      html('<pre>Thanks\n\nOn Mon, 3 Jun 2019, Ann &lt;ann@example.com&gt; wrote:\n&gt; q\n</pre>')
    ).toEqual({
      visible: '<pre>Thanks</pre>',
      quoted: '<pre>On Mon, 3 Jun 2019, Ann &lt;ann@example.com&gt; wrote:\n&gt; q\n</pre>',
    });
  });

  it('keeps everything when the author wrote between or below quotes', () => {
    for (const inline of [
      // Apple Mail / Thunderbird: a split quote with the answer in between
      '<div>On Mon, Ann wrote:</div><blockquote type="cite">First?</blockquote><div>Answer one.</div><blockquote type="cite">Second?</blockquote>',
      // Gmail: the answer typed inside the gmail_quote container, between its blockquotes
      '<div class="gmail_quote"><div class="gmail_attr">On Mon, Ann wrote:</div><blockquote class="gmail_quote">First?</blockquote><div>Answer one.</div><blockquote class="gmail_quote">Second?</blockquote></div>',
      // bottom posting
      '<blockquote type="cite">Does it work?</blockquote><div>Yes, it works.</div>',
    ]) {
      expect(html(inline)).toEqual({ visible: inline, quoted: null });
    }
  });

  it('keeps a Gmail forward visible (it sits in a gmail_quote container too)', () => {
    const forward =
      '<div dir="ltr">Please have a look.<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong>Ann</strong> &lt;ann@example.com&gt;<br>Date: Mon, Jun 3, 2019<br>Subject: Printer<br></div><br><div>It jams.</div></div></div>';
    expect(html(forward)).toEqual({ visible: forward, quoted: null });
  });

  it('never returns an empty visible part', () => {
    for (const allQuote of [
      '<div class="gmail_quote">On Mon, Ann wrote:<blockquote class="gmail_quote">q</blockquote></div>',
      '<blockquote type="cite">q</blockquote>',
      '',
      '   ',
    ]) {
      expect(html(allQuote)).toEqual({ visible: allQuote, quoted: null });
    }
  });

  it('counts an image as content', () => {
    const result = html(
      '<div><img src="cid:shot"></div><div class="gmail_quote">On Mon, Ann wrote:<blockquote>q</blockquote></div>'
    );
    expect(result.visible).toBe('<div><img src="cid:shot"></div>');
  });

  it('trims markup nested up to the depth budget (deeper HTML is never trimmed, see hostile-mail.test.ts)', () => {
    const depth = MAX_HTML_DEPTH;
    const deep = `${'<div>'.repeat(depth)}x${'</div>'.repeat(depth)}`;
    // trimQuotedHtml directly: the test helper's text comparison (DomUtils.textContent) itself recurses.
    const result = trimQuotedHtml(
      `${deep}<div class="gmail_quote">On Mon, Ann wrote:<blockquote class="gmail_quote">q</blockquote></div>`
    );
    expect(result.visible).toBe(deep);
    expect(
      trimQuotedHtml(`<div class="gmail_quote">On Mon, Ann wrote:<blockquote>q</blockquote></div>${deep}`)
        .quoted
    ).toBeNull();
  });
});

/* ------------------------------------------------------------------------------------------------ */
/* Corpus                                                                                           */
/* ------------------------------------------------------------------------------------------------ */

/**
 * What each message should keep, verified by reading it. `start`/`end`: the visible part (whitespace collapsed)
 * starts/ends with them; `gone`: text of the quote that must have left the visible part. `whole`: nothing to cut
 * (bottom-posted or inline replies, or no quote at all).
 */
type Expectation = { whole: true } | { start: string; end: string; gone: string };

const TEXT_EXPECTATIONS: Record<string, Expectation> = {
  'discourse/android_gmail.eml': {
    start: '### this is a reply from Android 5 gmail',
    end: 'This is a link to http://example.com',
    gone: 'Arpit Jalan',
  },
  'discourse/boundary.eml': {
    start: "I'll look into it, thanks!",
    end: 'thanks!',
    gone: 'jake via Discourse',
  },
  'discourse/gmail_web.eml': {
    start: '### This is a reply from standard GMail in Google Chrome.',
    end: "Here's a link http://example.com",
    gone: 'Previous Replies',
  },
  'discourse/inline_reply.eml': { whole: true },
  'discourse/ios_default.eml': {
    start: '### this is a reply from iOS default mail',
    end: "Here's a link http://example.com",
    gone: 'wrote:',
  },
  'discourse/iphone_signature.eml': {
    start: "This is not the signature you're looking for.",
    end: "This is not the signature you're looking for.",
    gone: 'Sent from my iMachine',
  },
  'discourse/multiline_wrote.eml': { start: 'Thanks!', end: 'Thanks!', gone: 'You look great today Walter.' },
  'discourse/on_date_contact_wrote.eml': {
    start: 'This is the actual reply.',
    end: 'This is the actual reply.',
    gone: 'This is the previous email.',
  },
  'discourse/original_message.eml': {
    start: 'This is a reply :)',
    end: 'This is a reply :)',
    gone: 'should not be included',
  },
  // Discourse's own "Previous Replies" block is that product's marker, not a client quote: ours is REPLY_ABOVE_MARKER.
  'discourse/previous_replies.eml': { whole: true },
  'flanker/from-encoding.eml': { whole: true },
  'notmuch/default/cur/35:2,': { whole: true },
  'notmuch/default/cur/41:2,': { whole: true },
  'notmuch/default/foo/baz/new/16:2,': { whole: true },
  'talon/reply-quotations-share-block.eml': {
    start: 'Hi Katharine.',
    end: 'Joe XXX',
    gone: 'booking inquiry',
  },
  'talon/standard_replies/android.eml': { start: 'Hello', end: 'Hello', gone: 'написал' },
  'talon/standard_replies/aol.eml': { start: 'Hello', end: 'Hello', gone: 'Original Message' },
  'talon/standard_replies/apple_mail.eml': { start: 'Hello', end: 'Hello', gone: 'wrote:' },
  'talon/standard_replies/apple_mail_2.eml': { start: 'Hello', end: 'Hello', gone: 'Hi there!' },
  'talon/standard_replies/comcast.eml': { start: 'Hello', end: 'Hello', gone: 'Original Message' },
  'talon/standard_replies/gmail.eml': { start: 'Hello', end: 'Hello', gone: 'Megan One' },
  'talon/standard_replies/hotmail.eml': { start: 'Hello', end: 'Hello', gone: 'Subject: Test' },
  'talon/standard_replies/iphone.eml': { start: 'Hello', end: 'Hello', gone: 'Sent from my iPhone' },
  'talon/standard_replies/outlook.eml': { start: 'Hello', end: 'Hello', gone: 'The manager has commented' },
  'talon/standard_replies/sparrow.eml': {
    start: 'Hello',
    end: 'Sent with Sparrow (http://www.sparrowmailapp.com/?sig)',
    gone: 'On Tuesday',
  },
  'talon/standard_replies/thunderbird.eml': { whole: true },
  'talon/standard_replies/yahoo.eml': { start: 'Hello', end: 'Hello', gone: 'Original Message' },
  'zammad/mail005.box': { whole: true },
};

const HTML_EXPECTATIONS: Record<string, Expectation> = {
  'discourse/android_gmail.eml': {
    start: '### this is a reply from Android 5 gmail',
    end: 'This is a link to http://example.com',
    gone: 'Arpit Jalan',
  },
  'discourse/boundary.eml': { start: "I'll look into it, thanks!", end: 'thanks!', gone: 'wrote:' },
  'discourse/gmail_web.eml': {
    start: '### This is a reply from standard GMail in Google Chrome.',
    end: "Here's a link http://example.com",
    gone: 'Arpit Jalan',
  },
  'discourse/ios_default.eml': {
    start: '### this is a reply from iOS default mail',
    end: "Here's a link http://example.com",
    gone: 'wrote:',
  },
  'talon/reply-quotations-share-block.eml': {
    start: 'Hi Katharine.',
    end: 'Jhon Doe',
    gone: 'booking inquiry',
  },
  'talon/standard_replies/android.eml': { start: 'Hello', end: 'Hello', gone: 'написал' },
  'talon/standard_replies/aol.eml': { start: 'Hello', end: 'Hello', gone: 'Original Message' },
  'talon/standard_replies/comcast.eml': { start: 'Hello', end: 'Hello', gone: 'From:' },
  'talon/standard_replies/gmail.eml': { start: 'Hello', end: 'Hello', gone: 'Megan One' },
  'talon/standard_replies/hotmail.eml': { start: 'Hello', end: 'Hello', gone: 'Subject: Test' },
  'talon/standard_replies/outlook.eml': {
    start: 'Allo! Follow up MIME!',
    end: 'Allo! Follow up MIME!',
    gone: 'From:',
  },
  'talon/standard_replies/sparrow.eml': { start: 'Hello', end: 'Sent with Sparrow', gone: 'On Tuesday' },
  'rt/multipart-alternative-with-umlaut': { whole: true },
};

function collapse(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function checkExpectation(
  expectation: Expectation,
  original: string,
  result: TrimmedText,
  visibleText: string
): void {
  if ('whole' in expectation) {
    expect(result).toEqual({ visible: original, quoted: null });
    return;
  }
  const visible = collapse(visibleText);
  expect(visible.startsWith(expectation.start), visible.slice(0, 120)).toBe(true);
  expect(visible.endsWith(expectation.end), visible.slice(-120)).toBe(true);
  expect(visible).not.toContain(expectation.gone);
  expect(result.quoted).not.toBeNull();
}

describe('corpus: reply-quoted messages', () => {
  const manifest = readManifest();
  const replies = manifest.filter((row) => row.category === 'reply-quoted');
  const parsed = new Map<string, ParsedMail>();
  let spoolDir: string;

  beforeAll(async () => {
    spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-quotes-test-'));
    for (const row of replies) {
      const mail = await parseMail(fs.createReadStream(path.join(CORPUS, row.localPath)), { spoolDir });
      await removeSpooledAttachments(mail);
      parsed.set(row.localPath, mail);
    }
  });

  afterAll(() => {
    fs.rmSync(spoolDir, { recursive: true, force: true });
  });

  it('lists the messages the named expectations refer to', () => {
    expect(replies.length).toBeGreaterThanOrEqual(48);
    const listed = new Set(replies.map((row) => row.localPath));
    for (const name of [...Object.keys(TEXT_EXPECTATIONS), ...Object.keys(HTML_EXPECTATIONS)]) {
      expect(listed.has(name), `${name} is a reply-quoted message in MANIFEST.tsv`).toBe(true);
    }
  });

  it.each(Object.entries(TEXT_EXPECTATIONS))('text of %s', (localPath, expectation) => {
    const mail = parsed.get(localPath) as ParsedMail;
    const result = trimQuotedText(mail.text);
    checkExpectation(expectation, mail.text, result, result.visible);
  });

  it.each(Object.entries(HTML_EXPECTATIONS))('HTML of %s', (localPath, expectation) => {
    const mail = parsed.get(localPath) as ParsedMail;
    expect(mail.html).not.toBeNull();
    const result = trimQuotedHtml(mail.html as string);
    checkExpectation(expectation, mail.html as string, result, htmlText(result.visible));
  });

  it('never empties, never grows, never loses text, for every reply-quoted message', () => {
    for (const [localPath, mail] of parsed) {
      const textResult = trimQuotedText(mail.text);
      expect(textResult.visible.trim() !== '' || mail.text.trim() === '', localPath).toBe(true);
      expectLossless(mail.text, textResult, 'text');
      if (mail.html !== null) expectLossless(mail.html, trimQuotedHtml(mail.html), 'html');
    }
  });

  it('trims most of them as expected overall', () => {
    // 21 of the 48 carry a top-posted quote; the rest are bottom-posted or inline replies, kept whole.
    const cut = [...parsed.values()].filter((mail) => trimQuotedText(mail.text).quoted !== null).length;
    expect(cut).toBeGreaterThanOrEqual(20);
  });
});

describe('corpus: forwarded messages are not quotes', () => {
  it('keeps every forwarded message whole', async () => {
    const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-piping-quotes-fwd-'));
    try {
      const forwards = readManifest().filter((row) => row.category === 'forwarded');
      expect(forwards.length).toBeGreaterThan(0);
      for (const row of forwards) {
        const mail = await parseMail(fs.createReadStream(path.join(CORPUS, row.localPath)), { spoolDir });
        await removeSpooledAttachments(mail);
        expect(trimQuotedText(mail.text).quoted, row.localPath).toBeNull();
        if (mail.html !== null) expect(trimQuotedHtml(mail.html).quoted, row.localPath).toBeNull();
      }
    } finally {
      fs.rmSync(spoolDir, { recursive: true, force: true });
    }
  });
});
