/**
 * The shipped Portuguese notification texts, one per event (listed with the other languages in
 * ../default-templates.ts). Worded to read naturally in both European and Brazilian Portuguese; a site can add a
 * `pt-BR` variant.
 */
import { AGENT_REPLY_BODY, lines, type TemplateTexts } from './texts';

export const PT_TEXTS: TemplateTexts = {
  'ticket-acknowledgement': {
    subject: 'Recebemos o seu pedido: {{ticket.subject}}',
    body: lines(
      'Olá {{requester.name}},',
      '',
      'Obrigado por escrever para {{site.name}}. Recebemos o seu pedido, que tem o número #{{ticket.number}}, e responderemos o mais breve possível.',
      '',
      'Se quiser acrescentar alguma informação, basta responder a este e-mail, mantendo o número do pedido no assunto.',
      '',
      'Atenciosamente,',
      '{{mailbox.name}}'
    ),
  },
  'agent-reply': { subject: '{{ticket.subject}}', body: AGENT_REPLY_BODY },
  'ticket-resolved': {
    subject: 'Pedido resolvido: {{ticket.subject}}',
    body: lines(
      'Olá {{requester.name}},',
      '',
      'O seu pedido #{{ticket.number}} foi marcado como resolvido.',
      '',
      'Se o problema persistir ou tiver outras dúvidas, basta responder a este e-mail.',
      '',
      'Atenciosamente,',
      '{{mailbox.name}}'
    ),
  },
  'ticket-closed': {
    subject: 'Pedido encerrado: {{ticket.subject}}',
    body: lines(
      'Olá {{requester.name}},',
      '',
      'O seu pedido #{{ticket.number}} foi encerrado. Obrigado por escrever para {{site.name}}.',
      '',
      'Se precisar de mais ajuda, basta responder a este e-mail.',
      '',
      'Atenciosamente,',
      '{{mailbox.name}}'
    ),
  },
  'agent-new-ticket': {
    subject: 'Novo ticket: {{ticket.subject}}',
    body: lines(
      'Foi recebido um novo ticket na caixa {{mailbox.name}}.',
      '',
      'Ticket: #{{ticket.number}}',
      'Assunto: {{ticket.subject}}',
      'De: {{message.from}}',
      'Prioridade: {{ticket.priority}}',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'Abrir o ticket: {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'agent-customer-reply': {
    subject: 'Resposta do cliente: {{ticket.subject}}',
    body: lines(
      '{{message.from}} respondeu ao ticket #{{ticket.number}} ({{ticket.subject}}).',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'Abrir o ticket: {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'mail-refused': {
    subject: 'Não foi possível aceitar a sua mensagem para {{mailbox.name}}',
    body: lines(
      'Olá {{requester.name}},',
      '',
      'não foi possível aceitar a sua mensagem: este endereço só trata determinadas mensagens.',
      '',
      'Esta é uma resposta automática, enviada apenas uma vez.',
      '',
      '{{mailbox.name}}'
    ),
  },
  'mailbox-unmonitored': {
    subject: 'A sua mensagem para {{mailbox.name}} não será lida',
    body: lines(
      'Olá {{requester.name}},',
      '',
      'ninguém lê as mensagens enviadas para este endereço: a sua mensagem não terá resposta.',
      '',
      '{{#if mailbox.helpText}}',
      'Onde obter ajuda:',
      '{{mailbox.helpText}}',
      '',
      '{{/if}}',
      'Esta é uma resposta automática, enviada apenas uma vez.',
      '',
      '{{mailbox.name}}'
    ),
  },
};
