/**
 * The ticket's properties next to the thread (status, priority and assignee editable with tickets.reply), and the
 * mail the plugin sent or is about to send for it (the outbox), with each mail's delivery state.
 */
import type { ReactNode } from 'react';
import { useIntl } from 'react-intl';
import {
  Badge,
  Box,
  Divider,
  Field,
  Flex,
  SingleSelect,
  SingleSelectOption,
  Typography,
} from '@strapi/design-system';
import {
  PRIORITIES,
  STATUSES,
  type Assignee,
  type OutboxRow,
  type TicketChange,
  type TicketDetail,
  type TicketPriority,
  type TicketStatus,
} from '../utils/api';
import {
  EVENT_LABELS,
  OUTBOX_LABELS,
  OUTBOX_VARIANTS,
  PRIORITY_LABELS,
  PRIORITY_VARIANTS,
  STATUS_LABELS,
  STATUS_VARIANTS,
} from '../utils/labels';
import { getTranslation } from '../utils/getTranslation';

const Property = ({ label, children }: { label: string; children: ReactNode }) => (
  <Flex direction="column" alignItems="flex-start" gap={1}>
    <Typography variant="sigma" textColor="neutral600">
      {label}
    </Typography>
    {typeof children === 'string' ? <Typography textColor="neutral800">{children}</Typography> : children}
  </Flex>
);

/** The assignee picker's value for "nobody". */
const UNASSIGNED = 'none';

interface TicketSidebarProps {
  ticket: TicketDetail;
  canEdit: boolean;
  saving: boolean;
  /** Who the ticket can be assigned to; null while loading (or when the list could not be read). */
  assignees: Assignee[] | null;
  assigneeName: string | null;
  onUpdate(change: TicketChange): void;
}

