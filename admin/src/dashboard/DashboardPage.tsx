/**
 * The support dashboard (`/plugins/email-piping/dashboard`, tickets.read): tickets created per day and mailbox,
 * automatic mail recognised per day and kind, and loops stopped (automatic mail held back) per day, from
 * `GET /stats?days=N`. Days are UTC calendar days, as the server counts them.
 */
import { useState } from 'react';
import { useIntl } from 'react-intl';
import { Page } from '@strapi/strapi/admin';
import { Box, Flex, Grid, SingleSelect, SingleSelectOption, Field, Typography } from '@strapi/design-system';
import { PERMISSIONS } from '../utils/permissions';
import { queryString } from '../utils/queryString';
import { AUTOMATIC_KINDS, type Stats } from '../../../contracts/api';
import { BASE } from '../settings/api';
import { GridCell } from '../settings/components/fields';
import { PluginPage } from '../settings/components/PluginPage';
import { useApiData } from '../settings/hooks/useApiData';
import { useT } from '../settings/useT';
import { DayChart, type Series } from './charts';

const READ_TICKETS = PERMISSIONS.readTickets;
const RANGES = [7, 30, 90];

const Card = ({ title, children }: { title: string; children: React.ReactNode }) => (
  <Box
    tag="section"
    aria-label={title}
    background="neutral0"
    hasRadius
    shadow="tableShadow"
    padding={6}
    height="100%"
  >
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Typography variant="delta" tag="h2">
        {title}
      </Typography>
      {children}
    </Flex>
  </Box>
);

const Total = ({ label, value, testId }: { label: string; value: number; testId: string }) => {
  const { formatNumber } = useIntl();
  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={5} height="100%">
      <Flex direction="column" alignItems="flex-start" gap={1}>
        <Typography variant="sigma" textColor="neutral600">
          {label}
        </Typography>
        <Typography variant="alpha" tag="p" data-testid={testId}>
          {formatNumber(value)}
        </Typography>
      </Flex>
    </Box>
  );
};

const Dashboard = () => {
  const t = useT();
  const [days, setDays] = useState(30);
  const { data: stats, error } = useApiData<Stats>(`${BASE}/stats?${queryString({ days })}`);

  if (error) return <Page.Error />;
  if (!stats) return <Page.Loading />;

  const kindLabels: Record<(typeof AUTOMATIC_KINDS)[number], string> = {
    'auto-reply': t('dashboard.kind.autoReply', 'Auto-replies'),
    'out-of-office': t('dashboard.kind.outOfOffice', 'Out of office'),
    bounce: t('dashboard.kind.bounce', 'Bounces'),
    'read-receipt': t('dashboard.kind.readReceipt', 'Read receipts'),
    list: t('dashboard.kind.list', 'Mailing lists'),
    'own-mail': t('dashboard.kind.ownMail', 'Own mail come back'),
    automatic: t('dashboard.kind.automatic', 'Other automatic mail'),
  };
  const ticketSeries: Series[] = stats.ticketsByMailbox.map((row) => ({
    key: String(row.mailboxId ?? 'none'),
    label: row.name ?? t('dashboard.noMailbox', 'No mailbox'),
    values: row.counts,
  }));
  const automaticSeries: Series[] = AUTOMATIC_KINDS.map((kind) => ({
    key: kind,
    label: kindLabels[kind],
    values: stats.automatic[kind] ?? [],
  }));
  const loopSeries: Series[] = [
    {
      key: 'loops',
      label: t('dashboard.loops.series', 'Automatic mail held back'),
      values: stats.loopsStopped,
    },
  ];
  const common = {
    days: stats.days,
    tableLabel: t('dashboard.showTable', 'Show the figures as a table'),
    dayLabel: t('dashboard.day', 'Day'),
    totalLabel: t('dashboard.total', 'Total'),
  };

  const totals = [
    {
      label: t('dashboard.total.tickets', 'Tickets created'),
      value: stats.totals.tickets,
      testId: 'total-tickets',
    },
    {
      label: t('dashboard.total.automatic', 'Automatic mail recognised'),
      value: stats.totals.automatic,
      testId: 'total-automatic',
    },
    {
      label: t('dashboard.total.loops', 'Loops stopped'),
      value: stats.totals.loopsStopped,
      testId: 'total-loops',
    },
  ];

  return (
    <PluginPage
      title={t('dashboard.title', 'Support dashboard')}
      subtitle={t('dashboard.subtitle', 'The last {days} days, by UTC day.', { days })}
      primaryAction={
        <Box minWidth="200px">
          <Field.Root name="days">
            <Field.Label>{t('dashboard.range', 'Period')}</Field.Label>
            <SingleSelect value={String(days)} onChange={(value: string | number) => setDays(Number(value))}>
              {RANGES.map((range) => (
                <SingleSelectOption key={range} value={String(range)}>
                  {t('dashboard.rangeDays', '{days} days', { days: range })}
                </SingleSelectOption>
              ))}
            </SingleSelect>
          </Field.Root>
        </Box>
      }
    >
      <Flex direction="column" alignItems="stretch" gap={6}>
        <Grid.Root gap={4}>
          {totals.map((total) => (
            <GridCell key={total.testId} col={4}>
              <Total {...total} />
            </GridCell>
          ))}
        </Grid.Root>
        <Card title={t('dashboard.tickets.title', 'Tickets created per day')}>
          {ticketSeries.length === 0 ? (
            <Typography textColor="neutral600">
              {t('dashboard.tickets.empty', 'No ticket was created in this period.')}
            </Typography>
          ) : null}
          <DayChart
            {...common}
            testId="chart-tickets"
            kind="stacked-bars"
            series={ticketSeries}
            title={t('dashboard.tickets.chart', 'Tickets created per day, stacked by mailbox')}
            description={t(
              'dashboard.tickets.desc',
              '{total} tickets in {days} days across {mailboxes} mailboxes.',
              { total: stats.totals.tickets, days: stats.days.length, mailboxes: ticketSeries.length }
            )}
          />
        </Card>
        <Card title={t('dashboard.automatic.title', 'Automatic mail recognised per day')}>
          <DayChart
            {...common}
            testId="chart-automatic"
            kind="lines"
            series={automaticSeries}
            title={t('dashboard.automatic.chart', 'Automatic mail recognised per day, one line per kind')}
            description={t(
              'dashboard.automatic.desc',
              '{total} automatic mails in {days} days: auto-replies, out-of-office notes, bounces, read receipts, mailing lists, our own mail and other automatic mail.',
              { total: stats.totals.automatic, days: stats.days.length }
            )}
          />
        </Card>
        <Card title={t('dashboard.loops.title', 'Loops stopped per day')}>
          <Typography variant="pi" textColor="neutral600">
            {t(
              'dashboard.loops.hint',
              'Automatic mail the help desk held back to stop a mail loop (limits per recipient and the circuit breaker).'
            )}
          </Typography>
          <DayChart
            {...common}
            testId="chart-loops"
            kind="stacked-bars"
            series={loopSeries}
            title={t('dashboard.loops.chart', 'Loops stopped per day')}
            description={t('dashboard.loops.desc', '{total} automatic mails held back in {days} days.', {
              total: stats.totals.loopsStopped,
              days: stats.days.length,
            })}
          />
        </Card>
      </Flex>
    </PluginPage>
  );
};

const DashboardPage = () => (
  <Page.Protect permissions={READ_TICKETS}>
    <Dashboard />
  </Page.Protect>
);

export default DashboardPage;
