import { describe, expect, it } from 'vitest';
import { classifyInbound } from '../../src/policy/classify/classify-inbound';
import { CLASSIFY_PATTERNS } from '../../src/policy/classify/classify-patterns';
import type {
  InboundFlags,
  InboundInput,
  MailHeaders,
  OwnMailIdentity,
} from '../../src/policy/classify/inbound-flags';
import { regexSafety } from '../../src/regex/regex-safety';
import { LOOP_HEADER } from '../../src/outbound/headers';

const OWN: OwnMailIdentity = {
  instanceId: 'ep-instance-1',
  addresses: ['support@help.example.com', 'Sales@Help.Example.com'],
  isOwnMessageId: (id) => id.startsWith('ep.t') && id.endsWith('@help.example.com'),
};

/** A customer's ordinary mail, to which each test adds what it is about. */
function classify(overrides: Partial<InboundInput> & { headers?: MailHeaders } = {}): InboundFlags {
  return classifyInbound({
    sender: 'jane@customer.example',
    subject: 'Order 1234 has not arrived',
    messageId: 'cafe1234@mail.customer.example',
    own: OWN,
    ...overrides,
    headers: {
      from: 'Jane Doe <jane@customer.example>',
      to: 'support@help.example.com',
      subject: overrides.subject ?? 'Order 1234 has not arrived',
      'content-type': 'text/plain; charset=utf-8',
      ...overrides.headers,
    },
  });
}

const NOTHING: Omit<InboundFlags, 'reasons'> = {
  autoReply: false,
  outOfOffice: false,
  bounce: false,
  readReceipt: false,
  list: false,
  ownMail: false,
  automatic: false,
  suppressAutoResponse: false,
  reportType: null,
};

describe('classifyInbound: a person writing', () => {
  it('flags nothing on a normal customer mail', () => {
    expect(classify()).toEqual({ ...NOTHING, reasons: [] });
  });

  it('flags nothing when the subject merely mentions an automatic reply', () => {
    for (const subject of [
      'Re: Question about the automatic reply settings',
      'Your automatic reply: can it be switched off?',
      'AW: Wie richte ich eine automatische Antwort ein?',
      'Absent-minded question about invoices',
      'Auto parts order #123',
      'Automatic replies are confusing',
      'Out of office hours support',
      'Re: Undelivered parcel, order 1234', // bounce wording, but a person sent it
    ]) {
      expect(classify({ subject }), subject).toEqual({ ...NOTHING, reasons: [] });
    }
  });

  it('does not count Auto-Submitted: no', () => {
    expect(classify({ headers: { 'auto-submitted': 'no' } }).automatic).toBe(false);
  });

  it('does not count an unrelated Precedence', () => {
    expect(classify({ headers: { precedence: 'first-class' } }).automatic).toBe(false);
  });
});

