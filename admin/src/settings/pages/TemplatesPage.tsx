/**
 * Settings → Email piping → Notification templates: the text of each notification per event and language (the
 * shipped defaults, or the site's own version), the placeholders they may use, and a preview rendered by the server
 * exactly as a real mail would be. The preview's HTML is shown in a sandboxed frame (`sandbox=""`: no scripts, an
 * opaque origin) and right to left for a right-to-left language.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import {
  Badge,
  Box,
  Button,
  Flex,
  Grid,
  Table,
  Tbody,
  Td,
  TextButton,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Check, Eye, Trash } from '@strapi/icons';
import { styled } from 'styled-components';
import {
  BASE,
  CUSTOMER_EVENTS,
  NOTIFICATION_EVENTS,
  PLACEHOLDERS,
  readServerError,
  SHIPPED_LANGUAGES,
  type NotificationEvent,
  type RenderedTemplate,
  type Template,
} from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useT, type T } from '../useT';
import { SelectField, Section, TextAreaField, TextField } from '../components/fields';
import { ProtectSettings, SettingsPage } from '../components/SettingsPage';

const OTHER_LANGUAGE = '__other__';
const RTL = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ks', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** A first guess for the editor's direction; the preview uses the server's answer. */
const isRightToLeft = (language: string) => RTL.has(language.toLowerCase().split('-')[0]);

const PreviewFrame = styled.iframe`
  display: block;
  width: 100%;
  min-height: 320px;
  border: 1px solid ${({ theme }) => theme.colors.neutral200};
  border-radius: ${({ theme }) => theme.borderRadius};
  background: #ffffff;
`;

const Code = styled.code`
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 1.2rem;
`;

const Pre = styled.pre`
  white-space: pre-wrap;
  word-break: break-word;
  margin: 0;
  font-family: inherit;
  font-size: 1.3rem;
`;

