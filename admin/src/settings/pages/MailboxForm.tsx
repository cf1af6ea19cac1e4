/**
 * Create or edit a mailbox: every setting of the admin API, grouped as the README describes them. Passwords are
 * write-only (the server says only whether one is stored); "Test connection" logs in with what the form holds, saved
 * or not, and shows the server's reason when it fails; a refusal on save is shown on the field it names.
 */
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import type { ConnectionTest } from '../../../../contracts/api';
import { BASE, type Mailbox } from '../api';
import { EditorPage } from '../components/EditorPage';
import {
  connectionBody,
  draftFromMailbox,
  emptyDraft,
  mailboxBody,
  type SetDraft,
} from '../components/mailboxDraft';
import {
  AfterImportSection,
  GeneralSection,
  ImapSection,
  SmtpSection,
} from '../components/MailboxFormSections';
import {
  AdmissionSections,
  AgentsSection,
  NotificationsSection,
  UnmonitoredSection,
} from '../components/MailboxPeopleSections';
import { PushStateBadge } from '../components/PushStateBadge';
import { useAdminRoles } from '../hooks/useAdminRoles';
import { useApiData } from '../hooks/useApiData';
import { useDraft } from '../hooks/useDraft';
import { useEditedId } from '../hooks/useEditedId';
import { useNotify } from '../hooks/useNotify';
import { useServerForm } from '../hooks/useServerForm';
import { settingsPath } from '../paths';
import { useT } from '../useT';

export const MailboxForm = () => {
  const t = useT();
  const existingId = useEditedId();
  const navigate = useNavigate();
  const { post, put } = useFetchClient();
  const notify = useNotify();
  const stored = useApiData<Mailbox>(existingId === null ? null : `${BASE}/mailboxes/${existingId}`);
  const mailbox = stored.data;
  const { draft, set: setDraft, replace } = useDraft(emptyDraft);
  const { errors, send, isSending, clearError } = useServerForm<'save' | 'test'>();
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const roles = useAdminRoles();

  // The form starts from the stored mailbox, and from the server's answer after each save.
  useEffect(() => {
    if (mailbox) replace(draftFromMailbox(mailbox));
  }, [mailbox, replace]);

  const set: SetDraft = (key, value) => {
    setDraft(key, value);
    clearError(key);
  };

  const runTest = () => {
    setTest(null);
    return send(
      'test',
      async () => {
        const url = existingId === null ? `${BASE}/mailboxes/test` : `${BASE}/mailboxes/${existingId}/test`;
        const { data } = await post<{ data: ConnectionTest }>(url, connectionBody(draft));
        setTest(data.data);
      },
      {
        notify: false,
        clearErrors: false,
        onRefusal: (problem) => setTest({ ok: false, kind: 'input', message: problem.message }),
      }
    );
  };

  const save = () =>
    send('save', async () => {
      const body = mailboxBody(draft, { existing: existingId !== null });
      const { data } =
        existingId === null
          ? await post<{ data: Mailbox }>(`${BASE}/mailboxes`, body)
          : await put<{ data: Mailbox }>(`${BASE}/mailboxes/${existingId}`, body);
      notify.success(t('settings.mailbox.saved', 'Mailbox saved'));
      stored.setData(data.data);
      if (existingId === null) navigate(settingsPath('mailboxes', data.data.id), { replace: true });
    });

  if (stored.error) return <Page.Error />;
  if (existingId !== null && !mailbox) return <Page.Loading />;

  const sectionProps = { draft, set, errors, clearError };
  return (
    <EditorPage
      title={
        existingId === null
          ? t('settings.mailbox.createTitle', 'New mailbox')
          : t('settings.mailbox.editTitle', 'Edit mailbox {name}', { name: mailbox?.name ?? '' })
      }
      subtitle={t(
        'settings.mailbox.subtitle',
        'Where support mail is fetched from (IMAP), how replies are sent (SMTP), and who may write.'
      )}
      backTo={settingsPath('mailboxes')}
      saving={isSending('save')}
      onSave={save}
    >
      <GeneralSection {...sectionProps} />
      <ImapSection
        {...sectionProps}
        passwordStored={mailbox?.hasPassword === true}
        test={test}
        testing={isSending('test')}
        onTest={runTest}
        onCloseTest={() => setTest(null)}
      />
      <AfterImportSection
        {...sectionProps}
        pushStatus={mailbox ? <PushStateBadge mailbox={mailbox} /> : null}
      />
      <SmtpSection {...sectionProps} passwordStored={mailbox?.hasSmtpPassword === true} />
      <NotificationsSection {...sectionProps} />
      <AgentsSection {...sectionProps} roles={roles} />
      <AdmissionSections {...sectionProps} />
      <UnmonitoredSection {...sectionProps} />
    </EditorPage>
  );
};
