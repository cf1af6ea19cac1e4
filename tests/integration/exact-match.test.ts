/**
 * Mail identifiers match exactly on every database. MySQL/MariaDB's default utf8mb4 collations call
 * `josé@customer.test` and `jose@customer.test` equal, and `<Case.Id@…>` and `<case.id@…>` too: there a stranger
 * whose address differs by an accent would count as a participant of someone's ticket, and a Message-ID differing by
 * case would thread into it. The plugin gives those columns a binary collation on MySQL (src/mysql-exact-columns.ts);
 * on SQLite and PostgreSQL they compare exactly already. Runs on the suite's database (`EMAIL_PIPING_TEST_DB`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, type TestStrapi } from '../harness/strapi';
import { createThreadLookups } from '../../src/repositories/thread-lookups';
import { EXACT_COLUMNS } from '../../src/mysql-exact-columns';
import { UID } from '../../src/uids';

describe('exact matches of addresses and Message-IDs', () => {
  let app: TestStrapi;
  beforeAll(async () => {
    app = await bootStrapi();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('tells addresses apart by accent and Message-IDs by case', async () => {
    const { strapi } = app;
    const ticket = (await strapi.db.query(UID.ticket as never).create({
      data: {
        number: 4242,
        subject: 'Mon compte',
        status: 'open',
        priority: 'normal',
        requesterEmail: 'josé@customer.test',
      },
    })) as { id: number; number: number; status: string };
    await strapi.db.query(UID.message as never).create({
      data: {
        ticket: ticket.id,
        direction: 'inbound',
        fromAddress: 'renée@customer.test',
        messageId: '<Case.Sensitive.1@customer.test>',
      },
    });
    const lookups = createThreadLookups(strapi);
    const ref = { id: ticket.id, number: ticket.number, status: ticket.status } as never;

    expect(await lookups.isParticipant(ref, 'renée@customer.test')).toBe(true);
    expect(await lookups.isParticipant(ref, 'renee@customer.test')).toBe(false);
    expect(await lookups.isParticipant(ref, 'jose@customer.test')).toBe(false);
    expect((await lookups.ticketByMessageIds(['<Case.Sensitive.1@customer.test>']))?.id).toBe(ticket.id);
    expect(await lookups.ticketByMessageIds(['<case.sensitive.1@customer.test>'])).toBeNull();
  });

  it('gives the compared columns a binary collation on MySQL', async (context) => {
    const { strapi } = app;
    if (strapi.db.dialect.client !== 'mysql') return context.skip();
    for (const { uid, attributes } of EXACT_COLUMNS) {
      const meta = strapi.db.metadata.get(uid as never);
      for (const attribute of attributes) {
        const column = (meta.attributes[attribute] as { columnName: string }).columnName;
        const row = (await strapi.db
          .connection('information_schema.columns')
          .first({ collation: 'collation_name' })
          .whereRaw('table_schema = database()')
          .andWhere({ table_name: meta.tableName, column_name: column })) as { collation: string };
        expect(row.collation, `${meta.tableName}.${column}`).toBe('utf8mb4_bin');
      }
    }
  });
});
