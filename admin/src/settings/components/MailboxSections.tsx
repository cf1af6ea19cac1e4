/**
 * The parts of the mailbox form that also have settings pages of their own (allowed mail and senders, CC import,
 * forwarding addresses): one component each, used by the full form and by the per-mailbox pages.
 */
import { Flex, Grid } from '@strapi/design-system';
import { ALLOWED_SENDERS_MODES, type AllowedSendersSetting } from '../../../../contracts/mailbox';
import { bindDraft } from '../hooks/useDraft';
import type { FieldErrors } from '../hooks/useServerForm';
import { useT } from '../useT';
import { GridCell, SelectField, TextAreaField, ToggleField } from './fields';
import { choiceOptions, type MailboxDraft, type SetDraft } from './mailboxDraft';

export interface SectionProps {
  draft: MailboxDraft;
  set: SetDraft;
  errors: FieldErrors;
  clearError?: (field: string) => void;
}

export const AllowedMailFields = (props: SectionProps) => {
  const t = useT();
  const bind = bindDraft(props);
  const sendersLabels: Record<AllowedSendersSetting['mode'], string> = {
    anyone: t('settings.allowedSenders.anyone', 'Anyone'),
    listed: t('settings.allowedSenders.listed', 'Only the addresses and domains listed'),
    registered: t('settings.allowedSenders.registered', 'Only registered users of the site'),
  };
  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Grid.Root gap={4}>
        <GridCell>
          <SelectField
            {...bind.text('allowedMail')}
            label={t('settings.allowedMail.label', 'Allowed mail')}
            hint={t(
              'settings.allowedMail.hint',
              'Which mail this mailbox accepts. Refused mail is recorded and, if switched on, answered once.'
            )}
            options={choiceOptions('allowedMail', {
              'new-and-replies': t('settings.allowedMail.newAndReplies', 'New requests and replies'),
              'new-only': t('settings.allowedMail.newOnly', 'New requests only'),
              'replies-only': t('settings.allowedMail.repliesOnly', 'Replies to existing tickets only'),
            })}
          />
        </GridCell>
        <GridCell>
          <SelectField
            {...bind.text('sendersMode', 'allowedSenders')}
            label={t('settings.allowedSenders.label', 'Allowed senders')}
            options={ALLOWED_SENDERS_MODES.map((value) => ({ value, label: sendersLabels[value] }))}
          />
        </GridCell>
      </Grid.Root>
      {props.draft.sendersMode === 'listed' ? (
        <Grid.Root gap={4}>
          <GridCell>
            <TextAreaField
              {...bind.text('senderAddresses', 'allowedSenders.addresses')}
              label={t('settings.allowedSenders.addresses', 'Allowed addresses')}
              hint={t('settings.common.onePerLine', 'One per line.')}
              placeholder="customer@example.com"
            />
          </GridCell>
          <GridCell>
            <TextAreaField
              {...bind.text('senderDomains', 'allowedSenders.domains')}
              label={t('settings.allowedSenders.domains', 'Allowed domains')}
              hint={t(
                'settings.allowedSenders.domainsHint',
                'One per line: example.com, or *.example.com for its subdomains.'
              )}
              placeholder="example.com"
            />
          </GridCell>
        </Grid.Root>
      ) : null}
    </Flex>
  );
};

export const CcImportFields = (props: SectionProps) => {
  const t = useT();
  return (
    <ToggleField
      {...bindDraft(props).toggle('ccImport')}
      label={t('settings.ccImport.label', 'Import CC recipients')}
      hint={t(
        'settings.ccImport.hint',
        'Addresses in To and Cc of a new mail (other than this mailbox and its agents) become recipients of the ticket and get its replies.'
      )}
    />
  );
};

export const ForwardingFields = (props: SectionProps) => {
  const t = useT();
  return (
    <TextAreaField
      {...bindDraft(props).text('forwardingAddresses')}
      label={t('settings.forwarding.label', 'Forwarding addresses')}
      hint={t(
        'settings.forwarding.hint',
        'Other addresses whose mail is forwarded into this mailbox (sales@, billing@), one per line. The ticket records which one was written to, and replies go out from it.'
      )}
      placeholder="sales@example.com"
      rows={5}
    />
  );
};
