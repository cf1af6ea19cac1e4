/**
 * Settings → Email piping → Suppressed addresses: addresses that bounced for good get no mail for a while. An admin
 * who knows an address works again lifts its suppression.
 */
import { useCallback, useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import {
  Badge,
  Button,
  EmptyStateLayout,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { BASE, readServerError, type Suppression } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useT } from '../useT';
import { ProtectSettings, SettingsPage } from '../components/SettingsPage';

const Suppressions = () => {
  const t = useT();
  const { formatDate } = useIntl();
  const { get, del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [rows, setRows] = useState<Suppression[] | null>(null);
  const [loadError, setLoadError] = useState(false);
  const [toLift, setToLift] = useState<Suppression | null>(null);

  const load = useCallback(async () => {
    try {
      const { data } = await get<{ data: Suppression[] }>(`${BASE}/suppressions`);
      setRows(data.data);
    } catch {
      setLoadError(true);
    }
  }, [get]);

  useEffect(() => {
    void load();
  }, [load]);

  const lift = async () => {
    const target = toLift;
    setToLift(null);
    if (!target) return;
    try {
      await del(`${BASE}/suppressions/${target.id}`);
      toggleNotification({
        type: 'success',
        message: t('settings.suppressions.lifted', '{address} gets mail again', { address: target.address }),
      });
      setRows((current) => current?.filter((row) => row.id !== target.id) ?? null);
    } catch (error) {
      toggleNotification({ type: 'danger', message: readServerError(error).message });
    }
  };

  if (loadError) return <Page.Error />;
  if (!rows) return <Page.Loading />;

  const date = (value: string) => formatDate(value, { dateStyle: 'medium', timeStyle: 'short' });
  const now = Date.now();

  return (
    <SettingsPage
      title={t('settings.suppressions.title', 'Suppressed addresses')}
      subtitle={t(
        'settings.suppressions.subtitle',
        'Addresses that bounced for good (5.x.x) on mail we sent: they get no mail until the date shown.'
      )}
    >
      {rows.length === 0 ? (
        <EmptyStateLayout content={t('settings.suppressions.empty', 'No address is suppressed.')} />
      ) : (
        <Table colCount={5} rowCount={rows.length + 1}>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">
                  {t('settings.suppressions.column.address', 'Address')}
                </Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.suppressions.column.reason', 'Reason')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.suppressions.column.since', 'Since')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.suppressions.column.until', 'Until')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.common.actions', 'Actions')}</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((row) => {
              const active = new Date(row.suppressedUntil).getTime() > now;
              return (
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
                    {active ? (
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
              );
            })}
          </Tbody>
        </Table>
      )}
      <ConfirmDialog open={toLift !== null} onCancel={() => setToLift(null)} onConfirm={lift}>
        {t('settings.suppressions.liftConfirm', 'Send mail to {address} again?', {
          address: toLift?.address ?? '',
        })}
      </ConfirmDialog>
    </SettingsPage>
  );
};

const SuppressionsPage = () => (
  <ProtectSettings>
    <Suppressions />
  </ProtectSettings>
);

export default SuppressionsPage;
