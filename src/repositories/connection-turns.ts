/**
 * Taking turns on the database connection pool (see `DatabaseTurns` in ingest/store.ts). On SQLite Strapi has one
 * connection: while an import batch's transaction holds it, every query of an admin request queues behind the
 * batch, and a request runs about ten of them (authentication, permissions, the page itself). So the batch commits
 * when someone waits, and the importer starts its next transaction only once the pool has been free for a moment,
 * letting a request run its queries back to back. The wait is bounded, so a steady stream of requests slows the
 * import but never stops it. On PostgreSQL and MySQL the pool has connections to spare: nobody waits, and batches run
 * as before.
 */
import type { Core } from '@strapi/strapi';
import type { DatabaseTurns } from '../ingest/store';

/** How long the pool must be free before the importer takes it again: longer than the gap between two queries. */
const QUIET_MS = 10;
/** The longest the importer gives way before its next transaction, however busy the others are. */
const MAX_GIVE_WAY_MS = 150;
const POLL_MS = 2;

/** The part of tarn's pool (knex's) read here. */
interface ConnectionPool {
  numUsed(): number;
  numPendingAcquires(): number;
}

function poolOf(strapi: Core.Strapi): ConnectionPool | null {
  const pool = (strapi.db.connection as unknown as { client?: { pool?: Partial<ConnectionPool> } }).client
    ?.pool;
  return typeof pool?.numUsed === 'function' && typeof pool.numPendingAcquires === 'function'
    ? (pool as ConnectionPool)
    : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createConnectionTurns(strapi: Core.Strapi): DatabaseTurns {
  return {
    othersWaiting: () => (poolOf(strapi)?.numPendingAcquires() ?? 0) > 0,

    async giveWay() {
      const started = Date.now();
      let quietSince = started;
      while (Date.now() - started < MAX_GIVE_WAY_MS) {
        const pool = poolOf(strapi);
        if (!pool) return;
        if (pool.numUsed() > 0 || pool.numPendingAcquires() > 0) quietSince = Date.now();
        else if (Date.now() - quietSince >= QUIET_MS) return;
        await sleep(POLL_MS);
      }
    },
  };
}
