import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { METRIC, PaymentMetrics } from './metrics.service';
import { PAYMENT_GATEWAY, PaymentGatewayError, type PaymentGateway } from './payment-gateway';
import { BookingPaymentOutcomesPort } from './booking-payment-outcomes.port';
import { PaymentsRepository } from './payments.repository';
import { type PendingRefund, RefundsRepository } from './refunds.repository';

/**
 * How long a flush holds the refunds and releases it claimed (the lease columns,
 * docs/operations.md "Jobs on many replicas"): longer than a flush of 100 takes. Only a
 * flush that dies holds rows this long; a claim is released as soon as its row is done.
 */
export const CLAIM_LEASE_SECONDS = 600;

/** Refunds and releases the caller wrote already claimed (`claim: true`) and sends itself. */
export interface OwnClaims {
  refundIds?: string[];
  releaseIds?: string[];
}

/**
 * The provider's "nothing (or not that much) is left to refund": Stripe's
 * `charge_already_refunded`, and an amount above what is left (`amount_too_large` from the
 * simulated provider; Stripe itself sends no code, only `param: amount` and this message).
 * Final: the same request with the same key can only be refused again.
 */
function isOverRefunded(error: unknown): error is PaymentGatewayError {
  if (!(error instanceof PaymentGatewayError) || error.kind !== 'invalid_request') return false;
  return (
    error.providerCode === 'charge_already_refunded' ||
    error.providerCode === 'amount_too_large' ||
    /greater than unrefunded amount|already been refunded/i.test(error.message)
  );
}

/**
 * The provider side of refunds: sends pending refunds (key `refund:{refundId}`, so a
 * retry after a crash or timeout refunds once) and requested releases of an
 * authorisation, and records the answers. `RefundsService` writes the rows this sends.
 */
@Injectable()
export class RefundFlushService {
  private readonly logger = new Logger(RefundFlushService.name);

  constructor(
    readonly txHost: TransactionHost,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly metrics: PaymentMetrics,
    private readonly outcomes: BookingPaymentOutcomesPort,
    private readonly refunds: RefundsRepository,
    private readonly payments: PaymentsRepository,
  ) {}

  /** See `RefundsService.flushPending`. */
  async flushPending(own: OwnClaims = {}): Promise<void> {
    try {
      await this.flush(own);
    } catch (error) {
      // Best effort here; reconciliation sends whatever is still pending.
      this.logger.warn({ err: error }, 'flushing pending refunds failed; reconciliation will retry');
    }
  }

  private async flush(own: OwnClaims): Promise<void> {
    const pending = [
      ...(await this.refunds.ownPending(own.refundIds ?? [])),
      ...(await this.refunds.claimPending(CLAIM_LEASE_SECONDS)),
    ];
    try {
      for (const refund of pending) await this.send(refund);
    } finally {
      await this.releaseClaims(pending, (ids) => this.refunds.releaseRefundClaims(ids));
    }

    const releases = [
      ...(await this.refunds.ownReleases(own.releaseIds ?? [])),
      ...(await this.refunds.claimReleases(CLAIM_LEASE_SECONDS)),
    ];
    try {
      for (const payment of releases) {
        const intent = await this.gateway.cancelIntent(payment.intentId, `cancel:${payment.id}`);
        await this.refunds.recordRelease(payment.id, intent.status === 'canceled');
      }
    } finally {
      await this.releaseClaims(releases, (ids) => this.refunds.releaseReleaseClaims(ids));
    }
  }

  /**
   * Gives this flush's rows back once it is done with them (sent, refused, or left for the
   * next flush after a transient error); a failure here only lets their lease lapse.
   */
  private async releaseClaims(rows: { id: string }[], release: (ids: string[]) => Promise<void>): Promise<void> {
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    await release(ids).catch((error: unknown) => this.logger.warn({ err: error, ids }, 'could not release claims; they lapse'));
  }

  private async send(refund: PendingRefund): Promise<void> {
    const started = Date.now();
    try {
      const result = await this.gateway.createRefund({
        refundId: refund.id,
        intentId: refund.intentId,
        amount: refund.amount,
        reason: refund.reason ?? undefined,
      });
      const failed = result.status === 'failed' || result.status === 'canceled';
      await this.txHost.run(async () => {
        const payment = await this.refunds.recordSent(refund.id, failed ? 'failed' : 'succeeded', result.id);
        if (payment?.full) await this.outcomes.paymentRefunded(payment.reservationId, payment.id, 'REFUNDED');
        if (failed) {
          // Accepted, then failed at the provider: the money did not go back; a person decides.
          await this.payments.markStuck(
            refund.paymentId,
            `refund ${refund.id} of ${refund.amount} ${result.status} at the provider (${result.id})`,
          );
        }
      });
      this.metrics.observe(METRIC.refundSeconds, (Date.now() - started) / 1000);
    } catch (error) {
      if (isOverRefunded(error)) {
        await this.refuse(refund, error);
        return;
      }
      // Transient (timeout, connection, 5xx, 429, open breaker, the same key in use by a
      // concurrent flush): left pending, and sent again with the same idempotency key.
      this.logger.warn({ err: error, refundId: refund.id }, 'refund not sent; it stays pending and will be retried');
    }
  }

  /**
   * The provider refused the refund for good (an invalid request: the charge is already
   * refunded, the amount exceeds what is left, e.g. after a refund made in its dashboard
   * that we have not heard of yet). Sending it again with the same key would replay the
   * same refusal forever, so the refund is failed and the payment listed as stuck with the
   * provider's reason, for a person to settle.
   */
  private async refuse(refund: PendingRefund, error: PaymentGatewayError): Promise<void> {
    const reason =
      `refund ${refund.id} of ${refund.amount} refused by the provider` +
      ` (${error.providerCode ?? 'invalid_request'}): ${error.message}`;
    this.logger.error({ refundId: refund.id, paymentId: refund.paymentId, code: error.providerCode }, reason);
    await this.txHost.run(async () => {
      if (await this.refunds.failPending(refund.id)) await this.payments.markStuck(refund.paymentId, reason);
    });
  }
}
