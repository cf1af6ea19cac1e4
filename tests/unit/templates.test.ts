import { describe, expect, it } from 'vitest';
import {
  AGENT_EVENTS,
  CUSTOMER_EVENTS,
  NOTIFICATION_EVENTS,
  SHIPPED_LANGUAGES,
  type NotificationEvent,
  type Template,
} from '../../contracts/templates';
import { isRightToLeft, parseLanguagePreferences } from '../../src/mail/language-tags';
import { chooseTemplate, mergeTemplates } from '../../src/outbound/templates/choose';
import { DEFAULT_TEMPLATES } from '../../src/outbound/templates/default-templates';
import { renderTemplate, type TemplateContext } from '../../src/outbound/templates/render';
import { validateTemplate } from '../../src/outbound/templates/validate';

const MARKER = '##- Please type your reply above this line -##';
const options = { replyAboveMarker: MARKER, subjectToken: '[#1234]' };

function context(overrides: Partial<TemplateContext> = {}): TemplateContext {
  return {
    ticket: {
      number: 1234,
      subject: 'Printer on fire',
      status: 'open',
      priority: 'high',
      adminUrl: 'https://cms.example.test/admin/plugins/email-piping/tickets/1234',
    },
    requester: { name: 'Jane Doe', email: 'jane@example.test' },
    message: { text: 'First line\nsecond line\n\nNew paragraph', from: 'Jane Doe <jane@example.test>' },
    agent: { name: 'Sam Agent' },
    site: { name: 'Acme' },
    mailbox: { name: 'Acme Support' },
    ...overrides,
  };
}

function template(event: NotificationEvent, body: string, subject = 'Hello', language = 'en'): Template {
  return { event, language, subject, body };
}

/** The visible content of the HTML part: what sits inside <body>. */
function bodyOf(html: string): string {
  const match = /<body[^>]*>([\s\S]*)<\/body>/.exec(html);
  if (!match) throw new Error('no <body> in ' + html);
  return match[1];
}

describe('DEFAULT_TEMPLATES', () => {
  it('has every event in every shipped language, once', () => {
    expect(DEFAULT_TEMPLATES).toHaveLength(NOTIFICATION_EVENTS.length * SHIPPED_LANGUAGES.length);
    for (const language of SHIPPED_LANGUAGES) {
      for (const event of NOTIFICATION_EVENTS) {
        expect(DEFAULT_TEMPLATES.filter((t) => t.event === event && t.language === language)).toHaveLength(1);
      }
    }
  });

  it.each(DEFAULT_TEMPLATES.map((t) => [t.event, t.language, t] as const))(
    '%s (%s) validates clean and renders with every placeholder filled',
    (_event, language, t) => {
      expect(validateTemplate(t)).toEqual([]);
      const mail = renderTemplate(t, context(), options);
      for (const part of [mail.subject, mail.text, mail.html]) {
        expect(part).not.toContain('{{');
        expect(part).not.toContain('}}');
      }
      expect(mail.subject.startsWith('[#1234] ')).toBe(true);
      expect(mail.language).toBe(language);
      const direction = language === 'ar' ? 'rtl' : 'ltr';
      expect(mail.direction).toBe(direction);
      expect(mail.html).toContain(`<html lang="${language}" dir="${direction}">`);
      expect(mail.text).not.toMatch(/\n{3}/);
      expect(mail.html).not.toMatch(/<script|<link|<img|src=|@import/i);
    }
  );

  it('keeps the admin link out of customer mails and puts it, as a link, in agent mails', () => {
    for (const t of DEFAULT_TEMPLATES) {
      const mail = renderTemplate(t, context(), options);
      if (CUSTOMER_EVENTS.includes(t.event)) {
        expect(mail.text).not.toContain('cms.example.test');
        expect(mail.html).not.toContain('cms.example.test');
      } else {
        expect(mail.text).toContain('https://cms.example.test/admin/plugins/email-piping/tickets/1234');
        expect(mail.html).toContain(
          '<a href="https://cms.example.test/admin/plugins/email-piping/tickets/1234"'
        );
      }
    }
  });

  it('leaves out optional lines cleanly when their value is missing', () => {
    const t = chooseTemplate(DEFAULT_TEMPLATES, 'agent-new-ticket', ['en']);
    const ctx = context();
    const mail = renderTemplate(t, { ...ctx, ticket: { ...ctx.ticket, adminUrl: null } }, options);
    expect(mail.text).not.toContain('Open the ticket');
    expect(mail.text.endsWith('New paragraph')).toBe(true);

    const reply = renderTemplate(
      chooseTemplate(DEFAULT_TEMPLATES, 'agent-reply', ['en']),
      { ...ctx, agent: null },
      options
    );
    expect(reply.text).toBe(`${MARKER}\n\nFirst line\nsecond line\n\nNew paragraph\n\nAcme Support`);
  });

  it('falls back to the email when the requester has no name', () => {
    const t = chooseTemplate(DEFAULT_TEMPLATES, 'ticket-acknowledgement', ['en']);
    const mail = renderTemplate(
      t,
      context({ requester: { name: '  ', email: 'jane@example.test' } }),
      options
    );
    expect(mail.text).toContain('Hello jane@example.test,');
  });
});

