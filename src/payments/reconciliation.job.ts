import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TransactionHost, RecurringPass } from '@holdfast/database';
import { AppConfig } from '../config/app-config';
import { PAYMENT_GATEWAY, PaymentGatewayError, type PaymentGateway } from './payment-gateway';
import { OPEN_PAYMENT_STATUSES, PaymentsService } from './payments.service';
import { RefundsService } from './refunds.service';
import { markPaymentStuck } from './stuck-payments';

const INTERVAL_NAME = 'payment-reconciliation';

/**
 * Every minute (or RECONCILE_AFTER_SECONDS, if shorter): payments that have not moved
 * for RECONCILE_AFTER_SECONDS are re-read from the provider and applied through the
 * webhook's code path; pending refunds are sent again (same idempotency key).
 */
@Injectable()
export class ReconciliationJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconciliationJob.name);
  private readonly recurring = new RecurringPass(this.scheduler, INTERVAL_NAME, this.logger);

  constructor(
    readonly txHost: TransactionHost,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const everyMs = Math.min(60, this.config.RECONCILE_AFTER_SECONDS) * 1000;
    this.recurring.start(everyMs, () => this.run());
  }

  /** Before the pool closes (in TypeORM's onApplicationShutdown): no new pass, and the running one finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.recurring.stop();
  }

  /** One pass; returns how many payments it looked at. */
  run(): Promise<number> {
    return this.reconcile(this.config.RECONCILE_AFTER_SECONDS);
  }

  /**
   * Reconciliation: re-reads attempts that have not moved for `olderThanSeconds` from the
   * provider and applies them through the webhook's code path, so a lost webhook repairs
   * itself. An attempt whose intent cannot be found or re-created is marked `stuck` for
   * admins. Returns how many it looked at.
   */
  async reconcile(olderThanSeconds: number, limit = 100): Promise<number> {
    const due = (await this.txHost.manager.query(
      `SELECT id, provider_intent_id FROM payments WHERE status = ANY($1::text[]) AND NOT stuck AND updated_at <= now() - make_interval(secs => $2)
        ORDER BY updated_at LIMIT $3`,
      [[...OPEN_PAYMENT_STATUSES, 'requires_capture'], olderThanSeconds, limit],
    )) as { id: string; provider_intent_id: string | null }[];
    for (const row of due) {
      try {
        if (row.provider_intent_id) {
          const intent = await this.gateway.retrieveIntent(row.provider_intent_id);
          await this.payments.applyOwn(row.id, intent);
        } else {
          // Crashed between our row and the provider's answer: the same key finds (or makes) the one intent.
          await this.payments.submitAttempt(row.id, {});
        }
        await this.txHost.manager.query(`UPDATE payments SET updated_at = now() WHERE id = $1`, [row.id]);
      } catch (error) {
        const permanent = error instanceof PaymentGatewayError && error.kind === 'invalid_request';
        this.logger.warn({ err: error, paymentId: row.id }, permanent ? 'payment marked stuck' : 'reconciliation will retry');
        if (permanent) {
          const reason = `reconciliation: the provider refused to find or create the intent (${error.providerCode ?? 'invalid_request'}): ${error.message}`;
          await markPaymentStuck(this.txHost.manager, row.id, reason);
        }
      }
    }
    await this.refunds.flushPending();
    return due.length;
  }
}
