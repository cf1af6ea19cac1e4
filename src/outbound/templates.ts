/**
 * Notification mail templates: choosing one for a language, checking one before it is saved, and rendering one
 * into a subject, a plain-text part and a small HTML document.
 *
 * Pure on purpose: no Strapi, no I/O, no clock. The sender and the admin preview both call these functions.
 *
 * The template language is deliberately tiny and never executes anything:
 * - `{{ticket.number}}` is replaced by a value from the context (whitespace inside the braces is allowed);
 * - `{{#if agent.name}}…{{/if}}` keeps its content only when the value is not empty (may be nested; a tag alone on
 *   its line takes the whole line with it, so optional lines leave no gaps).
 * Values are inserted once and never parsed again, so a customer who writes `{{site.name}}` in a subject gets
 * those characters back, not a substitution.
 */
import { DEFAULT_TEMPLATES } from './default-templates';
import { clipText, MAX_NAME_CHARS, MAX_SUBJECT_CHARS } from './header-limits';

export const NOTIFICATION_EVENTS = [
  'ticket-acknowledgement',
  'agent-reply',
  'ticket-resolved',
  'ticket-closed',
  'agent-new-ticket',
  'agent-customer-reply',
  'mail-refused',
  'mailbox-unmonitored',
] as const;

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** Events whose mail goes to the requester and the CC list (they carry the reply-above marker). */
export const CUSTOMER_EVENTS: readonly NotificationEvent[] = [
  'ticket-acknowledgement',
  'agent-reply',
  'ticket-resolved',
  'ticket-closed',
  'mail-refused',
  'mailbox-unmonitored',
];

/** Events whose mail goes to the agents. */
export const AGENT_EVENTS: readonly NotificationEvent[] = ['agent-new-ticket', 'agent-customer-reply'];

export function isNotificationEvent(value: unknown): value is NotificationEvent {
  return typeof value === 'string' && (NOTIFICATION_EVENTS as readonly string[]).includes(value);
}

export function isCustomerEvent(event: NotificationEvent): boolean {
  return CUSTOMER_EVENTS.includes(event);
}

/** Every placeholder a template may use, e.g. for the admin editor's help text. */
export const PLACEHOLDERS = [
  'ticket.number',
  'ticket.subject',
  'ticket.status',
  'ticket.priority',
  'ticket.adminUrl',
  'requester.name',
  'requester.email',
  'message.text',
  'message.from',
  'agent.name',
  'site.name',
  'mailbox.name',
  'mailbox.helpText',
  'refusal.reason',
] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Placeholders that must never reach a customer: refused by validation and rendered empty in customer mails. */
export const AGENT_ONLY_PLACEHOLDERS: readonly Placeholder[] = ['ticket.adminUrl'];

export interface Template {
  event: NotificationEvent;
  /** Language tag of the text, e.g. `en`, `pt-BR`, `ar`. Matched case-insensitively. */
  language: string;
  /** One line, with placeholders. The subject token is added by {@link renderTemplate}. */
  subject: string;
  /** Plain text with placeholders; the HTML part is derived from it. */
  body: string;
}

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

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** The language of the template that was rendered. */
  language: string;
  direction: 'ltr' | 'rtl';
}

/* -------------------------------------------------------------------------------------------------------------- */
/* Parsing                                                                                                        */
/* -------------------------------------------------------------------------------------------------------------- */

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: string }
  | { kind: 'if'; name: string; children: Node[] };

