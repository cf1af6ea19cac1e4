/**
 * The tickets list (`/plugins/email-piping`): status tabs with counts, search, priority / mailbox / assignee filters,
 * sortable columns and paging. Every choice lives in the URL (like Strapi's own list views), so reload and back keep
 * it; `assignee=me` stays "mine" for whoever opens the link.
 */
import { useEffect, useMemo, useState } from 'react';
import { useIntl } from 'react-intl';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import {
  Layouts,
  Page,
  Pagination,
  SearchInput,
  Table,
  useFetchClient,
  useQueryParams,
  withEncodedUserParams,
} from '@strapi/strapi/admin';
import { Badge, Flex, Link, SingleSelect, SingleSelectOption, Tabs, Typography } from '@strapi/design-system';
import { useAssignees } from '../hooks/useAssignees';
import { useTicketPermissions } from '../hooks/useTicketPermissions';
import {
  PRIORITIES,
  STATUSES,
  type MailboxView,
  type TicketList,
  type TicketRow,
  type TicketStatus,
} from '../utils/api';
import { PRIORITY_LABELS, PRIORITY_VARIANTS, STATUS_LABELS, STATUS_VARIANTS } from '../utils/labels';
import { getTranslation } from '../utils/getTranslation';
import { queryString } from '../utils/queryString';
import { PLUGIN_ID } from '../pluginId';

const DEFAULT_PAGE_SIZE = 25;
/** The "no filter" option of the filter selects. */
const ALL = 'all';
const SORTABLE = ['number', 'subject', 'status', 'priority', 'lastMessageAt', 'createdAt'];

interface ListQuery {
  page?: string;
  pageSize?: string;
  sort?: string;
  _q?: string;
  status?: string;
  priority?: string;
  mailbox?: string;
  /** An admin user id, `me` or `none` (unassigned), as the API takes it. */
  assignee?: string;
}

/** Strapi's table header writes `field:ASC`; the plugin's API reads `field:asc`. */
function apiSort(sort: string | undefined): string {
  const [field, direction = 'DESC'] = (sort ?? '').split(':');
  if (!SORTABLE.includes(field)) return 'number:desc';
  return `${field}:${direction.toUpperCase() === 'ASC' ? 'asc' : 'desc'}`;
}

