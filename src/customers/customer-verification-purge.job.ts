import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '@holdfast/clock';
import { RecurringPass } from '@holdfast/database';
import { VERIFICATION_CACHE_TTL_MS } from './customer-verification.service';
import { CustomerVerificationsRepository } from './customer-verifications.repository';

const INTERVAL_NAME = 'customer-verification-purge';
/** Hourly: a row outlives its last use by at most an hour. */
export const VERIFICATION_PURGE_INTERVAL_MS = 3_600_000;

/**
 * Deletes the cached verifications no read can serve any more: checked 24 h ago or more
 * (`CustomerVerificationService.check` never serves them, not even while the service is
 * down). So a customer who stops renting does not keep their KYC answer and credit score
 * in our database. Hourly on every replica; the deletes skip rows another replica holds.
 */
@Injectable()
export class CustomerVerificationPurgeJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CustomerVerificationPurge');
  private readonly recurring = new RecurringPass(this.scheduler, INTERVAL_NAME, this.logger);

  constructor(
    private readonly repository: CustomerVerificationsRepository,
    private readonly scheduler: SchedulerRegistry,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.recurring.start(VERIFICATION_PURGE_INTERVAL_MS, () => this.purge());
  }

  /** Before the pool closes: no new pass, and the running one finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.recurring.stop();
  }

  /** Deletes every row checked at least 24 h before now (the app's clock, which stamped them); returns how many. */
  async purge(): Promise<number> {
    const purged = await this.repository.purgeCheckedUpTo(new Date(this.clock.nowMs() - VERIFICATION_CACHE_TTL_MS));
    if (purged > 0) this.logger.log(`purged ${purged} customer verifications past 24 h`);
    return purged;
  }
}
