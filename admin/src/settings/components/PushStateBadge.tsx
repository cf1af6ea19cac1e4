/**
 * How new mail of a mailbox arrives, as its push watcher last recorded it on the row: "Push" (a connection sits in
 * IMAP IDLE, mail is imported as it arrives) or "Polling" with the reason (push off, no IDLE on the server,
 * reconnecting…). Shown in the mailbox list and on the mailbox form; the state is the row's, so any instance answers.
 */
import { Badge, Flex, Typography } from '@strapi/design-system';
import type { Mailbox } from '../api';
import { useT } from '../useT';

export const PushStateBadge = ({ mailbox }: { mailbox: Mailbox }) => {
  const t = useT();
  // Never watched yet (autoStart off, or just created): only a mailbox with push off is known to be polled.
  const state = mailbox.pushState ?? (mailbox.push === false ? 'polling' : null);
  if (!state) return null;
  return (
    <Flex direction="column" alignItems="flex-start" gap={1} data-testid="mailbox-push-state">
      {state === 'push' ? (
        <Badge variant="success">{t('settings.mailboxes.push.push', 'Push')}</Badge>
      ) : (
        <Badge>{t('settings.mailboxes.push.polling', 'Polling')}</Badge>
      )}
      {state === 'polling' && mailbox.pushReason ? (
        <Typography variant="pi" textColor="neutral600">
          {mailbox.pushReason}
        </Typography>
      ) : null}
    </Flex>
  );
};