export const TicketsListPage = () => {
  const { formatMessage, formatDate } = useIntl();
  const navigate = useNavigate();
  const { get } = useFetchClient();
  const [{ query }, setQuery] = useQueryParams<ListQuery>();
  const permissions = useTicketPermissions();
  const { assignees, userName } = useAssignees(permissions.canReadUsers);
  const [list, setList] = useState<TicketList | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(false);
  const [mailboxes, setMailboxes] = useState<MailboxView[] | null>(null);

  const t = (key: string, defaultMessage: string) =>
    formatMessage({ id: getTranslation(key), defaultMessage });

  const status = STATUSES.includes(query.status as TicketStatus) ? (query.status as TicketStatus) : undefined;
  const params = useMemo(() => {
    const values: Record<string, string | undefined> = {
      page: query.page ?? '1',
      pageSize: query.pageSize ?? String(DEFAULT_PAGE_SIZE),
      sort: apiSort(query.sort),
      status,
      priority: query.priority || undefined,
      mailbox: query.mailbox || undefined,
      assignee: query.assignee || undefined,
      q: query._q || undefined,
    };
    // Encoded here: the fetch client appends `params` objects without encoding (`#3` would become a fragment).
    return queryString(values);
  }, [
    query.page,
    query.pageSize,
    query.sort,
    status,
    query.priority,
    query.mailbox,
    query.assignee,
    query._q,
  ]);
  const filtered = Boolean(query._q || query.priority || query.mailbox || query.assignee || status);

  useEffect(() => {
    let current = true;
    setLoading(true);
    get<{ data: TicketList }>(`/${PLUGIN_ID}/tickets`, { params })
      .then(({ data }) => {
        if (!current) return;
        setList(data.data);
        setError(false);
      })
      .catch(() => current && setError(true))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [get, params]);

  // The mailbox filter needs the settings permission (GET /mailboxes); without it (or on a 403) it is not shown.
  useEffect(() => {
    if (!permissions.canManageSettings) return;
    let current = true;
    get<{ data: MailboxView[] }>(`/${PLUGIN_ID}/mailboxes`)
      .then(({ data }) => current && setMailboxes(data.data))
      .catch(() => current && setMailboxes(null));
    return () => {
      current = false;
    };
  }, [get, permissions.canManageSettings]);

  const setFilter = (next: Partial<ListQuery>) =>
    setQuery(withEncodedUserParams(query, { ...next, page: '1' }) as ListQuery);

  const title = t('tickets.title', 'Tickets');
  if (error && !list) return <Page.Error />;
  if (!list) return <Page.Loading />;

  const counts = list.counts;
  const all = STATUSES.reduce((sum, key) => sum + (counts[key] ?? 0), 0);
  const headers: Array<Table.Header<TicketRow, object>> = [
    { name: 'number', label: '#', sortable: true },
    { name: 'subject', label: t('tickets.column.subject', 'Subject'), sortable: true },
    { name: 'requester', label: t('tickets.column.requester', 'Requester') },
    { name: 'mailbox', label: t('tickets.column.mailbox', 'Mailbox') },
    { name: 'status', label: t('tickets.column.status', 'Status'), sortable: true },
    { name: 'priority', label: t('tickets.column.priority', 'Priority'), sortable: true },
    { name: 'assignee', label: t('tickets.column.assignee', 'Assignee') },
    { name: 'lastMessageAt', label: t('tickets.column.lastMessageAt', 'Last message'), sortable: true },
  ];
  const date = (value: string | null) =>
    value ? formatDate(value, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
  // A filter on someone no longer assignable (a link from before they left) still shows who it is.
  const assigneeOptions = (assignees ?? []).map((user) => ({ value: String(user.id), label: user.name }));
  const chosenAssignee = query.assignee ?? '';
  if (/^\d+$/.test(chosenAssignee) && !assigneeOptions.some((option) => option.value === chosenAssignee)) {
    assigneeOptions.push({
      value: chosenAssignee,
      label: userName(Number(chosenAssignee)) ?? chosenAssignee,
    });
  }

  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <Layouts.Header
        title={title}
        subtitle={formatMessage(
          {
            id: getTranslation('tickets.subtitle'),
            defaultMessage:
              '{count, plural, =0 {No tickets found} one {# ticket found} other {# tickets found}}',
          },
          { count: list.pagination?.total ?? list.results.length }
        )}
      />
      <Layouts.Action
        startActions={
          <Flex gap={2} wrap="wrap">
            <SearchInput
              label={t('tickets.search.label', 'Search tickets')}
              placeholder={t('tickets.search.placeholder', 'Subject, requester or #number')}
            />
            {/* Each filter's first option ("All …") lifts it: one click, and the URL forgets the filter. */}
            <SingleSelect
              aria-label={t('tickets.filter.priority', 'Priority')}
              size="S"
              value={query.priority ?? ALL}
              onChange={(value) => setFilter({ priority: value === ALL ? undefined : String(value) })}
            >
              <SingleSelectOption value={ALL}>
                {t('tickets.filter.priority.all', 'All priorities')}
              </SingleSelectOption>
              {PRIORITIES.map((priority) => (
                <SingleSelectOption key={priority} value={priority}>
                  {formatMessage(PRIORITY_LABELS[priority])}
                </SingleSelectOption>
              ))}
            </SingleSelect>
            {mailboxes && mailboxes.length > 0 ? (
              <SingleSelect
                aria-label={t('tickets.filter.mailbox', 'Mailbox')}
                size="S"
                value={query.mailbox ?? ALL}
                onChange={(value) => setFilter({ mailbox: value === ALL ? undefined : String(value) })}
              >
                <SingleSelectOption value={ALL}>
                  {t('tickets.filter.mailbox.all', 'All mailboxes')}
                </SingleSelectOption>
                {mailboxes.map((mailbox) => (
                  <SingleSelectOption key={mailbox.id} value={String(mailbox.id)}>
                    {mailbox.name}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
            ) : null}
            <SingleSelect
              aria-label={t('tickets.filter.assignee', 'Assignee')}
              size="S"
              value={query.assignee ?? ALL}
              onChange={(value) => setFilter({ assignee: value === ALL ? undefined : String(value) })}
            >
              <SingleSelectOption value={ALL}>
                {t('tickets.filter.assignee.anyone', 'Anyone')}
              </SingleSelectOption>
              <SingleSelectOption value="me">{t('tickets.filter.assignee.me', 'Me')}</SingleSelectOption>
              <SingleSelectOption value="none">
                {t('tickets.filter.assignee.none', 'Unassigned')}
              </SingleSelectOption>
              {assigneeOptions.map((option) => (
                <SingleSelectOption key={option.value} value={option.value}>
                  {option.label}
                </SingleSelectOption>
              ))}
            </SingleSelect>
          </Flex>
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          <Tabs.Root
            value={status ?? 'all'}
            onValueChange={(value) => setFilter({ status: value === 'all' ? undefined : value })}
          >
            <Tabs.List aria-label={t('tickets.filter.status', 'Status')}>
              <Tabs.Trigger value="all">
                {formatMessage(
                  { id: getTranslation('tickets.tab.all'), defaultMessage: 'All ({count})' },
                  { count: all }
                )}
              </Tabs.Trigger>
              {STATUSES.map((key) => (
                <Tabs.Trigger key={key} value={key}>
                  {`${formatMessage(STATUS_LABELS[key])} (${counts[key] ?? 0})`}
                </Tabs.Trigger>
              ))}
            </Tabs.List>
          </Tabs.Root>
          <Table.Root rows={list.results} headers={headers} isLoading={loading}>
            <Table.Content>
              <Table.Head>
                {headers.map((header) => (
                  <Table.HeaderCell key={header.name} {...header} />
                ))}
              </Table.Head>
              <Table.Loading />
              <Table.Empty
                content={
                  filtered
                    ? t('tickets.empty.filtered', 'No tickets match these filters')
                    : t('tickets.empty', 'No tickets yet')
                }
              />
              <Table.Body>
                {list.results.map((ticket) => {
                  const href = `tickets/${ticket.id}`;
                  return (
                    <Table.Row
                      key={ticket.id}
                      onClick={() => navigate(href)}
                      style={{ cursor: 'pointer' }}
                      data-ticket-number={ticket.number}
                    >
                      <Table.Cell>
                        <Typography textColor="neutral800">{ticket.number}</Typography>
                      </Table.Cell>
                      <Table.Cell maxWidth="32rem">
                        <Link tag={RouterLink} to={href} onClick={(event) => event.stopPropagation()}>
                          {ticket.subject ||
                            formatMessage({
                              id: getTranslation('ticket.noSubject'),
                              defaultMessage: '(no subject)',
                            })}
                        </Link>
                      </Table.Cell>
                      <Table.Cell>
                        <Flex direction="column" alignItems="flex-start">
                          <Typography textColor="neutral800">
                            {ticket.requesterName || ticket.requesterEmail || '—'}
                          </Typography>
                          {ticket.requesterName && ticket.requesterEmail ? (
                            <Typography variant="pi" textColor="neutral600">
                              {ticket.requesterEmail}
                            </Typography>
                          ) : null}
                        </Flex>
                      </Table.Cell>
                      <Table.Cell>
                        <Typography textColor="neutral800">{ticket.mailbox?.name ?? '—'}</Typography>
                      </Table.Cell>
                      <Table.Cell>
                        <Badge variant={STATUS_VARIANTS[ticket.status]}>
                          {formatMessage(STATUS_LABELS[ticket.status])}
                        </Badge>
                      </Table.Cell>
                      <Table.Cell>
                        <Badge variant={PRIORITY_VARIANTS[ticket.priority]}>
                          {formatMessage(PRIORITY_LABELS[ticket.priority])}
                        </Badge>
                      </Table.Cell>
                      <Table.Cell>
                        <Typography textColor="neutral800">{userName(ticket.assigneeId) ?? '—'}</Typography>
                      </Table.Cell>
                      <Table.Cell>
                        <Typography textColor="neutral800">
                          {date(ticket.lastMessageAt ?? ticket.createdAt)}
                        </Typography>
                      </Table.Cell>
                    </Table.Row>
                  );
                })}
              </Table.Body>
            </Table.Content>
          </Table.Root>
          {list.pagination ? (
            <Pagination.Root
              pageCount={list.pagination.pageCount}
              total={list.pagination.total}
              defaultPageSize={DEFAULT_PAGE_SIZE}
            >
              <Pagination.PageSize options={['10', '25', '50', '100']} />
              <Pagination.Links />
            </Pagination.Root>
          ) : null}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
