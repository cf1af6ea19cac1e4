/**
 * Settings → Email piping → Mailboxes: the list (state of the last run, the reason of the last failure, counts, the
 * circuit breaker's pause), enable / disable, "Run now" with a progress bar polled every second while a backlog is
 * imported, and the create / edit form under `new` and `:id`.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useIntl } from 'react-intl';
import { Link as RouterLink, Route, Routes, useNavigate } from 'react-router-dom';
import { Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import {
  Alert,
  Badge,
  Box,
  Button,
  EmptyStateLayout,
  Flex,
  IconButton,
  LinkButton,
  ProgressBar,
  Switch,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Pencil, Play, Plus, Trash } from '@strapi/icons';
import { BASE, readServerError, type Mailbox } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useT } from '../useT';
import { ProtectSettings, SettingsPage } from '../components/SettingsPage';
import { MailboxForm } from './MailboxForm';

const POLL_MS = 1000;

const MailboxProgressCell = ({ mailbox }: { mailbox: Mailbox }) => {
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

const MailboxList = () => {
  const t = useT();
  const { formatDate } = useIntl();
  const navigate = useNavigate();
  const { get, post, put, del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [mailboxes, setMailboxes] = useState<Mailbox[] | null>(null);
  const [loadError, setLoadError] = useState(false);
  const [busy, setBusy] = useState<Record<number, boolean>>({});
  const [toDelete, setToDelete] = useState<Mailbox | null>(null);
  /** Mailboxes a run was started for, with their last run time before it: polled until that time changes. */
  const [watching, setWatching] = useState<Record<number, string | null>>({});
  const watchingRef = useRef(watching);
  watchingRef.current = watching;

  const date = (value: string | null) =>
    value ? formatDate(value, { dateStyle: 'medium', timeStyle: 'short' }) : null;

  const load = useCallback(async () => {
    try {
      const { data } = await get<{ data: Mailbox[] }>(`${BASE}/mailboxes`);
      setMailboxes(data.data);
    } catch {
      setLoadError(true);
    }
  }, [get]);

  useEffect(() => {
    void load();
  }, [load]);

  const replace = (mailbox: Mailbox) =>
    setMailboxes((current) => current?.map((row) => (row.id === mailbox.id ? mailbox : row)) ?? null);

  const pollIds = useMemo(() => {
    const ids = new Set<number>(Object.keys(watching).map(Number));
    for (const mailbox of mailboxes ?? []) if (mailbox.progress?.running) ids.add(mailbox.id);
    return [...ids].sort((a, b) => a - b);
  }, [watching, mailboxes]);
  const pollKey = pollIds.join(',');

  useEffect(() => {
    if (pollKey === '') return;
    const ids = pollKey.split(',').map(Number);
    let cancelled = false;
    const timer = window.setInterval(async () => {
      for (const id of ids) {
        try {
          const { data } = await get<{ data: Mailbox }>(`${BASE}/mailboxes/${id}`);
          if (cancelled) return;
          const fresh = data.data;
          replace(fresh);
          const before = watchingRef.current[id];
          if (before !== undefined && !fresh.progress?.running && fresh.lastRunAt !== before) {
            setWatching(({ [id]: _done, ...rest }) => rest);
          }
        } catch {
          // the next tick tries again; a deleted mailbox is dropped on the next load
        }
      }
    }, POLL_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [pollKey, get]);

  const withBusy = async (id: number, action: () => Promise<void>) => {
    setBusy((current) => ({ ...current, [id]: true }));
    try {
      await action();
    } catch (error) {
      toggleNotification({ type: 'danger', message: readServerError(error).message });
    } finally {
      setBusy((current) => ({ ...current, [id]: false }));
    }
  };

  const runNow = (mailbox: Mailbox) =>
    withBusy(mailbox.id, async () => {
      setWatching((current) => ({ ...current, [mailbox.id]: mailbox.lastRunAt }));
      const { data } = await post<{ data: { started: boolean; alreadyRunning: boolean } }>(
        `${BASE}/mailboxes/${mailbox.id}/run`,
        {}
      );
      toggleNotification({
        type: 'info',
        message: data.data.alreadyRunning
          ? t('settings.mailboxes.run.already', 'An import of {name} is already running', {
              name: mailbox.name,
            })
          : t('settings.mailboxes.run.started', 'Import of {name} started', { name: mailbox.name }),
      });
    });

  const toggleEnabled = (mailbox: Mailbox, enabled: boolean) =>
    withBusy(mailbox.id, async () => {
      const { data } = await put<{ data: Mailbox }>(`${BASE}/mailboxes/${mailbox.id}`, { enabled });
      replace(data.data);
    });

  const resume = (mailbox: Mailbox) =>
    withBusy(mailbox.id, async () => {
      const { data } = await post<{ data: Mailbox }>(`${BASE}/mailboxes/${mailbox.id}/resume-auto-mail`, {});
      replace(data.data);
      toggleNotification({
        type: 'success',
        message: t('settings.mailboxes.resumed', 'Automatic mail of {name} goes out again', {
          name: mailbox.name,
        }),
      });
    });

  const remove = async () => {
    if (!toDelete) return;
    const target = toDelete;
    setToDelete(null);
    await withBusy(target.id, async () => {
      await del(`${BASE}/mailboxes/${target.id}`);
      setMailboxes((current) => current?.filter((row) => row.id !== target.id) ?? null);
    });
  };

  if (loadError) return <Page.Error />;
  if (!mailboxes) return <Page.Loading />;

  const paused = mailboxes.filter((mailbox) => mailbox.autoMailPausedAt);

  return (
    <SettingsPage
      title={t('settings.mailboxes.title', 'Mailboxes')}
      subtitle={t(
        'settings.mailboxes.subtitle',
        'The support addresses whose mail becomes tickets. {count, plural, =0 {No mailbox yet.} one {# mailbox.} other {# mailboxes.}}',
        { count: mailboxes.length }
      )}
      primaryAction={
        <LinkButton tag={RouterLink} to="/settings/email-piping/mailboxes/new" startIcon={<Plus />}>
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
              <Button size="S" variant="secondary" loading={busy[mailbox.id]} onClick={() => resume(mailbox)}>
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
        {mailboxes.length === 0 ? (
          <EmptyStateLayout
            content={t(
              'settings.mailboxes.empty',
              'No mailbox yet. Add the address your customers write to.'
            )}
            action={
              <Button
                variant="secondary"
                startIcon={<Plus />}
                onClick={() => navigate('/settings/email-piping/mailboxes/new')}
              >
                {t('settings.mailboxes.add', 'Add a mailbox')}
              </Button>
            }
          />
        ) : (
          <Table colCount={5} rowCount={mailboxes.length + 1}>
            <Thead>
              <Tr>
                <Th>
                  <Typography variant="sigma">{t('settings.mailboxes.column.name', 'Mailbox')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('settings.mailboxes.column.enabled', 'Enabled')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">
                    {t('settings.mailboxes.column.lastRun', 'Last run')}
                  </Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('settings.mailboxes.column.counts', 'Imported')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('settings.common.actions', 'Actions')}</Typography>
                </Th>
              </Tr>
            </Thead>
            <Tbody>
              {mailboxes.map((mailbox) => (
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
                      disabled={busy[mailbox.id]}
                      onCheckedChange={(checked) => toggleEnabled(mailbox, checked)}
                    />
                  </Td>
                  <Td>
                    <Flex direction="column" alignItems="flex-start" gap={1} maxWidth="320px">
                      <Typography variant="pi">
                        {date(mailbox.lastRunAt) ?? t('settings.mailboxes.never', 'Never')}
                      </Typography>
                      <MailboxProgressCell mailbox={mailbox} />
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
                  </Td>
                  <Td>
                    <Flex direction="column" alignItems="flex-start" gap={1} data-testid="mailbox-counts">
                      <Typography variant="pi">
                        {t(
                          'settings.mailboxes.counts.tickets',
                          '{tickets, plural, one {# ticket} other {# tickets}} · {replies, plural, one {# reply} other {# replies}}',
                          { tickets: mailbox.ticketsCreated ?? 0, replies: mailbox.repliesAdded ?? 0 }
                        )}
                      </Typography>
                      <Typography variant="pi" textColor="neutral600">
                        {t(
                          'settings.mailboxes.counts.other',
                          '{quarantined} quarantined · {skipped} skipped',
                          { quarantined: mailbox.quarantinedCount ?? 0, skipped: mailbox.skippedCount ?? 0 }
                        )}
                      </Typography>
                    </Flex>
                  </Td>
                  <Td>
                    <Flex gap={1}>
                      <Button
                        size="S"
                        variant="secondary"
                        startIcon={<Play />}
                        loading={busy[mailbox.id] || watching[mailbox.id] !== undefined}
                        onClick={() => runNow(mailbox)}
                      >
                        {t('settings.mailboxes.runNow', 'Run now')}
                      </Button>
                      <IconButton
                        withTooltip={false}
                        tag={RouterLink}
                        to={`/settings/email-piping/mailboxes/${mailbox.id}`}
                        label={t('settings.mailboxes.edit', 'Edit {name}', { name: mailbox.name })}
                        variant="ghost"
                      >
                        <Pencil />
                      </IconButton>
                      <IconButton
                        withTooltip={false}
                        label={t('settings.mailboxes.delete', 'Delete {name}', { name: mailbox.name })}
                        variant="ghost"
                        onClick={() => setToDelete(mailbox)}
                      >
                        <Trash />
                      </IconButton>
                    </Flex>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
        <Box>
          <Typography variant="pi" textColor="neutral600">
            {t(
              'settings.mailboxes.footnote',
              'Forwarding addresses, CC import and allowed mail have pages of their own in this menu, and are part of each mailbox form too.'
            )}
          </Typography>
        </Box>
      </Flex>
      <ConfirmDialog open={toDelete !== null} onCancel={() => setToDelete(null)} onConfirm={remove}>
        {t(
          'settings.mailboxes.deleteConfirm',
          'Delete the mailbox {name}? Its tickets stay; its mail is no longer fetched.',
          { name: toDelete?.name ?? '' }
        )}
      </ConfirmDialog>
    </SettingsPage>
  );
};

const MailboxesPage = () => (
  <ProtectSettings>
    <Routes>
      <Route index element={<MailboxList />} />
      <Route path="new" element={<MailboxForm />} />
      <Route path=":id" element={<MailboxForm />} />
    </Routes>
  </ProtectSettings>
);

export default MailboxesPage;
