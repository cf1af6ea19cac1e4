/**
 * The one clock every instance's leases are measured on: the database's. Each instance reads it now and then and
 * keeps the difference to its own clock, so lease times written as ordinary dates by any instance compare fairly
 * even when the machines' clocks disagree (by seconds or by hours). A plain `SELECT` of the server's time per
 * dialect; the expiry arithmetic then stays in JavaScript and the query engine, the same on every database.
 */
import type { Core } from '@strapi/strapi';

const NOW_MS: Record<string, string> = {
  postgres: 'SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS now',
  mysql: 'SELECT UNIX_TIMESTAMP(NOW(3)) * 1000 AS now',
  sqlite: "SELECT (julianday('now') - 2440587.5) * 86400000.0 AS now",
};

function firstRow(result: unknown): Record<string, unknown> | undefined {
  // pg answers { rows }, mysql2 [rows, fields], better-sqlite3 rows.
  if (Array.isArray(result)) return Array.isArray(result[0]) ? result[0][0] : result[0];
  return (result as { rows?: Array<Record<string, unknown>> }).rows?.[0];
}

export function databaseClient(strapi: Core.Strapi): string {
  return (strapi.db as unknown as { dialect: { client: string } }).dialect.client;
}

export function createDatabaseClock(strapi: Core.Strapi) {
  let offsetMs = 0;
  return {
    /** Reads the database's time and keeps this process's offset to it. */
    async sync(): Promise<void> {
      const statement = NOW_MS[databaseClient(strapi)];
      if (!statement) return; // an unknown dialect: the local clock, as the outbox's leases use
      const before = Date.now();
      const row = firstRow(await strapi.db.connection.raw(statement));
      const after = Date.now();
      const now = Number(row?.now);
      if (Number.isFinite(now)) offsetMs = now - (before + after) / 2;
    },
    /** Now on the database's clock, in ms. */
    now(): number {
      return Date.now() + offsetMs;
    },
    offsetMs: () => offsetMs,
  };
}

export type DatabaseClock = ReturnType<typeof createDatabaseClock>;
