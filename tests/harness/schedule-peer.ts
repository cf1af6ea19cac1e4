/**
 * Instance B for the schedules test: its own Strapi process on a database another instance also uses, with its
 * schedules on (`autoStart`), so it follows mailboxes created, changed and deleted elsewhere only through the
 * database. It creates nothing itself.
 *
 *   SCHEDULE_PEER='{"database":"postgres","postgres":{...},"databaseName":"t_…"}' \
 *     node --import tsx tests/harness/schedule-peer.ts
 *   (or '{"database":"sqlite","databaseFile":"/tmp/…/test.db"}'; optional "scheduleSyncSeconds")
 *
 * Reads commands on stdin, one per line, and answers on stdout:
 *   SCHEDULED → `SCHEDULED <json [{id, schedule}]>`: the mailboxes its scheduler has a task for
 *   TASKS     → `TASKS <n>`: node-cron's task registry, as the plugin's own copy of node-cron sees it
 *   STOP      → destroys Strapi, prints `STOPPED <tasks left>` and exits
 * Prints `READY` once booted.
 */
import { createRequire } from 'node:module';
import readline from 'node:readline';
import type { PostgresAddress } from './postgres';
import { bootStrapi, type TestDatabaseClient } from './strapi';

interface PeerSettings {
  database: TestDatabaseClient;
  databaseFile?: string;
  databaseName?: string;
  postgres?: PostgresAddress;
  scheduleSyncSeconds?: number;
}

/** The node-cron the plugin's build loads (CommonJS), not a second copy with its own registry. */
const cronTasks = () =>
  (createRequire(__filename)('node-cron') as { getTasks(): Map<string, unknown> }).getTasks().size;

async function main() {
  const settings = JSON.parse(process.env.SCHEDULE_PEER ?? 'null') as PeerSettings | null;
  if (!settings) throw new Error('usage: SCHEDULE_PEER=<json> schedule-peer');
  const app = await bootStrapi({
    database: settings.database,
    databaseFile: settings.databaseFile,
    databaseName: settings.databaseName,
    postgres: settings.postgres,
    pluginConfig: {
      autoStart: true,
      outboxAutoStart: false,
      scheduleSyncSeconds: settings.scheduleSyncSeconds ?? 1,
    },
  });
  const importer = app.strapi.plugin('email-piping').service('importer');
  console.log('READY');
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const command = line.trim();
    if (command === 'SCHEDULED') {
      console.log(`SCHEDULED ${JSON.stringify(importer.scheduledMailboxes())}`);
    } else if (command === 'TASKS') {
      console.log(`TASKS ${cronTasks()}`);
    } else if (command === 'STOP') {
      await app.stop();
      console.log(`STOPPED ${cronTasks()}`);
      process.exit(0);
    }
  }
}

main().catch((error: unknown) => {
  console.error(`FAILED ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
