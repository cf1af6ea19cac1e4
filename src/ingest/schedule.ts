/**
 * One node-cron task per enabled mailbox, each on its own expression. `sync` is called with every read of the
 * mailboxes that found a change (src/ingest/mailbox-feed.ts), so schedules follow edits made on any instance without
 * a restart; `stopAll` runs on Strapi's destroy, and after it the scheduler creates no task, whoever calls `sync`
 * (a read that was under way when Strapi shut down must not leave a task running after destroy). Overlap is
 * prevented twice: node-cron's `noOverlap`, and the run function itself refuses to start a mailbox that is already
 * importing (a "run now" from the admin can coincide with a tick).
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
  private stopped = false;
  /** Mailboxes whose schedule was refused, with the expression, so each is warned about once. */
  private invalid = new Map<number, string>();

  constructor(
    private readonly runMailbox: (mailboxId: number) => Promise<unknown>,
    private readonly logger: SchedulerLogger
  ) {}

  sync(mailboxes: readonly ScheduledMailbox[]): void {
    if (this.stopped) return;
    const wanted = new Map<number, string>();
    const invalid = new Map<number, string>();
    for (const mailbox of mailboxes) {
      if (!mailbox.enabled) continue;
      // Called every time any mailbox changes (a run's progress counts): an expression that already has its task
      // was valid, and parsing thousands again each time costs more than the read (0.5 s for 10,000).
      if (this.tasks.get(mailbox.id)?.expression !== mailbox.schedule && !cron.validate(mailbox.schedule)) {
        // Said once per mailbox and expression, not on every sync.
        if (this.invalid.get(mailbox.id) !== mailbox.schedule)
          this.logger.warn(
            `email-piping: mailbox #${mailbox.id} has an invalid schedule "${mailbox.schedule}"; not scheduled`
          );
        invalid.set(mailbox.id, mailbox.schedule);
        continue;
      }
      wanted.set(mailbox.id, mailbox.schedule);
    }
    this.invalid = invalid;
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

  /** Each scheduled mailbox with the expression its task runs on, by id. */
  scheduled(): Array<{ id: number; schedule: string }> {
    return this.scheduledIds().map((id) => ({ id, schedule: this.tasks.get(id)!.expression }));
  }

  /** Destroys every task; from now on `sync` creates none. */
  async stopAll(): Promise<void> {
    this.stopped = true;
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    await Promise.all(tasks.map((entry) => entry.task.destroy()));
  }
}
