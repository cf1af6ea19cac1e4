/**
 * Settings → Email piping → Suppressed addresses: addresses that bounced for good get no mail for a while. An admin
 * who knows an address works again lifts its suppression.
 */
import { useState } from 'react';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import { Badge, Button, EmptyStateLayout, Td, Tr, Typography } from '@strapi/design-system';
import type { Suppression } from '../../../../contracts/api';
import { BASE } from '../api';
import { ConfirmationDialog } from '../components/ConfirmationDialog';
import { ListTable } from '../components/ListTable';
import { PluginPage } from '../components/PluginPage';
import { settingsPage } from '../components/SettingsPage';
import { useApiList } from '../hooks/useApiData';
import { useFormatDateTime } from '../hooks/useFormatDateTime';
import { useNotify } from '../hooks/useNotify';
import { useServerActions } from '../hooks/useServerActions';
import { useT } from '../useT';

const Suppressions = () => {
  const t = useT();
  const date = useFormatDateTime();
  const { del } = useFetchClient();
  const notify = useNotify();
  const suppressions = useApiList<Suppression>(`${BASE}/suppressions`);
  const { run } = useServerActions<number>();
  const [toLift, setToLift] = useState<Suppression | null>(null);

  const lift = (suppression: Suppression) =>
    run(suppression.id, async () => {
      await del(`${BASE}/suppressions/${suppression.id}`);
      notify.success(
        t('settings.suppressions.lifted', '{address} gets mail again', { address: suppression.address })
      );
      suppressions.remove(suppression.id);
    });

  if (suppressions.error) return <Page.Error />;
  if (!suppressions.data) return <Page.Loading />;
  const now = Date.now();

  return (
    <PluginPage
      title={t('settings.suppressions.title', 'Suppressed addresses')}
      subtitle={t(
        'settings.suppressions.subtitle',
        'Addresses that bounced for good (5.x.x) on mail we sent: they get no mail until the date shown.'
      )}
    >
      <ListTable
        columns={[
          t('settings.suppressions.column.address', 'Address'),
          t('settings.suppressions.column.reason', 'Reason'),
          t('settings.suppressions.column.since', 'Since'),
          t('settings.suppressions.column.until', 'Until'),
          t('settings.common.actions', 'Actions'),
        ]}
        rows={suppressions.data}
        empty={<EmptyStateLayout content={t('settings.suppressions.empty', 'No address is suppressed.')} />}
      >
        {(row) => (
          <Tr key={row.id} data-suppression-id={row.id}>
            <Td>
              <Typography fontWeight="bold">{row.address}</Typography>
            </Td>
            <Td>
              <Typography variant="pi">
                {[row.status, row.reason].filter(Boolean).join(' · ') || '–'}
              </Typography>
            </Td>
            <Td>
              <Typography variant="pi">{date(row.createdAt)}</Typography>
            </Td>
            <Td>
              {new Date(row.suppressedUntil).getTime() > now ? (
                <Typography variant="pi">{date(row.suppressedUntil)}</Typography>
              ) : (
                <Badge>{t('settings.suppressions.expired', 'Expired')}</Badge>
              )}
            </Td>
            <Td>
              <Button size="S" variant="secondary" onClick={() => setToLift(row)}>
                {t('settings.suppressions.lift', 'Lift')}
              </Button>
            </Td>
          </Tr>
        )}
      </ListTable>
      <ConfirmationDialog item={toLift} onClose={() => setToLift(null)} onConfirm={lift}>
        {(suppression) =>
          t('settings.suppressions.liftConfirm', 'Send mail to {address} again?', {
            address: suppression.address,
          })
        }
      </ConfirmationDialog>
    </PluginPage>
  );
};

export default settingsPage(Suppressions);
