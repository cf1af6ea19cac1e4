/**
 * Database indexes that Strapi's schema format cannot express. The unique one on receipts is what makes "exactly
 * once" hold even if two importers race for the same message: the second insert fails and its transaction rolls back.
 */
import type { Core } from '@strapi/strapi';
import { UID } from './uids';

interface IndexSpec {
  uid: string;
  name: string;
  attributes: string[];
  unique: boolean;
}

const INDEXES: IndexSpec[] = [
  {
    uid: UID.receipt,
    name: 'email_piping_receipts_origin_uq',
    attributes: ['mailboxId', 'uidValidity', 'uid'],
    unique: true,
  },
  {
    uid: UID.receipt,
    name: 'email_piping_receipts_sha_idx',
    attributes: ['mailboxId', 'sha256'],
    unique: false,
  },
  {
    uid: UID.receipt,
    name: 'email_piping_receipts_action_idx',
    attributes: ['mailboxId', 'serverAction'],
    unique: false,
  },
  { uid: UID.receipt, name: 'email_piping_receipts_outcome_idx', attributes: ['outcome'], unique: false },
  { uid: UID.message, name: 'email_piping_messages_msgid_idx', attributes: ['messageId'], unique: false },
  { uid: UID.message, name: 'email_piping_messages_from_idx', attributes: ['fromAddress'], unique: false },
  { uid: UID.outbox, name: 'email_piping_outbox_msgid_uq', attributes: ['messageId'], unique: true },
  {
    uid: UID.outbox,
    name: 'email_piping_outbox_due_idx',
    attributes: ['status', 'nextAttemptAt'],
    unique: false,
  },
  {
    uid: UID.outbox,
    name: 'email_piping_outbox_ticket_idx',
    attributes: ['ticketId', 'recipient'],
    unique: false,
  },
  {
    uid: UID.outbox,
    name: 'email_piping_outbox_verp_uq',
    attributes: ['verpToken'],
    unique: true,
  },
  // Rate limits and the circuit breaker count recent automatic mail per recipient and per mailbox.
  {
    uid: UID.outbox,
    name: 'email_piping_outbox_recipient_idx',
    attributes: ['recipient', 'createdAt'],
    unique: false,
  },
  {
    uid: UID.outbox,
    name: 'email_piping_outbox_mailbox_idx',
    attributes: ['mailboxId', 'createdAt'],
    unique: false,
  },
  {
    uid: UID.suppressedAddress,
    name: 'email_piping_suppressed_address_idx',
    attributes: ['address'],
    unique: false,
  },
  { uid: UID.ticket, name: 'email_piping_tickets_number_uq', attributes: ['number'], unique: true },
  { uid: UID.ticket, name: 'email_piping_tickets_status_idx', attributes: ['status'], unique: false },
  // One lease row per mailbox: two instances creating it at once cannot both succeed.
  { uid: UID.importerLease, name: 'email_piping_leases_mailbox_uq', attributes: ['mailboxId'], unique: true },
];

export async function ensureIndexes(strapi: Core.Strapi): Promise<void> {
  const knex = strapi.db.connection;
  for (const spec of INDEXES) {
    const meta = strapi.db.metadata.get(spec.uid as never);
    const columns = spec.attributes.map((attribute) => {
      const column = (meta.attributes[attribute] as { columnName?: string } | undefined)?.columnName;
      if (!column) throw new Error(`email-piping: ${spec.uid} has no column for "${attribute}"`);
      return column;
    });
    const quoted = columns.map((column) => knex.raw('??', [column]).toQuery()).join(', ');
    const statement = `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${knex.raw('??', [spec.name]).toQuery()} ON ${knex.raw('??', [meta.tableName]).toQuery()} (${quoted})`;
    await knex.raw(statement);
  }
}