describe('renderTemplate', () => {
  it('escapes values in the HTML part and keeps them raw in the text part and subject', () => {
    const ctx = context();
    const evil = '<script>alert("x")</script> & co';
    const t = chooseTemplate(DEFAULT_TEMPLATES, 'agent-customer-reply', ['en']);
    const mail = renderTemplate(t, { ...ctx, ticket: { ...ctx.ticket, subject: evil } }, options);
    expect(mail.subject).toBe(`[#1234] Customer reply: ${evil}`);
    expect(mail.text).toContain(evil);
    expect(mail.html).not.toContain('<script');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(mail.html).toContain(
      '<title>[#1234] Customer reply: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</title>'
    );
  });

  it('escapes the template text itself and never links a non-http admin URL', () => {
    const ctx = context();
    const t = template('agent-new-ticket', 'a <b>bold</b> claim\n{{ticket.adminUrl}}');
    const mail = renderTemplate(
      t,
      { ...ctx, ticket: { ...ctx.ticket, adminUrl: 'javascript:alert(1)' } },
      options
    );
    expect(bodyOf(mail.html)).toContain('a &lt;b&gt;bold&lt;/b&gt; claim<br>\njavascript:alert(1)');
    expect(mail.html).not.toContain('<a ');
  });

  it('does not expand placeholders found inside values', () => {
    const ctx = context();
    const t = template('agent-new-ticket', '{{ticket.subject}}', '{{ticket.subject}}');
    const mail = renderTemplate(
      t,
      { ...ctx, ticket: { ...ctx.ticket, subject: 'Hi {{site.name}}' } },
      options
    );
    expect(mail.subject).toBe('[#1234] Hi {{site.name}}');
    expect(mail.text).toBe('Hi {{site.name}}');
  });

  it('turns message text into paragraphs and line breaks in HTML', () => {
    const t = template('agent-new-ticket', 'Message:\n\n{{message.text}}\n\nBye');
    const mail = renderTemplate(t, context(), options);
    expect(mail.text).toBe('Message:\n\nFirst line\nsecond line\n\nNew paragraph\n\nBye');
    const paragraphs = bodyOf(mail.html).match(/<p[^>]*>[\s\S]*?<\/p>/g);
    expect(paragraphs?.map((p) => p.replace(/<p[^>]*>|<\/p>/g, ''))).toEqual([
      'Message:',
      'First line<br>\nsecond line',
      'New paragraph',
      'Bye',
    ]);
  });

  it('keeps single-line values on one line and strips control characters', () => {
    const ctx = context();
    const t = template('agent-new-ticket', 'From: {{message.from}}', '{{ticket.subject}}');
    const mail = renderTemplate(
      t,
      {
        ...ctx,
        ticket: { ...ctx.ticket, subject: 'Hello\r\nBcc: victim@example.test\u0000' },
        message: { text: 'x', from: 'Jane\nDoe' },
      },
      options
    );
    expect(mail.subject).toBe('[#1234] Hello Bcc: victim@example.test');
    expect(mail.text).toBe('From: Jane Doe');
  });

  it('builds a complete small HTML document with inline styles only', () => {
    const mail = renderTemplate(
      chooseTemplate(DEFAULT_TEMPLATES, 'ticket-resolved', ['fr']),
      context(),
      options
    );
    expect(
      mail.html.startsWith('<!doctype html>\n<html lang="fr" dir="ltr">\n<head>\n<meta charset="utf-8">')
    ).toBe(true);
    expect(mail.html).toContain('<body dir="ltr"');
    expect(mail.html.trimEnd().endsWith('</body>\n</html>')).toBe(true);
    expect(mail.html).not.toMatch(/<style|<script|<link|https?:\/\//i);
    expect(mail.html).toContain('text-align:left');
  });

  describe('reply-above marker', () => {
    it.each(CUSTOMER_EVENTS)('opens the %s mail, in text and as a small grey paragraph in HTML', (event) => {
      const mail = renderTemplate(chooseTemplate(DEFAULT_TEMPLATES, event, ['en']), context(), options);
      expect(mail.text.startsWith(`${MARKER}\n\n`)).toBe(true);
      const firstParagraph = /^\s*<div[^>]*>\s*(<p[^>]*>[^<]*<\/p>)/.exec(bodyOf(mail.html))?.[1];
      expect(firstParagraph).toMatch(/^<p style="[^"]*color:#999999;[^"]*font-size:12px;[^"]*">/);
      expect(firstParagraph).toContain(MARKER);
      expect(mail.html.split(MARKER)).toHaveLength(2);
    });

    it.each(AGENT_EVENTS)('is absent from the %s mail', (event) => {
      const mail = renderTemplate(chooseTemplate(DEFAULT_TEMPLATES, event, ['en']), context(), options);
      expect(mail.text).not.toContain(MARKER);
      expect(mail.html).not.toContain(MARKER);
    });

    it('is left out when not given', () => {
      const t = chooseTemplate(DEFAULT_TEMPLATES, 'ticket-closed', ['en']);
      const mail = renderTemplate(t, context(), { subjectToken: '[#1234]' });
      expect(mail.text.startsWith('Hello Jane Doe,')).toBe(true);
      expect(mail.html).not.toContain('#999999');
    });

    it('is escaped in HTML', () => {
      const mail = renderTemplate(template('agent-reply', 'Hi'), context(), {
        replyAboveMarker: '<-- reply above -->',
        subjectToken: '[#1234]',
      });
      expect(mail.text).toBe('<-- reply above -->\n\nHi');
      expect(mail.html).toContain('&lt;-- reply above --&gt;');
    });
  });

  describe('subject token', () => {
    it('is prepended once', () => {
      const mail = renderTemplate(template('agent-reply', 'x', '{{ticket.subject}}'), context(), options);
      expect(mail.subject).toBe('[#1234] Printer on fire');
    });

    it('is not added when the template puts the ticket number in a bracket token itself', () => {
      const own = (subject: string) =>
        renderTemplate(template('agent-reply', 'x', subject), context(), options);
      expect(own('[#{{ticket.number}}] {{ticket.subject}}').subject).toBe('[#1234] Printer on fire');
      expect(own('{{ticket.subject}} [Ticket#{{ ticket.number }}]').subject).toBe(
        'Printer on fire [Ticket#1234]'
      );
    });

    it('is still added when the number appears outside brackets', () => {
      const mail = renderTemplate(
        template('agent-reply', 'x', 'Ticket {{ticket.number}}'),
        context(),
        options
      );
      expect(mail.subject).toBe('[#1234] Ticket 1234');
    });

    it('is not doubled when the rendered subject already carries it', () => {
      const ctx = context();
      const t = template('agent-reply', 'x', '{{ticket.subject}}');
      const mail = renderTemplate(
        t,
        { ...ctx, ticket: { ...ctx.ticket, subject: '[#1234] Printer' } },
        options
      );
      expect(mail.subject).toBe('[#1234] Printer');
    });
  });

  describe('unknown placeholders', () => {
    const typo = template(
      'agent-new-ticket',
      'Ticket {{ticket.nubmer}} for {{requester.name}}',
      'About {{sitename}}'
    );

    it('are reported by validateTemplate with their name', () => {
      const problems = validateTemplate(typo);
      expect(problems).toHaveLength(2);
      expect(problems[0]).toContain('{{sitename}}');
      expect(problems[0]).toContain('did you mean {{site.name}}?');
      expect(problems[1]).toContain('{{ticket.nubmer}}');
      expect(problems[1]).toContain('did you mean {{ticket.number}}?');
    });

    it('render as empty', () => {
      const mail = renderTemplate(typo, context(), options);
      expect(mail.text).toBe('Ticket  for Jane Doe');
      expect(mail.subject).toBe('[#1234] About');
    });
  });
});

describe('validateTemplate', () => {
  it('reports malformed tags, unbalanced sections and bad metadata', () => {
    const problems = validateTemplate({
      event: 'no-such-event' as NotificationEvent,
      language: 'english!',
      subject: 'Line one\nline two',
      body: 'Hi {{ requester.name }} {{> partial}} {{#if agent.name}}x {{/if}}{{/if}} {{#if nope}}y{{/if}} {{ broken',
    });
    const all = problems.join('\n');
    expect(all).toContain('unknown event "no-such-event"');
    expect(all).toContain('invalid language code "english!"');
    expect(all).toContain('subject: must be a single line');
    expect(all).toContain('body: unsupported tag {{> partial}}');
    expect(all).toContain('body: {{/if}} has no matching {{#if …}}');
    expect(all).toContain('body: unknown placeholder {{nope}}');
    expect(all).toContain('body: "{{" is not closed');
    expect(all).not.toContain('requester.name');
  });

  it('reports an unclosed section and empty parts', () => {
    const problems = validateTemplate(template('agent-reply', '{{#if agent.name}}{{agent.name}}', ' '));
    expect(problems).toEqual([
      'subject: must not be empty',
      'body: {{#if agent.name}} is not closed by {{/if}}',
    ]);
  });

  it('refuses the admin link in customer mails', () => {
    expect(validateTemplate(template('ticket-closed', 'See {{ticket.adminUrl}}'))).toEqual([
      'body: {{ticket.adminUrl}} is only available in agent notifications',
    ]);
    expect(validateTemplate(template('agent-customer-reply', 'See {{ticket.adminUrl}}'))).toEqual([]);
  });

  it('accepts every placeholder and nested sections', () => {
    const body =
      '{{ticket.number}} {{ticket.subject}} {{ticket.status}} {{ticket.priority}} {{ticket.adminUrl}} ' +
      '{{requester.name}} {{requester.email}} {{message.text}} {{message.from}} {{agent.name}} {{site.name}} ' +
      '{{mailbox.name}} {{#if agent.name}}{{#if message.from}}both{{/if}}{{/if}}';
    expect(validateTemplate(template('agent-new-ticket', body))).toEqual([]);
  });
});

describe('language choice', () => {
  const ar: Template = {
    event: 'agent-reply',
    language: 'ar',
    subject: 'رد على طلبك: {{ticket.subject}}',
    body: 'مرحبًا {{requester.name}}،\n\n{{message.text}}\n\n{{agent.name}}',
  };
  const templates = mergeTemplates([ar]);

  it('maps a regional preference to the shipped language', () => {
    expect(chooseTemplate(templates, 'ticket-resolved', ['pt-BR']).language).toBe('pt');
  });

  it('prefers an exact regional template', () => {
    const ptBr = { ...template('ticket-resolved', 'Oi', 'Resolvido'), language: 'pt-BR' };
    expect(chooseTemplate(mergeTemplates([ptBr]), 'ticket-resolved', ['pt-br'])).toBe(ptBr);
    expect(chooseTemplate(mergeTemplates([ptBr]), 'ticket-resolved', ['pt']).language).toBe('pt');
  });

  it('uses a regional variant when only the bare language is asked for', () => {
    const ptBr = { ...template('ticket-resolved', 'Oi', 'Resolvido'), language: 'pt-BR' };
    expect(chooseTemplate([ptBr], 'ticket-resolved', ['pt', 'en'])).toBe(ptBr);
  });

  it('follows Accept-Language q-values', () => {
    const languages = parseLanguagePreferences({ 'accept-language': 'fr-CA, en;q=0.5' });
    expect(languages).toEqual(['fr-ca', 'en']);
    expect(chooseTemplate(templates, 'ticket-acknowledgement', languages).language).toBe('fr');
  });

  it('falls back to the fallback language, then to the shipped English', () => {
    expect(chooseTemplate(templates, 'agent-new-ticket', ['xx', 'tlh']).language).toBe('en');
    expect(chooseTemplate(templates, 'agent-new-ticket', ['xx'], 'et').language).toBe('et');
    const shipped = chooseTemplate([], 'ticket-closed', ['fr']);
    expect(shipped.language).toBe('en');
    expect(DEFAULT_TEMPLATES).toContain(shipped);
  });

  it('renders a site owner’s Arabic template as a right-to-left document', () => {
    const t = chooseTemplate(
      templates,
      'agent-reply',
      parseLanguagePreferences({ 'content-language': 'ar-EG' })
    );
    expect(t).toBe(ar);
    expect(validateTemplate(t)).toEqual([]);
    const mail = renderTemplate(t, context(), options);
    expect(mail.direction).toBe('rtl');
    expect(mail.language).toBe('ar');
    expect(mail.html).toContain('<html lang="ar" dir="rtl">');
    expect(mail.html).toMatch(/<body dir="rtl" style="[^"]*text-align:right;/);
    expect(mail.html).toContain('direction:rtl;');
    expect(mail.html).not.toContain('text-align:left');
    expect(mail.subject).toBe('[#1234] رد على طلبك: Printer on fire');
    expect(mail.text).toBe(
      `${MARKER}\n\nمرحبًا Jane Doe،\n\nFirst line\nsecond line\n\nNew paragraph\n\nSam Agent`
    );
  });
});