function eventLabels(t: T): Record<NotificationEvent, string> {
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

function placeholderHelp(t: T): Record<(typeof PLACEHOLDERS)[number], string> {
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

const Templates = () => {
  const t = useT();
  const { get, put, post, del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [own, setOwn] = useState<Template[] | null>(null);
  const [defaults, setDefaults] = useState<Template[]>([]);
  const [loadError, setLoadError] = useState(false);
  const [event, setEvent] = useState<NotificationEvent>('ticket-acknowledgement');
  const [languageChoice, setLanguageChoice] = useState('en');
  const [otherLanguage, setOtherLanguage] = useState('');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'save' | 'preview' | null>(null);
  const [preview, setPreview] = useState<RenderedTemplate | null>(null);
  const [confirmReset, setConfirmReset] = useState(false);
  const events = eventLabels(t);
  const help = placeholderHelp(t);

  const language = (languageChoice === OTHER_LANGUAGE ? otherLanguage : languageChoice).trim();

  const load = useCallback(async () => {
    try {
      const { data } = await get<{ data: { templates: Template[]; defaults: Template[] } }>(
        `${BASE}/templates`
      );
      setOwn(data.data.templates);
      setDefaults(data.data.defaults);
    } catch {
      setLoadError(true);
    }
  }, [get]);

  useEffect(() => {
    void load();
  }, [load]);

  const ownTemplate = useMemo(
    () =>
      own?.find(
        (template) => template.event === event && template.language.toLowerCase() === language.toLowerCase()
      ) ?? null,
    [own, event, language]
  );

  // The editor starts from the site's own text, else the shipped one in that language, else the English one.
  useEffect(() => {
    if (!own) return;
    const start =
      ownTemplate ??
      defaults.find((template) => template.event === event && template.language === language.toLowerCase()) ??
      defaults.find((template) => template.event === event && template.language === 'en');
    setSubject(start?.subject ?? '');
    setBody(start?.body ?? '');
    setErrors({});
    setPreview(null);
  }, [own, defaults, ownTemplate, event, language]);

  const languages = useMemo(() => {
    const all = new Set<string>(SHIPPED_LANGUAGES);
    for (const template of own ?? []) all.add(template.language);
    return [...all];
  }, [own]);

  const templateBody = () => ({ event, language, subject, body });

  const showPreview = async () => {
    setBusy('preview');
    setErrors({});
    try {
      const { data } = await post<{ data: RenderedTemplate }>(`${BASE}/templates/preview`, templateBody());
      setPreview(data.data);
    } catch (error) {
      const problem = readServerError(error);
      setErrors(problem.fields);
      setPreview(null);
      toggleNotification({ type: 'danger', message: problem.message });
    } finally {
      setBusy(null);
    }
  };

  const save = async () => {
    setBusy('save');
    setErrors({});
    try {
      await put(`${BASE}/templates`, templateBody());
      toggleNotification({ type: 'success', message: t('settings.templates.saved', 'Template saved') });
      await load();
    } catch (error) {
      const problem = readServerError(error);
      setErrors(problem.fields);
      toggleNotification({ type: 'danger', message: problem.message });
    } finally {
      setBusy(null);
    }
  };

  const reset = async () => {
    setConfirmReset(false);
    if (!ownTemplate?.id) return;
    try {
      await del(`${BASE}/templates/${ownTemplate.id}`);
      toggleNotification({
        type: 'success',
        message: t('settings.templates.resetDone', 'The shipped text is used again'),
      });
      await load();
    } catch (error) {
      toggleNotification({ type: 'danger', message: readServerError(error).message });
    }
  };

  if (loadError) return <Page.Error />;
  if (!own) return <Page.Loading />;

  const direction = preview?.direction ?? (isRightToLeft(language) ? 'rtl' : 'ltr');
  const customer = CUSTOMER_EVENTS.includes(event);

  return (
    <SettingsPage
      title={t('settings.templates.title', 'Notification templates')}
      subtitle={t(
        'settings.templates.subtitle',
        'The mail the help desk sends, per event and language. The customer’s language picks the template; English is the fallback.'
      )}
    >
      <Flex direction="column" alignItems="stretch" gap={6}>
        <Section title={t('settings.templates.choose', 'Template')}>
          <Grid.Root gap={4}>
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              <SelectField
                name="event"
                label={t('settings.templates.event', 'Event')}
                value={event}
                onChange={(value) => setEvent(value as NotificationEvent)}
                options={NOTIFICATION_EVENTS.map((value) => ({ value, label: events[value] }))}
              />
            </Grid.Item>
            <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
              <SelectField
                name="language"
                label={t('settings.templates.language', 'Language')}
                value={languageChoice}
                onChange={setLanguageChoice}
                options={[
                  ...languages.map((value) => ({ value, label: value })),
                  {
                    value: OTHER_LANGUAGE,
                    label: t('settings.templates.otherLanguage', 'Another language…'),
                  },
                ]}
              />
            </Grid.Item>
            {languageChoice === OTHER_LANGUAGE ? (
              <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="languageCode"
                  label={t('settings.templates.languageCode', 'Language code')}
                  hint={t('settings.templates.languageCodeHint', 'For example de, pt-BR or ar.')}
                  value={otherLanguage}
                  error={errors.template}
                  onChange={setOtherLanguage}
                />
              </Grid.Item>
            ) : null}
          </Grid.Root>
          <Flex gap={2}>
            {ownTemplate ? (
              <Badge variant="primary">{t('settings.templates.customised', 'Customised')}</Badge>
            ) : (
              <Badge>{t('settings.templates.shipped', 'Shipped text')}</Badge>
            )}
            <Typography variant="pi" textColor="neutral600">
              {customer
                ? t('settings.templates.toCustomer', 'Sent to the customer and the CC list.')
                : t('settings.templates.toAgents', 'Sent to the agents.')}
            </Typography>
          </Flex>
        </Section>

        <Grid.Root gap={6}>
          <Grid.Item col={7} s={12} direction="column" alignItems="stretch">
            <Section title={t('settings.templates.editor', 'Text')}>
              <TextField
                name="subject"
                label={t('settings.templates.subject', 'Subject')}
                dir={isRightToLeft(language) ? 'rtl' : 'auto'}
                value={subject}
                error={errors.subject}
                onChange={setSubject}
              />
              <TextAreaField
                name="body"
                label={t('settings.templates.body', 'Body')}
                hint={t(
                  'settings.templates.bodyHint',
                  "Plain text; the HTML part is made from it. '{{#if agent.name}}…{{/if}}' keeps a part only when the value is not empty."
                )}
                rows={14}
                dir={isRightToLeft(language) ? 'rtl' : 'auto'}
                value={body}
                error={errors.body}
                onChange={setBody}
              />
              {errors.template ? (
                <Typography variant="pi" textColor="danger600">
                  {errors.template}
                </Typography>
              ) : null}
              <Flex gap={2} wrap="wrap">
                <Button
                  variant="secondary"
                  startIcon={<Eye />}
                  loading={busy === 'preview'}
                  disabled={!language}
                  onClick={showPreview}
                >
                  {t('settings.templates.preview', 'Preview')}
                </Button>
                <Button startIcon={<Check />} loading={busy === 'save'} disabled={!language} onClick={save}>
                  {t('settings.common.save', 'Save')}
                </Button>
                {ownTemplate ? (
                  <Button variant="danger-light" startIcon={<Trash />} onClick={() => setConfirmReset(true)}>
                    {t('settings.templates.reset', 'Back to the shipped text')}
                  </Button>
                ) : null}
              </Flex>
            </Section>
          </Grid.Item>
          <Grid.Item col={5} s={12} direction="column" alignItems="stretch">
            <Section
              title={t('settings.templates.placeholders', 'Placeholders')}
              description={t(
                'settings.templates.placeholdersHint',
                'Click one to add it to the end of the body. Values are inserted as text, never as HTML.'
              )}
            >
              <Flex direction="column" alignItems="stretch" gap={2}>
                {PLACEHOLDERS.filter((name) => !(customer && name === 'ticket.adminUrl')).map((name) => (
                  <Flex key={name} gap={2} alignItems="baseline" wrap="wrap">
                    <TextButton onClick={() => setBody((current) => `${current}{{${name}}}`)}>
                      <Code>{`{{${name}}}`}</Code>
                    </TextButton>
                    <Typography variant="pi" textColor="neutral600">
                      {help[name]}
                    </Typography>
                  </Flex>
                ))}
              </Flex>
            </Section>
          </Grid.Item>
        </Grid.Root>

        {preview ? (
          <Section
            title={t('settings.templates.previewTitle', 'Preview')}
            description={t(
              'settings.templates.previewHint',
              'Rendered by the server with sample values, as the mail would go out.'
            )}
          >
            <Box
              dir={direction}
              lang={preview.language}
              data-testid="template-preview"
              data-direction={direction}
            >
              <Flex direction="column" alignItems="stretch" gap={4}>
                <Typography variant="omega" fontWeight="bold" data-testid="template-preview-subject">
                  {preview.subject}
                </Typography>
                <PreviewFrame
                  title={t('settings.templates.previewFrame', 'HTML preview of the notification')}
                  sandbox=""
                  srcDoc={preview.html}
                  dir={direction}
                />
                <Box background="neutral100" padding={4} hasRadius>
                  <Typography variant="sigma" textColor="neutral600" dir="ltr">
                    {t('settings.templates.plainText', 'Plain-text part')}
                  </Typography>
                  <Pre dir={direction}>{preview.text}</Pre>
                </Box>
              </Flex>
            </Box>
          </Section>
        ) : null}

        <Section title={t('settings.templates.own', 'Customised templates')}>
          {own.length === 0 ? (
            <Typography textColor="neutral600">
              {t('settings.templates.ownEmpty', 'None yet: every notification uses the shipped text.')}
            </Typography>
          ) : (
            <Table colCount={3} rowCount={own.length + 1}>
              <Thead>
                <Tr>
                  <Th>
                    <Typography variant="sigma">{t('settings.templates.event', 'Event')}</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">{t('settings.templates.language', 'Language')}</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">{t('settings.templates.subject', 'Subject')}</Typography>
                  </Th>
                </Tr>
              </Thead>
              <Tbody>
                {own.map((template) => (
                  <Tr key={template.id}>
                    <Td>
                      <TextButton
                        onClick={() => {
                          setEvent(template.event);
                          if (languages.includes(template.language)) setLanguageChoice(template.language);
                          else {
                            setLanguageChoice(OTHER_LANGUAGE);
                            setOtherLanguage(template.language);
                          }
                        }}
                      >
                        {events[template.event] ?? template.event}
                      </TextButton>
                    </Td>
                    <Td>
                      <Typography>{template.language}</Typography>
                    </Td>
                    <Td>
                      <Typography ellipsis dir="auto">
                        {template.subject}
                      </Typography>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )}
        </Section>
      </Flex>
      <ConfirmDialog open={confirmReset} onCancel={() => setConfirmReset(false)} onConfirm={reset}>
        {t('settings.templates.resetConfirm', 'Delete your text for this event and language?')}
      </ConfirmDialog>
    </SettingsPage>
  );
};

const TemplatesPage = () => (
  <ProtectSettings>
    <Templates />
  </ProtectSettings>
);

export default TemplatesPage;
