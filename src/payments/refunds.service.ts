import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '@holdfast/audit';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { PaymentsRepository } from './payments.repository';
import { CLAIM_LEASE_SECONDS, type OwnClaims, RefundFlushService } from './refund-flush.service';
import { type RefundedPayment, RefundsRepository, type RefundView } from './refunds.repository';

export type { OwnClaims } from './refund-flush.service';
export type { RefundView } from './refunds.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Refunds, local row first: `requestRefund` checks the amount under the payment's row
 * lock and writes a pending refund in the caller's transaction; `flushPending` then
 * sends pending refunds to the provider with key `refund:{refundId}` (so a retry after a
 * crash or timeout refunds once) and records the result.
 */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger(RefundsService.name);

  constructor(
    readonly txHost: TransactionHost,
    private readonly repository: RefundsRepository,
    private readonly payments: PaymentsRepository,
    private readonly flusher: RefundFlushService,
    private readonly audit: AuditService,
  ) {}

  /**
   * An admin's refund: writes it pending and claimed (the caller sends it after the
   * commit with `flushPending({ refundIds: [refundId] })`) and records it in the audit log
   * (`refund` / `create`, by `actor`) in the same transaction.
   *
   * @throws AppError NOT_FOUND, REFUND_EXCEEDS_PAYMENT
   */
  async requestAdminRefund(paymentId: string, input: { amount?: number; reason?: string }, actor: string): Promise<RefundView> {
    return this.txHost.run(async () => {
      const refund = await this.requestRefund(paymentId, { ...input, source: 'admin', claim: true });
      await this.audit.record({ actor, recordType: 'refund', recordId: refund.refundId, action: 'create', after: refund });
      return refund;
    });
  }

  /**
   * Writes a pending refund of `amount` (default: all that is left). The sum of refunds,
   * pending ones included, never exceeds what was captured.
   *
   * @throws AppError REFUND_EXCEEDS_PAYMENT
   */
  // `claim`: the refund is written already claimed by the caller, who sends it after the
  // commit with `flushPending({ refundIds: [id] })`, so no concurrent flush takes it first
  // and the caller can answer with the provider's outcome. Unsent (the caller died), it is
  // another flush's once the lease ends.
  async requestRefund(
    paymentId: string,
    input: { amount?: number; reason?: string; source: string; claim?: boolean },
  ): Promise<RefundView> {
    // Two statements on purpose. In READ COMMITTED a statement's snapshot is taken when it
    // starts: had the sums been computed in the statement that waits for the row lock, they
    // would be read from before the wait and miss the refunds the lock holder just
    // committed (ten concurrent refunds of a third each were all accepted that way). The
    // lock serialises refunds of one payment; the sums, read by the next statement with a
    // fresh snapshot, see every refund committed before the lock was granted.
    if (!(await this.payments.lock(paymentId))) throw new AppError('NOT_FOUND', 'Payment not found');
    const payment = await this.repository.refundable(paymentId);
    if (!payment) throw new AppError('NOT_FOUND', 'Payment not found');
    const left = payment.captured - payment.refunding;
    const amount = input.amount ?? left;
    if (amount <= 0 || amount > left) {
      throw new AppError(
        'REFUND_EXCEEDS_PAYMENT',
        `Refunds may not exceed the captured amount: ${payment.captured} captured, ${payment.refunding} already refunded or pending`,
      );
    }
    return this.repository.insertPending(
      paymentId,
      amount,
      input.reason ?? null,
      input.source,
      input.claim ? CLAIM_LEASE_SECONDS : null,
    );
  }

  /**
   * Sends every pending refund (and every requested release of an authorisation) to the
   * provider and records the answers: first the caller's own (`own`, written with
   * `claim: true`), then up to 100 of each that it claims. Runs outside any transaction;
   * safe to run from several places and replicas at once: each row is claimed by one
   * flush (a lease stamped in one short statement with FOR UPDATE SKIP LOCKED, never a
   * transaction held across the provider call) and sent once, with its idempotency key.
   * The sending is `RefundFlushService`'s.
   */
  async flushPending(own: OwnClaims = {}): Promise<void> {
    await this.flusher.flushPending(own);
  }

  /**
   * Asks for an authorisation (manual capture) to be released after the current
   * transaction. `claim`: the caller releases it itself (`flushPending({ releaseIds })`).
   */
  async queueCancel(paymentId: string, claim = false): Promise<void> {
    await this.repository.requestRelease(paymentId, claim ? CLAIM_LEASE_SECONDS : null);
  }

  async listFor(paymentId: string): Promise<RefundView[]> {
    return this.repository.listFor(paymentId);
  }

  async get(refundId: string): Promise<RefundView> {
    const refund = await this.repository.find(refundId);
    if (!refund) throw new AppError('NOT_FOUND', 'Refund not found');
    return refund;
  }

  /**
   * Records refunds the provider reports for a charge (including ones made in its
   * dashboard) so `refunded_cents` always equals the provider's `amount_refunded`.
   * A refund that carries our own id (`metadata.refundId`, set by `send`) completes our
   * row instead of adding a second one: the provider's event may arrive before `send`
   * has recorded the answer, or after a crash in between.
   * Runs in the caller's transaction. Returns true when the payment is now fully refunded.
   */
  async recordProviderRefunds(
    intentId: string,
    amountRefunded: number,
    refunds: { id: string; amount: number; status: string; refundId?: string | null }[],
  ): Promise<{ paymentId: string; reservationId: string; fullyRefunded: boolean } | null> {
    const payment = await this.repository.lockRefundedPayment(intentId);
    if (!payment) return null;
    const excess = await this.refundsAboveCapture(payment, amountRefunded, refunds);
    if (excess) {
      // Our row says what was captured: a report of more refunded than that is recorded
      // nowhere (no refund rows, no refunded amount, the reservation untouched), and a
      // person looks at it.
      this.logger.error({ paymentId: payment.id, intentId }, excess);
      await this.payments.markStuck(payment.id, excess);
      return { paymentId: payment.id, reservationId: payment.reservationId, fullyRefunded: false };
    }
    for (const refund of refunds) {
      if (refund.status !== 'succeeded') continue;
      if (
        refund.refundId &&
        UUID.test(refund.refundId) &&
        (await this.repository.completeOwn(refund.refundId, refund.id, payment.id))
      ) {
        continue;
      }
      await this.repository.upsertProviderRefund(payment.id, refund.id, refund.amount);
    }
    const succeeded = await this.repository.succeededSum(payment.id);
    const refunded = Math.min(Math.max(payment.refundedCents, amountRefunded, succeeded), payment.capturedCents);
    await this.repository.setRefunded(payment.id, refunded);
    return {
      paymentId: payment.id,
      reservationId: payment.reservationId,
      // A fine charge refunded whole leaves its booking as it was.
      fullyRefunded: refunded >= payment.capturedCents && refunded > 0 && payment.purpose !== 'fine',
    };
  }

  /**
   * Whether the provider reports more refunded than the payment could have given back:
   * its total for the charge, or our succeeded refunds once this report's are counted
   * (each once: a refund already recorded, by its provider id or our id in its metadata,
   * counts with the reported amount). The ceiling is the captured amount, or the payment's
   * amount while its success has not reached us yet (events arrive in any order).
   * Returns the reason, or null when the report fits.
   */
  private async refundsAboveCapture(
    payment: RefundedPayment,
    amountRefunded: number,
    refunds: { id: string; amount: number; status: string; refundId?: string | null }[],
  ): Promise<string | null> {
    const ceiling = payment.status === 'succeeded' ? payment.capturedCents : payment.amountCents;
    const reported = refunds.filter((r) => r.status === 'succeeded');
    const others = await this.repository.succeededSumExcept(
      payment.id,
      reported.map((r) => r.id),
      reported.map((r) => r.refundId).filter((id): id is string => !!id && UUID.test(id)),
    );
    const total = others + reported.reduce((sum, r) => sum + r.amount, 0);
    const claimed = Math.max(amountRefunded, total);
    if (claimed <= ceiling) return null;
    return `the provider reports ${claimed} refunded, more than the ${ceiling} ${payment.status === 'succeeded' ? 'captured' : 'the payment is for'}: nothing was recorded`;
  }
}
