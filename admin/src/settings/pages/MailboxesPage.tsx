/**
 * Settings → Email piping → Mailboxes: the list (state of the last run, the reason of the last failure, push or
 * polling, counts, the circuit breaker's pause), enable / disable, "Run now" with a progress bar polled every second while a backlog is
 * imported, and the create / edit form under `new` and `:id`.
 */
import { useState } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import {
  Alert,
  Badge,
  Box,
  Button,
  EmptyStateLayout,
  Flex,
  LinkButton,
  Switch,
  Td,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Play, Plus } from '@strapi/icons';
import { BASE, type Mailbox } from '../api';
import { RowActions } from '../components/buttons';
import { ConfirmationDialog } from '../components/ConfirmationDialog';
import { ListTable } from '../components/ListTable';
import { ImportCountsCell, LastRunCell } from '../components/MailboxListCells';
import { PluginPage } from '../components/PluginPage';
import { PushStateBadge } from '../components/PushStateBadge';
import { listWithEditor } from '../components/SettingsPage';
import { useApiList } from '../hooks/useApiData';
import { useFormatDateTime } from '../hooks/useFormatDateTime';
import { useNotify } from '../hooks/useNotify';
import { useRunWatch } from '../hooks/useRunWatch';
import { useServerActions } from '../hooks/useServerActions';
import { settingsPath } from '../paths';
import { useT } from '../useT';
import { MailboxForm } from './MailboxForm';

