/**
 * The shipped French notification texts, one per event (listed with the other languages in ../default-templates.ts).
 */
import { AGENT_REPLY_BODY, lines, type TemplateTexts } from './texts';

export const FR_TEXTS: TemplateTexts = {
  'ticket-acknowledgement': {
    subject: 'Nous avons bien reçu votre demande : {{ticket.subject}}',
    body: lines(
      'Bonjour {{requester.name}},',
      '',
      'Merci d’avoir contacté {{site.name}}. Nous avons bien reçu votre demande et créé le ticket n° {{ticket.number}}. Nous vous répondrons dans les meilleurs délais.',
      '',
      'Pour ajouter des informations, répondez simplement à ce message en conservant le numéro du ticket dans l’objet.',
      '',
      'Cordialement,',
      '{{mailbox.name}}'
    ),
  },
  'agent-reply': { subject: '{{ticket.subject}}', body: AGENT_REPLY_BODY },
  'ticket-resolved': {
    subject: 'Demande résolue : {{ticket.subject}}',
    body: lines(
      'Bonjour {{requester.name}},',
      '',
      'Votre demande n° {{ticket.number}} a été marquée comme résolue.',
      '',
      'Si le problème persiste ou si vous avez d’autres questions, répondez simplement à ce message.',
      '',
      'Cordialement,',
      '{{mailbox.name}}'
    ),
  },
  'ticket-closed': {
    subject: 'Demande clôturée : {{ticket.subject}}',
    body: lines(
      'Bonjour {{requester.name}},',
      '',
      'Votre demande n° {{ticket.number}} a été clôturée. Merci d’avoir contacté {{site.name}}.',
      '',
      'Si vous avez besoin d’aide supplémentaire, répondez simplement à ce message.',
      '',
      'Cordialement,',
      '{{mailbox.name}}'
    ),
  },
  'agent-new-ticket': {
    subject: 'Nouveau ticket : {{ticket.subject}}',
    body: lines(
      'Un nouveau ticket est arrivé dans la boîte {{mailbox.name}}.',
      '',
      'Ticket : n° {{ticket.number}}',
      'Objet : {{ticket.subject}}',
      'De : {{message.from}}',
      'Priorité : {{ticket.priority}}',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'Ouvrir le ticket : {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'agent-customer-reply': {
    subject: 'Réponse du client : {{ticket.subject}}',
    body: lines(
      '{{message.from}} a répondu au ticket n° {{ticket.number}} ({{ticket.subject}}).',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'Ouvrir le ticket : {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'mail-refused': {
    subject: 'Votre message à {{mailbox.name}} n’a pas été accepté',
    body: lines(
      'Bonjour {{requester.name}},',
      '',
      'nous n’avons pas pu accepter votre message : cette adresse ne traite que certains messages.',
      '',
      'Ceci est une réponse automatique, envoyée une seule fois.',
      '',
      '{{mailbox.name}}'
    ),
  },
  'mailbox-unmonitored': {
    subject: 'Votre message à {{mailbox.name}} ne sera pas lu',
    body: lines(
      'Bonjour {{requester.name}},',
      '',
      'cette adresse n’est pas surveillée : votre message ne sera ni lu ni traité.',
      '',
      '{{#if mailbox.helpText}}',
      'Pour obtenir de l’aide :',
      '{{mailbox.helpText}}',
      '',
      '{{/if}}',
      'Ceci est une réponse automatique, envoyée une seule fois.',
      '',
      '{{mailbox.name}}'
    ),
  },
};