export const TicketSidebar = ({
  ticket,
  canEdit,
  saving,
  assignees,
  assigneeName,
  onUpdate,
}: TicketSidebarProps) => {
  const { formatMessage, formatDate } = useIntl();
  const t = (key: string, defaultMessage: string) =>
    formatMessage({ id: getTranslation(key), defaultMessage });
  const date = (value: string | null) =>
    value ? formatDate(value, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
  /** Why a mail did not (yet) arrive: the bounce's status, or the SMTP server's last answer. */
  const deliveryProblem = (row: OutboxRow): string | null => {
    if (row.status === 'bounced') return [row.bounceStatus, date(row.bouncedAt)].filter(Boolean).join(' · ');
    if (row.status === 'failed' || (row.status === 'queued' && row.attempts > 0)) {
      return [
        formatMessage(
          {
            id: getTranslation('outbox.attempts'),
            defaultMessage: '{count, plural, one {# attempt} other {# attempts}}',
          },
          { count: row.attempts }
        ),
        row.lastResponse,
      ]
        .filter(Boolean)
        .join(' · ');
    }
    return null;
  };
  const cc = (ticket.cc ?? []).map((entry) => entry.address).filter(Boolean) as string[];
  // The current assignee stays choosable even when no longer assignable (deactivated, role changed).
  const assigneeOptions = [...(assignees ?? [])];
  if (ticket.assigneeId !== null && !assigneeOptions.some((user) => user.id === ticket.assigneeId)) {
    assigneeOptions.push({ id: ticket.assigneeId, name: assigneeName ?? `#${ticket.assigneeId}`, email: '' });
  }

  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Box background="neutral0" padding={4} hasRadius shadow="tableShadow">
        <Flex direction="column" alignItems="stretch" gap={4}>
          {canEdit ? (
            <>
              <Field.Root
                name="status"
                hint={t('ticket.status.hint', 'Resolving or closing a ticket mails the customer.')}
              >
                <Field.Label>{t('ticket.status', 'Status')}</Field.Label>
                <SingleSelect
                  value={ticket.status}
                  disabled={saving}
                  onChange={(value) => onUpdate({ status: String(value) as TicketStatus })}
                >
                  {STATUSES.map((status) => (
                    <SingleSelectOption key={status} value={status}>
                      {formatMessage(STATUS_LABELS[status])}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
                <Field.Hint />
              </Field.Root>
              <Field.Root name="priority">
                <Field.Label>{t('ticket.priority', 'Priority')}</Field.Label>
                <SingleSelect
                  value={ticket.priority}
                  disabled={saving}
                  onChange={(value) => onUpdate({ priority: String(value) as TicketPriority })}
                >
                  {PRIORITIES.map((priority) => (
                    <SingleSelectOption key={priority} value={priority}>
                      {formatMessage(PRIORITY_LABELS[priority])}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
              </Field.Root>
              <Field.Root
                name="assigneeId"
                hint={t('ticket.assignee.hint', 'Admin users who may read tickets can be assigned.')}
              >
                <Field.Label>{t('ticket.assignee', 'Assignee')}</Field.Label>
                <SingleSelect
                  value={ticket.assigneeId === null ? UNASSIGNED : String(ticket.assigneeId)}
                  disabled={saving || assignees === null}
                  onChange={(value) => onUpdate({ assigneeId: value === UNASSIGNED ? null : Number(value) })}
                >
                  <SingleSelectOption value={UNASSIGNED}>
                    {t('ticket.unassigned', 'Unassigned')}
                  </SingleSelectOption>
                  {assigneeOptions.map((user) => (
                    <SingleSelectOption key={user.id} value={String(user.id)}>
                      {user.name}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
                <Field.Hint />
              </Field.Root>
            </>
          ) : (
            <Flex gap={6}>
              <Property label={t('ticket.status', 'Status')}>
                <Badge variant={STATUS_VARIANTS[ticket.status]}>
                  {formatMessage(STATUS_LABELS[ticket.status])}
                </Badge>
              </Property>
              <Property label={t('ticket.priority', 'Priority')}>
                <Badge variant={PRIORITY_VARIANTS[ticket.priority]}>
                  {formatMessage(PRIORITY_LABELS[ticket.priority])}
                </Badge>
              </Property>
            </Flex>
          )}
          {canEdit ? null : (
            <Property label={t('ticket.assignee', 'Assignee')}>
              {assigneeName ?? t('ticket.unassigned', 'Unassigned')}
            </Property>
          )}
          <Divider />
          <Property label={t('ticket.requester', 'Requester')}>
            <Flex direction="column" alignItems="flex-start">
              {ticket.requesterName ? (
                <Typography textColor="neutral800">{ticket.requesterName}</Typography>
              ) : null}
              <Typography textColor={ticket.requesterName ? 'neutral600' : 'neutral800'} variant="pi">
                {ticket.requesterEmail ?? '—'}
              </Typography>
            </Flex>
          </Property>
          {cc.length > 0 ? <Property label={t('ticket.cc', 'CC')}>{cc.join(', ')}</Property> : null}
          <Property label={t('ticket.mailbox', 'Mailbox')}>{ticket.mailbox?.name ?? '—'}</Property>
          {ticket.language ? (
            <Property label={t('ticket.language', 'Language')}>{ticket.language}</Property>
          ) : null}
          {ticket.category ? (
            <Property label={t('ticket.category', 'Category')}>{ticket.category}</Property>
          ) : null}
          {ticket.tags && ticket.tags.length > 0 ? (
            <Property label={t('ticket.tags', 'Tags')}>
              <Flex gap={1} wrap="wrap">
                {ticket.tags.map((tag) => (
                  <Badge key={tag} size="S">
                    {tag}
                  </Badge>
                ))}
              </Flex>
            </Property>
          ) : null}
          <Property label={t('ticket.createdAt', 'Created')}>{date(ticket.createdAt)}</Property>
          <Property label={t('ticket.lastMessageAt', 'Last message')}>{date(ticket.lastMessageAt)}</Property>
        </Flex>
      </Box>

      <Box
        background="neutral0"
        padding={4}
        hasRadius
        shadow="tableShadow"
        tag="section"
        aria-labelledby="ep-outbox"
      >
        <Flex direction="column" alignItems="stretch" gap={3}>
          <Typography id="ep-outbox" variant="delta" tag="h2">
            {t('outbox.title', 'Outgoing mail')}
          </Typography>
          {ticket.outbox.length === 0 ? (
            <Typography variant="pi" textColor="neutral600">
              {t('outbox.empty', 'No mail sent for this ticket yet.')}
            </Typography>
          ) : (
            <Flex tag="ul" direction="column" alignItems="stretch" gap={3}>
              {ticket.outbox.map((row: OutboxRow) => (
                <Flex
                  tag="li"
                  key={row.id}
                  data-outbox-status={row.status}
                  direction="column"
                  alignItems="flex-start"
                  gap={1}
                >
                  <Flex gap={2} wrap="wrap">
                    <Badge size="S" variant={OUTBOX_VARIANTS[row.status] ?? 'neutral'}>
                      {OUTBOX_LABELS[row.status] ? formatMessage(OUTBOX_LABELS[row.status]) : row.status}
                    </Badge>
                    <Typography variant="omega" fontWeight="semiBold">
                      {EVENT_LABELS[row.event] ? formatMessage(EVENT_LABELS[row.event]) : row.event}
                    </Typography>
                  </Flex>
                  <Typography variant="pi" textColor="neutral700">
                    {formatMessage(
                      { id: getTranslation('outbox.recipient'), defaultMessage: 'To {recipient}' },
                      { recipient: row.recipient }
                    )}
                    {' · '}
                    {date(row.sentAt ?? row.createdAt)}
                  </Typography>
                  {deliveryProblem(row) ? (
                    <Typography variant="pi" textColor="danger600" style={{ overflowWrap: 'anywhere' }}>
                      {deliveryProblem(row)}
                    </Typography>
                  ) : null}
                </Flex>
              ))}
            </Flex>
          )}
        </Flex>
      </Box>
    </Flex>
  );
};
