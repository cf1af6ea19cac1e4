/** The cells of the mailbox list (pages/MailboxesPage.tsx) that show what the importer last did. */
import { Badge, Flex, ProgressBar, Typography } from '@strapi/design-system';
import type { Mailbox } from '../api';
import { useFormatDateTime } from '../hooks/useFormatDateTime';
import { useT } from '../useT';

const RunProgress = ({ mailbox }: { mailbox: Mailbox }) => {
  const t = useT();
  const progress = mailbox.progress;
  if (!progress) return null;
  if (progress.running) {
    const percent = progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0;
    return (
      <Flex direction="column" alignItems="stretch" gap={1} minWidth="140px">
        <ProgressBar
          value={percent}
          aria-label={t('settings.mailboxes.progress.label', 'Import progress of {name}', {
            name: mailbox.name,
          })}
        />
        <Typography variant="pi" textColor="neutral600">
          {t('settings.mailboxes.progress.running', 'Importing {done} of {total}', {
            done: progress.done,
            total: progress.total,
          })}
        </Typography>
      </Flex>
    );
  }
  return (
    <Typography variant="pi" textColor="neutral600">
      {t('settings.mailboxes.progress.done', 'Last run: {done} of {total} messages', {
        done: progress.done,
        total: progress.total,
      })}
    </Typography>
  );
};

/** When it last ran, the running import's progress, and whether it works: OK, or failing with the reason. */
export const LastRunCell = ({ mailbox }: { mailbox: Mailbox }) => {
  const t = useT();
  const date = useFormatDateTime();
  return (
    <Flex direction="column" alignItems="flex-start" gap={1} maxWidth="320px">
      <Typography variant="pi">
        {date(mailbox.lastRunAt) ?? t('settings.mailboxes.never', 'Never')}
      </Typography>
      <RunProgress mailbox={mailbox} />
      {mailbox.lastError ? (
        <>
          <Badge variant="danger">{t('settings.mailboxes.failing', 'Failing')}</Badge>
          <Typography variant="pi" textColor="danger600" data-testid="mailbox-last-error">
            {mailbox.lastError}
          </Typography>
          {mailbox.nextAttemptAt ? (
            <Typography variant="pi" textColor="neutral600">
              {t('settings.mailboxes.nextAttempt', 'Next attempt {date}', {
                date: date(mailbox.nextAttemptAt),
              })}
            </Typography>
          ) : null}
        </>
      ) : mailbox.lastSuccessAt ? (
        <Badge variant="success">{t('settings.mailboxes.ok', 'OK')}</Badge>
      ) : null}
    </Flex>
  );
};

export const ImportCountsCell = ({ mailbox }: { mailbox: Mailbox }) => {
  const t = useT();
  return (
    <Flex direction="column" alignItems="flex-start" gap={1} data-testid="mailbox-counts">
      <Typography variant="pi">
        {t(
          'settings.mailboxes.counts.tickets',
          '{tickets, plural, one {# ticket} other {# tickets}} · {replies, plural, one {# reply} other {# replies}}',
          { tickets: mailbox.ticketsCreated ?? 0, replies: mailbox.repliesAdded ?? 0 }
        )}
      </Typography>
      <Typography variant="pi" textColor="neutral600">
        {t('settings.mailboxes.counts.other', '{quarantined} quarantined · {skipped} skipped', {
          quarantined: mailbox.quarantinedCount ?? 0,
          skipped: mailbox.skippedCount ?? 0,
        })}
      </Typography>
    </Flex>
  );
};
