/**
 * Settings → Email piping → Notification templates: the text of each notification per event and language (the
 * shipped defaults, or the site's own version), the placeholders they may use, and a preview rendered by the server
 * exactly as a real mail would be (components/TemplatePreview.tsx).
 */
import { useEffect, useMemo, useState } from 'react';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import { Badge, Button, Flex, Grid, Td, TextButton, Tr, Typography } from '@strapi/design-system';
import { Eye, Trash } from '@strapi/icons';
import { styled } from 'styled-components';
import {
  CUSTOMER_EVENTS,
  NOTIFICATION_EVENTS,
  PLACEHOLDERS,
  SHIPPED_LANGUAGES,
  type NotificationEvent,
  type RenderedMail,
  type TemplateList,
} from '../../../../contracts/templates';
import { BASE } from '../api';
import { SaveButton } from '../components/buttons';
import { ConfirmationDialog } from '../components/ConfirmationDialog';
import { ErrorText, GridCell, Section, SelectField, TextAreaField, TextField } from '../components/fields';
import { ListTable } from '../components/ListTable';
import { PluginPage } from '../components/PluginPage';
import { settingsPage } from '../components/SettingsPage';
import { eventLabels, placeholderHelp } from '../components/templateLabels';
import { TemplatePreview } from '../components/TemplatePreview';
import { useApiData } from '../hooks/useApiData';
import { useNotify } from '../hooks/useNotify';
import { useServerActions } from '../hooks/useServerActions';
import { useServerForm } from '../hooks/useServerForm';
import { useT } from '../useT';

/** One of the site owner's own templates, as `GET /templates` lists it (with its row id). */
type OwnTemplate = TemplateList['templates'][number];

const OTHER_LANGUAGE = '__other__';
const RTL = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ks', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** A first guess for the editor's direction; the preview uses the server's answer. */
const isRightToLeft = (language: string) => RTL.has(language.toLowerCase().split('-')[0]);

const Code = styled.code`
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 1.2rem;
`;

