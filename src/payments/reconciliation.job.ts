import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config';
import { PaymentsService } from './payments.service';

const INTERVAL_NAME = 'payment-reconciliation';

/**
 * Every minute (or RECONCILE_AFTER_SECONDS, if shorter): payments that have not moved
 * for RECONCILE_AFTER_SECONDS are re-read from the provider and applied through the
 * webhook's code path; pending refunds are sent again (same idempotency key).
 */
@Injectable()
export class ReconciliationJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconciliationJob.name);
  private running: Promise<number> | null = null;

  constructor(
    private readonly payments: PaymentsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const everyMs = Math.min(60, this.config.RECONCILE_AFTER_SECONDS) * 1000;
    const handle = setInterval(() => void this.tick(), everyMs);
    handle.unref();
    this.scheduler.addInterval(INTERVAL_NAME, handle);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await this.running;
  }

  /** One pass; returns how many payments it looked at. */
  run(): Promise<number> {
    return this.payments.reconcile(this.config.RECONCILE_AFTER_SECONDS);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.run();
    try {
      await this.running;
    } catch (error) {
      this.logger.error({ err: error }, 'payment reconciliation failed');
    } finally {
      this.running = null;
    }
  }
}