describe('classifyInbound: header rules', () => {
  it.each(['auto-replied', 'auto-generated', 'auto-notified', 'Auto-Generated (failure)'])(
    'Auto-Submitted: %s is an auto-reply (RFC 3834)',
    (value) => {
      const flags = classify({ headers: { 'auto-submitted': value } });
      expect(flags).toMatchObject({ autoReply: true, automatic: true, outOfOffice: false, bounce: false });
      expect(flags.reasons).toEqual([`Auto-Submitted: ${value}`]);
    }
  );

  it.each(['x-autoreply', 'x-autorespond', 'x-autoresponder'])(
    '%s with any value is an auto-reply',
    (name) => {
      const flags = classify({ headers: { [name]: 'yes' } });
      expect(flags).toMatchObject({ autoReply: true, automatic: true });
      expect(flags.reasons).toEqual([`${name} header`]);
    }
  );

  it.each([
    ['precedence', 'bulk', 'Precedence: bulk'],
    ['precedence', 'junk', 'Precedence: junk'],
    ['precedence', 'auto_reply', 'Precedence: auto_reply'],
    ['precedence', 'BULK', 'Precedence: bulk'],
    ['x-precedence', 'bulk', 'X-Precedence: bulk'],
  ])('%s: %s is automatic', (name, value, reason) => {
    const flags = classify({ headers: { [name]: value } });
    expect(flags).toMatchObject({ autoReply: true, automatic: true, list: false });
    expect(flags.reasons).toEqual([reason]);
  });

  it('Precedence: list is list traffic, and an auto-reply when no List-* header backs it', () => {
    expect(classify({ headers: { precedence: 'list' } })).toMatchObject({
      list: true,
      autoReply: true,
      automatic: true,
    });
    expect(
      classify({ headers: { precedence: 'list', 'list-id': '<users.lists.example.org>' } })
    ).toMatchObject({ list: true, autoReply: false, automatic: true });
  });

  it.each([
    ['list-id', '<users.lists.example.org>'],
    ['list-unsubscribe', '<mailto:leave@lists.example.org>'],
    ['list-post', '<mailto:users@lists.example.org>'],
    ['list-archive', '<https://lists.example.org/archive>'],
    ['mailing-list', 'contact users-help@lists.example.org; run by ezmlm'],
  ])('%s marks mailing-list traffic', (name, value) => {
    const flags = classify({ headers: { [name]: value } });
    expect(flags).toMatchObject({ list: true, automatic: true, autoReply: false });
    expect(flags.reasons).toEqual([`${name} header (mailing list)`]);
  });

  it('X-Loop with any value is automatic', () => {
    for (const value of ['yes', 'true', 'users@lists.example.org']) {
      const flags = classify({ headers: { 'x-loop': value } });
      expect(flags.automatic).toBe(true);
      expect(flags.reasons).toEqual([`X-Loop: ${value}`]);
    }
  });

  it('our loop header with our instance id is our own mail', () => {
    const flags = classify({ headers: { [LOOP_HEADER.toLowerCase()]: 'ep-instance-1' } });
    expect(flags).toMatchObject({ ownMail: true, automatic: true, autoReply: false });
    expect(flags.reasons).toEqual([`${LOOP_HEADER}: our own instance`]);
  });

  it('our loop header with another id is another help desk answering automatically', () => {
    const flags = classify({ headers: { [LOOP_HEADER.toLowerCase()]: 'someone-else' } });
    expect(flags).toMatchObject({ ownMail: false, autoReply: true, automatic: true });
    expect(flags.reasons).toEqual([`${LOOP_HEADER}: another instance (someone-else)`]);
  });

  it('loop headers of other help desks are automatic', () => {
    expect(classify({ headers: { 'x-rt-loop-prevention': 'Example RT' } }).automatic).toBe(true);
    expect(classify({ headers: { 'x-otrs-loop': 'yes' } }).automatic).toBe(true);
  });

  it.each([
    ['<>', 'null Return-Path'],
    ['< >', 'null Return-Path'],
    ['', 'null Return-Path'],
    ['<MAILER-DAEMON>', 'null Return-Path'],
  ])('Return-Path %j is a null sender', (value, reason) => {
    const flags = classify({ headers: { 'return-path': value } });
    expect(flags.automatic).toBe(true);
    expect(flags.reasons).toEqual([reason]);
    expect(flags.autoReply).toBe(false);
  });

  it('an explicitly empty From address is a null sender', () => {
    const flags = classify({ sender: null, headers: { from: 'MAILER-DAEMON <>' } });
    expect(flags.automatic).toBe(true);
    expect(flags.reasons).toEqual(['null From address']);
  });

  it.each([
    ['MAILER-DAEMON@mx.example.com', 'machine sender'],
    ['mailer_daemon@mx.example.com', 'machine sender'],
    ['postmaster@example.org', 'machine sender'],
    ['post_master@example.org', 'machine sender'],
    ['owner-users@lists.example.org', 'list robot sender'],
    ['users-request@lists.example.org', 'list robot sender'],
  ])('sender %s is a machine', (sender, reason) => {
    const flags = classify({ sender, headers: { from: sender } });
    expect(flags).toMatchObject({ automatic: true, autoReply: false, bounce: false });
    expect(flags.reasons).toEqual([`${reason} ${sender.toLowerCase()}`]);
  });

  it.each([
    'noreply@shop.example',
    'no-reply@accounts.example',
    'do-not-reply@bank.example',
    'bounces@x.example',
  ])('sender %s is an auto-generated mail', (sender) => {
    expect(classify({ sender })).toMatchObject({ automatic: true, autoReply: true });
  });

  it('a person whose address merely contains those words is not a machine', () => {
    for (const sender of [
      'noreplyjoe@example.com',
      'daemonhunter@example.com',
      'jo.postmaster.fan@example.com',
    ]) {
      expect(classify({ sender }).automatic, sender).toBe(false);
    }
  });
});

