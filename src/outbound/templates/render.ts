/**
 * Rendering a notification template into a subject, a plain-text part and a small HTML document (right to left for
 * a right-to-left language). Pure on purpose: no Strapi, no I/O, no clock. The sender and the admin preview both
 * call it, so the preview shows exactly what a real mail says.
 *
 * Every value is cleaned before it is inserted (control characters out, single-line values on one line, subjects
 * and names bounded like the headers they may end up in) and escaped in the HTML part.
 */
import {
  isCustomerEvent,
  type NotificationEvent,
  type Placeholder,
  type RenderedMail,
  type Template,
} from '../../../contracts/templates';
import { isRightToLeft } from '../../mail/language-tags';
import { clipText, MAX_NAME_CHARS, MAX_SUBJECT_CHARS } from '../header-limits';
import { parseTemplateText, type TemplateNode } from './syntax';

export interface TemplateContext {
  ticket: {
    number: number | string;
    subject: string | null;
    status: string;
    priority: string;
    /** Link to the ticket in the admin panel. Only rendered in agent mails. */
    adminUrl?: string | null;
  };
  /** `name` falls back to `email` when empty. */
  requester: { name?: string | null; email: string };
  /** The latest message: `text` already trimmed of quoted history; `from` as it should be shown. */
  message?: { text: string; from?: string | null } | null;
  agent?: { name?: string | null } | null;
  site: { name: string };
  /**
   * `helpText`: where help is available instead (an address, a link, opening hours), as the site owner wrote it for
   * an unmonitored mailbox; may span several lines.
   */
  mailbox: { name: string; helpText?: string | null };
  /** Why a mail was not accepted (the one-time answer to refused mail). */
  refusal?: { reason: string } | null;
}

export interface RenderOptions {
  /** E.g. `##- Please type your reply above this line -##`; put at the top of customer mails when given. */
  replyAboveMarker?: string;
  /** E.g. `[#1234]`; prepended to the subject unless the subject already carries the ticket number. */
  subjectToken: string;
}

type Mode = 'text' | 'html' | 'subject';

/** A bracket token such as `[#{{ticket.number}}]` or `[Ticket {{ ticket.number }}]` in the template's subject. */
const BRACKETED_NUMBER = /\[[^[\]\n]*\{\{\s*ticket\.number\s*\}\}[^[\]\n]*\]/;

/**
 * Renders a template. Unknown placeholders render empty (validate.ts refuses them on save),
 * `ticket.adminUrl` renders empty in customer mails.
 */