const MailboxList = () => {
  const t = useT();
  const date = useFormatDateTime();
  const navigate = useNavigate();
  const { post, put, del } = useFetchClient();
  const notify = useNotify();
  const mailboxes = useApiList<Mailbox>(`${BASE}/mailboxes`);
  const { run, isPending } = useServerActions<number>();
  const runWatch = useRunWatch(mailboxes.data, mailboxes.replace);
  const [toDelete, setToDelete] = useState<Mailbox | null>(null);

  const runNow = (mailbox: Mailbox) =>
    run(mailbox.id, async () => {
      runWatch.watch(mailbox);
      const { data } = await post<{ data: { started: boolean; alreadyRunning: boolean } }>(
        `${BASE}/mailboxes/${mailbox.id}/run`,
        {}
      );
      notify.info(
        data.data.alreadyRunning
          ? t('settings.mailboxes.run.already', 'An import of {name} is already running', {
              name: mailbox.name,
            })
          : t('settings.mailboxes.run.started', 'Import of {name} started', { name: mailbox.name })
      );
    });

  const toggleEnabled = (mailbox: Mailbox, enabled: boolean) =>
    run(mailbox.id, async () => {
      const { data } = await put<{ data: Mailbox }>(`${BASE}/mailboxes/${mailbox.id}`, { enabled });
      mailboxes.replace(data.data);
    });

  const resume = (mailbox: Mailbox) =>
    run(mailbox.id, async () => {
      const { data } = await post<{ data: Mailbox }>(`${BASE}/mailboxes/${mailbox.id}/resume-auto-mail`, {});
      mailboxes.replace(data.data);
      notify.success(
        t('settings.mailboxes.resumed', 'Automatic mail of {name} goes out again', { name: mailbox.name })
      );
    });

  const remove = (mailbox: Mailbox) =>
    run(mailbox.id, async () => {
      await del(`${BASE}/mailboxes/${mailbox.id}`);
      mailboxes.remove(mailbox.id);
    });

  if (mailboxes.error) return <Page.Error />;
  if (!mailboxes.data) return <Page.Loading />;

  const paused = mailboxes.data.filter((mailbox) => mailbox.autoMailPausedAt);

  return (
    <PluginPage
      title={t('settings.mailboxes.title', 'Mailboxes')}
      subtitle={t(
        'settings.mailboxes.subtitle',
        'The support addresses whose mail becomes tickets. {count, plural, =0 {No mailbox yet.} one {# mailbox.} other {# mailboxes.}}',
        { count: mailboxes.data.length }
      )}
      primaryAction={
        <LinkButton tag={RouterLink} to={settingsPath('mailboxes', 'new')} startIcon={<Plus />}>
          {t('settings.mailboxes.add', 'Add a mailbox')}
        </LinkButton>
      }
    >
      <Flex direction="column" alignItems="stretch" gap={4}>
        {paused.map((mailbox) => (
          <Alert
            key={mailbox.id}
            variant="warning"
            closeLabel={t('settings.common.close', 'Close')}
            title={t('settings.mailboxes.paused.title', 'Automatic mail of {name} is paused', {
              name: mailbox.name,
            })}
            action={
              <Button
                size="S"
                variant="secondary"
                loading={isPending(mailbox.id)}
                onClick={() => resume(mailbox)}
              >
                {t('settings.mailboxes.paused.resume', 'Resume automatic mail')}
              </Button>
            }
          >
            {t('settings.mailboxes.paused.detail', 'Since {date}: {reason}', {
              date: date(mailbox.autoMailPausedAt),
              reason: mailbox.autoMailPausedReason ?? '',
            })}
          </Alert>
        ))}
        <ListTable
          columns={[
            t('settings.mailboxes.column.name', 'Mailbox'),
            t('settings.mailboxes.column.enabled', 'Enabled'),
            t('settings.mailboxes.column.lastRun', 'Last run'),
            t('settings.mailboxes.column.newMail', 'New mail'),
            t('settings.mailboxes.column.counts', 'Imported'),
            t('settings.common.actions', 'Actions'),
          ]}
          rows={mailboxes.data}
          empty={
            <EmptyStateLayout
              content={t(
                'settings.mailboxes.empty',
                'No mailbox yet. Add the address your customers write to.'
              )}
              action={
                <Button
                  variant="secondary"
                  startIcon={<Plus />}
                  onClick={() => navigate(settingsPath('mailboxes', 'new'))}
                >
                  {t('settings.mailboxes.add', 'Add a mailbox')}
                </Button>
              }
            />
          }
        >
          {(mailbox) => (
            <Tr key={mailbox.id} data-mailbox-id={mailbox.id}>
              <Td>
                <Flex direction="column" alignItems="flex-start" gap={1}>
                  <Typography fontWeight="bold">{mailbox.name}</Typography>
                  <Typography variant="pi" textColor="neutral600">
                    {mailbox.address ?? mailbox.username}
                  </Typography>
                  {mailbox.autoMailPausedAt ? (
                    <Badge variant="warning">
                      {t('settings.mailboxes.autoMail.paused', 'Automatic mail paused')}
                    </Badge>
                  ) : null}
                </Flex>
              </Td>
              <Td>
                <Switch
                  aria-label={t('settings.mailboxes.enable', 'Enable {name}', { name: mailbox.name })}
                  checked={mailbox.enabled}
                  disabled={isPending(mailbox.id)}
                  onCheckedChange={(checked) => toggleEnabled(mailbox, checked)}
                />
              </Td>
              <Td>
                <LastRunCell mailbox={mailbox} />
              </Td>
              <Td>
                <PushStateBadge mailbox={mailbox} />
              </Td>
              <Td>
                <ImportCountsCell mailbox={mailbox} />
              </Td>
              <Td>
                <RowActions
                  name={mailbox.name}
                  editTo={settingsPath('mailboxes', mailbox.id)}
                  onDelete={() => setToDelete(mailbox)}
                >
                  <Button
                    size="S"
                    variant="secondary"
                    startIcon={<Play />}
                    loading={isPending(mailbox.id) || runWatch.isWatched(mailbox)}
                    onClick={() => runNow(mailbox)}
                  >
                    {t('settings.mailboxes.runNow', 'Run now')}
                  </Button>
                </RowActions>
              </Td>
            </Tr>
          )}
        </ListTable>
        <Box>
          <Typography variant="pi" textColor="neutral600">
            {t(
              'settings.mailboxes.footnote',
              'Forwarding addresses, CC import and allowed mail have pages of their own in this menu, and are part of each mailbox form too.'
            )}
          </Typography>
        </Box>
      </Flex>
      <ConfirmationDialog item={toDelete} onClose={() => setToDelete(null)} onConfirm={remove}>
        {(mailbox) =>
          t(
            'settings.mailboxes.deleteConfirm',
            'Delete the mailbox {name}? Its tickets stay; its mail is no longer fetched.',
            { name: mailbox.name }
          )
        }
      </ConfirmationDialog>
    </PluginPage>
  );
};

export default listWithEditor(MailboxList, MailboxForm);
