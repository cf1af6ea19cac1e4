/**
 * What every shipped language file fills in: a subject and a body per event, typed so that a language missing an
 * event fails the type check. Short and neutral on purpose; a site owner replaces any of them per event and language.
 *
 * Customer mails never quote the customer's own message back (an acknowledgement that echoes arbitrary text to
 * a possibly forged sender would turn the help desk into a spam relay) and never show the admin link.
 */
import type { NotificationEvent } from '../../../../contracts/templates';

export type TemplateTexts = Record<NotificationEvent, { subject: string; body: string }>;

/** One text from its lines. */
export const lines = (...parts: string[]): string => parts.join('\n');

/** The agent's reply is the mail; the agent signs it, the mailbox name follows. The same in every language. */
export const AGENT_REPLY_BODY = lines(
  '{{message.text}}',
  '',
  '{{#if agent.name}}',
  '{{agent.name}}',
  '{{/if}}',
  '{{mailbox.name}}'
);