export function renderTemplate(
  template: Template,
  context: TemplateContext,
  options: RenderOptions
): RenderedMail {
  const values = contextValues(context, template.event);
  const direction = isRightToLeft(template.language) ? 'rtl' : 'ltr';
  const customer = isCustomerEvent(template.event);
  const marker = customer ? oneLine(options.replyAboveMarker) : '';

  let subject = tidySubject(renderNodes(parseTemplateText(template.subject).nodes, values, 'subject'));
  const token = oneLine(options.subjectToken);
  if (token !== '' && !BRACKETED_NUMBER.test(template.subject) && !subject.includes(token)) {
    subject = subject === '' ? token : `${token} ${subject}`;
  }

  const body = parseTemplateText(template.body).nodes;
  const textBody = tidyBody(renderNodes(body, values, 'text'));
  const text = marker === '' ? textBody : textBody === '' ? marker : `${marker}\n\n${textBody}`;

  const htmlBody = tidyBody(renderNodes(body, values, 'html'))
    .split(/\n{2,}/)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p style="${PARAGRAPH_STYLE}">${paragraph.split('\n').join('<br>\n')}</p>`);
  if (marker !== '') htmlBody.unshift(`<p style="${MARKER_STYLE}">${escapeHtml(marker)}</p>`);

  return {
    subject,
    text,
    html: htmlDocument({
      language: template.language,
      direction,
      title: subject,
      content: htmlBody.join('\n'),
    }),
    language: template.language,
    direction,
  };
}

function contextValues(context: TemplateContext, event: NotificationEvent): Map<string, string> {
  const email = oneLine(context.requester?.email);
  const values: Record<Placeholder, string> = {
    'ticket.number': oneLine(context.ticket?.number),
    // Bounded like the headers they may end up in: a 200,000-character subject is no title for a mail.
    'ticket.subject': clipText(oneLine(context.ticket?.subject), MAX_SUBJECT_CHARS),
    'ticket.status': oneLine(context.ticket?.status),
    'ticket.priority': oneLine(context.ticket?.priority),
    'ticket.adminUrl': isCustomerEvent(event) ? '' : oneLine(context.ticket?.adminUrl),
    'requester.name': clipText(oneLine(context.requester?.name), MAX_NAME_CHARS) || email,
    'requester.email': email,
    'message.text': cleanText(context.message?.text).trim(),
    'message.from': oneLine(context.message?.from),
    'agent.name': oneLine(context.agent?.name),
    'site.name': oneLine(context.site?.name),
    'mailbox.name': oneLine(context.mailbox?.name),
    // Several lines allowed, like message text: an address on one line, a link and opening hours on the next.
    'mailbox.helpText': cleanText(context.mailbox?.helpText).trim(),
    'refusal.reason': oneLine(context.refusal?.reason),
  };
  return new Map(Object.entries(values));
}

function renderNodes(nodes: TemplateNode[], values: Map<string, string>, mode: Mode): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') {
      out += mode === 'html' ? escapeHtml(node.text) : node.text;
    } else if (node.kind === 'value') {
      out += formatValue(node.name, values.get(node.name) ?? '', mode);
    } else if ((values.get(node.name) ?? '') !== '') {
      out += renderNodes(node.children, values, mode);
    }
  }
  return out;
}

function formatValue(name: string, value: string, mode: Mode): string {
  if (mode !== 'html') return value;
  if (name === 'ticket.adminUrl' && /^https?:\/\/\S+$/i.test(value)) {
    const url = escapeHtml(value);
    return `<a href="${url}" style="color:#1a5fb4;">${url}</a>`;
  }
  return escapeHtml(value);
}

/** Removes control characters (keeping tab and newline) and normalises line ends. */
function cleanText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return (
    String(value)
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex -- stripping control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
  );
}

/** A single-line value: any run of whitespace (including line breaks) becomes one space. */
function oneLine(value: unknown): string {
  return cleanText(value).replace(/\s+/g, ' ').trim();
}

function tidySubject(subject: string): string {
  return subject.replace(/\s+/g, ' ').trim();
}

/** Trailing spaces off (except a `-- ` signature separator), at most one blank line in a row, no edge blank lines. */
function tidyBody(body: string): string {
  return body
    .split('\n')
    .map((line) => (line === '-- ' ? line : line.replace(/[ \t]+$/, '')))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
}

const PARAGRAPH_STYLE = 'margin:0 0 12px 0;';
const MARKER_STYLE = 'margin:0 0 16px 0;color:#999999;font-size:12px;';

function htmlDocument(input: {
  language: string;
  direction: 'ltr' | 'rtl';
  title: string;
  content: string;
}): string {
  const { direction } = input;
  const align = direction === 'rtl' ? 'right' : 'left';
  const lang = escapeHtml(oneLine(input.language) || 'en');
  return [
    '<!doctype html>',
    `<html lang="${lang}" dir="${direction}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title>`,
    '</head>',
    `<body dir="${direction}" style="margin:0;padding:0;background-color:#ffffff;text-align:${align};">`,
    `<div dir="${direction}" style="max-width:640px;padding:16px;font-family:Arial,Helvetica,sans-serif;` +
      `font-size:14px;line-height:1.5;color:#1f1f1f;direction:${direction};text-align:${align};">`,
    input.content,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
