/**
 * Settings → Email piping → Piping rules: the ordered list (moved up and down, saved with `PUT /piping-rules/order`),
 * hit counts and last hit, enable / disable, and the editor under `new` and `:id`.
 */
import { useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import {
  Badge,
  EmptyStateLayout,
  Flex,
  IconButton,
  LinkButton,
  Switch,
  Td,
  Tr,
  Typography,
} from '@strapi/design-system';
import { ArrowDown, ArrowUp, Plus, Search } from '@strapi/icons';
import { BASE, type PipingRule } from '../api';
import { RowActions } from '../components/buttons';
import { ConfirmationDialog } from '../components/ConfirmationDialog';
import { ListTable } from '../components/ListTable';
import { PluginPage } from '../components/PluginPage';
import { describeAction, describeCondition } from '../components/ruleLabels';
import { listWithEditor } from '../components/SettingsPage';
import { useAdminUserOptions } from '../hooks/useAdminUserOptions';
import { useApiList } from '../hooks/useApiData';
import { useFormatDateTime } from '../hooks/useFormatDateTime';
import { useMailboxes } from '../hooks/useMailboxes';
import { useServerActions } from '../hooks/useServerActions';
import { settingsPath } from '../paths';
import { useT } from '../useT';
import { RuleEditor } from './RuleEditor';

/** One key for every change of the list: the order depends on all rows, so one change at a time. */
const LIST = 'list';

const RuleList = () => {
  const t = useT();
  const date = useFormatDateTime();
  const { put, del } = useFetchClient();
  const { nameOf: mailboxName } = useMailboxes();
  const { nameOf: userName } = useAdminUserOptions();
  const rules = useApiList<PipingRule>(`${BASE}/piping-rules`);
  const { run, isPending } = useServerActions();
  const [toDelete, setToDelete] = useState<PipingRule | null>(null);
  const busy = isPending();

  const move = (index: number, by: -1 | 1) =>
    run(LIST, async () => {
      if (!rules.data) return;
      const order = rules.data.map((rule) => rule.id);
      const [id] = order.splice(index, 1);
      order.splice(index + by, 0, id);
      const { data } = await put<{ data: PipingRule[] }>(`${BASE}/piping-rules/order`, { ids: order });
      rules.setData(data.data);
    });

  const toggle = (rule: PipingRule, enabled: boolean) =>
    run(LIST, async () => {
      const { data } = await put<{ data: PipingRule }>(`${BASE}/piping-rules/${rule.id}`, { enabled });
      rules.replace({ ...rule, ...data.data });
    });

  const remove = (rule: PipingRule) =>
    run(LIST, async () => {
      await del(`${BASE}/piping-rules/${rule.id}`);
      rules.remove(rule.id);
    });

  if (rules.error) return <Page.Error />;
  if (!rules.data) return <Page.Loading />;
  const count = rules.data.length;

  return (
    <PluginPage
      title={t('settings.rules.title', 'Piping rules')}
      subtitle={t(
        'settings.rules.subtitle',
        'Rules run in this order on every mail that opens a ticket: “subject contains Urgent → priority high”.'
      )}
      primaryAction={
        <LinkButton tag={RouterLink} to={settingsPath('rules', 'new')} startIcon={<Plus />}>
          {t('settings.rules.add', 'Add a rule')}
        </LinkButton>
      }
      secondaryAction={
        <LinkButton
          tag={RouterLink}
          to={settingsPath('simulator')}
          variant="secondary"
          startIcon={<Search />}
        >
          {t('settings.simulator.open', 'Try a mail in the simulator')}
        </LinkButton>
      }
    >
      <ListTable
        columns={[
          t('settings.rules.column.order', 'Order'),
          t('settings.rules.column.name', 'Rule'),
          t('settings.rules.column.when', 'When'),
          t('settings.rules.column.then', 'Then'),
          t('settings.rules.column.hits', 'Hits'),
          t('settings.rules.column.enabled', 'Enabled'),
          t('settings.common.actions', 'Actions'),
        ]}
        rows={rules.data}
        empty={<EmptyStateLayout content={t('settings.rules.empty', 'No piping rule yet.')} />}
      >
        {(rule, index) => (
          <Tr key={rule.id} data-rule-id={rule.id}>
            <Td>
              <Flex gap={1}>
                <Typography variant="pi" textColor="neutral600" minWidth="1.5em">
                  {index + 1}
                </Typography>
                <IconButton
                  label={t('settings.rules.moveUp', 'Move {name} up', { name: rule.name })}
                  variant="ghost"
                  size="S"
                  disabled={busy || index === 0}
                  onClick={() => move(index, -1)}
                >
                  <ArrowUp />
                </IconButton>
                <IconButton
                  label={t('settings.rules.moveDown', 'Move {name} down', { name: rule.name })}
                  variant="ghost"
                  size="S"
                  disabled={busy || index === count - 1}
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
                  {rule.mailboxId === null
                    ? t('settings.rules.allMailboxes', 'All mailboxes')
                    : mailboxName(rule.mailboxId)}
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
                    {describeAction(t, action, userName)}
                  </Typography>
                ))}
              </Flex>
            </Td>
            <Td>
              <Flex direction="column" alignItems="flex-start" gap={1}>
                <Typography data-testid="rule-hits">{rule.hitCount ?? 0}</Typography>
                <Typography variant="pi" textColor="neutral600">
                  {rule.lastHitAt
                    ? t('settings.rules.lastHit', 'Last {date}', { date: date(rule.lastHitAt) })
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
              <RowActions
                name={rule.name}
                editTo={settingsPath('rules', rule.id)}
                onDelete={() => setToDelete(rule)}
              />
            </Td>
          </Tr>
        )}
      </ListTable>
      <ConfirmationDialog item={toDelete} onClose={() => setToDelete(null)} onConfirm={remove}>
        {(rule) => t('settings.rules.deleteConfirm', 'Delete the rule {name}?', { name: rule.name })}
      </ConfirmationDialog>
    </PluginPage>
  );
};

export default listWithEditor(RuleList, RuleEditor);
