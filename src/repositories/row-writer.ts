/**
 * The importer's write path for new rows and their relations, at a fraction of the query engine's cost.
 *
 * Strapi's `query(uid).create()` with a relation costs four statements: the INSERT, a `max(ord)` read to place the
 * new row last in the target's list, the link INSERT and a read-back of the created row. On the import road that is
 * most of the SQL per message. Here a row is one INSERT (`createMany` of one row, no read-back) and a link is one
 * INSERT into the join table Strapi's own metadata names; the order a target's list needs is read once per
 * transaction and counted on from there, the way ticket numbers are. Writes join the caller's transaction.
 *
 * Only for manyToOne / oneToOne links written once at creation; anything that edits relations later goes through
 * the query engine, which keeps its own bookkeeping.
 */
import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';

interface JoinTable {
  name: string;
  joinColumn: { name: string };
  inverseJoinColumn: { name: string };
  inverseOrderColumnName?: string;
}

export interface RowWriter {
  /** One INSERT; returns the new row's id. Relation attributes must not be in `data` (use {@link link}). */
  insert(uid: string, data: Record<string, unknown>): Promise<number>;
  /**
   * Links `ownerId`'s `attribute` (a manyToOne / oneToOne relation) to `targetId`, placing the owner last in the
   * target's inverse list. `targetIsNew` says the target was created in this transaction and has no links yet, which
   * saves the order read.
   */
  link(
    uid: string,
    attribute: string,
    ownerId: number,
    targetId: number,
    options?: { targetIsNew?: boolean }
  ): Promise<void>;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A document id in the shape Strapi's own have (24 lower-case characters, a letter first) from 115 random bits.
 * Strapi would otherwise make one with cuid2, whose SHA-3 is a visible share of an import's CPU time.
 */
export function newDocumentId(): string {
  const bytes = crypto.randomBytes(23);
  let id = BASE32[bytes[0] % 26];
  for (let i = 1; i < 24; i++) id += BASE32[bytes[i - 1] & 31];
  return id;
}

export function createRowWriter(strapi: Core.Strapi): RowWriter {
  /** Last order handed out per transaction, join table and target. */
  const lastOrderByTransaction = new WeakMap<object, Map<string, number>>();

  function joinTableOf(uid: string, attribute: string): JoinTable {
    const meta = strapi.db.metadata.get(uid as never) as unknown as {
      attributes: Record<string, { relation?: string; joinTable?: JoinTable }>;
    };
    const definition = meta.attributes[attribute];
    if (!definition?.joinTable || !['manyToOne', 'oneToOne'].includes(definition.relation ?? '')) {
      throw new Error(`${uid}.${attribute} is not a manyToOne / oneToOne relation with a join table`);
    }
    return definition.joinTable;
  }

  return {
    async insert(uid, data) {
      const created = (await strapi.db.query(uid as never).createMany({
        data: [{ documentId: newDocumentId(), ...data }],
      })) as { ids: number[] };
      return created.ids[0];
    },

    async link(uid, attribute, ownerId, targetId, options = {}) {
      const join = joinTableOf(uid, attribute);
      const knex = strapi.db.connection;
      await strapi.db.transaction(async ({ trx }) => {
        const row: Record<string, number> = {
          [join.joinColumn.name]: ownerId,
          [join.inverseJoinColumn.name]: targetId,
        };
        const orderColumn = join.inverseOrderColumnName;
        if (orderColumn) {
          let orders = lastOrderByTransaction.get(trx);
          if (!orders) lastOrderByTransaction.set(trx, (orders = new Map()));
          const key = `${join.name}:${targetId}`;
          let last = orders.get(key);
          if (last === undefined) {
            if (options.targetIsNew) {
              last = 0;
            } else {
              const found = (await knex(join.name)
                .transacting(trx)
                .where(join.inverseJoinColumn.name, targetId)
                .max({ max: orderColumn })
                .first()) as { max: number | string | null } | undefined;
              last = Number(found?.max ?? 0);
            }
          }
          orders.set(key, last + 1);
          row[orderColumn] = last + 1;
        }
        await knex(join.name).transacting(trx).insert(row);
      });
    },
  };
}