interface Parsed {
  nodes: Node[];
  problems: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const IF_OPEN = /^#if\s+(\S+)$/;
const IF_CLOSE = /^\/\s*if$/;
const KNOWN: ReadonlySet<string> = new Set(PLACEHOLDERS);

function parse(source: string): Parsed {
  const src = source.replace(/\r\n?/g, '\n');
  const root: Node[] = [];
  const open: Extract<Node, { kind: 'if' }>[] = [];
  const problems: string[] = [];
  const current = (): Node[] => (open.length > 0 ? open[open.length - 1].children : root);
  const pushText = (text: string) => {
    if (text !== '') current().push({ kind: 'text', text });
  };

  let i = 0;
  while (i < src.length) {
    const start = src.indexOf('{{', i);
    if (start === -1) {
      pushText(src.slice(i));
      break;
    }
    const end = src.indexOf('}}', start + 2);
    if (end === -1 || src.slice(start + 2, end).includes('{{')) {
      // A stray "{{": keep it as text (validation reports it) and look for tags after it.
      problems.push(`"{{" is not closed by "}}" near "${src.slice(start, start + 30).split('\n')[0]}"`);
      pushText(src.slice(i, start + 2));
      i = start + 2;
      continue;
    }

    const raw = src.slice(start, end + 2);
    const tag = src.slice(start + 2, end).trim();
    const ifOpen = IF_OPEN.exec(tag);
    const isSection = ifOpen !== null || IF_CLOSE.test(tag);

    let before = src.slice(i, start);
    let next = end + 2;
    if (isSection) {
      // A section tag alone on its line removes the whole line, so an optional line leaves no blank line behind.
      const lineStart = src.lastIndexOf('\n', start - 1) + 1;
      const newline = src.indexOf('\n', end + 2);
      const lineEnd = newline === -1 ? src.length : newline;
      if (
        lineStart >= i &&
        /^[ \t]*$/.test(src.slice(lineStart, start)) &&
        /^[ \t]*$/.test(src.slice(end + 2, lineEnd))
      ) {
        before = src.slice(i, lineStart);
        next = newline === -1 ? src.length : newline + 1;
      }
    }
    pushText(before);
    i = next;

    if (ifOpen) {
      const name = ifOpen[1];
      if (!KNOWN.has(name)) problems.push(unknownPlaceholder(name, raw));
      const node: Extract<Node, { kind: 'if' }> = { kind: 'if', name, children: [] };
      current().push(node);
      open.push(node);
    } else if (isSection) {
      if (open.length === 0) problems.push(`${raw} has no matching {{#if …}}`);
      else open.pop();
    } else if (NAME.test(tag)) {
      if (!KNOWN.has(tag)) problems.push(unknownPlaceholder(tag, raw));
      current().push({ kind: 'value', name: tag });
    } else {
      problems.push(
        `unsupported tag ${raw} (only {{placeholder}} and {{#if placeholder}}…{{/if}} are allowed)`
      );
    }
  }
  for (const node of open) problems.push(`{{#if ${node.name}}} is not closed by {{/if}}`);
  return { nodes: root, problems };
}

function unknownPlaceholder(name: string, raw: string): string {
  const suggestion = closestPlaceholder(name);
  return `unknown placeholder {{${name}}}${raw.includes('#if') ? ` in ${raw}` : ''}${
    suggestion ? ` (did you mean {{${suggestion}}}?)` : ''
  }`;
}

function closestPlaceholder(name: string): Placeholder | null {
  let best: Placeholder | null = null;
  let bestDistance = 3;
  for (const candidate of PLACEHOLDERS) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

/* -------------------------------------------------------------------------------------------------------------- */
/* Validation                                                                                                     */
/* -------------------------------------------------------------------------------------------------------------- */

/**
 * Problems that should stop a template from being saved; empty when it is fine. Each problem about a placeholder
 * names it, e.g. `body: unknown placeholder {{ticket.nubmer}} (did you mean {{ticket.number}}?)`.
 */
export function validateTemplate(template: Template): string[] {
  const problems: string[] = [];
  if (!isNotificationEvent(template.event)) {
    problems.push(
      `unknown event "${String(template.event)}" (expected one of ${NOTIFICATION_EVENTS.join(', ')})`
    );
  }
  if (typeof template.language !== 'string' || !LANGUAGE_TAG.test(normalizeLanguage(template.language))) {
    problems.push(`invalid language code "${String(template.language)}" (expected e.g. en, pt-BR, ar)`);
  }

  for (const part of ['subject', 'body'] as const) {
    const source: unknown = template[part];
    if (typeof source !== 'string' || source.trim() === '') {
      problems.push(`${part}: must not be empty`);
      continue;
    }
    if (part === 'subject' && /[\r\n]/.test(source)) problems.push('subject: must be a single line');
    const parsed = parse(source);
    problems.push(...parsed.problems.map((problem) => `${part}: ${problem}`));
    if (isNotificationEvent(template.event) && isCustomerEvent(template.event)) {
      for (const name of usedPlaceholders(parsed.nodes)) {
        if ((AGENT_ONLY_PLACEHOLDERS as readonly string[]).includes(name)) {
          problems.push(`${part}: {{${name}}} is only available in agent notifications`);
        }
      }
    }
  }
  return problems;
}

function usedPlaceholders(nodes: Node[], into = new Set<string>()): Set<string> {
  for (const node of nodes) {
    if (node.kind === 'value') into.add(node.name);
    if (node.kind === 'if') {
      into.add(node.name);
      usedPlaceholders(node.children, into);
    }
  }
  return into;
}

/* -------------------------------------------------------------------------------------------------------------- */
/* Rendering                                                                                                      */
/* -------------------------------------------------------------------------------------------------------------- */

type Mode = 'text' | 'html' | 'subject';

/** A bracket token such as `[#{{ticket.number}}]` or `[Ticket {{ ticket.number }}]` in the template's subject. */
const BRACKETED_NUMBER = /\[[^[\]\n]*\{\{\s*ticket\.number\s*\}\}[^[\]\n]*\]/;

/**
 * Renders a template. Unknown placeholders render empty (use {@link validateTemplate} to refuse them on save),
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

  let subject = tidySubject(renderNodes(parse(template.subject).nodes, values, 'subject'));
  const token = oneLine(options.subjectToken);
  if (token !== '' && !BRACKETED_NUMBER.test(template.subject) && !subject.includes(token)) {
    subject = subject === '' ? token : `${token} ${subject}`;
  }

  const body = parse(template.body).nodes;
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

function renderNodes(nodes: Node[], values: Map<string, string>, mode: Mode): string {
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

/* -------------------------------------------------------------------------------------------------------------- */
/* Languages                                                                                                      */
/* -------------------------------------------------------------------------------------------------------------- */

/** Lower-cased BCP 47-ish tag: `en`, `pt-br`, `zh-hant-tw`, `sr-latn`. */
const LANGUAGE_TAG = /^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/;

function normalizeLanguage(language: string): string {
  return language.trim().replace(/_/g, '-').toLowerCase();
}

/** Primary languages written right to left when no script subtag says otherwise. */
const RTL_LANGUAGES: ReadonlySet<string> = new Set([
  'ar', // Arabic and its varieties:
  'acm',
  'aeb',
  'ajp',
  'apc',
  'arq',
  'ars',
  'ary',
  'arz',
  'arc', // Aramaic
  'azb', // South Azerbaijani
  'bal', // Balochi
  'bqi', // Bakhtiari
  'ckb', // Central Kurdish (Sorani)
  'dv', // Dhivehi
  'fa', // Persian
  'prs', // Dari
  'glk', // Gilaki
  'he', // Hebrew
  'iw', // Hebrew (old code)
  'yi', // Yiddish
  'ji', // Yiddish (old code)
  'ydd',
  'khw', // Khowar
  'ks', // Kashmiri
  'lrc', // Northern Luri
  'mzn', // Mazanderani
  'nqo', // N'Ko
  'pnb', // Western Punjabi (Shahmukhi)
  'ps', // Pashto
  'pbt',
  'pbu',
  'sd', // Sindhi
  'skr', // Saraiki
  'syr', // Syriac
  'ug', // Uyghur
  'ur', // Urdu
]);

/** Script subtags (ISO 15924, lower-cased) written right to left. */
const RTL_SCRIPTS: ReadonlySet<string> = new Set([
  'adlm',
  'arab',
  'aran',
  'armi',
  'avst',
  'chrs',
  'cprt',
  'elym',
  'hebr',
  'hung',
  'khar',
  'lydi',
  'mand',
  'mani',
  'mend',
  'narb',
  'nbat',
  'nkoo',
  'orkh',
  'ougr',
  'palm',
  'phli',
  'phlp',
  'phnx',
  'prti',
  'rohg',
  'samr',
  'sarb',
  'sogd',
  'sogo',
  'syrc',
  'thaa',
  'yezi',
]);

/**
 * True for languages written right to left: `ar`, `he`, `fa`, `ur`, `yi`, `ps`, … with any region (`ar-EG`), and
 * for any language written in a right-to-left script (`pa-Arab`); false when a script subtag says otherwise
 * (`sd-Deva`).
 */
export function isRightToLeft(language: string): boolean {
  if (typeof language !== 'string') return false;
  const [primary, ...subtags] = normalizeLanguage(language).split('-');
  for (const subtag of subtags) {
    if (subtag.length === 1) break; // extensions and private use: no script after this
    if (/^[a-z]{4}$/.test(subtag)) return RTL_SCRIPTS.has(subtag);
  }
  return RTL_LANGUAGES.has(primary);
}

/**
 * The languages a customer is likely to read, best first, lower-cased and without duplicates: the
 * Content-Language of their mail (what they wrote in), then Accept-Language by descending q-value (ties keep
 * header order). `*`, `q=0` and malformed entries are dropped.
 */
export function parseLanguagePreferences(headers: {
  'content-language'?: string | string[];
  'accept-language'?: string | string[];
}): string[] {
  const found: string[] = [];
  const add = (tag: string) => {
    const normalized = normalizeLanguage(tag);
    if (LANGUAGE_TAG.test(normalized) && !found.includes(normalized)) found.push(normalized);
  };

  for (const item of headerItems(headers['content-language'])) add(item.split(';')[0]);

  const weighted: { tag: string; q: number; order: number }[] = [];
  for (const item of headerItems(headers['accept-language'])) {
    const [tag, ...params] = item.split(';');
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*(.*?)\s*$/i.exec(param);
      if (match) q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(match[1]) ? Number(match[1]) : Number.NaN;
    }
    if (q > 0) weighted.push({ tag, q, order: weighted.length });
  }
  weighted.sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { tag } of weighted) add(tag);
  return found;
}

