/**
 * The ticket vocabulary both the server and the admin speak. Declared once here: the rule engine validates actions
 * against these lists, the admin API refuses other values, and the admin's pickers offer exactly these options.
 */
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof STATUSES)[number];
