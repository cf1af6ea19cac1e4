/**
 * The shipped Polish notification texts, one per event (listed with the other languages in ../default-templates.ts).
 * Formal address (Państwo); no name in the greeting, which would need the vocative case.
 */
import { AGENT_REPLY_BODY, lines, type TemplateTexts } from './texts';

export const PL_TEXTS: TemplateTexts = {
  'ticket-acknowledgement': {
    subject: 'Otrzymaliśmy Państwa zgłoszenie: {{ticket.subject}}',
    body: lines(
      'Dzień dobry,',
      '',
      'dziękujemy za kontakt. Otrzymaliśmy Państwa zgłoszenie i nadaliśmy mu numer #{{ticket.number}}. Odpowiemy najszybciej, jak to możliwe.',
      '',
      'Aby przekazać dodatkowe informacje, wystarczy odpowiedzieć na tę wiadomość, zachowując numer zgłoszenia w temacie.',
      '',
      'Z poważaniem',
      '{{mailbox.name}}'
    ),
  },
  'agent-reply': { subject: '{{ticket.subject}}', body: AGENT_REPLY_BODY },
  'ticket-resolved': {
    subject: 'Zgłoszenie rozwiązane: {{ticket.subject}}',
    body: lines(
      'Dzień dobry,',
      '',
      'Państwa zgłoszenie #{{ticket.number}} zostało oznaczone jako rozwiązane.',
      '',
      'Jeśli problem nadal występuje lub mają Państwo dodatkowe pytania, wystarczy odpowiedzieć na tę wiadomość.',
      '',
      'Z poważaniem',
      '{{mailbox.name}}'
    ),
  },
  'ticket-closed': {
    subject: 'Zgłoszenie zamknięte: {{ticket.subject}}',
    body: lines(
      'Dzień dobry,',
      '',
      'Państwa zgłoszenie #{{ticket.number}} zostało zamknięte. Dziękujemy za kontakt.',
      '',
      'Jeśli będą Państwo potrzebować dalszej pomocy, wystarczy odpowiedzieć na tę wiadomość.',
      '',
      'Z poważaniem',
      '{{mailbox.name}}'
    ),
  },
  'agent-new-ticket': {
    subject: 'Nowe zgłoszenie: {{ticket.subject}}',
    body: lines(
      'Do skrzynki {{mailbox.name}} wpłynęło nowe zgłoszenie.',
      '',
      'Zgłoszenie: #{{ticket.number}}',
      'Temat: {{ticket.subject}}',
      'Od: {{message.from}}',
      'Priorytet: {{ticket.priority}}',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'Otwórz zgłoszenie: {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'agent-customer-reply': {
    subject: 'Odpowiedź klienta: {{ticket.subject}}',
    body: lines(
      'Nowa odpowiedź od {{message.from}} w zgłoszeniu #{{ticket.number}} ({{ticket.subject}}).',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'Otwórz zgłoszenie: {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'mail-refused': {
    subject: 'Nie mogliśmy przyjąć Państwa wiadomości do {{mailbox.name}}',
    body: lines(
      'Dzień dobry,',
      '',
      'nie mogliśmy przyjąć Państwa wiadomości: ten adres obsługuje tylko określone wiadomości.',
      '',
      'To jest automatyczna odpowiedź, wysyłana tylko raz.',
      '',
      '{{mailbox.name}}'
    ),
  },
  'mailbox-unmonitored': {
    subject: 'Państwa wiadomość do {{mailbox.name}} nie zostanie przeczytana',
    body: lines(
      'Dzień dobry,',
      '',
      'ta skrzynka nie jest monitorowana: Państwa wiadomość nie zostanie przeczytana i pozostanie bez odpowiedzi.',
      '',
      '{{#if mailbox.helpText}}',
      'Pomoc uzyskają Państwo tutaj:',
      '{{mailbox.helpText}}',
      '',
      '{{/if}}',
      'To jest automatyczna odpowiedź, wysyłana tylko raz.',
      '',
      '{{mailbox.name}}'
    ),
  },
};
