import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TransactionHost, RecurringPass } from '@holdfast/database';
import { PaymentsService } from '../payments/payments.service';
import { ReservationsRepository } from './reservations.repository';
import { ReservationsConfig } from './reservations.config';
import { ReservationsService } from './reservations.service';

const INTERVAL_NAME = 'hold-expiry-sweep';
/**
 * Holds per sweep batch, each batch ONE statement on the sweep's own connection
 * (`ReservationsService.expireDue`). 5,000 rather than 1,000: fewer round trips per hold,
 * while a batch's slot rows stay locked only for its last step (~40 of ~250 ms alone).
 * 100,000 expired holds under the hold load: 6.2-8.3 s this way, 7.6-8.0 s on a pooled
 * connection, 9.9-11.3 s as a transaction of eight round trips, the load's p99 1.4-1.6x
 * its figure without a sweep each way; two batches in flight took 5.7-6.0 s but the p99
 * to 1.8-2.5x (`npm run bench:expiry`, docs/benchmarks.md "Expiry at scale").
 */
const BATCH = 5000;
/**
 * How long the sweep holds a pending reservation it claimed while it cancels its intents
 * at the provider; longer than a pass takes (docs/operations.md, "Jobs on many replicas").
 */
const CLAIM_LEASE_SECONDS = 600;

/**
 * Expires holds past their time and gives their places back, every
 * HOLD_SWEEP_INTERVAL_SECONDS. Batches are claimed with FOR UPDATE SKIP LOCKED, so any
 * number of replicas (and `npm run holds:expire` from cron) can sweep at once and each
 * hold is expired exactly once.
 */
@Injectable()
export class HoldExpiryJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HoldExpiryJob.name);
  private readonly recurring = new RecurringPass(this.scheduler, INTERVAL_NAME, this.logger);

  constructor(
    readonly txHost: TransactionHost,
    private readonly repo: ReservationsRepository,
    private readonly reservations: ReservationsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ReservationsConfig,
    private readonly payments: PaymentsService,
  ) {}

  onApplicationBootstrap(): void {
    this.recurring.start(this.config.holdSweepIntervalSeconds * 1000, () => this.sweep());
  }

  /** Before the pool closes (in TypeORM's onApplicationShutdown): no new pass, and the running one finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.recurring.stop();
  }

  /**
   * Expires every hold past its time, in batches of BATCH, each one statement that claims
   * its holds with FOR UPDATE SKIP LOCKED (another replica's sweep takes other holds);
   * then the pending reservations (`sweepPending`). Returns how many it expired.
   */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.reservations.expireDue(BATCH);
      total += expired;
      if (expired < BATCH) break;
    }
    total += await this.sweepPending();
    if (total > 0) this.logger.log(`expired ${total} holds`);
    return total;
  }

  /**
   * Reservations whose payment was still in flight when their time ran out: their open
   * intents are cancelled at the provider FIRST (an intent that turns out to have
   * succeeded confirms the reservation instead), and only then are they expired and
   * their places released. A provider that cannot be reached leaves them for the next sweep.
   *
   * Claimed, not just read: a lease stamped in one short statement with FOR UPDATE SKIP
   * LOCKED, so replicas sweeping at once call the provider once per reservation; no
   * transaction stays open across the provider calls. The pass gives its claims back when
   * it ends (an expired reservation is no longer due anyway).
   */
  private async sweepPending(): Promise<number> {
    const due = await this.repo.claimExpiredPending(BATCH, CLAIM_LEASE_SECONDS);
    try {
      return await this.expirePending(due);
    } finally {
      if (due.length > 0) {
        await this.repo
          .releaseSweepClaims(due)
          .catch((error: unknown) => this.logger.warn({ err: error }, 'could not release sweep claims; they lapse'));
      }
    }
  }

  private async expirePending(due: string[]): Promise<number> {
    let expired = 0;
    for (const id of due) {
      try {
        await this.payments.cancelOpenIntents(id);
      } catch (error) {
        this.logger.warn({ err: error, reservationId: id }, 'could not cancel the payment of an expired reservation; will retry');
        continue;
      }
      expired += await this.txHost.run(async () => {
        if (!(await this.repo.lockExpiredPending(id))) return 0;
        if (await this.payments.hasMoneyMoving(id)) return 0; // the payment's own outcome decides
        await this.reservations.releaseAndSetStatus(id, 'expired', 'HOLD_EXPIRED');
        return 1;
      });
    }
    return expired;
  }
}
