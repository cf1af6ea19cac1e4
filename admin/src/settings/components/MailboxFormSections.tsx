/**
 * The mailbox form's connection sections (pages/MailboxForm.tsx): general, IMAP, after import and push, SMTP. Each
 * edits the draft through `set`; the server's refusal of a field is shown under it. The sections on people are in
 * MailboxPeopleSections.tsx.
 */
import { useMemo, type ReactNode } from 'react';
import { Alert, Box, Button, Checkbox, Flex, Grid } from '@strapi/design-system';
import { Play } from '@strapi/icons';
import type { ConnectionTest } from '../../../../contracts/api';
import { bindDraft } from '../hooks/useDraft';
import { useT } from '../useT';
import { GridCell, Section, SelectField, TextField, ToggleField } from './fields';
import { choiceOptions } from './mailboxDraft';
import type { SectionProps } from './MailboxSections';

function useSecurityOptions() {
  const t = useT();
  return useMemo(
    () =>
      choiceOptions('security', {
        tls: t('settings.mailbox.security.tls', 'TLS (usually port 993 / 465)'),
        starttls: t('settings.mailbox.security.starttls', 'STARTTLS (usually port 143 / 587)'),
        none: t('settings.mailbox.security.none', 'None (unencrypted, test servers only)'),
      }),
    [t]
  );
}

/** A password field: write-only, so with a stored password it stays empty and says that empty keeps it. */
const PasswordField = ({
  stored,
  ...props
}: {
  stored: boolean;
  name: string;
  label: string;
  value: string;
  error?: string;
  required?: boolean;
  disabled?: boolean;
  onChange(value: string): void;
}) => {
  const t = useT();
  return (
    <TextField
      {...props}
      type="password"
      autoComplete="new-password"
      hint={
        stored
          ? t('settings.mailbox.passwordStored', 'A password is stored. Leave empty to keep it.')
          : undefined
      }
      placeholder={stored ? t('settings.mailbox.passwordPlaceholder', '•••••••• (stored)') : ''}
    />
  );
};

export const GeneralSection = (props: SectionProps) => {
  const t = useT();
  const bind = bindDraft(props);
  return (
    <Section title={t('settings.mailbox.section.general', 'General')}>
      <Grid.Root gap={4}>
        <GridCell>
          <TextField {...bind.text('name')} label={t('settings.mailbox.name', 'Name')} required />
        </GridCell>
        <GridCell>
          <TextField
            {...bind.text('address')}
            type="email"
            label={t('settings.mailbox.address', 'Support address')}
            hint={t(
              'settings.mailbox.addressHint',
              'The address customers write to: From of notifications and base of reply addresses.'
            )}
          />
        </GridCell>
        <GridCell>
          <TextField {...bind.text('fromName')} label={t('settings.mailbox.fromName', 'Sender name')} />
        </GridCell>
        <GridCell>
          <ToggleField
            {...bind.toggle('enabled')}
            label={t('settings.mailbox.enabled', 'Enabled')}
            hint={t('settings.mailbox.enabledHint', 'A disabled mailbox is not fetched on its schedule.')}
          />
        </GridCell>
      </Grid.Root>
    </Section>
  );
};

const ConnectionTestResult = ({
  test,
  folder,
  onClose,
}: {
  test: ConnectionTest;
  folder: string;
  onClose(): void;
}) => {
  const t = useT();
  return (
    <Box width="100%" role="status" aria-live="polite" data-testid="connection-test-result">
      {test.ok ? (
        <Alert
          variant="success"
          closeLabel={t('settings.common.close', 'Close')}
          onClose={onClose}
          title={t('settings.mailbox.test.ok', 'Connection OK')}
        >
          {t(
            'settings.mailbox.test.okDetail',
            'Logged in and opened {folder}: {count, plural, one {# message} other {# messages}}.',
            { folder: folder || 'INBOX', count: test.messages }
          )}
        </Alert>
      ) : (
        <Alert
          variant="danger"
          closeLabel={t('settings.common.close', 'Close')}
          onClose={onClose}
          title={t('settings.mailbox.test.failed', 'Connection failed ({kind})', { kind: test.kind })}
        >
          {test.message}
        </Alert>
      )}
    </Box>
  );
};

export const ImapSection = ({
  passwordStored,
  test,
  testing,
  onTest,
  onCloseTest,
  ...props
}: SectionProps & {
  passwordStored: boolean;
  test: ConnectionTest | null;
  testing: boolean;
  onTest(): void;
  onCloseTest(): void;
}) => {
  const t = useT();
  const bind = bindDraft(props);
  const securityOptions = useSecurityOptions();
  return (
    <Section
      title={t('settings.mailbox.section.imap', 'Incoming mail (IMAP)')}
      description={t(
        'settings.mailbox.section.imapHint',
        'The account support mail arrives in. Test the connection before saving.'
      )}
    >
      <Grid.Root gap={4}>
        <GridCell>
          <TextField
            {...bind.text('host')}
            label={t('settings.mailbox.host', 'IMAP server')}
            required
            placeholder="imap.example.com"
          />
        </GridCell>
        <GridCell col={3} s={6}>
          <TextField {...bind.text('port')} label={t('settings.mailbox.port', 'Port')} required />
        </GridCell>
        <GridCell col={3} s={6}>
          <SelectField
            {...bind.text('security')}
            label={t('settings.mailbox.security', 'Security')}
            options={securityOptions}
          />
        </GridCell>
        <GridCell>
          <TextField
            {...bind.text('username')}
            label={t('settings.mailbox.username', 'User name')}
            required
            autoComplete="off"
          />
        </GridCell>
        <GridCell>
          <PasswordField
            {...bind.text('password')}
            label={t('settings.mailbox.password', 'Password')}
            required={!passwordStored}
            stored={passwordStored}
          />
        </GridCell>
        <GridCell>
          <TextField {...bind.text('folder')} label={t('settings.mailbox.folder', 'Folder')} />
        </GridCell>
      </Grid.Root>
      <Flex gap={4} alignItems="flex-start" direction="column">
        <Button type="button" variant="secondary" startIcon={<Play />} loading={testing} onClick={onTest}>
          {t('settings.mailbox.test', 'Test connection')}
        </Button>
        {test ? <ConnectionTestResult test={test} folder={props.draft.folder} onClose={onCloseTest} /> : null}
      </Flex>
    </Section>
  );
};

