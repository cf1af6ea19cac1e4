/**
 * One node-cron task per enabled mailbox, each on its own expression. `sync` is called whenever mailboxes change, so
 * schedules follow edits without a restart; `stopAll` runs on Strapi's destroy. Overlap is prevented twice: node-cron's
 * `noOverlap`, and the run function itself refuses to start a mailbox that is already importing (a "run now" from the
 * admin can coincide with a tick).
 */
import cron, { type ScheduledTask } from 'node-cron';

export interface ScheduledMailbox {
  id: number;
  schedule: string;
  enabled: boolean;
}

export interface SchedulerLogger {
  warn(message: string): void;
  error(message: string): void;
}

export class MailboxScheduler {
  private readonly tasks = new Map<number, { expression: string; task: ScheduledTask }>();

  constructor(
    private readonly runMailbox: (mailboxId: number) => Promise<unknown>,
    private readonly logger: SchedulerLogger
  ) {}

  sync(mailboxes: ScheduledMailbox[]): void {
    const wanted = new Map<number, string>();
    for (const mailbox of mailboxes) {
      if (!mailbox.enabled) continue;
      if (!cron.validate(mailbox.schedule)) {
        this.logger.warn(
          `email-piping: mailbox #${mailbox.id} has an invalid schedule "${mailbox.schedule}"; not scheduled`
        );
        continue;
      }
      wanted.set(mailbox.id, mailbox.schedule);
    }
    for (const [id, entry] of this.tasks) {
      if (wanted.get(id) !== entry.expression) {
        void entry.task.destroy();
        this.tasks.delete(id);
      }
    }
    for (const [id, expression] of wanted) {
      if (this.tasks.has(id)) continue;
      const task = cron.schedule(
        expression,
        async () => {
          try {
            await this.runMailbox(id);
          } catch (error) {
            this.logger.error(
              `email-piping: scheduled import of mailbox #${id} failed: ${(error as Error).message}`
            );
          }
        },
        { name: `email-piping-mailbox-${id}`, noOverlap: true, suppressMissedWarning: true }
      );
      this.tasks.set(id, { expression, task });
    }
  }

  scheduledIds(): number[] {
    return [...this.tasks.keys()].sort((a, b) => a - b);
  }

  async stopAll(): Promise<void> {
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    await Promise.all(tasks.map((entry) => entry.task.destroy()));
  }
}
