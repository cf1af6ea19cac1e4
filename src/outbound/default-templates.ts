/**
 * The notification templates shipped with the plugin: every event in English, French, Portuguese, Polish, Estonian
 * and Arabic (rendered right to left, see templates.ts). Short and neutral on purpose; a site owner replaces any of
 * them per event and language.
 *
 * Customer mails never quote the customer's own message back (an acknowledgement that echoes arbitrary text to
 * a possibly forged sender would turn the help desk into a spam relay) and never show the admin link.
 */
import type { NotificationEvent, Template } from './templates';

export const SHIPPED_LANGUAGES = ['en', 'fr', 'pt', 'pl', 'et', 'ar'] as const;

export type ShippedLanguage = (typeof SHIPPED_LANGUAGES)[number];

type Texts = Record<NotificationEvent, { subject: string; body: string }>;

const lines = (...parts: string[]): string => parts.join('\n');

/** The agent's reply is the mail; the agent signs it, the mailbox name follows. The same in every language. */
const AGENT_REPLY_BODY = lines(
  '{{message.text}}',
  '',
  '{{#if agent.name}}',
  '{{agent.name}}',
  '{{/if}}',
  '{{mailbox.name}}'
);

const TEXTS: Record<ShippedLanguage, Texts> = {
  en: {
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
  },

  fr: {
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
  },

  // Worded to read naturally in both European and Brazilian Portuguese; a site can add a `pt-BR` variant.
  pt: {
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
  },

  // Formal address (Państwo); no name in the greeting, which would need the vocative case.
  pl: {
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
  },

  // Polite address (Teie, capitalised as in letters).
  et: {
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
  },

  // Modern Standard Arabic, the register of business mail across the Arab world. Rendered with dir="rtl".
  ar: {
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
  },
};

/** Every event × every shipped language, frozen: copy one (`{ ...template }`) to change it. */
export const DEFAULT_TEMPLATES: Template[] = Object.freeze(
  SHIPPED_LANGUAGES.flatMap((language) =>
    (Object.keys(TEXTS[language]) as NotificationEvent[]).map((event) =>
      Object.freeze({ event, language, ...TEXTS[language][event] })
    )
  )
) as Template[];