describe('classifyInbound: out of office', () => {
  it('Exchange: X-Auto-Response-Suppress together with X-MS-Exchange-Inbox-Rules-Loop', () => {
    const flags = classify({
      subject: 'Your order',
      headers: {
        'x-auto-response-suppress': 'All',
        'x-ms-exchange-inbox-rules-loop': 'jane@customer.example',
      },
    });
    expect(flags).toMatchObject({
      outOfOffice: true,
      autoReply: true,
      automatic: true,
      suppressAutoResponse: true,
    });
    expect(flags.reasons).toEqual([
      'Exchange out-of-office (X-Auto-Response-Suppress with X-MS-Exchange-Inbox-Rules-Loop)',
    ]);
  });

  it('X-Auto-Response-Suppress alone asks for no automatic answer but is not an auto-reply', () => {
    for (const value of ['All', 'DR, NDR, RN, NRN, OOF, AutoReply', 'OOF']) {
      expect(classify({ headers: { 'x-auto-response-suppress': value } })).toEqual({
        ...NOTHING,
        suppressAutoResponse: true,
        reasons: [],
      });
    }
    expect(classify({ headers: { 'x-auto-response-suppress': 'None' } }).suppressAutoResponse).toBe(false);
  });

  it('Exchange generated mail: transport rules and journaling are automatic, mailbox rules alone are not', () => {
    expect(
      classify({ headers: { 'x-ms-exchange-generated-message-source': 'Transport Rule Agent' } })
    ).toMatchObject({ autoReply: true, automatic: true, outOfOffice: false });
    // A user's inbox rule that forwards a customer's mail to us must not silence the customer.
    expect(
      classify({ headers: { 'x-ms-exchange-generated-message-source': 'Mailbox Rules Agent' } }).automatic
    ).toBe(false);
  });

  it.each([
    ['auto-replied (vacation)', 'Re: your order'],
    ['auto-replied; owner-email="jane@customer.example"', 'Re: your order'],
    ['auto-replied', 'On vacation until Monday'],
  ])('Auto-Submitted: %s with subject %j is out of office (Zammad)', (value, subject) => {
    expect(classify({ subject, headers: { 'auto-submitted': value } })).toMatchObject({
      outOfOffice: true,
      autoReply: true,
      automatic: true,
    });
  });

  it('Apple iCloud vacation replies', () => {
    expect(
      classify({ subject: 'Auto reply: Nyaan', headers: { 'x-apple-action': 'VACATION' } })
    ).toMatchObject({
      outOfOffice: true,
      autoReply: true,
    });
  });

  it.each([
    // English
    ['Automatic reply: Order 1234', true],
    ['Out of Office: Order 1234', true],
    ['Out of Office AutoReply: Order 1234', true],
    ['Auto: Order 1234', true],
    ['Out of office', true],
    // German
    ['Abwesenheitsnotiz: Bestellung 1234', true],
    ['Automatische Antwort: Bestellung 1234', true],
    // French (with the French space before the colon)
    ['Réponse automatique : Commande 1234', true],
    ['Absence : Commande 1234', true],
    // Spanish
    ['Respuesta automática: Pedido 1234', true],
    // Portuguese
    ['Resposta automática: Pedido 1234', true],
    // Polish
    ['Automatyczna odpowiedź: Zamówienie 1234', true],
    // Estonian
    ['Automaatvastus: Tellimus 1234', true],
    // Dutch
    ['Automatisch antwoord: Bestelling 1234', true],
    // Italian
    ['Risposta automatica: Ordine 1234', true],
    ['Fuori sede: Ordine 1234', true],
    // Machine-written, nobody away
    ['Autoreply: Order 1234', false],
    ['Auto-Reply: Order 1234', false],
    ['[AUTO GENERATED] Order 1234', false],
    ['Auto Response: Order 1234', false],
  ])('subject %j is automatic (out of office: %s)', (subject, outOfOffice) => {
    const flags = classify({ subject });
    expect(flags).toMatchObject({ autoReply: true, automatic: true, outOfOffice });
    expect(flags.reasons).toEqual([
      `subject "${subject}" (${outOfOffice ? 'out of office' : 'automatic reply'})`,
    ]);
  });

  it('reads subjects case-insensitively, without accents, after reply prefixes', () => {
    for (const subject of [
      'AUTOMATIC REPLY: Order 1234',
      'Reponse automatique : Commande',
      'RESPUESTA AUTOMATICA: Pedido',
      'Automatyczna odpowiedz: Zamowienie',
      'Re: Automatic reply: Order 1234',
      'AW: Abwesenheitsnotiz: Bestellung',
      'RE[2]: Out of Office: Order',
      'SV: Re: Automatisch antwoord: Bestelling',
      'Re: Re: Re: Re: Re: Re: Re: Risposta automatica: Ordine',
      'Re\u0301ponse automatique : Commande', // decomposed é, as some clients send it
      '  Out of Office - back on Monday',
    ]) {
      expect(classify({ subject }), subject).toMatchObject({ outOfOffice: true, automatic: true });
    }
  });
});

