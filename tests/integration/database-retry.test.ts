/**
 * Temporary database errors are waited out, not quarantined: another connection holds a lock for a while as a
 * mailbox of 30 mails is imported, and every mail becomes a ticket, none quarantined, in that one run.
 *
 * - SQLite: a second better-sqlite3 connection holds an exclusive transaction on the same file for 2 s; the plugin's
 *   connection waits 100 ms for it (DATABASE_BUSY_TIMEOUT_MS) and then hears "database is locked".
 * - PostgreSQL: a second connection holds `LOCK TABLE … IN ACCESS EXCLUSIVE MODE` on the tickets for 2 s; the
 *   plugin's connections have a 100 ms lock_timeout (set on their database) and hear 55P03.
 * - MariaDB/MySQL: a second connection holds `LOCK TABLES … WRITE` on the tickets for 3 s; the plugin's connections
 *   wait 1 s for a lock (DATABASE_LOCK_WAIT_TIMEOUT, the shortest MySQL has) and hear 1205.
 *
 * Before either run the test checks that a write through the plugin's own connection is refused at that moment, so
 * the import really met the lock.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DovecotServer } from '../harness/dovecot';
import { appendMessages, uniqueUser } from '../harness/imap';
import {
  POSTGRES_MISSING_MESSAGE,
  createDatabase,
  postgresAvailable,
  runSql,
  usePostgres,
  withClient,
  type PostgresAddress,
} from '../harness/postgres';
import {
  MYSQL_MISSING_MESSAGE,
  mysqlAvailable,
  useMysql,
  withConnection,
  type MysqlAddress,
} from '../harness/mysql';
import { bootStrapi, type TestStrapi } from '../harness/strapi';
import { UID } from '../../src/uids';

const MAILS = 30;
const LOCK_MS = 2000;

async function importLocked(
  app: TestStrapi,
  dovecot: DovecotServer,
  lock: () => Promise<{ released: Promise<void> }>,
  lockMs = LOCK_MS
): Promise<void> {
  const { strapi } = app;
  const user = uniqueUser('locked');
  const date = 'Date: Mon, 23 Nov 2026 08:00:00 +0000';
  await appendMessages(
    dovecot,
    user,
    Array.from({ length: MAILS }, (_, i) =>
      [`From: customer${i}@customer.test`, `Subject: locked ${i}`, date, '', `mail ${i}`].join('\r\n')
    )
  );
  const mailbox = await strapi
    .plugin('email-piping')
    .service('mailboxes')
    .create({
      name: `Locked ${user}`,
      host: dovecot.host,
      port: dovecot.port,
      security: 'none',
      username: user,
      password: dovecot.password,
    });

  const { released } = await lock();
  // The database refuses the plugin's writes right now.
  await expect(
    strapi.db.query(UID.ticket as never).create({ data: { number: 999_999, subject: 'probe' } })
  ).rejects.toThrow(/locked|lock (?:wait )?timeout/i);

  const started = Date.now();
  const result = (await strapi
    .plugin('email-piping')
    .service('importer')
    .runMailbox(mailbox.id, { manual: true })) as { status: string; summary?: Record<string, number> };
  await released;
  expect(result.status, JSON.stringify(result)).toBe('imported');
  expect(result.summary).toMatchObject({ listed: MAILS, ticketsCreated: MAILS, quarantined: 0 });
  // It waited for the lock rather than racing past it.
  expect(Date.now() - started).toBeGreaterThan(lockMs / 2);
  const receipts = (await strapi.db.query(UID.receipt as never).findMany({
    where: { mailboxId: mailbox.id },
    select: ['outcome'],
  })) as Array<{ outcome: string }>;
  expect(receipts.map((r) => r.outcome)).toEqual(Array(MAILS).fill('ticket-created'));
  const row = (await strapi.db.query(UID.mailbox as never).findOne({ where: { id: mailbox.id } })) as {
    lastError: string | null;
  };
  expect(row.lastError).toBeNull();
}

describe('a locked SQLite database', () => {
  let app: TestStrapi;
  beforeAll(async () => {
    process.env.DATABASE_BUSY_TIMEOUT_MS = '100';
    try {
      app = await bootStrapi({ database: 'sqlite' });
    } finally {
      delete process.env.DATABASE_BUSY_TIMEOUT_MS;
    }
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('imports every mail, none quarantined, while another connection holds the write lock', async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    await importLocked(app, dovecot, async () => {
      const holder = new Database(app.databaseFile);
      holder.exec('BEGIN EXCLUSIVE');
      const released = new Promise<void>((resolve) =>
        setTimeout(() => {
          holder.exec('COMMIT');
          holder.close();
          resolve();
        }, LOCK_MS)
      );
      return { released };
    });
  });
});

describe('a SQLite lock that outlasts the retries', () => {
  let app: TestStrapi;
  beforeAll(async () => {
    process.env.DATABASE_BUSY_TIMEOUT_MS = '100';
    try {
      app = await bootStrapi({ database: 'sqlite' });
    } finally {
      delete process.env.DATABASE_BUSY_TIMEOUT_MS;
    }
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('ends the run as a database error with nothing quarantined, and the next run imports everything', async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const { strapi } = app;
    const user = uniqueUser('stuck');
    await appendMessages(dovecot, user, [
      'From: a@customer.test\r\nSubject: stuck 1\r\n\r\none',
      'From: b@customer.test\r\nSubject: stuck 2\r\n\r\ntwo',
    ]);
    const mailbox = await strapi
      .plugin('email-piping')
      .service('mailboxes')
      .create({
        name: `Stuck ${user}`,
        host: dovecot.host,
        port: dovecot.port,
        security: 'none',
        username: user,
        password: dovecot.password,
      });
    const importer = strapi.plugin('email-piping').service('importer');
    const holder = new Database(app.databaseFile);
    holder.exec('BEGIN EXCLUSIVE');
    let failed: { status: string; error?: string };
    try {
      failed = await importer.runMailbox(mailbox.id, { manual: true });
    } finally {
      holder.exec('COMMIT');
      holder.close();
    }
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^database error \(temporary, to be tried again\): database is locked/);
    expect(failed.error).not.toMatch(/IMAP/);
    expect(await strapi.db.query(UID.receipt as never).count({ where: { mailboxId: mailbox.id } })).toBe(0);

    const next = await importer.runMailbox(mailbox.id, { manual: true });
    expect(next.status).toBe('imported');
    expect(next.summary).toMatchObject({ listed: 2, ticketsCreated: 2, quarantined: 0 });
  });
});

const describeOnPostgres = postgresAvailable() ? describe : describe.skip;
if (!postgresAvailable())
  console.warn(`database-retry.test.ts (PostgreSQL part) skipped: ${POSTGRES_MISSING_MESSAGE}`);

describeOnPostgres('a locked PostgreSQL table', () => {
  let cluster: { address: PostgresAddress; release(): Promise<void> };
  let app: TestStrapi;
  let databaseName: string;
  beforeAll(async () => {
    cluster = await usePostgres();
    databaseName = await createDatabase(cluster.address);
    // Every new connection to this database gives up on a lock after 100 ms (a site would set seconds).
    await runSql(cluster.address, `ALTER DATABASE "${databaseName}" SET lock_timeout = '100ms'`);
    app = await bootStrapi({ database: 'postgres', postgres: cluster.address, databaseName });
  });
  afterAll(async () => {
    await app?.stop();
    await runSql(cluster.address, `DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`).catch(
      () => undefined
    );
    await cluster?.release();
  });

  it('imports every mail, none quarantined, while another connection holds the tickets table', async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const table = app.strapi.db.metadata.get(UID.ticket as never).tableName;
    await importLocked(app, dovecot, async () => {
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const released = withClient(cluster.address, databaseName, async (client) => {
        await client.query('BEGIN');
        await client.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
        locked();
        await new Promise((resolve) => setTimeout(resolve, LOCK_MS));
        await client.query('COMMIT');
      });
      await isLocked;
      return { released };
    });
  });
});

const describeOnMysql = mysqlAvailable() ? describe : describe.skip;
if (!mysqlAvailable())
  console.warn(`database-retry.test.ts (MariaDB part) skipped: ${MYSQL_MISSING_MESSAGE}`);

describeOnMysql('a locked MariaDB table', () => {
  // MySQL counts lock waits in whole seconds: a 1 s wait, so the lock is held longer than one.
  const MYSQL_LOCK_MS = 3000;
  let server: { address: MysqlAddress; release(): Promise<void> };
  let app: TestStrapi;
  beforeAll(async () => {
    server = await useMysql();
    process.env.DATABASE_LOCK_WAIT_TIMEOUT = '1';
    try {
      app = await bootStrapi({ database: 'mysql', mysql: server.address });
    } finally {
      delete process.env.DATABASE_LOCK_WAIT_TIMEOUT;
    }
  });
  afterAll(async () => {
    await app?.stop();
    await server?.release();
  });

  it('imports every mail, none quarantined, while another connection holds the tickets table', async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const table = app.strapi.db.metadata.get(UID.ticket as never).tableName;
    await importLocked(
      app,
      dovecot,
      async () => {
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const released = withConnection(server.address, app.database.name, async (connection) => {
          await connection.query(`LOCK TABLES \`${table}\` WRITE`);
          locked();
          await new Promise((resolve) => setTimeout(resolve, MYSQL_LOCK_MS));
          await connection.query('UNLOCK TABLES');
        });
        await isLocked;
        return { released };
      },
      MYSQL_LOCK_MS
    );
  });
});
