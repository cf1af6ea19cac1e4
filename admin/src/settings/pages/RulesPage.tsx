/**
 * Settings → Email piping → Piping rules: the ordered list (moved up and down, saved with `PUT /piping-rules/order`),
 * hit counts and last hit, enable / disable, and the editor under `new` and `:id`.
 */
import { useCallback, useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { Link as RouterLink, Route, Routes } from 'react-router-dom';
import { Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import {
  Badge,
  EmptyStateLayout,
  Flex,
  IconButton,
  LinkButton,
  Switch,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { ArrowDown, ArrowUp, Pencil, Plus, Search, Trash } from '@strapi/icons';
import { BASE, readServerError, type PipingRule } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useT } from '../useT';
import { describeAction, describeCondition } from '../components/ruleLabels';
import { ProtectSettings, SettingsPage } from '../components/SettingsPage';
import { useAdminUserOptions } from '../components/useAdminUserOptions';
import { useMailboxes } from '../components/useMailboxes';
import { RuleEditor } from './RuleEditor';

const RuleList = () => {
  const t = useT();
  const { formatDate } = useIntl();
  const { get, put, del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { mailboxes } = useMailboxes();
  const { nameOf } = useAdminUserOptions();
  const [rules, setRules] = useState<PipingRule[] | null>(null);
  const [loadError, setLoadError] = useState(false);
  const [busy, setBusy] = useState(false);
  const [toDelete, setToDelete] = useState<PipingRule | null>(null);

  const load = useCallback(async () => {
    try {
      const { data } = await get<{ data: PipingRule[] }>(`${BASE}/piping-rules`);
      setRules(data.data);
    } catch {
      setLoadError(true);
    }
  }, [get]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      toggleNotification({ type: 'danger', message: readServerError(error).message });
    } finally {
      setBusy(false);
    }
  };

  const move = (index: number, by: -1 | 1) =>
    act(async () => {
      if (!rules) return;
      const order = rules.map((rule) => rule.id);
      const [id] = order.splice(index, 1);
      order.splice(index + by, 0, id);
      const { data } = await put<{ data: PipingRule[] }>(`${BASE}/piping-rules/order`, { ids: order });
      setRules(data.data);
    });

  const toggle = (rule: PipingRule, enabled: boolean) =>
    act(async () => {
      const { data } = await put<{ data: PipingRule }>(`${BASE}/piping-rules/${rule.id}`, { enabled });
      setRules(
        (current) => current?.map((row) => (row.id === rule.id ? { ...row, ...data.data } : row)) ?? null
      );
    });

  const remove = () =>
    act(async () => {
      if (!toDelete) return;
      const target = toDelete;
      setToDelete(null);
      await del(`${BASE}/piping-rules/${target.id}`);
      setRules((current) => current?.filter((row) => row.id !== target.id) ?? null);
    });

  if (loadError) return <Page.Error />;
  if (!rules) return <Page.Loading />;

  const mailboxName = (id: number | null) =>
    id === null
      ? t('settings.rules.allMailboxes', 'All mailboxes')
      : (mailboxes?.find((mailbox) => mailbox.id === id)?.name ?? `#${id}`);

  return (
    <SettingsPage
      title={t('settings.rules.title', 'Piping rules')}
      subtitle={t(
        'settings.rules.subtitle',
        'Rules run in this order on every mail that opens a ticket: “subject contains Urgent → priority high”.'
      )}
      primaryAction={
        <LinkButton tag={RouterLink} to="/settings/email-piping/rules/new" startIcon={<Plus />}>
          {t('settings.rules.add', 'Add a rule')}
        </LinkButton>
      }
      secondaryAction={
        <LinkButton
          tag={RouterLink}
          to="/settings/email-piping/simulator"
          variant="secondary"
          startIcon={<Search />}
        >
          {t('settings.simulator.open', 'Try a mail in the simulator')}
        </LinkButton>
      }
    >
      {rules.length === 0 ? (
        <EmptyStateLayout content={t('settings.rules.empty', 'No piping rule yet.')} />
      ) : (
        <Table colCount={7} rowCount={rules.length + 1}>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">{t('settings.rules.column.order', 'Order')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.rules.column.name', 'Rule')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.rules.column.when', 'When')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.rules.column.then', 'Then')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.rules.column.hits', 'Hits')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.rules.column.enabled', 'Enabled')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.common.actions', 'Actions')}</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {rules.map((rule, index) => (
              <Tr key={rule.id} data-rule-id={rule.id}>
                <Td>
                  <Flex gap={1}>
                    <Typography variant="pi" textColor="neutral600" minWidth="1.5em">
                      {index + 1}
                    </Typography>
                    <IconButton
                      withTooltip={false}
                      label={t('settings.rules.moveUp', 'Move {name} up', { name: rule.name })}
                      variant="ghost"
                      size="S"
                      disabled={busy || index === 0}
                      onClick={() => move(index, -1)}
                    >
                      <ArrowUp />
                    </IconButton>
                    <IconButton
                      withTooltip={false}
                      label={t('settings.rules.moveDown', 'Move {name} down', { name: rule.name })}
                      variant="ghost"
                      size="S"
                      disabled={busy || index === rules.length - 1}
                      onClick={() => move(index, 1)}
                    >
                      <ArrowDown />
                    </IconButton>
                  </Flex>
                </Td>
                <Td>
                  <Flex direction="column" alignItems="flex-start" gap={1}>
                    <Typography fontWeight="bold">{rule.name}</Typography>
                    <Typography variant="pi" textColor="neutral600">
                      {mailboxName(rule.mailboxId)}
                    </Typography>
                  </Flex>
                </Td>
                <Td>
                  <Flex direction="column" alignItems="flex-start" gap={1} maxWidth="360px">
                    <Badge>
                      {rule.match === 'all'
                        ? t('settings.rules.summary.all', 'All of')
                        : t('settings.rules.summary.any', 'Any of')}
                    </Badge>
                    {rule.conditions.map((condition, i) => (
                      <Typography key={i} variant="pi" ellipsis>
                        {describeCondition(t, condition)}
                      </Typography>
                    ))}
                  </Flex>
                </Td>
                <Td>
                  <Flex direction="column" alignItems="flex-start" gap={1} maxWidth="280px">
                    {rule.actions.map((action, i) => (
                      <Typography key={i} variant="pi" ellipsis>
                        {describeAction(t, action, nameOf)}
                      </Typography>
                    ))}
                  </Flex>
                </Td>
                <Td>
                  <Flex direction="column" alignItems="flex-start" gap={1}>
                    <Typography data-testid="rule-hits">{rule.hitCount ?? 0}</Typography>
                    <Typography variant="pi" textColor="neutral600">
                      {rule.lastHitAt
                        ? t('settings.rules.lastHit', 'Last {date}', {
                            date: formatDate(rule.lastHitAt, { dateStyle: 'medium', timeStyle: 'short' }),
                          })
                        : t('settings.rules.neverHit', 'Never matched')}
                    </Typography>
                  </Flex>
                </Td>
                <Td>
                  <Switch
                    aria-label={t('settings.rules.enable', 'Enable {name}', { name: rule.name })}
                    checked={rule.enabled}
                    disabled={busy}
                    onCheckedChange={(checked) => toggle(rule, checked)}
                  />
                </Td>
                <Td>
                  <Flex gap={1}>
                    <IconButton
                      withTooltip={false}
                      tag={RouterLink}
                      to={`/settings/email-piping/rules/${rule.id}`}
                      label={t('settings.rules.edit', 'Edit {name}', { name: rule.name })}
                      variant="ghost"
                    >
                      <Pencil />
                    </IconButton>
                    <IconButton
                      withTooltip={false}
                      label={t('settings.rules.delete', 'Delete {name}', { name: rule.name })}
                      variant="ghost"
                      onClick={() => setToDelete(rule)}
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
      <ConfirmDialog open={toDelete !== null} onCancel={() => setToDelete(null)} onConfirm={remove}>
        {t('settings.rules.deleteConfirm', 'Delete the rule {name}?', { name: toDelete?.name ?? '' })}
      </ConfirmDialog>
    </SettingsPage>
  );
};

const RulesPage = () => (
  <ProtectSettings>
    <Routes>
      <Route index element={<RuleList />} />
      <Route path="new" element={<RuleEditor />} />
      <Route path=":id" element={<RuleEditor />} />
    </Routes>
  </ProtectSettings>
);

export default RulesPage;
