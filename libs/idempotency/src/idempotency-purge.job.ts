import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TransactionHost } from '@holdfast/database';
import { IDEMPOTENCY_MODULE_OPTIONS, type IdempotencyModuleOptions } from './idempotency.options';

const INTERVAL_NAME = 'idempotency-purge';
const BATCH = 5000;

/** Deletes expired idempotency keys in batches; safe to run on every replica at once. */
@Injectable()
export class IdempotencyPurgeJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyPurgeJob.name);
  private running: Promise<number> | null = null;

  constructor(
    private readonly txHost: TransactionHost,
    private readonly scheduler: SchedulerRegistry,
    @Inject(IDEMPOTENCY_MODULE_OPTIONS) private readonly options: IdempotencyModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    const handle = setInterval(() => void this.tick(), this.options.purgeIntervalSeconds * 1000);
    handle.unref();
    this.scheduler.addInterval(INTERVAL_NAME, handle);
  }

  /** Before the pool closes (in TypeORM's onApplicationShutdown): no new purge, and the running one finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await this.running?.catch(() => undefined); // tick() has logged it
  }

  private async tick(): Promise<void> {
    if (this.running) return; // the previous purge of this process is still going
    this.running = this.purgeExpired();
    try {
      await this.running;
    } catch (error) {
      this.logger.error({ err: error }, 'idempotency key purge failed');
    } finally {
      this.running = null;
    }
  }

  /** Deletes every expired key; returns how many. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const result = (await this.txHost.manager.query(
        `DELETE FROM idempotency_keys WHERE ctid IN (
           SELECT ctid FROM idempotency_keys WHERE expires_at <= $1 LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`,
        [now],
      )) as [unknown[], number];
      const deleted = result[1];
      total += deleted;
      if (deleted < BATCH) break;
    }
    if (total > 0) this.logger.log(`purged ${total} expired idempotency keys`);
    return total;
  }
}