describe('isRightToLeft', () => {
  it.each([
    'ar',
    'ar-EG',
    'AR_sa',
    'he',
    'he-IL',
    'iw',
    'fa',
    'fa-IR',
    'ur',
    'ur-PK',
    'yi',
    'ps',
    'ckb',
    'dv',
    'pa-Arab',
    'az-Arab-IR',
  ])('%s is right to left', (language) => expect(isRightToLeft(language)).toBe(true));
  it.each(['en', 'en-GB', 'fr', 'pt-BR', 'pl', 'et', 'ku', 'sd-Deva', 'az', 'zh-Hant-TW', '', 'x-ar'])(
    '%s is left to right',
    (language) => expect(isRightToLeft(language)).toBe(false)
  );
});

describe('parseLanguagePreferences', () => {
  it('puts Content-Language first, then Accept-Language by q-value, without duplicates', () => {
    expect(
      parseLanguagePreferences({
        'content-language': 'de-AT',
        'accept-language': 'en;q=0.3, de-DE;q=0.9, fr , pt-BR;q=0.9, *;q=0.1, de-at;q=0.5',
      })
    ).toEqual(['de-at', 'fr', 'de-de', 'pt-br', 'en']);
  });

  it('drops q=0, malformed q-values and malformed tags', () => {
    expect(
      parseLanguagePreferences({ 'accept-language': 'es;q=0, it;q=abc, nl;q=2, sv;q=0.8, not a tag, da' })
    ).toEqual(['da', 'sv']);
  });

  it('reads several values, comments and empty headers', () => {
    expect(parseLanguagePreferences({ 'content-language': ['en (English)', 'pl'] })).toEqual(['en', 'pl']);
    expect(parseLanguagePreferences({ 'content-language': '', 'accept-language': ' , ' })).toEqual([]);
    expect(parseLanguagePreferences({})).toEqual([]);
  });
});
