import { describe, expect, it } from 'vitest';
import {
  CUSTOMER_EVENTS,
  NOTIFICATION_EVENTS,
  PLACEHOLDERS,
  SHIPPED_LANGUAGES,
} from '../../contracts/templates';
import { chooseTemplate } from '../../src/outbound/templates/choose';
import { DEFAULT_TEMPLATES } from '../../src/outbound/templates/default-templates';
import { renderTemplate } from '../../src/outbound/templates/render';
import { validateTemplate } from '../../src/outbound/templates/validate';
import { LOOP_HEADER } from '../../src/outbound/headers';
import {
  planNotifications,
  planOneTimeAnswer,
  type NotificationInput,
  type OneTimeAnswerInput,
} from '../../src/outbound/plan-notifications';
import { tokenFromAddress, tokenFromMessageId } from '../../src/mail/tokens';
import { DEFAULT_NOTIFICATIONS } from '../../src/schemas/mailbox';

const HELP = 'Write to support@example.test\nor open https://example.test/help (Mon–Fri, 9–17 h).';

const base: OneTimeAnswerInput = {
  kind: 'mailbox-unmonitored',
  mailbox: {
    id: 4,
    name: 'noreply box',
    address: 'noreply@example.test',
    fromName: 'Example Shop',
    notifications: { ...DEFAULT_NOTIFICATIONS, refusedMail: false },
  },
  recipient: 'Jane@Customer.test',
  recipientName: 'Jane Doe',
  helpText: HELP,
  languages: ['en'],
  templates: [],
  siteName: 'Shop',
  inReplyTo: 'orig@customer.test',
  references: ['root@customer.test'],
  instanceId: 'inst-1',
};

function plan(overrides: Partial<OneTimeAnswerInput> = {}) {
  const mail = planOneTimeAnswer({ ...base, ...overrides });
  if (!mail) throw new Error('expected a planned mail');
  return mail;
}

describe('the mailbox-unmonitored event', () => {
  it('is a customer event with a shipped template in every language', () => {
    expect(NOTIFICATION_EVENTS).toContain('mailbox-unmonitored');
    expect(CUSTOMER_EVENTS).toContain('mailbox-unmonitored');
    expect(PLACEHOLDERS).toContain('mailbox.helpText');
    for (const language of SHIPPED_LANGUAGES) {
      const template = DEFAULT_TEMPLATES.find(
        (t) => t.event === 'mailbox-unmonitored' && t.language === language
      );
      expect(template, language).toBeDefined();
      expect(validateTemplate(template!)).toEqual([]);
      expect(template!.body).toContain('{{mailbox.helpText}}');
    }
  });

  it('accepts {{mailbox.helpText}} in a site owner’s template, and suggests it for a typo', () => {
    const template = {
      event: 'mailbox-unmonitored' as const,
      language: 'de',
      subject: 'Hallo',
      body: '{{mailbox.helpText}}',
    };
    expect(validateTemplate(template)).toEqual([]);
    expect(validateTemplate({ ...template, body: '{{mailbox.helptext}}' })).toEqual([
      'body: unknown placeholder {{mailbox.helptext}} (did you mean {{mailbox.helpText}}?)',
    ]);
  });
});

