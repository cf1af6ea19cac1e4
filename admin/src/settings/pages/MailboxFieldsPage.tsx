/**
 * Forwarding addresses, CC import, and allowed mail and senders: settings of each mailbox that the issue lists as
 * panels of their own. Each page shows every mailbox with just those fields, saved with a partial update.
 */
import { useEffect, type FormEvent } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import { Box, EmptyStateLayout, Flex, Link, Typography } from '@strapi/design-system';
import { BASE, splitLines, type Mailbox } from '../api';
import { SaveButton } from '../components/buttons';
import { AllowedMailFields, CcImportFields, ForwardingFields } from '../components/MailboxSections';
import { allowedSendersBody, draftFromMailbox, type MailboxDraft } from '../components/mailboxDraft';
import { PluginPage } from '../components/PluginPage';
import { settingsPage } from '../components/SettingsPage';
import { useDraft } from '../hooks/useDraft';
import { useMailboxes } from '../hooks/useMailboxes';
import { useNotify } from '../hooks/useNotify';
import { useServerForm } from '../hooks/useServerForm';
import { settingsPath } from '../paths';
import { useT, type T } from '../useT';

export type MailboxFieldsKind = 'forwarding' | 'cc-import' | 'allowed-mail';

const KINDS: Record<
  MailboxFieldsKind,
  {
    title(t: T): string;
    subtitle(t: T): string;
    body(draft: MailboxDraft): Record<string, unknown>;
    Fields: typeof ForwardingFields;
  }
> = {
  forwarding: {
    title: (t) => t('settings.forwarding.title', 'Forwarding addresses'),
    subtitle: (t) =>
      t(
        'settings.forwarding.subtitle',
        'Addresses such as sales@ or billing@ that forward into a mailbox: the ticket keeps the address written to and answers from it.'
      ),
    body: (draft) => ({ forwardingAddresses: splitLines(draft.forwardingAddresses) }),
    Fields: ForwardingFields,
  },
  'cc-import': {
    title: (t) => t('settings.ccImport.title', 'CC import'),
    subtitle: (t) =>
      t(
        'settings.ccImport.subtitle',
        'Whether the other recipients of a new mail become recipients of its ticket.'
      ),
    body: (draft) => ({ ccImport: draft.ccImport }),
    Fields: CcImportFields,
  },
  'allowed-mail': {
    title: (t) => t('settings.allowedMail.title', 'Allowed mail and senders'),
    subtitle: (t) =>
      t(
        'settings.allowedMail.subtitle',
        'Which mail opens or continues tickets in each mailbox, and from whom.'
      ),
    body: (draft) => ({ allowedMail: draft.allowedMail, allowedSenders: allowedSendersBody(draft) }),
    Fields: AllowedMailFields,
  },
};

const MailboxCard = ({ kind, mailbox }: { kind: MailboxFieldsKind; mailbox: Mailbox }) => {
  const t = useT();
  const { put } = useFetchClient();
  const notify = useNotify();
  const { draft, set, replace } = useDraft(() => draftFromMailbox(mailbox));
  const { errors, send, isSending, clearError } = useServerForm();
  const { Fields, body } = KINDS[kind];

  useEffect(() => replace(draftFromMailbox(mailbox)), [mailbox, replace]);

  const save = () =>
    send('save', async () => {
      const { data } = await put<{ data: Mailbox }>(`${BASE}/mailboxes/${mailbox.id}`, body(draft));
      replace(draftFromMailbox(data.data));
      notify.success(t('settings.mailboxFields.saved', 'Saved for {name}', { name: mailbox.name }));
    });

  return (
    <Box
      tag="form"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void save();
      }}
      aria-label={mailbox.name}
      data-mailbox-id={mailbox.id}
      background="neutral0"
      hasRadius
      shadow="filterShadow"
      padding={6}
    >
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Flex justifyContent="space-between" alignItems="center" gap={4} wrap="wrap">
          <Flex direction="column" alignItems="flex-start" gap={1}>
            <Typography variant="delta" tag="h2">
              {mailbox.name}
            </Typography>
            <Typography variant="pi" textColor="neutral600">
              {mailbox.address ?? mailbox.username}
            </Typography>
          </Flex>
          <SaveButton size="S" loading={isSending('save')} />
        </Flex>
        <Fields draft={draft} set={set} errors={errors} clearError={clearError} />
      </Flex>
    </Box>
  );
};

const MailboxFieldsPage = ({ kind }: { kind: MailboxFieldsKind }) => {
  const t = useT();
  const { mailboxes, error } = useMailboxes();
  if (error) return <Page.Error />;
  if (!mailboxes) return <Page.Loading />;
  const { title, subtitle } = KINDS[kind];
  return (
    <PluginPage title={title(t)} subtitle={subtitle(t)}>
      <Flex direction="column" alignItems="stretch" gap={4}>
        {mailboxes.length === 0 ? (
          <EmptyStateLayout
            content={t('settings.mailboxFields.empty', 'Add a mailbox first.')}
            action={
              <Link tag={RouterLink} to={settingsPath('mailboxes', 'new')}>
                {t('settings.mailboxes.add', 'Add a mailbox')}
              </Link>
            }
          />
        ) : (
          mailboxes.map((mailbox) => <MailboxCard key={mailbox.id} kind={kind} mailbox={mailbox} />)
        )}
      </Flex>
    </PluginPage>
  );
};

export const ForwardingPage = settingsPage(() => <MailboxFieldsPage kind="forwarding" />);
export const CcImportPage = settingsPage(() => <MailboxFieldsPage kind="cc-import" />);
export const AllowedMailPage = settingsPage(() => <MailboxFieldsPage kind="allowed-mail" />);
