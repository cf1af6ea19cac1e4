/**
 * The shipped Arabic notification texts, one per event (listed with the other languages in ../default-templates.ts).
 * Modern Standard Arabic, the register of business mail across the Arab world. Rendered with dir="rtl".
 */
import { AGENT_REPLY_BODY, lines, type TemplateTexts } from './texts';

export const AR_TEXTS: TemplateTexts = {
  'ticket-acknowledgement': {
    subject: 'تلقّينا طلبك: {{ticket.subject}}',
    body: lines(
      'مرحبًا {{requester.name}}،',
      '',
      'شكرًا لتواصلك مع {{site.name}}. لقد تلقّينا طلبك وفتحنا التذكرة رقم {{ticket.number}}. سنعود إليك في أقرب وقت ممكن.',
      '',
      'إذا كان لديك ما تضيفه، فما عليك سوى الرد على هذه الرسالة مع الإبقاء على رقم التذكرة في عنوانها.',
      '',
      'مع أطيب التحيات،',
      '{{mailbox.name}}'
    ),
  },
  'agent-reply': { subject: '{{ticket.subject}}', body: AGENT_REPLY_BODY },
  'ticket-resolved': {
    subject: 'تم الحل: {{ticket.subject}}',
    body: lines(
      'مرحبًا {{requester.name}}،',
      '',
      'تم وضع علامة «تم الحل» على طلبك رقم {{ticket.number}}.',
      '',
      'إذا استمرت المشكلة أو كانت لديك أسئلة أخرى، فما عليك سوى الرد على هذه الرسالة.',
      '',
      'مع أطيب التحيات،',
      '{{mailbox.name}}'
    ),
  },
  'ticket-closed': {
    subject: 'تم الإغلاق: {{ticket.subject}}',
    body: lines(
      'مرحبًا {{requester.name}}،',
      '',
      'تم إغلاق طلبك رقم {{ticket.number}}. شكرًا لتواصلك مع {{site.name}}.',
      '',
      'إذا احتجت إلى مزيد من المساعدة، فما عليك سوى الرد على هذه الرسالة.',
      '',
      'مع أطيب التحيات،',
      '{{mailbox.name}}'
    ),
  },
  'agent-new-ticket': {
    subject: 'تذكرة جديدة: {{ticket.subject}}',
    body: lines(
      'وصلت تذكرة جديدة إلى {{mailbox.name}}.',
      '',
      'التذكرة: #{{ticket.number}}',
      'الموضوع: {{ticket.subject}}',
      'المرسل: {{message.from}}',
      'الأولوية: {{ticket.priority}}',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'فتح التذكرة: {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'agent-customer-reply': {
    subject: 'رد من العميل: {{ticket.subject}}',
    body: lines(
      'ردّ {{message.from}} على التذكرة رقم {{ticket.number}} ({{ticket.subject}}).',
      '',
      '{{message.text}}',
      '',
      '{{#if ticket.adminUrl}}',
      'فتح التذكرة: {{ticket.adminUrl}}',
      '{{/if}}'
    ),
  },
  'mail-refused': {
    subject: 'لم تُقبَل رسالتك إلى {{mailbox.name}}',
    body: lines(
      'مرحبًا {{requester.name}}،',
      '',
      'تعذّر قبول رسالتك: {{refusal.reason}}.',
      '',
      'هذا رد تلقائي يُرسَل مرة واحدة فقط.',
      '',
      '{{mailbox.name}}'
    ),
  },
  'mailbox-unmonitored': {
    subject: 'لن تُقرأ رسالتك إلى {{mailbox.name}}',
    body: lines(
      'مرحبًا {{requester.name}}،',
      '',
      'هذا العنوان غير مُراقَب: لن تُقرأ رسالتك ولن يُرَد عليها.',
      '',
      '{{#if mailbox.helpText}}',
      'للحصول على المساعدة:',
      '{{mailbox.helpText}}',
      '',
      '{{/if}}',
      'هذا رد تلقائي يُرسَل مرة واحدة فقط.',
      '',
      '{{mailbox.name}}'
    ),
  },
};