describe('classifyInbound: bounces and reports', () => {
  const DAEMON = {
    sender: 'mailer-daemon@mx.example.net',
    headers: { from: 'MAILER-DAEMON@mx.example.net' },
  };

  it('multipart/report; report-type=delivery-status is a bounce', () => {
    const flags = classify({
      ...DAEMON,
      subject: 'Undelivered Mail Returned to Sender',
      headers: {
        ...DAEMON.headers,
        'content-type': 'multipart/report; report-type="delivery-status"; boundary="b1"',
      },
    });
    expect(flags).toMatchObject({
      bounce: true,
      automatic: true,
      reportType: 'delivery-status',
      outOfOffice: false,
    });
    expect(flags.reasons).toContain('delivery status report (multipart/report; report-type=delivery-status)');
  });

  it('a delivery report is a bounce whoever sent it', () => {
    const flags = classify({
      headers: { 'content-type': 'multipart/report; boundary=x; report-type=delivery-status' },
    });
    expect(flags).toMatchObject({ bounce: true, automatic: true });
  });

  it('read receipts and abuse reports are automatic, not bounces', () => {
    const receipt = classify({
      subject: 'Read: Order 1234',
      headers: { 'content-type': 'multipart/report; report-type=disposition-notification; boundary=x' },
    });
    expect(receipt).toMatchObject({ bounce: false, automatic: true, reportType: 'disposition-notification' });
    expect(receipt.reasons).toEqual([
      'read receipt (multipart/report; report-type=disposition-notification)',
    ]);

    const abuse = classify({
      headers: { 'content-type': 'multipart/report; report-type=feedback-report; boundary=x' },
    });
    expect(abuse).toMatchObject({ bounce: false, automatic: true, reportType: 'feedback-report' });
    expect(abuse.reasons).toEqual(['abuse report (multipart/report; report-type=feedback-report)']);
  });

  it('a delivery-status part inside another container is a bounce', () => {
    const flags = classify({
      ...DAEMON,
      subject: 'Returned mail',
      headers: { ...DAEMON.headers, 'content-type': 'multipart/mixed; boundary=x' },
      body: { text: 'See the report.', partTypes: ['message/delivery-status', 'message/rfc822'] },
    });
    expect(flags.bounce).toBe(true);
  });

  it.each([
    'Undelivered Mail Returned to Sender',
    'Undeliverable: Order 1234',
    'Delivery Status Notification (Failure)',
    'Mail delivery failed: returning message to sender',
    'Returned mail: see transcript for details',
    'failure notice',
    'Delivery failure',
    'Warning: could not send message for past 4 hours',
    'Unzustellbar: Bestellung 1234',
    'Non remis : Commande 1234',
    'Non distribuable : Commande 1234',
    'Onbestelbaar: Bestelling 1234',
    'Non recapitabile: Ordine 1234',
    'Niedostarczalna: Zamówienie 1234',
    'Kohaletoimetamatu: Tellimus 1234',
    'Недоставленное сообщение',
    'メッセージを配信できません。',
  ])('a daemon with subject %j is a bounce (non-standard fallback)', (subject) => {
    const flags = classify({ ...DAEMON, subject });
    expect(flags).toMatchObject({ bounce: true, automatic: true, outOfOffice: false });
    expect(flags.reasons).toContain('bounce: daemon or null sender with a delivery report subject');
  });

  it('a null Return-Path with a bounce subject is a bounce too', () => {
    expect(classify({ subject: 'Mail delivery failed', headers: { 'return-path': '<>' } }).bounce).toBe(true);
  });

  it('a daemon whose subject and body say nothing about delivery is automatic, not a bounce', () => {
    const flags = classify({
      ...DAEMON,
      subject: 'Weekly quarantine summary',
      body: { text: 'Hello', partTypes: [] },
    });
    expect(flags).toMatchObject({ bounce: false, automatic: true });
  });

  it('a daemon with an unhelpful subject but a report in its body is a bounce', () => {
    const flags = classify({
      sender: 'post_master@vtext.example.com',
      headers: { from: 'post_master@vtext.example.com' },
      subject: 'Re:Test message',
      body: {
        text: 'Error: Invalid user address\n\n550 - Requested action not taken: no such user here\n',
        partTypes: [],
      },
    });
    expect(flags).toMatchObject({ bounce: true, automatic: true });
    expect(flags.reasons).toContain('bounce: daemon or null sender with delivery failure wording');
  });

  it('a no-reply robot is a bounce only with strong evidence', () => {
    const text = 'Your mail sent on Thursday\n     Could not be delivered to: <kijitora@example.jp>\n';
    const robot = { sender: 'no-reply@carrier.example', subject: 'Mail error notice' };
    expect(classify({ ...robot, body: { text, partTypes: [] } }).bounce).toBe(false);
    expect(classify({ ...robot, body: { text, partTypes: ['message/rfc822'] } }).bounce).toBe(true);
    expect(
      classify({
        ...robot,
        body: { text: 'Remote host said: 550 5.1.1 <x@example.jp>... User unknown', partTypes: [] },
      }).bounce
    ).toBe(true);
    // A shipping robot's "could not be delivered" is about parcels.
    expect(
      classify({
        sender: 'noreply@parcels.example',
        subject: 'Your parcel',
        body: { text: 'Your parcel could not be delivered today.', partTypes: [] },
      }).bounce
    ).toBe(false);
  });

  it('a bounce is never an out-of-office, whatever it copies from the original', () => {
    const flags = classify({
      ...DAEMON,
      subject: 'Undeliverable: Automatic reply: Order 1234',
      headers: {
        ...DAEMON.headers,
        'auto-submitted': 'auto-replied (vacation)',
        'x-auto-response-suppress': 'All',
        'x-ms-exchange-inbox-rules-loop': 'jane@customer.example',
      },
    });
    expect(flags).toMatchObject({ bounce: true, outOfOffice: false, automatic: true });
  });
});

