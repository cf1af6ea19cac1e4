/**
 * Who a ticket can be assigned to: the active admin users who may read tickets (a role holding the plugin's
 * tickets.read action, or the super admin role, which holds every action). Assigning a ticket to someone who cannot
 * open it would hide it from everyone, so the ticket update accepts exactly these users.
 */
import type { Core } from '@strapi/strapi';
import { InputError } from '../errors';
import { ACTIONS } from '../permissions';

export interface Assignee {
  id: number;
  /** "Firstname Lastname", else the username, else the email: how Strapi's admin names its users. */
  name: string;
  email: string;
}

interface AdminUserRow {
  id: number;
  firstname: string | null;
  lastname: string | null;
  username: string | null;
  email: string;
}

function displayName(user: AdminUserRow): string {
  return [user.firstname, user.lastname].filter(Boolean).join(' ') || user.username || user.email;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const query = (uid: string) => strapi.db.query(uid as never);

  /** Roles that may read tickets; re-read on each call, so a role changed in Settings → Roles counts at once. */
  async function ticketReadingRoleIds(): Promise<number[]> {
    const permissions = (await query('admin::permission').findMany({
      where: { action: ACTIONS.readTickets },
      populate: { role: { select: ['id'] } },
    })) as Array<{ role: { id: number } | null }>;
    const superAdmin = (await strapi.service('admin::role').getSuperAdmin()) as { id: number } | null;
    const ids = permissions.map((permission) => permission.role?.id);
    return [...new Set([...ids, superAdmin?.id].filter((id): id is number => typeof id === 'number'))];
  }

  async function findAssignable(where: Record<string, unknown> = {}): Promise<Assignee[]> {
    const users = (await query('admin::user').findMany({
      select: ['id', 'firstname', 'lastname', 'username', 'email'],
      where: {
        ...where,
        isActive: true,
        blocked: { $ne: true },
        roles: { id: { $in: await ticketReadingRoleIds() } },
      },
      orderBy: [{ firstname: 'asc' }, { lastname: 'asc' }, { email: 'asc' }],
    })) as AdminUserRow[];
    return users.map((user) => ({ id: user.id, name: displayName(user), email: user.email }));
  }

  /** Why admin user `id` cannot be assigned tickets, in words an admin can act on; null when they can. */
  async function notAssignableReason(id: number): Promise<string | null> {
    const [assignable] = await findAssignable({ id });
    if (assignable) return null;
    const user = (await query('admin::user').findOne({
      select: ['id', 'firstname', 'lastname', 'username', 'email', 'isActive', 'blocked'],
      where: { id },
    })) as (AdminUserRow & { isActive: boolean; blocked: boolean | null }) | null;
    if (!user) return `admin user #${id} does not exist`;
    const who = `${displayName(user)} (#${id})`;
    if (!user.isActive || user.blocked) return `${who} is not an active admin user`;
    return `${who} may not read tickets (give one of their roles the "Read tickets" permission)`;
  }

  return {
    list: (): Promise<Assignee[]> => findAssignable(),

    /**
     * The `assigneeId` of a ticket update: null unassigns; anything else must name an assignable user. Answers the
     * value to store.
     */
    async parseAssigneeId(value: unknown): Promise<number | null> {
      if (value === null) return null;
      if (!Number.isInteger(value) || (value as number) < 1) {
        throw new InputError('assigneeId: must be an admin user id, or null to unassign', {
          field: 'assigneeId',
        });
      }
      const reason = await notAssignableReason(value as number);
      if (reason) throw new InputError(`assigneeId: ${reason}`, { field: 'assigneeId' });
      return value as number;
    },

    notAssignableReason,
  };
};