const Templates = () => {
  const t = useT();
  const { put, post, del } = useFetchClient();
  const notify = useNotify();
  const stored = useApiData<TemplateList>(`${BASE}/templates`);
  const own = stored.data?.templates ?? null;
  const [event, setEvent] = useState<NotificationEvent>('ticket-acknowledgement');
  const [languageChoice, setLanguageChoice] = useState('en');
  const [otherLanguage, setOtherLanguage] = useState('');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const { errors, send, isSending, clearErrors } = useServerForm<'save' | 'preview'>();
  const { run } = useServerActions();
  const [preview, setPreview] = useState<RenderedMail | null>(null);
  const [toReset, setToReset] = useState<OwnTemplate | null>(null);
  const events = eventLabels(t);
  const help = placeholderHelp(t);

  const language = (languageChoice === OTHER_LANGUAGE ? otherLanguage : languageChoice).trim();

  const ownTemplate = useMemo(
    () =>
      own?.find(
        (template) => template.event === event && template.language.toLowerCase() === language.toLowerCase()
      ) ?? null,
    [own, event, language]
  );

  // The editor starts from the site's own text, else the shipped one in that language, else the English one.
  useEffect(() => {
    if (!stored.data) return;
    const { defaults } = stored.data;
    const start =
      ownTemplate ??
      defaults.find((template) => template.event === event && template.language === language.toLowerCase()) ??
      defaults.find((template) => template.event === event && template.language === 'en');
    setSubject(start?.subject ?? '');
    setBody(start?.body ?? '');
    clearErrors();
    setPreview(null);
  }, [stored.data, ownTemplate, event, language, clearErrors]);

  const languages = useMemo(() => {
    const all = new Set<string>(SHIPPED_LANGUAGES);
    for (const template of own ?? []) all.add(template.language);
    return [...all];
  }, [own]);

  const templateBody = () => ({ event, language, subject, body });

  const showPreview = () =>
    send(
      'preview',
      async () => {
        const { data } = await post<{ data: RenderedMail }>(`${BASE}/templates/preview`, templateBody());
        setPreview(data.data);
      },
      { onRefusal: () => setPreview(null) }
    );

  const save = () =>
    send('save', async () => {
      await put(`${BASE}/templates`, templateBody());
      notify.success(t('settings.templates.saved', 'Template saved'));
      await stored.reload();
    });

  const reset = (template: OwnTemplate) =>
    run('reset', async () => {
      if (template.id === undefined) return;
      await del(`${BASE}/templates/${template.id}`);
      notify.success(t('settings.templates.resetDone', 'The shipped text is used again'));
      await stored.reload();
    });

  /** Opens a customised template in the editor. */
  const edit = (template: OwnTemplate) => {
    setEvent(template.event);
    if (languages.includes(template.language)) setLanguageChoice(template.language);
    else {
      setLanguageChoice(OTHER_LANGUAGE);
      setOtherLanguage(template.language);
    }
  };

  if (stored.error) return <Page.Error />;
  if (!own) return <Page.Loading />;

  const customer = CUSTOMER_EVENTS.includes(event);
  const editorDirection = isRightToLeft(language) ? 'rtl' : 'auto';

  return (
    <PluginPage
      title={t('settings.templates.title', 'Notification templates')}
      subtitle={t(
        'settings.templates.subtitle',
        'The mail the help desk sends, per event and language. The customer’s language picks the template; English is the fallback.'
      )}
    >
      <Flex direction="column" alignItems="stretch" gap={6}>
        <Section title={t('settings.templates.choose', 'Template')}>
          <Grid.Root gap={4}>
            <GridCell>
              <SelectField
                name="event"
                label={t('settings.templates.event', 'Event')}
                value={event}
                onChange={(value) => setEvent(value as NotificationEvent)}
                options={NOTIFICATION_EVENTS.map((value) => ({ value, label: events[value] }))}
              />
            </GridCell>
            <GridCell col={3}>
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
            </GridCell>
            {languageChoice === OTHER_LANGUAGE ? (
              <GridCell col={3}>
                <TextField
                  name="languageCode"
                  label={t('settings.templates.languageCode', 'Language code')}
                  hint={t('settings.templates.languageCodeHint', 'For example de, pt-BR or ar.')}
                  value={otherLanguage}
                  error={errors.template}
                  onChange={setOtherLanguage}
                />
              </GridCell>
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
          <GridCell col={7}>
            <Section title={t('settings.templates.editor', 'Text')}>
              <TextField
                name="subject"
                label={t('settings.templates.subject', 'Subject')}
                dir={editorDirection}
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
                dir={editorDirection}
                value={body}
                error={errors.body}
                onChange={setBody}
              />
              <ErrorText>{errors.template}</ErrorText>
              <Flex gap={2} wrap="wrap">
                <Button
                  variant="secondary"
                  startIcon={<Eye />}
                  loading={isSending('preview')}
                  disabled={!language}
                  onClick={showPreview}
                >
                  {t('settings.templates.preview', 'Preview')}
                </Button>
                <SaveButton loading={isSending('save')} disabled={!language} onClick={save} />
                {ownTemplate ? (
                  <Button
                    variant="danger-light"
                    startIcon={<Trash />}
                    onClick={() => setToReset(ownTemplate)}
                  >
                    {t('settings.templates.reset', 'Back to the shipped text')}
                  </Button>
                ) : null}
              </Flex>
            </Section>
          </GridCell>
          <GridCell col={5}>
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
          </GridCell>
        </Grid.Root>

        {preview ? <TemplatePreview preview={preview} /> : null}

        <Section title={t('settings.templates.own', 'Customised templates')}>
          <ListTable
            columns={[
              t('settings.templates.event', 'Event'),
              t('settings.templates.language', 'Language'),
              t('settings.templates.subject', 'Subject'),
            ]}
            rows={own}
            empty={
              <Typography textColor="neutral600">
                {t('settings.templates.ownEmpty', 'None yet: every notification uses the shipped text.')}
              </Typography>
            }
          >
            {(template) => (
              <Tr key={template.id}>
                <Td>
                  <TextButton onClick={() => edit(template)}>
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
            )}
          </ListTable>
        </Section>
      </Flex>
      <ConfirmationDialog item={toReset} onClose={() => setToReset(null)} onConfirm={reset}>
        {() => t('settings.templates.resetConfirm', 'Delete your text for this event and language?')}
      </ConfirmationDialog>
    </PluginPage>
  );
};

export default settingsPage(Templates);
