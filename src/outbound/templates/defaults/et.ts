/**
 * The shipped Estonian notification texts, one per event (listed with the other languages in ../default-templates.ts).
 * Polite address (Teie, capitalised as in letters).
 */
import { AGENT_REPLY_BODY, lines, type TemplateTexts } from './texts';

export const ET_TEXTS: TemplateTexts = {
  'ticket-acknowledgement': {
    subject: 'Teie pöördumine on vastu võetud: {{ticket.subject}}',
    body: lines(
      'Tere, {{requester.name}}!',
      '',
      'Täname, et võtsite meiega ühendust. Saime Teie pöördumise kätte ja registreerisime selle numbriga #{{ticket.number}}. Vastame Teile esimesel võimalusel.',
      '',
      'Kui soovite midagi lisada, vastake lihtsalt sellele kirjale ja jätke pöördumise number teemareale alles.',
      '',
      'Lugupidamisega',
      '{{mailbox.name}}'
    ),
  },
  'agent-reply': { subject: '{{ticket.subject}}', body: AGENT_REPLY_BODY },
  'ticket-resolved': {
    subject: 'Pöördumine lahendatud: {{ticket.subject}}',
    body: lines(
      'Tere, {{requester.name}}!',
      '',
      'Teie pöördumine #{{ticket.number}} on märgitud lahendatuks.',
      '',
      'Kui probleem püsib või Teil on lisaküsimusi, vastake lihtsalt sellele kirjale.',
      '',
      'Lugupidamisega',
      '{{mailbox.name}}'
    ),
  },
  'ticket-closed': {
    subject: 'Pöördumine suletud: {{ticket.subject}}',
    body: lines(
      'Tere, {{requester.name}}!',
      '',
      'Teie pöördumine #{{ticket.number}} on suletud. Täname, et võtsite meiega ühendust.',
      '',
      'Kui vajate veel abi, vastake lihtsalt sellele kirjale.',
      '',
      'Lugupidamisega',
      '{{mailbox.name}}'
    ),
  },
  'agent-new-ticket': {
    subject: 'Uus pöördumine: {{ticket.subject}}',
    body: lines(
      'Postkasti {{mailbox.name}} saabus uus pöördumine.',
      '',
      'Pöördumine: #{{ticket.number}}',
      'Teema: {{ticket.subject}}',
      'Saatja: {{message.from}}',
      'Prioriteet: {{ticket.priority}}',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'Ava pöördumine: {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'agent-customer-reply': {
    subject: 'Kliendi vastus: {{ticket.subject}}',
    body: lines(
      '{{message.from}} vastas pöördumisele #{{ticket.number}} ({{ticket.subject}}).',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'Ava pöördumine: {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'mail-refused': {
    subject: 'Teie sõnumit aadressile {{mailbox.name}} ei võetud vastu',
    body: lines(
      'Tere!',
      '',
      'Teie sõnumit ei saanud vastu võtta: see aadress käsitleb ainult teatud sõnumeid.',
      '',
      'See on automaatne vastus, mis saadetakse ainult üks kord.',
      '',
      '{{mailbox.name}}'
    ),
  },
  'mailbox-unmonitored': {
    subject: 'Teie sõnumit aadressile {{mailbox.name}} ei loeta',
    body: lines(
      'Tere!',
      '',
      'Seda aadressi ei jälgita: Teie sõnumit ei loeta ja sellele ei vastata.',
      '',
      '{{#if mailbox.helpText}}',
      'Abi saate siit:',
      '{{mailbox.helpText}}',
      '',
      '{{/if}}',
      'See on automaatne vastus, mis saadetakse ainult üks kord.',
      '',
      '{{mailbox.name}}'
    ),
  },
};
