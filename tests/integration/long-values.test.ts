/**
 * No value length can stop a mailbox, on PostgreSQL and on MariaDB/MySQL (where a `string` attribute is
 * varchar(255) and text has limits of its own): a 990-character
 * Message-ID, a 320-character address, a 300-character display name, a 60-tag Accept-Language and NUL bytes (which
 * PostgreSQL refuses in text) each become a ticket, and the mail after them is imported in the same run. Then a mail
 * the database refuses for good (a CHECK constraint a site could have) is quarantined with its source, and one whose
 * quarantine entry is refused too still gets a minimal receipt and stays on the server; the mailbox goes on.
 *
 * Real Strapi on a throwaway PostgreSQL cluster (tests/harness/postgres.ts) and MariaDB server (tests/harness/mysql.ts),
 * or the suite's shared ones; real Dovecot.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DovecotServer } from '../harness/dovecot';
import { appendMessages, listUids, mailboxStatus, uniqueUser, type MailboxStatus } from '../harness/imap';
import * as mysql from '../harness/mysql';
import * as postgres from '../harness/postgres';
import { bootStrapi, type TestStrapi } from '../harness/strapi';
import { UID } from '../../src/uids';

const CRLF = '\r\n';
const mail = (headers: string[], body: string) => [...headers, '', body].join(CRLF);

/** A syntactically valid address of exactly 320 characters: a 64-character local part and a 255-character domain. */
function longAddress(): string {
  const labels = ['d'.repeat(63), 'o'.repeat(63), 'm'.repeat(63), 'a'.repeat(58), 'test'];
  const domain = labels.join('.');
  const address = `${'l'.repeat(64)}@${domain}`;
  expect(domain).toHaveLength(255);
  expect(address).toHaveLength(320);
  return address;
}

/** 60 distinct language tags with falling weights. */
function sixtyTags(): string {
  const tags: string[] = [];
  for (let i = 0; i < 60; i++) {
    const tag = `${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}-${String(100 + i)}`;
    tags.push(i === 0 ? tag : `${tag};q=0.${String(999 - i).padStart(3, '0')}`);
  }
  return tags.join(', ');
}

/** UIDs not marked \\Seen. */
const unseen = (status: MailboxStatus) =>
  Object.entries(status.flags)
    .filter(([, flags]) => !flags.includes('\\Seen'))
    .map(([uid]) => Number(uid));

type Address = postgres.PostgresAddress | mysql.MysqlAddress;
const SERVERS = [
  {
    label: 'PostgreSQL',
    client: 'postgres' as const,
    available: postgres.postgresAvailable(),
    missing: postgres.POSTGRES_MISSING_MESSAGE,
    use: postgres.usePostgres,
    runSql: postgres.runSql,
  },
  {
    label: 'MariaDB',
    client: 'mysql' as const,
    available: mysql.mysqlAvailable(),
    missing: mysql.MYSQL_MISSING_MESSAGE,
    use: mysql.useMysql,
    runSql: mysql.runSql,
  },
];

