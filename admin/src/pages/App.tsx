/**
 * A first tickets page: the list the importer fills. The full ticket view, reply box and settings panels come with
 * the admin-panels issue; this page proves the admin entry, RBAC and the API end to end.
 */
import { useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { Page, Layouts, useFetchClient } from '@strapi/strapi/admin';
import { Table, Thead, Tbody, Tr, Th, Td, Typography, Badge } from '@strapi/design-system';

interface TicketRow {
  id: number;
  number: number;
  subject: string | null;
  status: string;
  priority: string;
  requesterEmail: string | null;
  createdAt: string;
}

const TicketsPage = () => {
  const { formatMessage } = useIntl();
  const { get } = useFetchClient();
  const [tickets, setTickets] = useState<TicketRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    get('/email-piping/tickets?pageSize=50')
      .then(({ data }) => setTickets((data as { data: { results: TicketRow[] } }).data.results))
      .catch((e: Error) => setError(e.message));
  }, [get]);

  const title = formatMessage({ id: 'email-piping.tickets.title', defaultMessage: 'Tickets' });
  if (error) return <Page.Error />;
  if (!tickets) return <Page.Loading />;
  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <Layouts.Header title={title} />
      <Layouts.Content>
        {tickets.length === 0 ? (
          <Typography>
            {formatMessage({ id: 'email-piping.tickets.empty', defaultMessage: 'No tickets yet' })}
          </Typography>
        ) : (
          <Table colCount={5} rowCount={tickets.length}>
            <Thead>
              <Tr>
                <Th>
                  <Typography variant="sigma">#</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Subject</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Requester</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Status</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Priority</Typography>
                </Th>
              </Tr>
            </Thead>
            <Tbody>
              {tickets.map((ticket) => (
                <Tr key={ticket.id}>
                  <Td>
                    <Typography>{ticket.number}</Typography>
                  </Td>
                  <Td>
                    <Typography>{ticket.subject}</Typography>
                  </Td>
                  <Td>
                    <Typography>{ticket.requesterEmail}</Typography>
                  </Td>
                  <Td>
                    <Badge>{ticket.status}</Badge>
                  </Td>
                  <Td>
                    <Typography>{ticket.priority}</Typography>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
      </Layouts.Content>
    </Page.Main>
  );
};

const App = () => (
  <Page.Protect permissions={[{ action: 'plugin::email-piping.tickets.read', subject: null }]}>
    <TicketsPage />
  </Page.Protect>
);

export default App;
export { App };
