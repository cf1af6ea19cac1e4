/**
 * One importing Strapi instance in its own process, on a shared PostgreSQL database: what a site behind a load
 * balancer runs several of. It imports on leases (autoStart), sends its outbox, and does what every instance's
 * schedules do, tried every 300 ms for every mailbox: `runMailbox(id, { manual: false })`, which only the lease
 * holder gets past. The instances test starts three and SIGKILLs one.
 *
 *   node --import tsx tests/harness/instance-process.ts postgres:<database name> | sqlite:<file>
 *
 * Environment: EMAIL_PIPING_TEST_PG (the cluster, see postgres.ts), INSTANCE_LEASE_SECONDS (default 30).
 * Prints `READY <instance id>`, `HELD <json ids>` whenever its leases change, `RAN <mailbox id> <json summary>`
 * after each run that imported (busy ones are not printed), `STOPPED` after a clean stop (STOP on stdin).
 */
import readline from 'node:readline';
import { bootStrapi } from './strapi';

async function main() {
  const [target = ''] = process.argv.slice(2);
  const [client, name] = [target.slice(0, target.indexOf(':')), target.slice(target.indexOf(':') + 1)];
  if ((client !== 'postgres' && client !== 'sqlite') || !name)
    throw new Error('usage: instance-process postgres:<database name> | sqlite:<file>');
  const app = await bootStrapi({
    database: client,
    ...(client === 'postgres' ? { databaseName: name } : { databaseFile: name }),
    pluginConfig: {
      autoStart: true,
      importerLeaseSeconds: Number(process.env.INSTANCE_LEASE_SECONDS ?? 30),
      outboxPollMs: 500,
      // A mail the killed instance was delivering is taken over soon, not after two minutes.
      outboxLeaseSeconds: 5,
      // Hundreds of acknowledgements per mailbox within minutes are the test, not a loop to break.
      autoMailLimits: { mailboxBreaker: { minutes: 60, max: 100_000 } },
    },
  });
  const plugin = app.strapi.plugin('email-piping');
  const leases = plugin.service('leases');
  const importer = plugin.service('importer');
  leases.onChange((held: number[]) => console.log(`HELD ${JSON.stringify(held)}`));
  console.log(`READY ${leases.instanceId()}`);
  console.log(`HELD ${JSON.stringify(leases.heldMailboxIds())}`);

  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const mailboxes = (await plugin.service('mailboxes').list()) as Array<{ id: number; enabled: boolean }>;
      await Promise.all(
        mailboxes
          .filter((mailbox) => mailbox.enabled)
          .map(async (mailbox) => {
            const result = await importer
              .runMailbox(mailbox.id, { manual: false })
              .catch((error: Error) => ({ status: 'failed', error: error.message }));
            if (result.status === 'imported' && result.summary.listed > 0)
              console.log(`RAN ${mailbox.id} ${JSON.stringify(result.summary)}`);
            else if (result.status === 'failed') console.log(`FAILED ${mailbox.id} ${result.error}`);
          })
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();

  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() !== 'STOP') continue;
    stopping = true;
    await loop;
    await app.stop({ keepFiles: true });
    console.log('STOPPED');
    process.exit(0);
  }
}

main().catch((error: unknown) => {
  console.error(`FAILED ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
