import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '@holdfast/clock';
import { RecurringPass, TransactionHost } from '@holdfast/database';
import { IDEMPOTENCY_MODULE_OPTIONS, type IdempotencyModuleOptions } from './idempotency.options';

const INTERVAL_NAME = 'idempotency-purge';
const BATCH = 5000;

/** Deletes expired idempotency keys in batches; safe to run on every replica at once. */
@Injectable()
export class IdempotencyPurgeJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyPurgeJob.name);
  private readonly recurring = new RecurringPass(this.scheduler, INTERVAL_NAME, this.logger);

  constructor(
    private readonly txHost: TransactionHost,
    private readonly scheduler: SchedulerRegistry,
    @Inject(IDEMPOTENCY_MODULE_OPTIONS) private readonly options: IdempotencyModuleOptions,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.recurring.start(this.options.purgeIntervalSeconds * 1000, () => this.purgeExpired());
  }

  /** Before the pool closes (in TypeORM's onApplicationShutdown): no new purge, and the running one finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.recurring.stop();
  }

  /** Deletes every key expired by `now` (the app's clock, which wrote `expires_at`); returns how many. */
  async purgeExpired(now: Date = this.clock.now()): Promise<number> {
    const total = await this.txHost.deleteInBatches('idempotency_keys', 'expires_at <= $1', [now], BATCH);
    if (total > 0) this.logger.log(`purged ${total} expired idempotency keys`);
    return total;
  }
}
