/**
 * Settings → Email piping → Quarantine: mail the importer could not store (a refused attachment, no usable sender,
 * too large), with the reason. An admin reads the source (shown as text, or downloaded as .eml — never rendered),
 * reprocesses it once the cause is fixed, or discards it.
 */
import { useCallback, useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import {
  Box,
  Button,
  EmptyStateLayout,
  Flex,
  IconButton,
  Modal,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { ArrowClockwise, Download, Eye, Trash } from '@strapi/icons';
import { styled } from 'styled-components';
import { BASE, readServerError, type Paged, type Receipt } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useT } from '../useT';
import { SelectField } from '../components/fields';
import { ProtectSettings, SettingsPage } from '../components/SettingsPage';
import { useMailboxes } from '../components/useMailboxes';

const PAGE_SIZE = 20;
const ALL = 'all';
/** The source is shown up to this many characters; the download has all of it. */
const SHOWN_SOURCE = 200_000;

const Source = styled.pre`
  white-space: pre-wrap;
  word-break: break-all;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 1.2rem;
  margin: 0;
  max-height: 60vh;
  overflow: auto;
`;

function formatSize(bytes: number | null): string {
  if (bytes === null || bytes === undefined) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const Quarantine = () => {
  const t = useT();
  const { formatDate } = useIntl();
  const { get, post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { mailboxes } = useMailboxes();
  const [mailbox, setMailbox] = useState(ALL);
  const [page, setPage] = useState(1);
  const [list, setList] = useState<Paged<Receipt> | null>(null);
  const [loadError, setLoadError] = useState(false);
  const [busy, setBusy] = useState<number | null>(null);
  const [source, setSource] = useState<{ receipt: Receipt; text: string } | null>(null);
  const [toDiscard, setToDiscard] = useState<Receipt | null>(null);

  const load = useCallback(async () => {
    try {
      const params: Record<string, string> = {
        outcome: 'quarantined',
        page: String(page),
        pageSize: String(PAGE_SIZE),
      };
      if (mailbox !== ALL) params.mailbox = mailbox;
      const { data } = await get<{ data: Paged<Receipt> }>(`${BASE}/receipts`, { params });
      setList(data.data);
    } catch {
      setLoadError(true);
    }
  }, [get, page, mailbox]);

  useEffect(() => {
    void load();
  }, [load]);

  const mailboxName = (id: number) => mailboxes?.find((candidate) => candidate.id === id)?.name ?? `#${id}`;

  const fetchSource = async (receipt: Receipt) => {
    const { data } = await get<Blob>(`${BASE}/receipts/${receipt.id}/raw`, { responseType: 'blob' });
    return data;
  };

  const view = async (receipt: Receipt) => {
    setBusy(receipt.id);
    try {
      const blob = await fetchSource(receipt);
      const text = await blob.slice(0, SHOWN_SOURCE).text();
      setSource({ receipt, text });
    } catch (error) {
      toggleNotification({ type: 'danger', message: readServerError(error).message });
    } finally {
      setBusy(null);
    }
  };

  const download = async (receipt: Receipt) => {
    setBusy(receipt.id);
    try {
      const blob = await fetchSource(receipt);
      const url = URL.createObjectURL(new Blob([blob], { type: 'message/rfc822' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `receipt-${receipt.id}.eml`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      toggleNotification({ type: 'danger', message: readServerError(error).message });
    } finally {
      setBusy(null);
    }
  };

  const reprocess = async (receipt: Receipt) => {
    setBusy(receipt.id);
    try {
      const { data } = await post<{ data: { outcome: string; reason?: string; ticketId: number | null } }>(
        `${BASE}/receipts/${receipt.id}/reprocess`,
        {}
      );
      const outcome = data.data.outcome;
      toggleNotification({
        type: outcome === 'quarantined' ? 'warning' : 'success',
        message:
          outcome === 'quarantined'
            ? t('settings.quarantine.stillQuarantined', 'Still quarantined: {reason}', {
                reason: data.data.reason ?? '',
              })
            : t('settings.quarantine.reprocessed', 'Reprocessed: {outcome}', { outcome }),
      });
      await load();
    } catch (error) {
      toggleNotification({ type: 'danger', message: readServerError(error).message });
    } finally {
      setBusy(null);
    }
  };

  const discard = async () => {
    const target = toDiscard;
    setToDiscard(null);
    if (!target) return;
    setBusy(target.id);
    try {
      await post(`${BASE}/receipts/${target.id}/discard`, {});
      toggleNotification({ type: 'success', message: t('settings.quarantine.discarded', 'Mail discarded') });
      await load();
    } catch (error) {
      toggleNotification({ type: 'danger', message: readServerError(error).message });
    } finally {
      setBusy(null);
    }
  };

  if (loadError) return <Page.Error />;
  if (!list) return <Page.Loading />;

  const { pagination, results } = list;

  return (
    <SettingsPage
      title={t('settings.quarantine.title', 'Quarantine')}
      subtitle={t(
        'settings.quarantine.subtitle',
        '{count, plural, =0 {No mail waits here.} one {# mail could not be imported.} other {# mails could not be imported.}} Fix the cause, then reprocess.',
        { count: pagination.total }
      )}
    >
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Box maxWidth="320px">
          <SelectField
            name="mailbox"
            label={t('settings.quarantine.mailbox', 'Mailbox')}
            value={mailbox}
            onChange={(value) => {
              setMailbox(value);
              setPage(1);
            }}
            options={[
              { value: ALL, label: t('settings.rules.allMailboxes', 'All mailboxes') },
              ...(mailboxes ?? []).map((candidate) => ({
                value: String(candidate.id),
                label: candidate.name,
              })),
            ]}
          />
        </Box>
        {results.length === 0 ? (
          <EmptyStateLayout content={t('settings.quarantine.empty', 'The quarantine is empty.')} />
        ) : (
          <Table colCount={4} rowCount={results.length + 1}>
            <Thead>
              <Tr>
                <Th>
                  <Typography variant="sigma">{t('settings.quarantine.column.mail', 'Mail')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('settings.quarantine.column.reason', 'Reason')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('settings.quarantine.column.size', 'Size')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('settings.common.actions', 'Actions')}</Typography>
                </Th>
              </Tr>
            </Thead>
            <Tbody>
              {results.map((receipt) => (
                <Tr key={receipt.id} data-receipt-id={receipt.id}>
                  <Td>
                    <Flex direction="column" alignItems="flex-start" gap={1} maxWidth="280px">
                      <Typography fontWeight="bold" ellipsis>
                        {receipt.subject || t('settings.quarantine.noSubject', '(no subject)')}
                      </Typography>
                      <Typography variant="pi" textColor="neutral600" ellipsis>
                        {receipt.fromAddress || t('settings.quarantine.noSender', '(no sender)')}
                      </Typography>
                      <Typography variant="pi" textColor="neutral600">
                        {t('settings.quarantine.received', '{date} · {mailbox}', {
                          date: formatDate(receipt.createdAt, { dateStyle: 'medium', timeStyle: 'short' }),
                          mailbox: mailboxName(receipt.mailboxId),
                        })}
                      </Typography>
                    </Flex>
                  </Td>
                  <Td>
                    <Box maxWidth="360px">
                      <Typography variant="pi" textColor="danger600" data-testid="quarantine-reason">
                        {receipt.reason}
                      </Typography>
                    </Box>
                  </Td>
                  <Td>
                    <Typography variant="pi">{formatSize(receipt.rawSize)}</Typography>
                  </Td>
                  <Td>
                    <Flex gap={1}>
                      <Button
                        size="S"
                        variant="secondary"
                        startIcon={<ArrowClockwise />}
                        loading={busy === receipt.id}
                        onClick={() => reprocess(receipt)}
                      >
                        {t('settings.quarantine.reprocess', 'Reprocess')}
                      </Button>
                      <IconButton
                        withTooltip={false}
                        label={t('settings.quarantine.view', 'View the source')}
                        variant="ghost"
                        disabled={busy === receipt.id}
                        onClick={() => view(receipt)}
                      >
                        <Eye />
                      </IconButton>
                      <IconButton
                        withTooltip={false}
                        label={t('settings.quarantine.download', 'Download .eml')}
                        variant="ghost"
                        disabled={busy === receipt.id}
                        onClick={() => download(receipt)}
                      >
                        <Download />
                      </IconButton>
                      <IconButton
                        withTooltip={false}
                        label={t('settings.quarantine.discard', 'Discard')}
                        variant="ghost"
                        disabled={busy === receipt.id}
                        onClick={() => setToDiscard(receipt)}
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
        {pagination.pageCount > 1 ? (
          <Flex gap={2} justifyContent="flex-end" alignItems="center">
            <Button variant="tertiary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              {t('settings.common.previous', 'Previous')}
            </Button>
            <Typography variant="pi">
              {t('settings.common.pageOf', 'Page {page} of {pageCount}', {
                page: pagination.page,
                pageCount: pagination.pageCount,
              })}
            </Typography>
            <Button
              variant="tertiary"
              disabled={page >= pagination.pageCount}
              onClick={() => setPage(page + 1)}
            >
              {t('settings.common.next', 'Next')}
            </Button>
          </Flex>
        ) : null}
      </Flex>
      {source ? (
        <Modal.Root open onOpenChange={(open) => !open && setSource(null)}>
          <Modal.Content>
            <Modal.Header>
              <Modal.Title>
                {t('settings.quarantine.sourceTitle', 'Source of {subject}', {
                  subject: source.receipt.subject || `#${source.receipt.id}`,
                })}
              </Modal.Title>
            </Modal.Header>
            <Modal.Body>
              <Flex direction="column" alignItems="stretch" gap={3}>
                <Typography variant="pi" textColor="danger600">
                  {source.receipt.reason}
                </Typography>
                <Source data-testid="quarantine-source">{source.text}</Source>
              </Flex>
            </Modal.Body>
            <Modal.Footer>
              <Modal.Close>
                <Button variant="tertiary">{t('settings.common.close', 'Close')}</Button>
              </Modal.Close>
              <Button startIcon={<Download />} onClick={() => download(source.receipt)}>
                {t('settings.quarantine.download', 'Download .eml')}
              </Button>
            </Modal.Footer>
          </Modal.Content>
        </Modal.Root>
      ) : null}
      <ConfirmDialog open={toDiscard !== null} onCancel={() => setToDiscard(null)} onConfirm={discard}>
        {t(
          'settings.quarantine.discardConfirm',
          'Discard this mail? Its source is deleted; the record of what arrived stays.'
        )}
      </ConfirmDialog>
    </SettingsPage>
  );
};

const QuarantinePage = () => (
  <ProtectSettings>
    <Quarantine />
  </ProtectSettings>
);

export default QuarantinePage;
