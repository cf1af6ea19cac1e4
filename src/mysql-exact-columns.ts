/**
 * MySQL and MariaDB compare text with the column's collation, and the default utf8mb4 collations are case- and
 * accent-insensitive: there `josé@customer.test` equals `jose@customer.test` and `<ABC@host>` equals `<abc@host>`. The
 * plugin looks mail up by Message-ID (threading, own mail) and by address (who may write into a ticket, suppressions,
 * rate limits), and those lookups must mean the same on every database: SQLite and PostgreSQL compare exactly. So on
 * MySQL these columns get the binary collation of their character set (`utf8mb4_bin`), at each start and only where
 * it is not already so (Strapi's schema sync creates them with the table's default, and does not compare collations).
 */
import type { Core } from '@strapi/strapi';
import { UID } from './uids';

/** Columns compared with `=` / `IN` on mail identifiers (a content type and its attributes). */
export const EXACT_COLUMNS: Array<{ uid: string; attributes: string[] }> = [
  { uid: UID.message, attributes: ['messageId', 'fromAddress'] },
  { uid: UID.outbox, attributes: ['messageId', 'recipient', 'verpToken'] },
  { uid: UID.receipt, attributes: ['messageId', 'sha256'] },
  { uid: UID.suppressedAddress, attributes: ['address'] },
];

interface ColumnRow {
  name: string;
  columnType: string;
  nullable: string;
  charset: string | null;
  collation: string | null;
}

type Knex = Core.Strapi['db']['connection'];

async function columnsOf(knex: Knex, table: string): Promise<Map<string, ColumnRow>> {
  const rows = (await knex('information_schema.columns')
    .select({
      name: 'column_name',
      columnType: 'column_type',
      nullable: 'is_nullable',
      charset: 'character_set_name',
      collation: 'collation_name',
    })
    .whereRaw('table_schema = database()')
    .andWhere('table_name', table)) as ColumnRow[];
  return new Map(rows.map((row) => [row.name, row]));
}

/** MySQL only: gives each column in EXACT_COLUMNS its character set's binary collation. Nothing elsewhere. */
export async function ensureExactColumns(strapi: Core.Strapi): Promise<void> {
  if (strapi.db.dialect.client !== 'mysql') return;
  const knex = strapi.db.connection;
  for (const { uid, attributes } of EXACT_COLUMNS) {
    const meta = strapi.db.metadata.get(uid as never);
    const columns = await columnsOf(knex, meta.tableName);
    for (const attribute of attributes) {
      const name = (meta.attributes[attribute] as { columnName?: string } | undefined)?.columnName;
      const column = name ? columns.get(name) : undefined;
      if (!column) throw new Error(`email-piping: ${uid} has no column for "${attribute}"`);
      if (!column.charset || !column.collation) continue;
      const binary = `${column.charset}_bin`;
      if (column.collation === binary) continue;
      // The catalogue's words go into the statement: only plain ones (utf8mb4, varchar(255), text…).
      if (!/^\w+$/.test(column.charset) || !/^\w+(?:\(\d+\))?$/.test(column.columnType))
        throw new Error(
          `email-piping: unexpected MySQL column ${name}: ${column.columnType} ${column.charset}`
        );
      // MODIFY restates the whole column: its type and nullability as they are, only the collation changes.
      await knex.raw(
        `ALTER TABLE ?? MODIFY ?? ${column.columnType} CHARACTER SET ${column.charset} COLLATE ${binary} ${column.nullable === 'YES' ? 'NULL' : 'NOT NULL'}`,
        [meta.tableName, name]
      );
    }
  }
}