describe('classifyInbound: our own mail', () => {
  it('From one of our addresses, in any case and with a +tag', () => {
    for (const sender of [
      'support@help.example.com',
      'SUPPORT+t12.abcdefghijklmnop@Help.Example.com',
      'sales@help.example.com',
    ]) {
      const flags = classify({ sender });
      expect(flags, sender).toMatchObject({ ownMail: true, automatic: true, autoReply: false });
      expect(flags.reasons).toEqual([`From one of our own addresses (${sender.toLowerCase()})`]);
    }
  });

  it('a Message-ID we generated', () => {
    const flags = classify({ messageId: 'ep.t12.abcdefghijklmnop.a1b2c3@help.example.com' });
    expect(flags).toMatchObject({ ownMail: true, automatic: true });
    expect(flags.reasons).toEqual(['Message-ID generated by us']);
  });

  it('works without a Message-ID check and without an instance id', () => {
    const own: OwnMailIdentity = { instanceId: '', addresses: [] };
    expect(classify({ own, messageId: 'ep.t12.x@help.example.com' }).ownMail).toBe(false);
    expect(classify({ own, headers: { [LOOP_HEADER.toLowerCase()]: '' } })).toMatchObject({
      ownMail: false,
      automatic: true,
    });
  });

  it('a customer address that only resembles ours is not ours', () => {
    expect(classify({ sender: 'support@help.example.com.evil.example' }).ownMail).toBe(false);
  });
});

describe('classifyInbound: robustness', () => {
  it('reads repeated headers (arrays) and ignores prototype names', () => {
    const headers = Object.create(null) as MailHeaders;
    headers['received'] = ['a', 'b'];
    headers[LOOP_HEADER.toLowerCase()] = ['someone-else', 'ep-instance-1'];
    expect(classify({ headers }).ownMail).toBe(true);
    expect(
      classify({ headers: { constructor: 'x', __proto__: 'y' } as unknown as MailHeaders }).automatic
    ).toBe(false);
  });

  it('every pattern passes the rule engine’s linearity check', () => {
    for (const pattern of CLASSIFY_PATTERNS) {
      expect(regexSafety(pattern.source, pattern.flags), pattern.source.slice(0, 60)).toBe('safe');
    }
  });

  it('stays fast on hostile input', () => {
    const long = 'Re: '.repeat(50_000) + 'a'.repeat(100_000) + ' -'.repeat(50_000);
    const started = performance.now();
    classify({
      sender: 'mailer-daemon@' + 'x'.repeat(100_000),
      subject: long,
      headers: {
        'auto-submitted': long,
        precedence: long,
        'return-path': '<' + ' '.repeat(100_000),
        'content-type': 'multipart/report;' + ' '.repeat(100_000),
        from: '<'.repeat(100_000),
      },
      body: { text: ('could not be ' + ' '.repeat(200) + '550 5.').repeat(5_000), partTypes: [] },
    });
    expect(performance.now() - started).toBeLessThan(500);
  });
});
