/**
 * The ticket list's query string (`?page=&pageSize=&status=&priority=&mailbox=&assignee=&q=&sort=`), checked and
 * translated.
 */
import { InputError } from '../errors';
import { PRIORITIES, STATUSES } from '../../contracts/ticket';

const SORTABLE = ['number', 'createdAt', 'updatedAt', 'lastMessageAt', 'priority', 'status', 'subject'];
const MAX_PAGE_SIZE = 100;

function single(value: unknown): string | undefined {
  if (Array.isArray(value)) return single(value[0]);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function list(value: unknown, allowed: readonly string[], field: string): string[] | undefined {
  const text = single(value);
  if (!text) return undefined;
  const items = text.split(',').map((item) => item.trim());
  for (const item of items) {
    if (!allowed.includes(item))
      throw new InputError(`${field}: "${item}" is not one of ${allowed.join(', ')}`);
  }
  return items;
}

/**
 * `assignee=<admin user id>`, `assignee=none` (unassigned) or `assignee=me`: the admin user asking, so a saved link
 * "my tickets" works for every agent who opens it.
 */
function assigneeFilter(value: string, requestingUserId: number | undefined): Record<string, unknown> {
  if (value === 'none') return { $null: true };
  if (value === 'me') {
    if (requestingUserId === undefined) throw new InputError('assignee: "me" needs a signed-in admin user');
    return { $eq: requestingUserId };
  }
  if (!/^\d{1,9}$/.test(value)) {
    throw new InputError('assignee: must be an admin user id, "me" or "none" (unassigned)');
  }
  return { $eq: Number(value) };
}

export function parseTicketListQuery(query: Record<string, unknown>, requester: { userId?: number } = {}) {
  const page = Number(single(query.page) ?? 1);
  const pageSize = Number(single(query.pageSize) ?? 25);
  if (!Number.isInteger(page) || page < 1) throw new InputError('page: must be a whole number from 1');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new InputError(`pageSize: must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  const where: Record<string, unknown> = {};
  const statuses = list(query.status, STATUSES, 'status');
  if (statuses) where.status = { $in: statuses };
  const priorities = list(query.priority, PRIORITIES, 'priority');
  if (priorities) where.priority = { $in: priorities };
  const mailbox = single(query.mailbox);
  if (mailbox) {
    if (!/^\d+$/.test(mailbox)) throw new InputError('mailbox: must be a mailbox id');
    where.mailbox = { id: Number(mailbox) };
  }
  const assignee = single(query.assignee);
  if (assignee) where.assigneeId = assigneeFilter(assignee, requester.userId);
  const search = single(query.q);
  let searchWhere: Record<string, unknown> = {};
  if (search) {
    const or: Record<string, unknown>[] = [
      { subject: { $containsi: search } },
      { requesterEmail: { $containsi: search } },
      { requesterName: { $containsi: search } },
    ];
    const number = /^#?(\d{1,9})$/.exec(search);
    if (number) or.push({ number: Number(number[1]) });
    searchWhere = { $or: or };
  }
  const [sortField, sortDirection = 'desc'] = (single(query.sort) ?? 'number:desc').split(':');
  if (!SORTABLE.includes(sortField)) throw new InputError(`sort: must be one of ${SORTABLE.join(', ')}`);
  if (sortDirection !== 'asc' && sortDirection !== 'desc')
    throw new InputError('sort: direction must be asc or desc');
  return {
    page,
    pageSize,
    where,
    searchWhere,
    orderBy: [{ [sortField]: sortDirection }, { id: sortDirection }],
  };
}