for (const server of SERVERS) {
  if (!server.available) console.warn(`long-values.test.ts (${server.label}) skipped: ${server.missing}`);
  (server.available ? describe : describe.skip)(`long and odd values on ${server.label}`, () => {
    const runSql = server.runSql;
    let cluster: { address: Address; release(): Promise<void> };
    let app: TestStrapi;
    let dovecot: DovecotServer;

    beforeAll(async () => {
      dovecot = inject('dovecot') as unknown as DovecotServer;
      cluster = await server.use();
      app = await bootStrapi({ database: server.client, [server.client]: cluster.address });
    });
    afterAll(async () => {
      await app?.stop();
      await cluster?.release();
    });

    async function mailboxFor(user: string): Promise<number> {
      const mailbox = await app.strapi
        .plugin('email-piping')
        .service('mailboxes')
        .create({
          name: `Long ${user}`,
          host: dovecot.host,
          port: dovecot.port,
          security: 'none',
          username: user,
          password: dovecot.password,
        });
      return mailbox.id as number;
    }

    const run = (mailboxId: number) =>
      app.strapi
        .plugin('email-piping')
        .service('importer')
        .runMailbox(mailboxId, { manual: true }) as Promise<{
        status: string;
        summary?: Record<string, number>;
        error?: string;
      }>;

    const tickets = async (mailboxId: number) =>
      (await app.strapi.db.query(UID.ticket as never).findMany({
        where: { mailbox: { id: mailboxId } },
        populate: { messages: true },
        orderBy: { number: 'asc' },
      })) as Array<Record<string, unknown> & { messages: Array<Record<string, unknown>> }>;

    it('turns each long value into a ticket and imports the next mail in the same run', async () => {
      const user = uniqueUser('long');
      const messageId = `${'m'.repeat(990 - '@example.test'.length - 2)}@example.test`;
      expect(`<${messageId}>`).toHaveLength(990);
      const address = longAddress();
      const name = 'N'.repeat(300);
      const date = 'Date: Mon, 23 Nov 2026 08:00:00 +0000';
      await appendMessages(dovecot, user, [
        mail(['From: ann@customer.test', `Message-ID: <${messageId}>`, 'Subject: long id', date], 'one'),
        mail([`From: ${address}`, 'Subject: long address', date], 'two'),
        mail([`From: "${name}" <bob@customer.test>`, 'Subject: long name', date], 'three'),
        mail(
          ['From: cat@customer.test', `Accept-Language: ${sixtyTags()}`, 'Subject: many languages', date],
          'four'
        ),
        mail(
          [
            'From: "D\u0000an" <dan@customer.test>',
            'Subject: =?UTF-8?Q?nul=00byte?=',
            'X-Odd: a\u0000b',
            'MIME-Version: 1.0',
            'Content-Type: text/plain; charset=utf-8',
            'Content-Transfer-Encoding: quoted-printable',
            date,
          ],
          'before=00after'
        ),
        mail(['From: eve@customer.test', 'Subject: the next one', date], 'six'),
      ]);
      const mailboxId = await mailboxFor(user);
      const result = await run(mailboxId);
      expect(result.status, JSON.stringify(result)).toBe('imported');
      expect(result.summary).toMatchObject({ listed: 6, ticketsCreated: 6, quarantined: 0 });

      const found = await tickets(mailboxId);
      expect(found.map((t) => t.subject)).toEqual([
        'long id',
        'long address',
        'long name',
        'many languages',
        // The parser drops control characters from header text already; the body below keeps a visible mark.
        'nulbyte',
        'the next one',
      ]);
      expect(found[0].messages[0].messageId).toContain(messageId);
      expect(found[1].requesterEmail).toBe(address);
      expect(found[1].messages[0].fromAddress).toBe(address);
      expect(found[2].requesterName).toBe(name);
      expect(found[2].messages[0].fromName).toBe(name);
      expect(String(found[3].language).split(',')).toHaveLength(60);
      expect(found[4].messages[0].textBody).toMatch(/^before\uFFFD?after/);
      expect(JSON.stringify(found[4].messages[0].headers)).not.toContain('\\u0000');
      // Every message was handled: the server shows them all seen, and the cursor is past the last one.
      expect(unseen(await mailboxStatus(dovecot, user))).toEqual([]);
    });

    it('quarantines a mail the database refuses, keeps a receipt when even that is refused, and goes on', async () => {
      const user = uniqueUser('refused');
      const date = 'Date: Mon, 23 Nov 2026 08:00:00 +0000';
      // Rules a site's DBA could have added: the ticket table refuses one subject, the receipt table another.
      const database = app.database.name;
      const table = (uid: string) => app.strapi.db.metadata.get(uid as never).tableName;
      await runSql(
        cluster.address,
        `ALTER TABLE ${table(UID.ticket)} ADD CONSTRAINT refuse_poison CHECK (subject NOT LIKE '%POISON%')`,
        database
      );
      await runSql(
        cluster.address,
        `ALTER TABLE ${table(UID.receipt)} ADD CONSTRAINT refuse_venom CHECK (subject IS NULL OR subject NOT LIKE '%VENOM%')`,
        database
      );
      try {
        await appendMessages(dovecot, user, [
          mail(['From: fay@customer.test', 'Subject: POISON', date], 'refused by the tickets table'),
          mail(['From: gus@customer.test', 'Subject: POISON VENOM', date], 'refused by both tables'),
          mail(['From: hal@customer.test', 'Subject: fine', date], 'after them'),
        ]);
        const mailboxId = await mailboxFor(user);
        const result = await run(mailboxId);
        expect(result.status, JSON.stringify(result)).toBe('imported');
        expect(result.summary).toMatchObject({ listed: 3, ticketsCreated: 1, quarantined: 2 });
        expect((await tickets(mailboxId)).map((t) => t.subject)).toEqual(['fine']);

        const receipts = (await app.strapi.db.query(UID.receipt as never).findMany({
          where: { mailboxId },
          orderBy: { uid: 'asc' },
        })) as Array<Record<string, unknown>>;
        expect(receipts.map((r) => r.outcome)).toEqual(['quarantined', 'quarantined', 'ticket-created']);
        expect(receipts[0].reason).toMatch(/^cannot be stored: database error: .*refuse_poison/);
        expect(receipts[0].rawSource).toBeTruthy();
        expect(receipts[0].serverAction).toBe('done');
        expect(receipts[1].reason).toMatch(/not even in the quarantine .*stays on the server untouched/);
        expect(receipts[1].rawSource).toBeFalsy();
        expect(receipts[1].serverAction).toBe('done');
        // The one nothing could be stored of stays on the server, unread; the others are marked seen.
        const uids = await listUids(dovecot, user);
        expect(uids).toHaveLength(3);
        expect(unseen(await mailboxStatus(dovecot, user))).toEqual([uids[1]]);
      } finally {
        await runSql(
          cluster.address,
          `ALTER TABLE ${table(UID.ticket)} DROP CONSTRAINT refuse_poison`,
          database
        );
        await runSql(
          cluster.address,
          `ALTER TABLE ${table(UID.receipt)} DROP CONSTRAINT refuse_venom`,
          database
        );
      }
    });
  });
}
