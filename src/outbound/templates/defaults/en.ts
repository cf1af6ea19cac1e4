/**
 * The shipped English notification texts, one per event (listed with the other languages in ../default-templates.ts).
 */
import { AGENT_REPLY_BODY, lines, type TemplateTexts } from './texts';

export const EN_TEXTS: TemplateTexts = {
  'ticket-acknowledgement': {
    subject: 'We received your request: {{ticket.subject}}',
    body: lines(
      'Hello {{requester.name}},',
      '',
      'Thank you for contacting {{site.name}}. We have received your request and opened ticket #{{ticket.number}}. We will get back to you as soon as possible.',
      '',
      'If you have anything to add, simply reply to this email and keep the ticket number in the subject.',
      '',
      'Kind regards,',
      '{{mailbox.name}}'
    ),
  },
  'agent-reply': { subject: '{{ticket.subject}}', body: AGENT_REPLY_BODY },
  'ticket-resolved': {
    subject: 'Resolved: {{ticket.subject}}',
    body: lines(
      'Hello {{requester.name}},',
      '',
      'Your request #{{ticket.number}} has been marked as resolved.',
      '',
      'If the problem persists or you have further questions, simply reply to this email.',
      '',
      'Kind regards,',
      '{{mailbox.name}}'
    ),
  },
  'ticket-closed': {
    subject: 'Closed: {{ticket.subject}}',
    body: lines(
      'Hello {{requester.name}},',
      '',
      'Your request #{{ticket.number}} has been closed. Thank you for contacting {{site.name}}.',
      '',
      'If you need further help, simply reply to this email.',
      '',
      'Kind regards,',
      '{{mailbox.name}}'
    ),
  },
  'agent-new-ticket': {
    subject: 'New ticket: {{ticket.subject}}',
    body: lines(
      'A new ticket has arrived in {{mailbox.name}}.',
      '',
      'Ticket: #{{ticket.number}}',
      'Subject: {{ticket.subject}}',
      'From: {{message.from}}',
      'Priority: {{ticket.priority}}',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'Open the ticket: {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'agent-customer-reply': {
    subject: 'Customer reply: {{ticket.subject}}',
    body: lines(
      '{{message.from}} replied to ticket #{{ticket.number}} ({{ticket.subject}}).',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'Open the ticket: {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'mail-refused': {
    subject: 'Your message to {{mailbox.name}} was not accepted',
    body: lines(
      'Hello {{requester.name}},',
      '',
      'your message could not be accepted: {{refusal.reason}}.',
      '',
      'This is an automatic answer; it is sent only once.',
      '',
      '{{mailbox.name}}'
    ),
  },
  'mailbox-unmonitored': {
    subject: 'Your message to {{mailbox.name}} will not be read',
    body: lines(
      'Hello {{requester.name}},',
      '',
      'this address is not monitored: your message will not be read or answered.',
      '',
      '{{#if mailbox.helpText}}',
      'Where to get help:',
      '{{mailbox.helpText}}',
      '',
      '{{/if}}',
      'This is an automatic answer; it is sent only once.',
      '',
      '{{mailbox.name}}'
    ),
  },
};
