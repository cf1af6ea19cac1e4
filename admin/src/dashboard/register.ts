/**
 * The support dashboard gets a main-menu entry of its own at `/plugins/email-piping/dashboard`: its figures are about
 * tickets (tickets.read, like the tickets list), not settings, so agents who may not touch settings see it too. React
 * Router ranks this longer path above the tickets page's `plugins/email-piping/*`.
 */
import { ChartPie } from '@strapi/icons';
import { PLUGIN_ID } from '../pluginId';
import { PERMISSIONS } from '../utils/permissions';

interface MenuApp {
  addMenuLink(link: unknown): void;
}

export function registerDashboard(app: MenuApp): void {
  app.addMenuLink({
    to: `plugins/${PLUGIN_ID}/dashboard`,
    icon: ChartPie,
    intlLabel: { id: `${PLUGIN_ID}.dashboard.menu`, defaultMessage: 'Support dashboard' },
    Component: () => import('./DashboardPage'),
    permissions: PERMISSIONS.readTickets,
  });
}