describe('planOneTimeAnswer: mailbox-unmonitored', () => {
  const expected: Record<string, { subject: string; notMonitored: string; automatic: string }> = {
    en: {
      subject: 'Your message to Example Shop will not be read',
      notMonitored: 'this address is not monitored',
      automatic: 'it is sent only once',
    },
    fr: {
      subject: 'Votre message à Example Shop ne sera pas lu',
      notMonitored: 'cette adresse n’est pas surveillée',
      automatic: 'envoyée une seule fois',
    },
    pt: {
      subject: 'A sua mensagem para Example Shop não será lida',
      notMonitored: 'ninguém lê as mensagens enviadas para este endereço',
      automatic: 'enviada apenas uma vez',
    },
    pl: {
      subject: 'Państwa wiadomość do Example Shop nie zostanie przeczytana',
      notMonitored: 'ta skrzynka nie jest monitorowana',
      automatic: 'wysyłana tylko raz',
    },
    et: {
      subject: 'Teie sõnumit aadressile Example Shop ei loeta',
      notMonitored: 'Seda aadressi ei jälgita',
      automatic: 'saadetakse ainult üks kord',
    },
    ar: {
      subject: 'لن تُقرأ رسالتك إلى Example Shop',
      notMonitored: 'هذا العنوان غير مُراقَب',
      automatic: 'يُرسَل مرة واحدة فقط',
    },
  };

  it.each(SHIPPED_LANGUAGES.map((language) => [language]))('renders in %s with the help text', (language) => {
    const mail = plan({ languages: [language] });
    const words = expected[language];
    expect(mail.language).toBe(language);
    expect(mail.subject).toBe(words.subject);
    expect(mail.textBody).toContain(words.notMonitored);
    expect(mail.textBody).toContain(words.automatic);
    // Both lines of the help text, as written; in HTML escaped and broken with <br>.
    expect(mail.textBody).toContain(HELP);
    expect(mail.htmlBody).toContain('Write to support@example.test<br>\nor open https://example.test/help');
    expect(mail.textBody.endsWith('Example Shop')).toBe(true);
    for (const part of [mail.subject, mail.textBody, mail.htmlBody]) {
      expect(part).not.toContain('{{');
      expect(part).not.toMatch(/\[#/); // no ticket, so no subject token
    }
    // No reply-above marker: there is no ticket to reply into.
    expect(mail.textBody).not.toContain('##-');
    expect(mail.textBody).not.toMatch(/\n{3}/);
  });

  it('leaves the help section out cleanly when there is no help text', () => {
    for (const helpText of [null, undefined, '   ']) {
      const mail = plan({ helpText });
      expect(mail.textBody).toBe(
        [
          'Hello Jane Doe,',
          '',
          'this address is not monitored: your message will not be read or answered.',
          '',
          'This is an automatic answer; it is sent only once.',
          '',
          'Example Shop',
        ].join('\n')
      );
    }
    expect(plan().textBody).toContain(`Where to get help:\n${HELP}\n\nThis is an automatic answer`);
  });

  it('escapes the help text in HTML and never expands placeholders inside it', () => {
    const mail = plan({ helpText: '<b>Call</b> {{site.name}} & co' });
    expect(mail.htmlBody).toContain('&lt;b&gt;Call&lt;/b&gt; {{site.name}} &amp; co');
    expect(mail.textBody).toContain('<b>Call</b> {{site.name}} & co');
  });

  it('is an automatic answer: RFC 3834 auto-replied, loop headers, threaded, no reply token', () => {
    const mail = plan();
    expect(mail.event).toBe('mailbox-unmonitored');
    expect(mail.automatic).toBe(true);
    expect(mail.headers).toEqual({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      Precedence: 'bulk',
      [LOOP_HEADER]: 'inst-1',
    });
    expect(mail.recipient).toBe('jane@customer.test');
    expect(mail.fromAddress).toBe('noreply@example.test');
    expect(mail.fromName).toBe('Example Shop');
    // No ticket: Reply-To is the plain mailbox address and the Message-ID carries no token.
    expect(mail.replyTo).toBe('noreply@example.test');
    expect(tokenFromAddress(mail.replyTo)).toBeNull();
    expect(mail.messageId).toMatch(/^ep\.u\.[0-9a-f]{24}@example\.test$/);
    expect(tokenFromMessageId(mail.messageId)).toBeNull();
    expect(mail.ticketId).toBeNull();
    expect(mail.ticketMessageId).toBeNull();
    expect(mail.mailboxId).toBe(4);
    expect(mail.inReplyTo).toBe('orig@customer.test');
    expect(mail.references).toEqual(['root@customer.test', 'orig@customer.test']);
    expect(plan().messageId).not.toBe(mail.messageId);
  });

  it('does not depend on the refusedMail switch (nor any other)', () => {
    const allOff = { ...DEFAULT_NOTIFICATIONS };
    for (const key of Object.keys(allOff) as Array<keyof typeof allOff>) allOff[key] = false;
    expect(
      planOneTimeAnswer({
        ...base,
        mailbox: { ...base.mailbox, notifications: allOff },
      })
    ).not.toBeNull();
  });

  it('uses a site owner’s template for the event and language', () => {
    const mail = plan({
      languages: ['de-AT', 'en'],
      templates: [
        {
          event: 'mailbox-unmonitored',
          language: 'de',
          subject: 'Diese Adresse wird nicht gelesen',
          body: 'Hilfe:\n{{mailbox.helpText}}',
        },
      ],
    });
    expect(mail.language).toBe('de');
    expect(mail.subject).toBe('Diese Adresse wird nicht gelesen');
    expect(mail.textBody).toBe(`Hilfe:\n${HELP}`);
  });

  it('is never planned as a ticket notification', () => {
    const input: NotificationInput = {
      event: 'mailbox-unmonitored',
      ticket: {
        id: 1,
        number: 7,
        subject: 'x',
        status: 'open',
        priority: 'normal',
        requesterEmail: 'jane@customer.test',
        requesterName: 'Jane',
        cc: [],
        languages: ['en'],
      },
      mailbox: base.mailbox,
      message: null,
      agents: [],
      templates: [],
      secret: null,
      siteName: 'Shop',
      adminUrl: null,
      exclude: [],
      instanceId: 'inst-1',
    };
    expect(planNotifications(input)).toEqual([]);
  });
});

describe('planOneTimeAnswer: mail-refused', () => {
  const refusal = {
    ...base,
    mailbox: { ...base.mailbox, notifications: { ...DEFAULT_NOTIFICATIONS, refusedMail: true } },
    reason: 'this address only accepts replies to existing tickets',
  };

  it('still depends on the refusedMail switch', () => {
    expect(planOneTimeAnswer({ ...refusal, kind: 'mail-refused', mailbox: base.mailbox })).toBeNull();
  });

  it('plans the refusal with the automatic headers', () => {
    for (const mail of [planOneTimeAnswer({ ...refusal, kind: 'mail-refused' })!]) {
      expect(mail.event).toBe('mail-refused');
      expect(mail.subject).toBe('Your message to Example Shop was not accepted');
      expect(mail.textBody).toContain(
        'your message could not be accepted: this address only accepts replies'
      );
      // The help text belongs to the other answer; the shipped refusal template does not show it.
      expect(mail.textBody).not.toContain('support@example.test');
      expect(mail.headers['Auto-Submitted']).toBe('auto-replied');
      expect(mail.headers['X-Auto-Response-Suppress']).toBe('All');
      expect(mail.headers.Precedence).toBe('bulk');
      expect(mail.headers[LOOP_HEADER]).toBe('inst-1');
      expect(mail.messageId).toMatch(/^ep\.r\.[0-9a-f]{24}@example\.test$/);
      expect(mail.ticketId).toBeNull();
    }
  });

  it('renders the refusal reason only in the refusal', () => {
    const unmonitored = renderTemplate(
      chooseTemplate(DEFAULT_TEMPLATES, 'mailbox-unmonitored', ['en']),
      {
        ticket: { number: '', subject: '', status: '', priority: '' },
        requester: { email: 'jane@customer.test' },
        site: { name: 'Shop' },
        mailbox: { name: 'Shop', helpText: 'x' },
        refusal: { reason: 'SECRET-REASON' },
      },
      { subjectToken: '' }
    );
    expect(unmonitored.text).not.toContain('SECRET-REASON');
  });
});
