/**
 * The plugin's admin pages under `/plugins/email-piping`: the tickets list and one ticket. Both need tickets.read
 * (the menu link asks for it too); the server checks every route again.
 */
import { Route, Routes } from 'react-router-dom';
import { Page } from '@strapi/strapi/admin';
import { PERMISSIONS } from '../utils/permissions';
import { TicketPage } from './TicketPage';
import { TicketsListPage } from './TicketsListPage';

const App = () => (
  <Page.Protect permissions={PERMISSIONS.readTickets}>
    <Routes>
      <Route index element={<TicketsListPage />} />
      <Route path="tickets/:id" element={<TicketPage />} />
      <Route path="*" element={<Page.NoData />} />
    </Routes>
  </Page.Protect>
);

export default App;
export { App };
