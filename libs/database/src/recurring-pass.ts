import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';

/**
 * A database pass repeated on an interval (expiry sweep, reconciliation, purges): it is
 * registered with Nest's SchedulerRegistry under `name`, never overlaps itself in one
 * process (a pass still running makes the next tick a no-op), logs a failed pass instead
 * of crashing, and `stop()` (call it in beforeApplicationShutdown, before the pool
 * closes) cancels the interval and waits for the pass in progress. Replica safety is the
 * pass's own business (FOR UPDATE SKIP LOCKED).
 */
export class RecurringPass {
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly scheduler: SchedulerRegistry,
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  start(everyMs: number, pass: () => Promise<unknown>): void {
    const handle = setInterval(() => void this.tick(pass), everyMs);
    handle.unref();
    this.scheduler.addInterval(this.name, handle);
  }

  async stop(): Promise<void> {
    if (this.scheduler.doesExist('interval', this.name)) this.scheduler.deleteInterval(this.name);
    await this.running?.catch(() => undefined); // tick() has logged it
  }

  private async tick(pass: () => Promise<unknown>): Promise<void> {
    if (this.running) return; // the previous pass of this process is still going
    this.running = pass();
    try {
      await this.running;
    } catch (error) {
      this.logger.error({ err: error }, `${this.name} failed`);
    } finally {
      this.running = null;
    }
  }
}
