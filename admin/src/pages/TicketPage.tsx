/**
 * One ticket (`/plugins/email-piping/tickets/:id`): the whole thread in order, the properties, the outbox, and with
 * tickets.reply the reply / note box and status, priority and assignee changes.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useIntl } from 'react-intl';
import { useParams } from 'react-router-dom';
import {
  BackButton,
  Layouts,
  Page,
  useAPIErrorHandler,
  useFetchClient,
  useNotification,
} from '@strapi/strapi/admin';
import { Badge, Flex, Grid, Typography } from '@strapi/design-system';
import { Composer } from '../components/Composer';
import { ThreadMessage } from '../components/ThreadMessage';
import { TicketSidebar } from '../components/TicketSidebar';
import { useAssignees } from '../hooks/useAssignees';
import { useTicketPermissions } from '../hooks/useTicketPermissions';
import type { TicketChange, TicketDetail, TicketStatus } from '../utils/api';
import { PRIORITY_LABELS, PRIORITY_VARIANTS, STATUS_LABELS, STATUS_VARIANTS } from '../utils/labels';
import { getTranslation } from '../utils/getTranslation';
import { PLUGIN_ID } from '../pluginId';

/** While mail of the ticket waits in the outbox, the page looks again this often (and at most this many times). */
const OUTBOX_POLL_MS = 1500;
const OUTBOX_POLLS = 40;

export const TicketPage = () => {
  const { id } = useParams<{ id: string }>();
  const { formatMessage } = useIntl();
  const { get, post, put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { formatAPIError } = useAPIErrorHandler();
  const permissions = useTicketPermissions();
  const { assignees, userName } = useAssignees(permissions.canReadUsers);
  const [ticket, setTicket] = useState<TicketDetail | null>(null);
  const [failed, setFailed] = useState<'missing' | 'error' | null>(null);
  const [saving, setSaving] = useState(false);
  const polls = useRef(0);

  const load = useCallback(async () => {
    try {
      const { data } = await get<{ data: TicketDetail }>(`/${PLUGIN_ID}/tickets/${id}`);
      setTicket(data.data);
      setFailed(null);
    } catch (error) {
      const status = (error as { status?: number }).status;
      setFailed(status === 404 || status === 400 ? 'missing' : 'error');
    }
  }, [get, id]);

  useEffect(() => {
    polls.current = 0;
    setTicket(null);
    void load();
  }, [load]);

  // Follow queued mail until the outbox has sent (or given up on) it.
  const waiting = ticket?.outbox.some((row) => row.status === 'queued') ?? false;
  useEffect(() => {
    if (!waiting || polls.current >= OUTBOX_POLLS) return;
    const timer = setTimeout(() => {
      polls.current += 1;
      void load();
    }, OUTBOX_POLL_MS);
    return () => clearTimeout(timer);
  }, [waiting, ticket, load]);

  const fail = (error: unknown) =>
    toggleNotification({
      type: 'danger',
      message: formatAPIError(error as Parameters<typeof formatAPIError>[0]),
    });

  const reply = async (text: string, status: TicketStatus) => {
    try {
      const { data } = await post<{ data: { queued: number } }>(`/${PLUGIN_ID}/tickets/${id}/reply`, {
        text,
        status,
      });
      toggleNotification({
        type: 'success',
        message: formatMessage(
          {
            id: getTranslation('notification.replyQueued'),
            defaultMessage: 'Reply queued for {count, plural, one {# recipient} other {# recipients}}.',
          },
          { count: data.data.queued }
        ),
      });
      polls.current = 0;
      await load();
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  };

  const addNote = async (text: string) => {
    try {
      await post(`/${PLUGIN_ID}/tickets/${id}/notes`, { text });
      toggleNotification({
        type: 'success',
        message: formatMessage({
          id: getTranslation('notification.noteAdded'),
          defaultMessage: 'Note added.',
        }),
      });
      await load();
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  };

  const update = async (change: TicketChange) => {
    if (!ticket) return;
    const fields = Object.keys(change) as Array<keyof TicketChange>;
    if (fields.every((field) => change[field] === ticket[field])) return;
    setSaving(true);
    try {
      const { data } = await put<{ data: { queued: number } }>(`/${PLUGIN_ID}/tickets/${id}`, change);
      toggleNotification({
        type: 'success',
        message:
          data.data.queued > 0
            ? formatMessage(
                {
                  id: getTranslation('notification.updatedAndMailed'),
                  defaultMessage:
                    'Ticket updated. {count, plural, one {# mail} other {# mails}} queued for the customer.',
                },
                { count: data.data.queued }
              )
            : formatMessage({
                id: getTranslation('notification.updated'),
                defaultMessage: 'Ticket updated.',
              }),
      });
      polls.current = 0;
      await load();
    } catch (error) {
      fail(error);
    } finally {
      setSaving(false);
    }
  };

  if (failed === 'missing') {
    return (
      <Page.Main>
        <Layouts.Header
          navigationAction={<BackButton fallback={`/plugins/${PLUGIN_ID}`} />}
          title={formatMessage({ id: getTranslation('ticket.notFound'), defaultMessage: 'Ticket not found' })}
        />
        <Layouts.Content>
          <Page.NoData />
        </Layouts.Content>
      </Page.Main>
    );
  }
  if (failed === 'error') return <Page.Error />;
  if (!ticket || permissions.isLoading) return <Page.Loading />;

  const subject =
    ticket.subject ||
    formatMessage({ id: getTranslation('ticket.noSubject'), defaultMessage: '(no subject)' });
  const recipients = [ticket.requesterEmail, ...(ticket.cc ?? []).map((entry) => entry.address)].filter(
    (address): address is string => Boolean(address)
  );

  return (
    <Page.Main>
      <Page.Title>{`#${ticket.number} ${subject}`}</Page.Title>
      <Layouts.Header
        navigationAction={<BackButton fallback={`/plugins/${PLUGIN_ID}`} />}
        title={`#${ticket.number} ${subject}`}
        subtitle={
          <Flex gap={2} wrap="wrap" paddingTop={1}>
            <Badge variant={STATUS_VARIANTS[ticket.status]}>
              {formatMessage(STATUS_LABELS[ticket.status])}
            </Badge>
            <Badge variant={PRIORITY_VARIANTS[ticket.priority]}>
              {formatMessage(PRIORITY_LABELS[ticket.priority])}
            </Badge>
            <Typography variant="epsilon" textColor="neutral600">
              {[ticket.requesterName, ticket.requesterEmail].filter(Boolean).join(' · ')}
            </Typography>
          </Flex>
        }
      />
      <Layouts.Content>
        <Grid.Root gap={6}>
          <Grid.Item col={8} s={12} direction="column" alignItems="stretch">
            <Flex
              tag="section"
              aria-label={formatMessage({
                id: getTranslation('ticket.thread'),
                defaultMessage: 'Conversation',
              })}
              direction="column"
              alignItems="stretch"
              gap={4}
            >
              {ticket.messages.map((message) => (
                <ThreadMessage key={message.id} message={message} userName={userName} />
              ))}
              {permissions.canReply ? (
                <Composer
                  ticketStatus={ticket.status}
                  recipients={recipients}
                  onReply={reply}
                  onNote={addNote}
                />
              ) : null}
            </Flex>
          </Grid.Item>
          <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
            <TicketSidebar
              ticket={ticket}
              canEdit={permissions.canReply}
              saving={saving}
              assignees={assignees}
              assigneeName={userName(ticket.assigneeId)}
              onUpdate={update}
            />
          </Grid.Item>
        </Grid.Root>
      </Layouts.Content>
    </Page.Main>
  );
};
