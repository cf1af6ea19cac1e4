/**
 * The mailbox form's sections on people (pages/MailboxForm.tsx): who is told of what (notifications), who answers
 * (agents), who may write in (admission) and what an unmonitored mailbox says. Each edits the draft through `set`;
 * the server's refusal of a field is shown under it. The connection sections are in MailboxFormSections.tsx.
 */
import { Grid, MultiSelect, MultiSelectOption } from '@strapi/design-system';
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
