/** Translated names of the notification events and help for each template placeholder (pages/TemplatesPage.tsx). */
import type { NotificationEvent, Placeholder } from '../../../../contracts/templates';
import type { T } from '../useT';

export function eventLabels(t: T): Record<NotificationEvent, string> {
  return {
    'ticket-acknowledgement': t('settings.templates.event.ticketAcknowledgement', 'New ticket acknowledged'),
    'agent-reply': t('settings.templates.event.agentReply', "An agent's reply"),
    'ticket-resolved': t('settings.templates.event.ticketResolved', 'Ticket resolved'),
    'ticket-closed': t('settings.templates.event.ticketClosed', 'Ticket closed'),
    'agent-new-ticket': t('settings.templates.event.agentNewTicket', 'To agents: new ticket'),
    'agent-customer-reply': t('settings.templates.event.agentCustomerReply', 'To agents: customer replied'),
    'mail-refused': t('settings.templates.event.mailRefused', 'Refused mail answered'),
    'mailbox-unmonitored': t('settings.templates.event.mailboxUnmonitored', 'Unmonitored mailbox answer'),
  };
}

export function placeholderHelp(t: T): Record<Placeholder, string> {
  return {
    'ticket.number': t('settings.templates.ph.ticketNumber', 'The ticket number'),
    'ticket.subject': t('settings.templates.ph.ticketSubject', 'The ticket subject'),
    'ticket.status': t('settings.templates.ph.ticketStatus', 'Its status'),
    'ticket.priority': t('settings.templates.ph.ticketPriority', 'Its priority'),
    'ticket.adminUrl': t(
      'settings.templates.ph.ticketAdminUrl',
      'Link to the ticket in the admin (agent mail only)'
    ),
    'requester.name': t('settings.templates.ph.requesterName', 'The customer’s name (or address)'),
    'requester.email': t('settings.templates.ph.requesterEmail', 'The customer’s address'),
    'message.text': t('settings.templates.ph.messageText', 'The latest message, without quoted history'),
    'message.from': t('settings.templates.ph.messageFrom', 'Who wrote the latest message'),
    'agent.name': t('settings.templates.ph.agentName', 'The agent’s name'),
    'site.name': t('settings.templates.ph.siteName', 'The site name'),
    'mailbox.name': t('settings.templates.ph.mailboxName', 'The mailbox name'),
    'mailbox.helpText': t(
      'settings.templates.ph.mailboxHelpText',
      'Where help is available (unmonitored mailbox)'
    ),
    'refusal.reason': t('settings.templates.ph.refusalReason', 'Why the mail was refused'),
  };
}
