/**
 * Create or edit a mailbox: every setting of the admin API, grouped as the README describes them. Passwords are
 * write-only (the server says only whether one is stored); "Test connection" logs in with what the form holds, saved
 * or not, and shows the server's reason when it fails; a refusal on save is shown on the field it names.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { BackButton, Page, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Field,
  Flex,
  Grid,
  MultiSelect,
  MultiSelectOption,
  Typography,
} from '@strapi/design-system';
import { Check, Play } from '@strapi/icons';
import {
  AFTER_IMPORT,
  BASE,
  NOTIFICATION_SWITCHES,
  readServerError,
  SECURITIES,
  type ConnectionTest,
  type Mailbox,
  type NotificationSwitch,
} from '../api';
import { useT } from '../useT';
import { SelectField, Section, TextAreaField, TextField, ToggleField } from '../components/fields';
import { AllowedMailFields, CcImportFields, ForwardingFields } from '../components/MailboxSections';
import {
  connectionBody,
  draftFromMailbox,
  emptyDraft,
  mailboxBody,
  type MailboxDraft,
  type SetDraft,
} from '../components/mailboxDraft';
import { SettingsPage } from '../components/SettingsPage';

interface Role {
  id: number;
  name: string;
}

const READ_ROLES = [{ action: 'admin::roles.read', subject: null }];

export const MailboxForm = () => {
  const t = useT();
  const { id } = useParams<{ id: string }>();
  const existingId = id && /^\d+$/.test(id) ? Number(id) : null;
  const navigate = useNavigate();
  const { get, post, put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [mailbox, setMailbox] = useState<Mailbox | null>(null);
  const [draft, setDraftState] = useState<MailboxDraft>(emptyDraft);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loading, setLoading] = useState(existingId !== null);
  const [loadError, setLoadError] = useState(false);
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [roles, setRoles] = useState<Role[] | null>(null);
  const rolesPermission = useRBAC(READ_ROLES);
  const canReadRoles = Boolean(rolesPermission.allowedActions.canRead);

  const set: SetDraft = (key, value) => {
    setDraftState((current) => ({ ...current, [key]: value }));
    setErrors((current) => {
      if (!(key in current)) return current;
      const { [key]: _removed, ...rest } = current;
      return rest;
    });
  };

  useEffect(() => {
    let cancelled = false;
    if (existingId !== null) {
      get<{ data: Mailbox }>(`${BASE}/mailboxes/${existingId}`)
        .then(({ data }) => {
          if (cancelled) return;
          setMailbox(data.data);
          setDraftState(draftFromMailbox(data.data));
        })
        .catch(() => !cancelled && setLoadError(true))
        .finally(() => !cancelled && setLoading(false));
    }
    return () => {
      cancelled = true;
    };
  }, [existingId, get]);

  useEffect(() => {
    // Admin roles name the agents' roles; without admin::roles.read the ids are typed instead.
    if (!canReadRoles) return;
    let cancelled = false;
    get<{ data: Role[] }>('/admin/roles')
      .then(({ data }) => !cancelled && setRoles(Array.isArray(data?.data) ? data.data : null))
      .catch(() => !cancelled && setRoles(null));
    return () => {
      cancelled = true;
    };
  }, [canReadRoles, get]);

  const securityOptions = useMemo(
    () =>
      SECURITIES.map((value) => ({
        value,
        label: {
          tls: t('settings.mailbox.security.tls', 'TLS (usually port 993 / 465)'),
          starttls: t('settings.mailbox.security.starttls', 'STARTTLS (usually port 143 / 587)'),
          none: t('settings.mailbox.security.none', 'None (unencrypted, test servers only)'),
        }[value],
      })),
    [t]
  );

  const notificationLabels: Record<NotificationSwitch, string> = {
    ticketAcknowledgement: t('settings.notifications.ticketAcknowledgement', 'Acknowledge new tickets'),
    agentReply: t('settings.notifications.agentReply', "Mail agents' replies to the customer"),
    ticketResolved: t('settings.notifications.ticketResolved', 'Tell the customer when a ticket is resolved'),
    ticketClosed: t('settings.notifications.ticketClosed', 'Tell the customer when a ticket is closed'),
    agentNewTicket: t('settings.notifications.agentNewTicket', 'Tell agents about new tickets'),
    agentCustomerReply: t('settings.notifications.agentCustomerReply', 'Tell agents about customer replies'),
    refusedMail: t('settings.notifications.refusedMail', 'Answer refused mail (once per sender per period)'),
  };

  const runTest = async () => {
    setTesting(true);
    setTest(null);
    try {
      const url = existingId === null ? `${BASE}/mailboxes/test` : `${BASE}/mailboxes/${existingId}/test`;
      const { data } = await post<{ data: ConnectionTest }>(url, connectionBody(draft));
      setTest(data.data);
    } catch (error) {
      const problem = readServerError(error);
      setErrors(problem.fields);
      setTest({ ok: false, kind: 'input', message: problem.message });
    } finally {
      setTesting(false);
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (saving) return;
    setSaving(true);
    setErrors({});
    try {
      const body = mailboxBody(draft, { existing: existingId !== null });
      const { data } =
        existingId === null
          ? await post<{ data: Mailbox }>(`${BASE}/mailboxes`, body)
          : await put<{ data: Mailbox }>(`${BASE}/mailboxes/${existingId}`, body);
      toggleNotification({ type: 'success', message: t('settings.mailbox.saved', 'Mailbox saved') });
      setMailbox(data.data);
      setDraftState(draftFromMailbox(data.data));
      if (existingId === null)
        navigate(`/settings/email-piping/mailboxes/${data.data.id}`, { replace: true });
    } catch (error) {
      const problem = readServerError(error);
      setErrors(problem.fields);
      toggleNotification({ type: 'danger', message: problem.message });
    } finally {
      setSaving(false);
    }
  };

  if (loading) return <Page.Loading />;
  if (loadError) return <Page.Error />;

  const title =
    existingId === null
      ? t('settings.mailbox.createTitle', 'New mailbox')
      : t('settings.mailbox.editTitle', 'Edit mailbox {name}', { name: mailbox?.name ?? '' });
  const storedHint = t('settings.mailbox.passwordStored', 'A password is stored. Leave empty to keep it.');

  return (
    <form onSubmit={save} noValidate>
      <SettingsPage
        title={title}
        subtitle={t(
          'settings.mailbox.subtitle',
          'Where support mail is fetched from (IMAP), how replies are sent (SMTP), and who may write.'
        )}
        navigationAction={<BackButton fallback="/settings/email-piping/mailboxes" />}
        primaryAction={
          <Button type="submit" startIcon={<Check />} loading={saving}>
            {t('settings.common.save', 'Save')}
          </Button>
        }
      >
        <Flex direction="column" alignItems="stretch" gap={6}>
          <Section title={t('settings.mailbox.section.general', 'General')}>
            <Grid.Root gap={4}>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="name"
                  label={t('settings.mailbox.name', 'Name')}
                  required
                  value={draft.name}
                  error={errors.name}
                  onChange={(value) => set('name', value)}
                />
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="address"
                  type="email"
                  label={t('settings.mailbox.address', 'Support address')}
                  hint={t(
                    'settings.mailbox.addressHint',
                    'The address customers write to: From of notifications and base of reply addresses.'
                  )}
                  value={draft.address}
                  error={errors.address}
                  onChange={(value) => set('address', value)}
                />
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="fromName"
                  label={t('settings.mailbox.fromName', 'Sender name')}
                  value={draft.fromName}
                  error={errors.fromName}
                  onChange={(value) => set('fromName', value)}
                />
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <ToggleField
                  name="enabled"
                  label={t('settings.mailbox.enabled', 'Enabled')}
                  hint={t(
                    'settings.mailbox.enabledHint',
                    'A disabled mailbox is not fetched on its schedule.'
                  )}
                  checked={draft.enabled}
                  error={errors.enabled}
                  onChange={(value) => set('enabled', value)}
                />
              </Grid.Item>
            </Grid.Root>
          </Section>

          <Section
            title={t('settings.mailbox.section.imap', 'Incoming mail (IMAP)')}
            description={t(
              'settings.mailbox.section.imapHint',
              'The account support mail arrives in. Test the connection before saving.'
            )}
          >
            <Grid.Root gap={4}>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="host"
                  label={t('settings.mailbox.host', 'IMAP server')}
                  required
                  placeholder="imap.example.com"
                  value={draft.host}
                  error={errors.host}
                  onChange={(value) => set('host', value)}
                />
              </Grid.Item>
              <Grid.Item col={3} s={6} direction="column" alignItems="stretch">
                <TextField
                  name="port"
                  label={t('settings.mailbox.port', 'Port')}
                  required
                  value={draft.port}
                  error={errors.port}
                  onChange={(value) => set('port', value)}
                />
              </Grid.Item>
              <Grid.Item col={3} s={6} direction="column" alignItems="stretch">
                <SelectField
                  name="security"
                  label={t('settings.mailbox.security', 'Security')}
                  value={draft.security}
                  error={errors.security}
                  options={securityOptions}
                  onChange={(value) => set('security', value as MailboxDraft['security'])}
                />
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="username"
                  label={t('settings.mailbox.username', 'User name')}
                  required
                  autoComplete="off"
                  value={draft.username}
                  error={errors.username}
                  onChange={(value) => set('username', value)}
                />
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="password"
                  type="password"
                  autoComplete="new-password"
                  label={t('settings.mailbox.password', 'Password')}
                  required={!mailbox?.hasPassword}
                  hint={mailbox?.hasPassword ? storedHint : undefined}
                  placeholder={
                    mailbox?.hasPassword ? t('settings.mailbox.passwordPlaceholder', '•••••••• (stored)') : ''
                  }
                  value={draft.password}
                  error={errors.password}
                  onChange={(value) => set('password', value)}
                />
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="folder"
                  label={t('settings.mailbox.folder', 'Folder')}
                  value={draft.folder}
                  error={errors.folder}
                  onChange={(value) => set('folder', value)}
                />
              </Grid.Item>
            </Grid.Root>
            <Flex gap={4} alignItems="flex-start" direction="column">
              <Button
                type="button"
                variant="secondary"
                startIcon={<Play />}
                loading={testing}
                onClick={runTest}
              >
                {t('settings.mailbox.test', 'Test connection')}
              </Button>
              {test ? (
                <Box width="100%" role="status" aria-live="polite" data-testid="connection-test-result">
                  {test.ok ? (
                    <Alert
                      variant="success"
                      closeLabel={t('settings.common.close', 'Close')}
                      onClose={() => setTest(null)}
                      title={t('settings.mailbox.test.ok', 'Connection OK')}
                    >
                      {t(
                        'settings.mailbox.test.okDetail',
                        'Logged in and opened {folder}: {count, plural, one {# message} other {# messages}}.',
                        { folder: draft.folder || 'INBOX', count: test.messages }
                      )}
                    </Alert>
                  ) : (
                    <Alert
                      variant="danger"
                      closeLabel={t('settings.common.close', 'Close')}
                      onClose={() => setTest(null)}
                      title={t('settings.mailbox.test.failed', 'Connection failed ({kind})', {
                        kind: test.kind,
                      })}
                    >
                      {test.message}
                    </Alert>
                  )}
                </Box>
              ) : null}
            </Flex>
          </Section>

          <Section title={t('settings.mailbox.section.afterImport', 'After import and schedule')}>
            <Grid.Root gap={4}>
              <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                <SelectField
                  name="afterImport"
                  label={t('settings.mailbox.afterImport', 'After import')}
                  value={draft.afterImport}
                  error={errors.afterImport}
                  onChange={(value) => set('afterImport', value as MailboxDraft['afterImport'])}
                  options={AFTER_IMPORT.map((value) => ({
                    value,
                    label: {
                      'mark-seen': t('settings.mailbox.afterImport.markSeen', 'Mark as read'),
                      move: t('settings.mailbox.afterImport.move', 'Move to a folder'),
                      delete: t('settings.mailbox.afterImport.delete', 'Delete from the server'),
                    }[value],
                  }))}
                />
              </Grid.Item>
              {draft.afterImport === 'move' ? (
                <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                  <TextField
                    name="moveToFolder"
                    label={t('settings.mailbox.moveToFolder', 'Move to folder')}
                    required
                    value={draft.moveToFolder}
                    error={errors.moveToFolder}
                    onChange={(value) => set('moveToFolder', value)}
                  />
                </Grid.Item>
              ) : null}
              <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="schedule"
                  label={t('settings.mailbox.schedule', 'Schedule')}
                  hint={t(
                    'settings.mailbox.scheduleHint',
                    'A cron expression, e.g. */5 * * * * for every five minutes. Empty: the site default.'
                  )}
                  placeholder="* * * * *"
                  value={draft.schedule}
                  error={errors.schedule}
                  onChange={(value) => set('schedule', value)}
                />
              </Grid.Item>
            </Grid.Root>
          </Section>

          <Section
            title={t('settings.mailbox.section.smtp', 'Outgoing mail (SMTP)')}
            description={t(
              'settings.mailbox.section.smtpHint',
              'Without an SMTP server the mailbox imports mail but sends nothing.'
            )}
          >
            <Grid.Root gap={4}>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="smtpHost"
                  label={t('settings.mailbox.smtpHost', 'SMTP server')}
                  placeholder="smtp.example.com"
                  value={draft.smtpHost}
                  error={errors.smtpHost}
                  onChange={(value) => set('smtpHost', value)}
                />
              </Grid.Item>
              <Grid.Item col={3} s={6} direction="column" alignItems="stretch">
                <TextField
                  name="smtpPort"
                  label={t('settings.mailbox.smtpPort', 'SMTP port')}
                  value={draft.smtpPort}
                  error={errors.smtpPort}
                  onChange={(value) => set('smtpPort', value)}
                />
              </Grid.Item>
              <Grid.Item col={3} s={6} direction="column" alignItems="stretch">
                <SelectField
                  name="smtpSecurity"
                  label={t('settings.mailbox.smtpSecurity', 'SMTP security')}
                  value={draft.smtpSecurity}
                  error={errors.smtpSecurity}
                  options={securityOptions}
                  onChange={(value) => set('smtpSecurity', value as MailboxDraft['smtpSecurity'])}
                />
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="smtpUsername"
                  label={t('settings.mailbox.smtpUsername', 'SMTP user name')}
                  autoComplete="off"
                  value={draft.smtpUsername}
                  error={errors.smtpUsername}
                  onChange={(value) => set('smtpUsername', value)}
                />
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <Flex direction="column" alignItems="stretch" gap={2} width="100%">
                  <TextField
                    name="smtpPassword"
                    type="password"
                    autoComplete="new-password"
                    label={t('settings.mailbox.smtpPassword', 'SMTP password')}
                    hint={mailbox?.hasSmtpPassword ? storedHint : undefined}
                    placeholder={
                      mailbox?.hasSmtpPassword
                        ? t('settings.mailbox.passwordPlaceholder', '•••••••• (stored)')
                        : ''
                    }
                    disabled={draft.removeSmtpPassword}
                    value={draft.smtpPassword}
                    error={errors.smtpPassword}
                    onChange={(value) => set('smtpPassword', value)}
                  />
                  {mailbox?.hasSmtpPassword ? (
                    <Checkbox
                      checked={draft.removeSmtpPassword}
                      onCheckedChange={(value) => set('removeSmtpPassword', value === true)}
                    >
                      {t('settings.mailbox.removeSmtpPassword', 'Remove the stored SMTP password')}
                    </Checkbox>
                  ) : null}
                </Flex>
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <ToggleField
                  name="verpBounces"
                  label={t('settings.mailbox.verpBounces', 'Per-mail bounce address (VERP)')}
                  hint={t(
                    'settings.mailbox.verpBouncesHint',
                    'Each mail goes out with its own envelope sender, so a bounce names the mail it is about. Turn off for SMTP services that refuse or rewrite the envelope sender.'
                  )}
                  checked={draft.verpBounces}
                  error={errors.verpBounces}
                  onChange={(value) => set('verpBounces', value)}
                />
              </Grid.Item>
            </Grid.Root>
          </Section>

          <Section
            title={t('settings.mailbox.section.notifications', 'Notifications')}
            description={t(
              'settings.mailbox.section.notificationsHint',
              'Which mail this mailbox sends. The texts are edited under Notification templates.'
            )}
          >
            <Grid.Root gap={4}>
              {NOTIFICATION_SWITCHES.map((key) => (
                <Grid.Item key={key} col={4} s={12} direction="column" alignItems="stretch">
                  <ToggleField
                    name={`notifications.${key}`}
                    label={notificationLabels[key]}
                    checked={draft.notifications[key]}
                    onChange={(value) => set('notifications', { ...draft.notifications, [key]: value })}
                  />
                </Grid.Item>
              ))}
            </Grid.Root>
            {errors.notifications ? (
              <Typography variant="pi" textColor="danger600">
                {errors.notifications}
              </Typography>
            ) : null}
          </Section>

          <Section
            title={t('settings.mailbox.section.agents', 'Agents and tickets')}
            description={t(
              'settings.mailbox.section.agentsHint',
              'Agents get agent notifications; their mail to a ticket counts as an agent reply.'
            )}
          >
            <Grid.Root gap={4}>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextAreaField
                  name="agentAddresses"
                  label={t('settings.mailbox.agentAddresses', 'Agent addresses')}
                  hint={t('settings.common.onePerLine', 'One per line.')}
                  value={draft.agentAddresses}
                  error={errors.agentAddresses}
                  onChange={(value) => set('agentAddresses', value)}
                />
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                {roles ? (
                  <Field.Root
                    name="agentRoleIds"
                    error={errors.agentRoleIds}
                    hint={t(
                      'settings.mailbox.agentRolesHint',
                      'Active admin users with these roles are agents of this mailbox too.'
                    )}
                  >
                    <Field.Label>{t('settings.mailbox.agentRoles', 'Agent roles')}</Field.Label>
                    <MultiSelect
                      value={draft.agentRoleIds}
                      withTags
                      onChange={(value: string[]) => set('agentRoleIds', value)}
                    >
                      {roles.map((role) => (
                        <MultiSelectOption key={role.id} value={String(role.id)}>
                          {role.name}
                        </MultiSelectOption>
                      ))}
                    </MultiSelect>
                    <Field.Hint />
                    <Field.Error />
                  </Field.Root>
                ) : (
                  <TextField
                    name="agentRoleIds"
                    label={t('settings.mailbox.agentRoleIds', 'Agent role ids')}
                    hint={t('settings.mailbox.agentRoleIdsHint', 'Admin role ids, separated by commas.')}
                    value={draft.agentRoleIds.join(', ')}
                    error={errors.agentRoleIds}
                    onChange={(value) =>
                      set(
                        'agentRoleIds',
                        value
                          .split(/[\s,]+/)
                          .map((item) => item.trim())
                          .filter(Boolean)
                      )
                    }
                  />
                )}
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <SelectField
                  name="closedTicketReplies"
                  label={t('settings.mailbox.closedTicketReplies', 'A reply to a closed ticket')}
                  value={draft.closedTicketReplies}
                  error={errors.closedTicketReplies}
                  onChange={(value) =>
                    set('closedTicketReplies', value as MailboxDraft['closedTicketReplies'])
                  }
                  options={[
                    {
                      value: 'reopen',
                      label: t('settings.mailbox.closedTicketReplies.reopen', 'Reopens it'),
                    },
                    {
                      value: 'new-ticket',
                      label: t('settings.mailbox.closedTicketReplies.newTicket', 'Opens a new ticket'),
                    },
                  ]}
                />
              </Grid.Item>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <SelectField
                  name="contentPreference"
                  label={t('settings.mailbox.contentPreference', 'Preferred content')}
                  hint={t(
                    'settings.mailbox.contentPreferenceHint',
                    'Which part of a mail the ticket shows as its main body.'
                  )}
                  value={draft.contentPreference}
                  error={errors.contentPreference}
                  onChange={(value) => set('contentPreference', value as MailboxDraft['contentPreference'])}
                  options={[
                    { value: 'html', label: t('settings.mailbox.contentPreference.html', 'HTML') },
                    { value: 'text', label: t('settings.mailbox.contentPreference.text', 'Plain text') },
                  ]}
                />
              </Grid.Item>
            </Grid.Root>
          </Section>

          <Section
            id="allowed-mail"
            title={t('settings.allowedMail.title', 'Allowed mail and senders')}
            description={t(
              'settings.allowedMail.description',
              'Which mail opens or continues tickets, and from whom.'
            )}
          >
            <AllowedMailFields draft={draft} set={set} errors={errors} />
          </Section>

          <Section id="cc-import" title={t('settings.ccImport.title', 'CC import')}>
            <CcImportFields draft={draft} set={set} errors={errors} />
          </Section>

          <Section id="forwarding" title={t('settings.forwarding.title', 'Forwarding addresses')}>
            <ForwardingFields draft={draft} set={set} errors={errors} />
          </Section>

          <Section
            title={t('settings.mailbox.section.unmonitored', 'Unmonitored mailbox')}
            description={t(
              'settings.mailbox.section.unmonitoredHint',
              'Nobody reads this mailbox (noreply@): its mail opens no ticket, and each sender gets one answer saying where help is available.'
            )}
          >
            <ToggleField
              name="unmonitored"
              label={t('settings.mailbox.unmonitored', 'Unmonitored')}
              checked={draft.unmonitored}
              error={errors.unmonitored}
              onChange={(value) => set('unmonitored', value)}
            />
            <TextAreaField
              name="unmonitoredHelpText"
              label={t('settings.mailbox.unmonitoredHelpText', 'Where help is available')}
              hint={t(
                'settings.mailbox.unmonitoredHelpTextHint',
                'Quoted in the answer, e.g. "Please write to support@example.com". Required for an unmonitored mailbox.'
              )}
              required={draft.unmonitored}
              value={draft.unmonitoredHelpText}
              error={errors.unmonitoredHelpText}
              onChange={(value) => set('unmonitoredHelpText', value)}
            />
          </Section>
        </Flex>
      </SettingsPage>
    </form>
  );
};
