/**
 * The sections of the mailbox form (pages/MailboxForm.tsx), grouped as the README describes a mailbox. Each edits the
 * draft through `set`; the server's refusal of a field is shown under it.
 */
import { useMemo, type ReactNode } from 'react';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Flex,
  Grid,
  MultiSelect,
  MultiSelectOption,
} from '@strapi/design-system';
import { Play } from '@strapi/icons';
import type { ConnectionTest } from '../../../../contracts/api';
import { NOTIFICATION_SWITCHES, type NotificationSwitch } from '../../../../contracts/mailbox';
import type { AdminRole } from '../hooks/useAdminRoles';
import { bindDraft } from '../hooks/useDraft';
import { useT } from '../useT';
import {
  ErrorText,
  FieldFrame,
  GridCell,
  Section,
  SelectField,
  TextAreaField,
  TextField,
  ToggleField,
} from './fields';
import { choiceOptions } from './mailboxDraft';
import { AllowedMailFields, CcImportFields, ForwardingFields, type SectionProps } from './MailboxSections';
import { SenderAuthenticationFields } from './SenderAuthenticationFields';

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

export const NotificationsSection = ({ draft, set, errors }: SectionProps) => {
  const t = useT();
  const labels: Record<NotificationSwitch, string> = {
    ticketAcknowledgement: t('settings.notifications.ticketAcknowledgement', 'Acknowledge new tickets'),
    agentReply: t('settings.notifications.agentReply', "Mail agents' replies to the customer"),
    ticketResolved: t('settings.notifications.ticketResolved', 'Tell the customer when a ticket is resolved'),
    ticketClosed: t('settings.notifications.ticketClosed', 'Tell the customer when a ticket is closed'),
    agentNewTicket: t('settings.notifications.agentNewTicket', 'Tell agents about new tickets'),
    agentCustomerReply: t('settings.notifications.agentCustomerReply', 'Tell agents about customer replies'),
    refusedMail: t('settings.notifications.refusedMail', 'Answer refused mail (once per sender per period)'),
  };
  return (
    <Section
      title={t('settings.mailbox.section.notifications', 'Notifications')}
      description={t(
        'settings.mailbox.section.notificationsHint',
        'Which mail this mailbox sends. The texts are edited under Notification templates.'
      )}
    >
      <Grid.Root gap={4}>
        {NOTIFICATION_SWITCHES.map((key) => (
          <GridCell key={key} col={4}>
            <ToggleField
              name={`notifications.${key}`}
              label={labels[key]}
              checked={draft.notifications[key]}
              onChange={(value) => set('notifications', { ...draft.notifications, [key]: value })}
            />
          </GridCell>
        ))}
      </Grid.Root>
      <ErrorText>{errors.notifications}</ErrorText>
    </Section>
  );
};

/** Agent roles by name where the admin may read roles, else their ids as text. */
const AgentRolesField = ({ roles, draft, set, errors }: SectionProps & { roles: AdminRole[] | null }) => {
  const t = useT();
  if (!roles) {
    return (
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
    );
  }
  return (
    <FieldFrame
      name="agentRoleIds"
      label={t('settings.mailbox.agentRoles', 'Agent roles')}
      error={errors.agentRoleIds}
      hint={t(
        'settings.mailbox.agentRolesHint',
        'Active admin users with these roles are agents of this mailbox too.'
      )}
    >
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
    </FieldFrame>
  );
};

export const AgentsSection = ({ roles, ...props }: SectionProps & { roles: AdminRole[] | null }) => {
  const t = useT();
  const bind = bindDraft(props);
  return (
    <Section
      title={t('settings.mailbox.section.agents', 'Agents and tickets')}
      description={t(
        'settings.mailbox.section.agentsHint',
        'Agents get agent notifications; their mail to a ticket counts as an agent reply.'
      )}
    >
      <Grid.Root gap={4}>
        <GridCell>
          <TextAreaField
            {...bind.text('agentAddresses')}
            label={t('settings.mailbox.agentAddresses', 'Agent addresses')}
            hint={t('settings.common.onePerLine', 'One per line.')}
          />
        </GridCell>
        <GridCell>
          <AgentRolesField roles={roles} {...props} />
        </GridCell>
        <GridCell>
          <SelectField
            {...bind.text('closedTicketReplies')}
            label={t('settings.mailbox.closedTicketReplies', 'A reply to a closed ticket')}
            options={choiceOptions('closedTicketReplies', {
              reopen: t('settings.mailbox.closedTicketReplies.reopen', 'Reopens it'),
              'new-ticket': t('settings.mailbox.closedTicketReplies.newTicket', 'Opens a new ticket'),
            })}
          />
        </GridCell>
        <GridCell>
          <SelectField
            {...bind.text('contentPreference')}
            label={t('settings.mailbox.contentPreference', 'Preferred content')}
            hint={t(
              'settings.mailbox.contentPreferenceHint',
              'Which part of a mail the ticket shows as its main body.'
            )}
            options={choiceOptions('contentPreference', {
              html: t('settings.mailbox.contentPreference.html', 'HTML'),
              text: t('settings.mailbox.contentPreference.text', 'Plain text'),
            })}
          />
        </GridCell>
      </Grid.Root>
    </Section>
  );
};

/** Allowed mail and senders, CC import and forwarding: the form's sections that are settings pages of their own too. */
export const AdmissionSections = (props: SectionProps) => {
  const t = useT();
  return (
    <>
      <Section
        id="allowed-mail"
        title={t('settings.allowedMail.title', 'Allowed mail and senders')}
        description={t(
          'settings.allowedMail.description',
          'Which mail opens or continues tickets, and from whom.'
        )}
      >
        <AllowedMailFields {...props} />
      </Section>
      <Section id="cc-import" title={t('settings.ccImport.title', 'CC import')}>
        <CcImportFields {...props} />
      </Section>
      <Section id="forwarding" title={t('settings.forwarding.title', 'Forwarding addresses')}>
        <ForwardingFields {...props} />
      </Section>
      <Section
        id="sender-authentication"
        title={t('settings.senderAuthentication.title', 'Sender authentication')}
        description={t(
          'settings.senderAuthentication.description',
          'From is not an identity. Mail is checked by its DKIM signatures and by what your own mail server recorded; agent replies by email need it.'
        )}
      >
        <SenderAuthenticationFields {...props} />
      </Section>
    </>
  );
};

export const UnmonitoredSection = (props: SectionProps) => {
  const t = useT();
  const bind = bindDraft(props);
  return (
    <Section
      title={t('settings.mailbox.section.unmonitored', 'Unmonitored mailbox')}
      description={t(
        'settings.mailbox.section.unmonitoredHint',
        'Nobody reads this mailbox (noreply@): its mail opens no ticket, and each sender gets one answer saying where help is available.'
      )}
    >
      <ToggleField {...bind.toggle('unmonitored')} label={t('settings.mailbox.unmonitored', 'Unmonitored')} />
      <TextAreaField
        {...bind.text('unmonitoredHelpText')}
        label={t('settings.mailbox.unmonitoredHelpText', 'Where help is available')}
        hint={t(
          'settings.mailbox.unmonitoredHelpTextHint',
          'Quoted in the answer, e.g. "Please write to support@example.com". Required for an unmonitored mailbox.'
        )}
        required={props.draft.unmonitored}
      />
    </Section>
  );
};
