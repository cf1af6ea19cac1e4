/**
 * The mailbox's sender authentication settings: which receiving servers' Authentication-Results to believe, and
 * what automatic answers do for a sender whose domain fails DMARC. The help text says how a site owner finds their
 * server's authserv-id, since a wrong one silently turns the header check off.
 */
import { Grid } from '@strapi/design-system';
import { bindDraft } from '../hooks/useDraft';
import { useT } from '../useT';
import { GridCell, SelectField, TextAreaField } from './fields';
import { choiceOptions } from './mailboxDraft';
import type { SectionProps } from './MailboxSections';

export const SenderAuthenticationFields = (props: SectionProps) => {
  const t = useT();
  const bind = bindDraft(props);
  return (
    <Grid.Root gap={4}>
      <GridCell>
        <TextAreaField
          {...bind.text('trustedAuthservIds')}
          label={t(
            'settings.senderAuthentication.trustedAuthservIds',
            'Trusted receiving servers (authserv-id)'
          )}
          hint={t(
            'settings.senderAuthentication.trustedAuthservIdsHint',
            'One per line. Open a mail received in this mailbox and look at its topmost "Authentication-Results:" header: the first word, before the ";", is your server\'s id (Google Workspace: mx.google.com; Microsoft 365: the id shown there for your tenant). Only those headers are read; any other could have been written by the sender.'
          )}
          placeholder="mx.google.com"
          rows={3}
        />
      </GridCell>
      <GridCell>
        <SelectField
          {...bind.text('unauthenticatedAnswers')}
          label={t(
            'settings.senderAuthentication.unauthenticatedAnswers',
            'Automatic answers to senders failing DMARC'
          )}
          hint={t(
            'settings.senderAuthentication.unauthenticatedAnswersHint',
            'A sender whose domain publishes DMARC but whose mail does not pass it is probably forged: an acknowledgement would go to the person impersonated. Senders whose domain publishes no DMARC are answered as usual.'
          )}
          options={choiceOptions('unauthenticatedAnswers', {
            suppress: t('settings.senderAuthentication.suppress', 'Not sent (recommended)'),
            'rate-limit-hard': t(
              'settings.senderAuthentication.rateLimitHard',
              'Rate-limited hard: at most one a day per address'
            ),
          })}
        />
      </GridCell>
    </Grid.Root>
  );
};