/** `pushStatus`: the stored mailbox's push / polling state, shown beside the switch (none on a new mailbox). */
export const AfterImportSection = ({ pushStatus, ...props }: SectionProps & { pushStatus?: ReactNode }) => {
  const t = useT();
  const bind = bindDraft(props);
  return (
    <Section title={t('settings.mailbox.section.afterImport', 'After import and schedule')}>
      <Grid.Root gap={4}>
        <GridCell col={4}>
          <SelectField
            {...bind.text('afterImport')}
            label={t('settings.mailbox.afterImport', 'After import')}
            options={choiceOptions('afterImport', {
              'mark-seen': t('settings.mailbox.afterImport.markSeen', 'Mark as read'),
              move: t('settings.mailbox.afterImport.move', 'Move to a folder'),
              delete: t('settings.mailbox.afterImport.delete', 'Delete from the server'),
            })}
          />
        </GridCell>
        {props.draft.afterImport === 'move' ? (
          <GridCell col={4}>
            <TextField
              {...bind.text('moveToFolder')}
              label={t('settings.mailbox.moveToFolder', 'Move to folder')}
              required
            />
          </GridCell>
        ) : null}
        <GridCell col={4}>
          <TextField
            {...bind.text('schedule')}
            label={t('settings.mailbox.schedule', 'Schedule')}
            hint={t(
              'settings.mailbox.scheduleHint',
              'A cron expression, e.g. */5 * * * * for every five minutes. Empty: the site default.'
            )}
            placeholder="* * * * *"
          />
        </GridCell>
        <GridCell>
          <ToggleField
            {...bind.toggle('push')}
            label={t('settings.mailbox.push', 'Push (IMAP IDLE)')}
            hint={t(
              'settings.mailbox.pushHint',
              'Keeps a connection open so new mail becomes a ticket within a second, when the server supports IDLE. The schedule still runs and picks up anything missed.'
            )}
          />
          {pushStatus}
        </GridCell>
      </Grid.Root>
    </Section>
  );
};

export const SmtpSection = ({ passwordStored, ...props }: SectionProps & { passwordStored: boolean }) => {
  const t = useT();
  const bind = bindDraft(props);
  const securityOptions = useSecurityOptions();
  const { draft, set } = props;
  return (
    <Section
      title={t('settings.mailbox.section.smtp', 'Outgoing mail (SMTP)')}
      description={t(
        'settings.mailbox.section.smtpHint',
        'Without an SMTP server the mailbox imports mail but sends nothing.'
      )}
    >
      <Grid.Root gap={4}>
        <GridCell>
          <TextField
            {...bind.text('smtpHost')}
            label={t('settings.mailbox.smtpHost', 'SMTP server')}
            placeholder="smtp.example.com"
          />
        </GridCell>
        <GridCell col={3} s={6}>
          <TextField {...bind.text('smtpPort')} label={t('settings.mailbox.smtpPort', 'SMTP port')} />
        </GridCell>
        <GridCell col={3} s={6}>
          <SelectField
            {...bind.text('smtpSecurity')}
            label={t('settings.mailbox.smtpSecurity', 'SMTP security')}
            options={securityOptions}
          />
        </GridCell>
        <GridCell>
          <TextField
            {...bind.text('smtpUsername')}
            label={t('settings.mailbox.smtpUsername', 'SMTP user name')}
            autoComplete="off"
          />
        </GridCell>
        <GridCell>
          <Flex direction="column" alignItems="stretch" gap={2} width="100%">
            <PasswordField
              {...bind.text('smtpPassword')}
              label={t('settings.mailbox.smtpPassword', 'SMTP password')}
              stored={passwordStored}
              disabled={draft.removeSmtpPassword}
            />
            {passwordStored ? (
              <Checkbox
                checked={draft.removeSmtpPassword}
                onCheckedChange={(value) => set('removeSmtpPassword', value === true)}
              >
                {t('settings.mailbox.removeSmtpPassword', 'Remove the stored SMTP password')}
              </Checkbox>
            ) : null}
          </Flex>
        </GridCell>
        <GridCell>
          <ToggleField
            {...bind.toggle('verpBounces')}
            label={t('settings.mailbox.verpBounces', 'Per-mail bounce address (VERP)')}
            hint={t(
              'settings.mailbox.verpBouncesHint',
              'Each mail goes out with its own envelope sender, so a bounce names the mail it is about. Turn off for SMTP services that refuse or rewrite the envelope sender.'
            )}
          />
        </GridCell>
      </Grid.Root>
    </Section>
  );
};
