/**
 * Database indexes that Strapi's schema format cannot express. The unique one on receipts is what makes "exactly
 * once" hold even if two importers race for the same message: the second insert fails and its transaction rolls back.
 */
import type { Core } from '@strapi/strapi';
import { ensureExactColumns } from './mysql-exact-columns';
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

/**
 * MySQL/MariaDB cannot index a whole `text` column (a key holds at most 3072 bytes, and utf8mb4 takes 4 bytes a
 * character): a plain index there covers the first 191 characters, which finds the same rows for the lookups these
 * indexes serve (equality on an address or a Message-ID), only less selectively past that length. A unique index on a
 * prefix would refuse distinct long values, so none may include a text column.
 */
const MYSQL_TEXT_PREFIX = 191;
const MYSQL_TEXT_TYPES = new Set([
  'tinytext',
  'text',
  'mediumtext',
  'longtext',
  'tinyblob',
  'blob',
  'mediumblob',
  'longblob',
]);

type Knex = Core.Strapi['db']['connection'];

/** MySQL: the columns of `table` that can be indexed only by a prefix. */
async function mysqlTextColumns(knex: Knex, table: string): Promise<Set<string>> {
  const rows = (await knex('information_schema.columns')
    .select({ name: 'column_name', type: 'data_type' })
    .whereRaw('table_schema = database()')
    .andWhere('table_name', table)) as Array<{ name: string; type: string }>;
  return new Set(rows.filter((row) => MYSQL_TEXT_TYPES.has(row.type.toLowerCase())).map((row) => row.name));
}

/** MySQL has no `CREATE INDEX IF NOT EXISTS` (MariaDB has): ask the catalogue first. */
async function mysqlIndexExists(knex: Knex, table: string, name: string): Promise<boolean> {
  const found = await knex('information_schema.statistics')
    .first('index_name')
    .whereRaw('table_schema = database()')
    .andWhere({ table_name: table, index_name: name });
  return found !== undefined;
}

export async function ensureIndexes(strapi: Core.Strapi): Promise<void> {
  // First the collations, so the indexes are built once, on the final columns.
  await ensureExactColumns(strapi);
  const knex = strapi.db.connection;
  const mysql = strapi.db.dialect.client === 'mysql';
  const q = (name: string) => knex.raw('??', [name]).toQuery();
  for (const spec of INDEXES) {
    const meta = strapi.db.metadata.get(spec.uid as never);
    const columns = spec.attributes.map((attribute) => {
      const column = (meta.attributes[attribute] as { columnName?: string } | undefined)?.columnName;
      if (!column) throw new Error(`email-piping: ${spec.uid} has no column for "${attribute}"`);
      return column;
    });
    let keyParts = columns.map(q);
    if (mysql) {
      if (await mysqlIndexExists(knex, meta.tableName, spec.name)) continue;
      const text = await mysqlTextColumns(knex, meta.tableName);
      if (spec.unique && columns.some((column) => text.has(column)))
        throw new Error(`email-piping: unique index ${spec.name} on a text column cannot be built on MySQL`);
      keyParts = columns.map((column) =>
        text.has(column) ? `${q(column)}(${MYSQL_TEXT_PREFIX})` : q(column)
      );
    }
    const ifNotExists = mysql ? '' : 'IF NOT EXISTS ';
    const statement = `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX ${ifNotExists}${q(spec.name)} ON ${q(meta.tableName)} (${keyParts.join(', ')})`;
    try {
      await knex.raw(statement);
    } catch (error) {
      // Another instance starting at the same moment made it between the check and here (ER_DUP_KEYNAME).
      if (!(mysql && (error as { errno?: number }).errno === 1061)) throw error;
    }
  }
}
