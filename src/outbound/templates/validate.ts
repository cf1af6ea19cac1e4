/**
 * Checking a template before it is saved: a known event, a well-formed language tag, a non-empty one-line subject,
 * a body, template syntax that reads (syntax.ts), only known placeholders, and no agent-only placeholder in a mail
 * that goes to a customer. The admin API refuses a template with any problem and names each one.
 */
import {
  AGENT_ONLY_PLACEHOLDERS,
  NOTIFICATION_EVENTS,
  isCustomerEvent,
  isNotificationEvent,
  type Template,
} from '../../../contracts/templates';
import { LANGUAGE_TAG, normalizeLanguage } from '../../mail/language-tags';
import { parseTemplateText, usedPlaceholders } from './syntax';

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
    const parsed = parseTemplateText(source);
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
