/**
 * The parts of the mailbox form that also have settings pages of their own (allowed mail and senders, CC import,
 * forwarding addresses): one component each, used by the full form and by the per-mailbox pages.
 */
import { Flex, Grid } from '@strapi/design-system';
import { ALLOWED_MAIL } from '../api';
import { useT } from '../useT';
import { SelectField, TextAreaField, ToggleField } from './fields';
import type { MailboxDraft, SetDraft } from './mailboxDraft';

export interface SectionProps {
  draft: MailboxDraft;
  set: SetDraft;
  errors: Record<string, string>;
}

export const AllowedMailFields = ({ draft, set, errors }: SectionProps) => {
  const t = useT();
  const allowedMailLabels: Record<string, string> = {
    'new-and-replies': t('settings.allowedMail.newAndReplies', 'New requests and replies'),
    'new-only': t('settings.allowedMail.newOnly', 'New requests only'),
    'replies-only': t('settings.allowedMail.repliesOnly', 'Replies to existing tickets only'),
  };
  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Grid.Root gap={4}>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <SelectField
            name="allowedMail"
            label={t('settings.allowedMail.label', 'Allowed mail')}
            hint={t(
              'settings.allowedMail.hint',
              'Which mail this mailbox accepts. Refused mail is recorded and, if switched on, answered once.'
            )}
            value={draft.allowedMail}
            error={errors.allowedMail}
            onChange={(value) => set('allowedMail', value as MailboxDraft['allowedMail'])}
            options={ALLOWED_MAIL.map((value) => ({ value, label: allowedMailLabels[value] }))}
          />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <SelectField
            name="allowedSenders"
            label={t('settings.allowedSenders.label', 'Allowed senders')}
            value={draft.sendersMode}
            error={errors.allowedSenders}
            onChange={(value) => set('sendersMode', value as MailboxDraft['sendersMode'])}
            options={[
              { value: 'anyone', label: t('settings.allowedSenders.anyone', 'Anyone') },
              {
                value: 'listed',
                label: t('settings.allowedSenders.listed', 'Only the addresses and domains listed'),
              },
              {
                value: 'registered',
                label: t('settings.allowedSenders.registered', 'Only registered users of the site'),
              },
            ]}
          />
        </Grid.Item>
      </Grid.Root>
      {draft.sendersMode === 'listed' ? (
        <Grid.Root gap={4}>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <TextAreaField
              name="allowedSenders.addresses"
              label={t('settings.allowedSenders.addresses', 'Allowed addresses')}
              hint={t('settings.common.onePerLine', 'One per line.')}
              value={draft.senderAddresses}
              error={errors['allowedSenders.addresses']}
              onChange={(value) => set('senderAddresses', value)}
              placeholder="customer@example.com"
            />
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <TextAreaField
              name="allowedSenders.domains"
              label={t('settings.allowedSenders.domains', 'Allowed domains')}
              hint={t(
                'settings.allowedSenders.domainsHint',
                'One per line: example.com, or *.example.com for its subdomains.'
              )}
              value={draft.senderDomains}
              error={errors['allowedSenders.domains']}
              onChange={(value) => set('senderDomains', value)}
              placeholder="example.com"
            />
          </Grid.Item>
        </Grid.Root>
      ) : null}
    </Flex>
  );
};

export const CcImportFields = ({ draft, set, errors }: SectionProps) => {
  const t = useT();
  return (
    <ToggleField
      name="ccImport"
      label={t('settings.ccImport.label', 'Import CC recipients')}
      hint={t(
        'settings.ccImport.hint',
        'Addresses in To and Cc of a new mail (other than this mailbox and its agents) become recipients of the ticket and get its replies.'
      )}
      checked={draft.ccImport}
      error={errors.ccImport}
      onChange={(value) => set('ccImport', value)}
    />
  );
};

export const ForwardingFields = ({ draft, set, errors }: SectionProps) => {
  const t = useT();
  return (
    <TextAreaField
      name="forwardingAddresses"
      label={t('settings.forwarding.label', 'Forwarding addresses')}
      hint={t(
        'settings.forwarding.hint',
        'Other addresses whose mail is forwarded into this mailbox (sales@, billing@), one per line. The ticket records which one was written to, and replies go out from it.'
      )}
      value={draft.forwardingAddresses}
      error={errors.forwardingAddresses}
      onChange={(value) => set('forwardingAddresses', value)}
      placeholder="sales@example.com"
      rows={5}
    />
  );
};
