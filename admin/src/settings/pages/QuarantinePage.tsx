/**
 * Settings → Email piping → Quarantine: mail the importer could not store (a refused attachment, no usable sender,
 * too large), with the reason. An admin reads the source (shown as text, or downloaded as .eml — never rendered),
 * reprocesses it once the cause is fixed, or discards it.
 */
import { useState } from 'react';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import {
  Box,
  Button,
  EmptyStateLayout,
  Flex,
  IconButton,
  Modal,
  Td,
  Tr,
  Typography,
} from '@strapi/design-system';
import { ArrowClockwise, Download, Eye } from '@strapi/icons';
import { styled } from 'styled-components';
import { queryString } from '../../utils/queryString';
import type { Paged, Receipt } from '../../../../contracts/api';
import { BASE } from '../api';
import { DeleteIconButton } from '../components/buttons';
import { ConfirmationDialog } from '../components/ConfirmationDialog';
import { SelectField } from '../components/fields';
import { ListTable } from '../components/ListTable';
import { PluginPage } from '../components/PluginPage';
import { settingsPage } from '../components/SettingsPage';
import { useApiData } from '../hooks/useApiData';
import { useFormatDateTime } from '../hooks/useFormatDateTime';
import { useMailboxes } from '../hooks/useMailboxes';
import { useNotify } from '../hooks/useNotify';
import { useServerActions } from '../hooks/useServerActions';
import { useT } from '../useT';

/** The list says whether a source is stored (mail over the size limit never was): view and download need one. */
type QuarantinedReceipt = Receipt & { hasRawSource: boolean };

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

const SourceModal = ({
  receipt,
  text,
  onClose,
  onDownload,
}: {
  receipt: Receipt;
  text: string;
  onClose(): void;
  onDownload(): void;
}) => {
  const t = useT();
  return (
    <Modal.Root open onOpenChange={(open) => !open && onClose()}>
      <Modal.Content>
        <Modal.Header>
          <Modal.Title>
            {t('settings.quarantine.sourceTitle', 'Source of {subject}', {
              subject: receipt.subject || `#${receipt.id}`,
            })}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={3}>
            <Typography variant="pi" textColor="danger600">
              {receipt.reason}
            </Typography>
            <Source data-testid="quarantine-source">{text}</Source>
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Modal.Close>
            <Button variant="tertiary">{t('settings.common.close', 'Close')}</Button>
          </Modal.Close>
          <Button startIcon={<Download />} onClick={onDownload}>
            {t('settings.quarantine.download', 'Download .eml')}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};

const Quarantine = () => {
  const t = useT();
  const date = useFormatDateTime();
  const { get, post } = useFetchClient();
  const notify = useNotify();
  const { nameOf: mailboxName, options: mailboxOptions } = useMailboxes();
  const [mailbox, setMailbox] = useState(ALL);
  const [page, setPage] = useState(1);
  const query = queryString({
    outcome: 'quarantined',
    page,
    pageSize: PAGE_SIZE,
    mailbox: mailbox === ALL ? undefined : mailbox,
  });
  const list = useApiData<Paged<QuarantinedReceipt>>(`${BASE}/receipts?${query}`);
  const { run, isPending } = useServerActions<number>();
  const [source, setSource] = useState<{ receipt: Receipt; text: string } | null>(null);
  const [toDiscard, setToDiscard] = useState<Receipt | null>(null);

  const fetchSource = async (receipt: Receipt) => {
    const { data } = await get<Blob>(`${BASE}/receipts/${receipt.id}/raw`, { responseType: 'blob' });
    return data;
  };

  const view = (receipt: Receipt) =>
    run(receipt.id, async () => {
      const blob = await fetchSource(receipt);
      setSource({ receipt, text: await blob.slice(0, SHOWN_SOURCE).text() });
    });

  const download = (receipt: Receipt) =>
    run(receipt.id, async () => {
      const blob = await fetchSource(receipt);
      const url = URL.createObjectURL(new Blob([blob], { type: 'message/rfc822' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `receipt-${receipt.id}.eml`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });

  const reprocess = (receipt: Receipt) =>
    run(receipt.id, async () => {
      const { data } = await post<{ data: { outcome: string; reason?: string; ticketId: number | null } }>(
        `${BASE}/receipts/${receipt.id}/reprocess`,
        {}
      );
      const { outcome, reason } = data.data;
      if (outcome === 'quarantined') {
        notify.warning(
          t('settings.quarantine.stillQuarantined', 'Still quarantined: {reason}', { reason: reason ?? '' })
        );
      } else {
        notify.success(t('settings.quarantine.reprocessed', 'Reprocessed: {outcome}', { outcome }));
      }
      await list.reload();
    });

  const discard = (receipt: Receipt) =>
    run(receipt.id, async () => {
      await post(`${BASE}/receipts/${receipt.id}/discard`, {});
      notify.success(t('settings.quarantine.discarded', 'Mail discarded'));
      await list.reload();
    });

  if (list.error) return <Page.Error />;
  if (!list.data) return <Page.Loading />;

  const { pagination, results } = list.data;

  return (
    <PluginPage
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
              ...mailboxOptions,
            ]}
          />
        </Box>
        <ListTable
          columns={[
            t('settings.quarantine.column.mail', 'Mail'),
            t('settings.quarantine.column.reason', 'Reason'),
            t('settings.quarantine.column.size', 'Size'),
            t('settings.common.actions', 'Actions'),
          ]}
          rows={results}
          empty={<EmptyStateLayout content={t('settings.quarantine.empty', 'The quarantine is empty.')} />}
        >
          {(receipt) => (
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
                      date: date(receipt.createdAt),
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
                    loading={isPending(receipt.id)}
                    onClick={() => reprocess(receipt)}
                  >
                    {t('settings.quarantine.reprocess', 'Reprocess')}
                  </Button>
                  {receipt.hasRawSource ? (
                    <>
                      <IconButton
                        label={t('settings.quarantine.view', 'View the source')}
                        variant="ghost"
                        disabled={isPending(receipt.id)}
                        onClick={() => view(receipt)}
                      >
                        <Eye />
                      </IconButton>
                      <IconButton
                        label={t('settings.quarantine.download', 'Download .eml')}
                        variant="ghost"
                        disabled={isPending(receipt.id)}
                        onClick={() => download(receipt)}
                      >
                        <Download />
                      </IconButton>
                    </>
                  ) : null}
                  <DeleteIconButton
                    label={t('settings.quarantine.discard', 'Discard')}
                    disabled={isPending(receipt.id)}
                    onClick={() => setToDiscard(receipt)}
                  />
                </Flex>
              </Td>
            </Tr>
          )}
        </ListTable>
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
        <SourceModal
          receipt={source.receipt}
          text={source.text}
          onClose={() => setSource(null)}
          onDownload={() => download(source.receipt)}
        />
      ) : null}
      <ConfirmationDialog item={toDiscard} onClose={() => setToDiscard(null)} onConfirm={discard}>
        {() =>
          t(
            'settings.quarantine.discardConfirm',
            'Discard this mail? Its source is deleted; the record of what arrived stays.'
          )
        }
      </ConfirmationDialog>
    </PluginPage>
  );
};

export default settingsPage(Quarantine);
