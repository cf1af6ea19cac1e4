/**
 * Which template a notification uses: the site owner's own templates merged over the shipped defaults, then the
 * best one for the customer's preferred languages (exact tag, shorter forms, regional variants), else the fallback
 * language, else the shipped English text.
 */
import type { NotificationEvent, Template } from '../../../contracts/templates';
import { LANGUAGE_TAG, normalizeLanguage } from '../../mail/language-tags';
import { DEFAULT_TEMPLATES } from './default-templates';

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
