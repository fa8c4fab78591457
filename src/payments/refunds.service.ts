import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { METRIC, PaymentMetrics } from './metrics.service';
import { PAYMENT_GATEWAY, PaymentGatewayError, type PaymentGateway } from './payment-gateway';
import { BookingPaymentOutcomesPort } from './booking-payment-outcomes.port';
import type { RefundSummary } from './payment-status';
import { markPaymentStuck } from './stuck-payments';

/**
 * How long a flush holds the refunds and releases it claimed (the lease columns,
 * docs/operations.md "Jobs on many replicas"): longer than a flush of 100 takes. Only a
 * flush that dies holds rows this long; a claim is released as soon as its row is done.
 */
const CLAIM_LEASE_SECONDS = 600;

/** Refunds and releases the caller wrote already claimed (`claim: true`) and sends itself. */
export interface OwnClaims {
  refundIds?: string[];
  releaseIds?: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A refund as the admin routes show it: the summary reservation views carry, plus the provider's id. */
export interface RefundView extends Omit<RefundSummary, 'createdAt'> {
  providerRefundId: string | null;
  createdAt: string;
}

interface RefundRow {
  id: string;
  payment_id: string;
  amount_cents: number;
  status: 'pending' | 'succeeded' | 'failed';
  reason: string | null;
  source: string;
  provider_refund_id: string | null;
  created_at: Date;
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

const toView = (r: RefundRow): RefundView => ({
  refundId: r.id,
  paymentId: r.payment_id,
  amount: r.amount_cents,
  status: r.status,
  reason: r.reason,
  source: r.source,
  providerRefundId: r.provider_refund_id,
  createdAt: r.created_at.toISOString(),
});

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
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly metrics: PaymentMetrics,
    private readonly outcomes: BookingPaymentOutcomesPort,
  ) {}

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
    const locked = (await this.txHost.manager.query(`SELECT id FROM payments WHERE id = $1 FOR UPDATE`, [paymentId])) as {
      id: string;
    }[];
    if (locked.length === 0) throw new AppError('NOT_FOUND', 'Payment not found');
    const [payment] = (await this.txHost.manager.query(
      // refunded_cents also counts refunds made outside our API (the provider's dashboard)
      // that have no row of their own (charge.refunded carries only the charge's total).
      `SELECT p.captured_cents, p.status,
              GREATEST(COALESCE((SELECT sum(amount_cents) FROM refunds r WHERE r.payment_id = p.id AND r.status <> 'failed'), 0),
                       p.refunded_cents + COALESCE((SELECT sum(amount_cents) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'pending'), 0)
              )::int AS refunding
         FROM payments p WHERE p.id = $1`,
      [paymentId],
    )) as { captured_cents: number; status: string; refunding: number }[];
    if (!payment) throw new AppError('NOT_FOUND', 'Payment not found');
    const left = payment.captured_cents - payment.refunding;
    const amount = input.amount ?? left;
    if (amount <= 0 || amount > left) {
      throw new AppError(
        'REFUND_EXCEEDS_PAYMENT',
        `Refunds may not exceed the captured amount: ${payment.captured_cents} captured, ${payment.refunding} already refunded or pending`,
      );
    }
    const [row] = (await this.txHost.manager.query(
      `INSERT INTO refunds (payment_id, amount_cents, reason, source, status, claimed_until)
       VALUES ($1, $2, $3, $4, 'pending', CASE WHEN $5 THEN now() + make_interval(secs => $6) END) RETURNING *`,
      [paymentId, amount, input.reason ?? null, input.source, input.claim === true, CLAIM_LEASE_SECONDS],
    )) as RefundRow[];
    return toView(row);
  }

  /**
   * Sends every pending refund (and every requested release of an authorisation) to the
   * provider and records the answers: first the caller's own (`own`, written with
   * `claim: true`), then up to 100 of each that it claims. Runs outside any transaction;
   * safe to run from several places and replicas at once: each row is claimed by one
   * flush (a lease stamped in one short statement with FOR UPDATE SKIP LOCKED, never a
   * transaction held across the provider call) and sent once, with its idempotency key.
   */
  async flushPending(own: OwnClaims = {}): Promise<void> {
    try {
      await this.flush(own);
    } catch (error) {
      // Best effort here; reconciliation sends whatever is still pending.
      this.logger.warn({ err: error }, 'flushing pending refunds failed; reconciliation will retry');
    }
  }

  private async flush(own: OwnClaims): Promise<void> {
    const pending = [...(await this.ownRefunds(own.refundIds ?? [])), ...(await this.claimRefunds())];
    try {
      for (const refund of pending) await this.send(refund);
    } finally {
      await this.releaseClaims(`UPDATE refunds SET claimed_until = NULL WHERE id = ANY($1::uuid[])`, pending);
    }

    const releases = [...(await this.ownReleases(own.releaseIds ?? [])), ...(await this.claimReleases())];
    try {
      for (const payment of releases) {
        const intent = await this.gateway.cancelIntent(payment.provider_intent_id, `cancel:${payment.id}`);
        await this.txHost.manager.query(
          `UPDATE payments SET status = $2, cancel_requested = false, updated_at = now() WHERE id = $1 AND status = 'requires_capture'`,
          [payment.id, intent.status === 'canceled' ? 'canceled' : 'requires_capture'],
        );
      }
    } finally {
      await this.releaseClaims(`UPDATE payments SET release_claimed_until = NULL WHERE id = ANY($1::uuid[])`, releases);
    }
  }

  /** The caller's own pending refunds (written with `claim: true`); it holds their lease. */
  private async ownRefunds(ids: string[]): Promise<(RefundRow & { provider_intent_id: string })[]> {
    if (ids.length === 0) return [];
    return (await this.txHost.manager.query(
      `SELECT r.*, p.provider_intent_id FROM refunds r JOIN payments p ON p.id = r.payment_id
        WHERE r.id = ANY($1::uuid[]) AND r.status = 'pending' AND p.provider_intent_id IS NOT NULL ORDER BY r.created_at`,
      [ids],
    )) as (RefundRow & { provider_intent_id: string })[];
  }

  /**
   * Claims up to 100 pending refunds no other flush holds, oldest first, in one statement
   * (its own short transaction): rows another flush is claiming at this moment are skipped.
   */
  private async claimRefunds(): Promise<(RefundRow & { provider_intent_id: string })[]> {
    const [rows] = (await this.txHost.manager.query(
      `UPDATE refunds r SET claimed_until = now() + make_interval(secs => $1)
         FROM payments p
        WHERE p.id = r.payment_id AND r.id IN (
          SELECT c.id FROM refunds c JOIN payments cp ON cp.id = c.payment_id
           WHERE c.status = 'pending' AND cp.provider_intent_id IS NOT NULL
             AND (c.claimed_until IS NULL OR c.claimed_until <= now())
           ORDER BY c.created_at LIMIT 100
             FOR UPDATE OF c SKIP LOCKED)
        RETURNING r.*, p.provider_intent_id`,
      [CLAIM_LEASE_SECONDS],
    )) as [(RefundRow & { provider_intent_id: string })[], number];
    return rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
  }

  private async ownReleases(ids: string[]): Promise<{ id: string; provider_intent_id: string }[]> {
    if (ids.length === 0) return [];
    return (await this.txHost.manager.query(
      `SELECT id, provider_intent_id FROM payments WHERE id = ANY($1::uuid[]) AND cancel_requested AND status = 'requires_capture'`,
      [ids],
    )) as { id: string; provider_intent_id: string }[];
  }

  /** Claims up to 100 requested releases of an authorisation, like `claimRefunds`. */
  private async claimReleases(): Promise<{ id: string; provider_intent_id: string }[]> {
    const [rows] = (await this.txHost.manager.query(
      `UPDATE payments SET release_claimed_until = now() + make_interval(secs => $1)
        WHERE id IN (
          SELECT id FROM payments
           WHERE cancel_requested AND status = 'requires_capture'
             AND (release_claimed_until IS NULL OR release_claimed_until <= now())
           LIMIT 100
             FOR UPDATE SKIP LOCKED)
        RETURNING id, provider_intent_id`,
      [CLAIM_LEASE_SECONDS],
    )) as [{ id: string; provider_intent_id: string }[], number];
    return rows;
  }

  /**
   * Gives this flush's rows back once it is done with them (sent, refused, or left for the
   * next flush after a transient error); a failure here only lets their lease lapse.
   */
  private async releaseClaims(sql: string, rows: { id: string }[]): Promise<void> {
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    await this.txHost.manager
      .query(sql, [ids])
      .catch((error: unknown) => this.logger.warn({ err: error, ids }, 'could not release claims; they lapse'));
  }

  /**
   * Asks for an authorisation (manual capture) to be released after the current
   * transaction. `claim`: the caller releases it itself (`flushPending({ releaseIds })`).
   */
  async queueCancel(paymentId: string, claim = false): Promise<void> {
    await this.txHost.manager.query(
      `UPDATE payments SET cancel_requested = true, updated_at = now(),
              release_claimed_until = CASE WHEN $2 THEN now() + make_interval(secs => $3) ELSE release_claimed_until END
        WHERE id = $1`,
      [paymentId, claim, CLAIM_LEASE_SECONDS],
    );
  }

  async listFor(paymentId: string): Promise<RefundView[]> {
    const rows = (await this.txHost.manager.query(`SELECT * FROM refunds WHERE payment_id = $1 ORDER BY created_at`, [
      paymentId,
    ])) as RefundRow[];
    return rows.map(toView);
  }

  async get(refundId: string): Promise<RefundView> {
    const rows = (await this.txHost.manager.query(`SELECT * FROM refunds WHERE id = $1`, [refundId])) as RefundRow[];
    if (!rows[0]) throw new AppError('NOT_FOUND', 'Refund not found');
    return toView(rows[0]);
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
    const [payment] = (await this.txHost.manager.query(
      `SELECT id, reservation_id, status, amount_cents, captured_cents, refunded_cents FROM payments WHERE provider_intent_id = $1 FOR UPDATE`,
      [intentId],
    )) as {
      id: string;
      reservation_id: string;
      status: string;
      amount_cents: number;
      captured_cents: number;
      refunded_cents: number;
    }[];
    if (!payment) return null;
    const excess = await this.refundsAboveCapture(payment, amountRefunded, refunds);
    if (excess) {
      // Our row says what was captured: a report of more refunded than that is recorded
      // nowhere (no refund rows, no refunded amount, the reservation untouched), and a
      // person looks at it.
      this.logger.error({ paymentId: payment.id, intentId }, excess);
      await markPaymentStuck(this.txHost.manager, payment.id, excess);
      return { paymentId: payment.id, reservationId: payment.reservation_id, fullyRefunded: false };
    }
    for (const refund of refunds) {
      if (refund.status !== 'succeeded') continue;
      if (refund.refundId && UUID.test(refund.refundId)) {
        const [ours] = (await this.txHost.manager.query(
          `UPDATE refunds SET provider_refund_id = $2, status = 'succeeded', updated_at = now()
            WHERE id = $1 AND payment_id = $3 AND (provider_refund_id IS NULL OR provider_refund_id = $2) RETURNING id`,
          [refund.refundId, refund.id, payment.id],
        )) as [unknown[], number];
        if (ours.length > 0) continue;
      }
      await this.txHost.manager.query(
        `INSERT INTO refunds (payment_id, provider_refund_id, amount_cents, reason, source, status)
         VALUES ($1, $2, $3, 'recorded from the provider', 'provider', 'succeeded')
         ON CONFLICT (provider_refund_id) DO UPDATE SET status = 'succeeded', updated_at = now()`,
        [payment.id, refund.id, refund.amount],
      );
    }
    const [{ succeeded }] = (await this.txHost.manager.query(
      `SELECT COALESCE(sum(amount_cents), 0)::int AS succeeded FROM refunds WHERE payment_id = $1 AND status = 'succeeded'`,
      [payment.id],
    )) as { succeeded: number }[];
    const refunded = Math.min(Math.max(payment.refunded_cents, amountRefunded, succeeded), payment.captured_cents);
    await this.txHost.manager.query(`UPDATE payments SET refunded_cents = $2, updated_at = now() WHERE id = $1`, [
      payment.id,
      refunded,
    ]);
    return {
      paymentId: payment.id,
      reservationId: payment.reservation_id,
      fullyRefunded: refunded >= payment.captured_cents && refunded > 0,
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
    payment: { id: string; status: string; amount_cents: number; captured_cents: number },
    amountRefunded: number,
    refunds: { id: string; amount: number; status: string; refundId?: string | null }[],
  ): Promise<string | null> {
    const ceiling = payment.status === 'succeeded' ? payment.captured_cents : payment.amount_cents;
    const reported = refunds.filter((r) => r.status === 'succeeded');
    const [{ others }] = (await this.txHost.manager.query(
      `SELECT COALESCE(sum(amount_cents), 0)::bigint AS others FROM refunds
        WHERE payment_id = $1 AND status = 'succeeded'
          AND NOT (COALESCE(provider_refund_id = ANY($2::text[]), false) OR id::text = ANY($3::text[]))`,
      [
        payment.id,
        reported.map((r) => r.id),
        reported.map((r) => r.refundId).filter((id): id is string => !!id && UUID.test(id)),
      ],
    )) as { others: string }[];
    const total = Number(others) + reported.reduce((sum, r) => sum + r.amount, 0);
    const claimed = Math.max(amountRefunded, total);
    if (claimed <= ceiling) return null;
    return `the provider reports ${claimed} refunded, more than the ${ceiling} ${payment.status === 'succeeded' ? 'captured' : 'the payment is for'}: nothing was recorded`;
  }

  private async send(refund: RefundRow & { provider_intent_id: string }): Promise<void> {
    const started = Date.now();
    try {
      const result = await this.gateway.createRefund({
        refundId: refund.id,
        intentId: refund.provider_intent_id,
        amount: refund.amount_cents,
        reason: refund.reason ?? undefined,
      });
      await this.txHost.run(async () => {
        const [rows] = (await this.txHost.manager.query(
          `WITH r AS (
             UPDATE refunds SET status = $2, provider_refund_id = $3, updated_at = now()
              WHERE id = $1 AND status = 'pending' RETURNING payment_id, amount_cents)
           UPDATE payments p SET refunded_cents = LEAST(p.captured_cents, p.refunded_cents + r.amount_cents), updated_at = now()
             FROM r WHERE p.id = r.payment_id AND $2 = 'succeeded'
           RETURNING p.id, p.reservation_id, p.refunded_cents >= p.captured_cents AS full`,
          [refund.id, result.status === 'failed' || result.status === 'canceled' ? 'failed' : 'succeeded', result.id],
        )) as [{ id: string; reservation_id: string; full: boolean }[], number];
        const payment = rows[0];
        if (payment?.full) await this.outcomes.paymentRefunded(payment.reservation_id, payment.id, 'REFUNDED');
        if (result.status === 'failed' || result.status === 'canceled') {
          // Accepted, then failed at the provider: the money did not go back; a person decides.
          await markPaymentStuck(
            this.txHost.manager,
            refund.payment_id,
            `refund ${refund.id} of ${refund.amount_cents} ${result.status} at the provider (${result.id})`,
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
  private async refuse(refund: RefundRow & { provider_intent_id: string }, error: PaymentGatewayError): Promise<void> {
    const reason =
      `refund ${refund.id} of ${refund.amount_cents} refused by the provider` +
      ` (${error.providerCode ?? 'invalid_request'}): ${error.message}`;
    this.logger.error({ refundId: refund.id, paymentId: refund.payment_id, code: error.providerCode }, reason);
    await this.txHost.run(async () => {
      const failed = (await this.txHost.manager.query(
        `UPDATE refunds SET status = 'failed', updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`,
        [refund.id],
      )) as [unknown[], number];
      if (failed[0].length > 0) await markPaymentStuck(this.txHost.manager, refund.payment_id, reason);
    });
  }
}