function headerItems(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
  return joined
    .replace(/\([^)]*\)/g, '') // RFC 5322 comments
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Picks the template for an event: for each preferred language in order, an exact match (`pt-BR`), then its
 * shorter forms (`pt`), then any regional variant of the same language (`pt-PT`); else the same for `fallback`;
 * else the shipped English default. Languages compare case-insensitively, `_` as `-`. When several templates
 * share event and language, the first one wins (see {@link mergeTemplates}).
 */
export function chooseTemplate(
  templates: readonly Template[],
  event: NotificationEvent,
  preferredLanguages: readonly string[],
  fallback = 'en'
): Template {
  const candidates = templates.filter((template) => template.event === event);
  for (const preference of [...preferredLanguages, fallback]) {
    const found = lookup(candidates, preference);
    if (found) return found;
  }
  const shipped = DEFAULT_TEMPLATES.find(
    (template) => template.event === event && template.language === 'en'
  );
  if (!shipped) throw new Error(`Unknown notification event "${String(event)}"`);
  return shipped;
}

function lookup(candidates: readonly Template[], preference: string): Template | undefined {
  if (typeof preference !== 'string') return undefined;
  const wanted = normalizeLanguage(preference);
  if (!LANGUAGE_TAG.test(wanted)) return undefined;
  const languageOf = (template: Template) =>
    typeof template.language === 'string' ? normalizeLanguage(template.language) : '';

  const parts = wanted.split('-');
  for (let length = parts.length; length > 0; length--) {
    if (length < parts.length && parts[length - 1].length === 1) continue; // never end on a singleton (`-x`)
    const tag = parts.slice(0, length).join('-');
    const exact = candidates.find((template) => languageOf(template) === tag);
    if (exact) return exact;
  }
  return candidates.find((template) => languageOf(template).startsWith(`${parts[0]}-`));
}

/**
 * The templates to choose from: the site owner's own first, then every shipped default they did not replace
 * (same event and language).
 */
export function mergeTemplates(
  overrides: readonly Template[],
  defaults: readonly Template[] = DEFAULT_TEMPLATES
): Template[] {
  const key = (template: Template) => `${template.event} ${normalizeLanguage(String(template.language))}`;
  const replaced = new Set(overrides.map(key));
  return [...overrides, ...defaults.filter((template) => !replaced.has(key(template)))];
}
