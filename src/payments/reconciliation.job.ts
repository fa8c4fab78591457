import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TransactionHost, RecurringPass } from '@holdfast/database';
import { PAYMENT_GATEWAY, PaymentGatewayError, type PaymentGateway } from './payment-gateway';
import { PaymentStateService } from './payment-state.service';
import { PaymentsRepository } from './payments.repository';
import { ReconciliationRepository } from './reconciliation.repository';
import { PaymentsConfig } from './payments.config';
import { OPEN_PAYMENT_STATUSES, PaymentsService } from './payments.service';
import { RefundsService } from './refunds.service';

const INTERVAL_NAME = 'payment-reconciliation';
/**
 * How long a claimed payment is this pass's: longer than a pass of 100 payments takes
 * (each provider call ends within ~31 s, and five failures in a row open the breaker,
 * after which calls fail at once). Only a pass that dies holds rows this long.
 */
const CLAIM_LEASE_SECONDS = 600;

/**
 * Every minute (or RECONCILE_AFTER_SECONDS, if shorter): payments that have not moved
 * for RECONCILE_AFTER_SECONDS are re-read from the provider and applied through the
 * webhook's code path; pending refunds are sent again (same idempotency key). Any number
 * of replicas may run it at once: each payment is claimed by one pass (a lease stamped with
 * FOR UPDATE SKIP LOCKED) and read from the provider once.
 */
@Injectable()
export class ReconciliationJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconciliationJob.name);
  private readonly recurring = new RecurringPass(this.scheduler, INTERVAL_NAME, this.logger);

  constructor(
    readonly txHost: TransactionHost,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly payments: PaymentsService,
    private readonly state: PaymentStateService,
    private readonly repo: PaymentsRepository,
    private readonly leases: ReconciliationRepository,
    private readonly refunds: RefundsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: PaymentsConfig,
  ) {}

  onApplicationBootstrap(): void {
    const everyMs = Math.min(60, this.config.reconcileAfterSeconds) * 1000;
    this.recurring.start(everyMs, () => this.run());
  }

  /** Before the pool closes (in TypeORM's onApplicationShutdown): no new pass, and the running one finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.recurring.stop();
  }

  /** One pass; returns how many payments it looked at. */
  run(): Promise<number> {
    return this.reconcile(this.config.reconcileAfterSeconds);
  }

  /**
   * Reconciliation: re-reads attempts that have not moved for `olderThanSeconds` from the
   * provider and applies them through the webhook's code path, so a lost webhook repairs
   * itself. An attempt whose intent cannot be found or re-created is marked `stuck` for
   * admins. Returns how many it looked at.
   */
  async reconcile(olderThanSeconds: number, limit = 100): Promise<number> {
    const due = await this.claim(olderThanSeconds, limit);
    try {
      await this.reconcileEach(due);
    } finally {
      await this.release(due.map((row) => row.id));
    }
    await this.refunds.flushPending();
    return due.length;
  }

  private async reconcileEach(due: { id: string; intentId: string | null }[]): Promise<void> {
    for (const row of due) {
      try {
        if (row.intentId) {
          const intent = await this.gateway.retrieveIntent(row.intentId);
          await this.state.applyOwn(row.id, intent);
        } else {
          // Crashed between our row and the provider's answer: the same key finds (or makes) the one intent.
          await this.payments.submitAttempt(row.id, {});
        }
        await this.leases.touch(row.id);
      } catch (error) {
        const permanent = error instanceof PaymentGatewayError && error.kind === 'invalid_request';
        this.logger.warn({ err: error, paymentId: row.id }, permanent ? 'payment marked stuck' : 'reconciliation will retry');
        if (permanent) {
          const reason = `reconciliation: the provider refused to find or create the intent (${error.providerCode ?? 'invalid_request'}): ${error.message}`;
          await this.repo.markStuck(row.id, reason);
        }
      }
    }
  }

  /**
   * Claims up to `limit` due payments for this pass: ONE statement (its own short
   * transaction) that stamps a lease on rows no other pass holds, skipping rows another
   * replica is claiming right now (FOR UPDATE SKIP LOCKED). No transaction stays open
   * while the provider is called: a row lock held across an HTTP call of up to ~31 s
   * (stripe.gateway.ts) would hold a pooled connection and block the webhook that wants
   * the same payment. A pass that dies leaves its rows to others once the lease ends.
   */
  private async claim(olderThanSeconds: number, limit: number): Promise<{ id: string; intentId: string | null }[]> {
    return this.leases.claimDue([...OPEN_PAYMENT_STATUSES, 'requires_capture'], olderThanSeconds, limit, CLAIM_LEASE_SECONDS);
  }

  /**
   * The pass is done with its rows. Those it reconciled had `updated_at` moved, so they
   * are not due again before their time; those that failed are due for the next pass.
   */
  private async release(paymentIds: string[]): Promise<void> {
    if (paymentIds.length === 0) return;
    await this.leases
      .releaseClaims(paymentIds)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, paymentIds }, 'could not release reconciliation claims; they lapse'),
      );
  }
}
