var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
var RefundsService_1;
import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '../../libs/database/src/index.js';
import { AppError } from '../../libs/errors/src/index.js';
import { METRIC, PaymentMetrics } from './metrics.service.js';
import { PAYMENT_GATEWAY } from './payment-gateway.js';
import { PaymentOutcomes } from './payment-outcome.port.js';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const toView = (r) => ({
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
let RefundsService = RefundsService_1 = class RefundsService {
    constructor(txHost, gateway, metrics, outcomes) {
        this.txHost = txHost;
        this.gateway = gateway;
        this.metrics = metrics;
        this.outcomes = outcomes;
        this.logger = new Logger(RefundsService_1.name);
    }
    /**
     * Writes a pending refund of `amount` (default: all that is left). The sum of refunds,
     * pending ones included, never exceeds what was captured.
     *
     * @throws AppError REFUND_EXCEEDS_PAYMENT
     */
    async requestRefund(paymentId, input) {
        const [payment] = (await this.txHost.manager.query(
        // refunded_cents also counts refunds made outside our API (the provider's dashboard)
        // that have no row of their own (charge.refunded carries only the charge's total).
        `SELECT p.captured_cents, p.status,
              GREATEST(COALESCE((SELECT sum(amount_cents) FROM refunds r WHERE r.payment_id = p.id AND r.status <> 'failed'), 0),
                       p.refunded_cents + COALESCE((SELECT sum(amount_cents) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'pending'), 0)
              )::int AS refunding
         FROM payments p WHERE p.id = $1 FOR UPDATE OF p`, [paymentId]));
        if (!payment)
            throw new AppError('NOT_FOUND', 'Payment not found');
        const left = payment.captured_cents - payment.refunding;
        const amount = input.amount ?? left;
        if (amount <= 0 || amount > left) {
            throw new AppError('REFUND_EXCEEDS_PAYMENT', `Refunds may not exceed the captured amount: ${payment.captured_cents} captured, ${payment.refunding} already refunded or pending`);
        }
        const [row] = (await this.txHost.manager.query(`INSERT INTO refunds (payment_id, amount_cents, reason, source, status) VALUES ($1, $2, $3, $4, 'pending') RETURNING *`, [paymentId, amount, input.reason ?? null, input.source]));
        return toView(row);
    }
    /**
     * Sends every pending refund (and every requested release of an authorisation) to the
     * provider and records the answers. Runs outside any transaction; safe to run from
     * several places at once (per-row locks, provider idempotency keys).
     */
    async flushPending() {
        try {
            await this.flush();
        }
        catch (error) {
            // Best effort here; reconciliation sends whatever is still pending.
            this.logger.warn({ err: error }, 'flushing pending refunds failed; reconciliation will retry');
        }
    }
    async flush() {
        const pending = (await this.txHost.manager.query(`SELECT r.*, p.provider_intent_id FROM refunds r JOIN payments p ON p.id = r.payment_id
        WHERE r.status = 'pending' AND p.provider_intent_id IS NOT NULL ORDER BY r.created_at LIMIT 100`));
        for (const refund of pending)
            await this.send(refund);
        const releases = (await this.txHost.manager.query(`SELECT id, provider_intent_id FROM payments WHERE cancel_requested AND status = 'requires_capture' LIMIT 100`));
        for (const payment of releases) {
            const intent = await this.gateway.cancelIntent(payment.provider_intent_id, `cancel:${payment.id}`);
            await this.txHost.manager.query(`UPDATE payments SET status = $2, cancel_requested = false, updated_at = now() WHERE id = $1 AND status = 'requires_capture'`, [payment.id, intent.status === 'canceled' ? 'canceled' : 'requires_capture']);
        }
    }
    /** Asks for an authorisation (manual capture) to be released after the current transaction. */
    async queueCancel(paymentId) {
        await this.txHost.manager.query(`UPDATE payments SET cancel_requested = true, updated_at = now() WHERE id = $1`, [paymentId]);
    }
    async listFor(paymentId) {
        const rows = (await this.txHost.manager.query(`SELECT * FROM refunds WHERE payment_id = $1 ORDER BY created_at`, [
            paymentId,
        ]));
        return rows.map(toView);
    }
    async get(refundId) {
        const rows = (await this.txHost.manager.query(`SELECT * FROM refunds WHERE id = $1`, [refundId]));
        if (!rows[0])
            throw new AppError('NOT_FOUND', 'Refund not found');
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
    async recordProviderRefunds(intentId, amountRefunded, refunds) {
        const [payment] = (await this.txHost.manager.query(`SELECT id, reservation_id, captured_cents, refunded_cents FROM payments WHERE provider_intent_id = $1 FOR UPDATE`, [intentId]));
        if (!payment)
            return null;
        for (const refund of refunds) {
            if (refund.status !== 'succeeded')
                continue;
            if (refund.refundId && UUID.test(refund.refundId)) {
                const [ours] = (await this.txHost.manager.query(`UPDATE refunds SET provider_refund_id = $2, status = 'succeeded', updated_at = now()
            WHERE id = $1 AND payment_id = $3 AND (provider_refund_id IS NULL OR provider_refund_id = $2) RETURNING id`, [refund.refundId, refund.id, payment.id]));
                if (ours.length > 0)
                    continue;
            }
            await this.txHost.manager.query(`INSERT INTO refunds (payment_id, provider_refund_id, amount_cents, reason, source, status)
         VALUES ($1, $2, $3, 'recorded from the provider', 'provider', 'succeeded')
         ON CONFLICT (provider_refund_id) DO UPDATE SET status = 'succeeded', updated_at = now()`, [payment.id, refund.id, refund.amount]);
        }
        const [{ succeeded }] = (await this.txHost.manager.query(`SELECT COALESCE(sum(amount_cents), 0)::int AS succeeded FROM refunds WHERE payment_id = $1 AND status = 'succeeded'`, [payment.id]));
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
    async send(refund) {
        const started = Date.now();
        try {
            const result = await this.gateway.createRefund({
                refundId: refund.id,
                intentId: refund.provider_intent_id,
                amount: refund.amount_cents,
                reason: refund.reason ?? undefined,
            });
            await this.txHost.run(async () => {
                const [rows] = (await this.txHost.manager.query(`WITH r AS (
             UPDATE refunds SET status = $2, provider_refund_id = $3, updated_at = now()
              WHERE id = $1 AND status = 'pending' RETURNING payment_id, amount_cents)
           UPDATE payments p SET refunded_cents = LEAST(p.captured_cents, p.refunded_cents + r.amount_cents), updated_at = now()
             FROM r WHERE p.id = r.payment_id AND $2 = 'succeeded'
           RETURNING p.id, p.reservation_id, p.refunded_cents >= p.captured_cents AS full`, [refund.id, result.status === 'failed' || result.status === 'canceled' ? 'failed' : 'succeeded', result.id]));
                const payment = rows[0];
                if (payment?.full)
                    await this.outcomes.paymentRefunded(payment.reservation_id, payment.id, 'REFUNDED');
            });
            this.metrics.observe(METRIC.refundSeconds, (Date.now() - started) / 1000);
        }
        catch (error) {
            // Left pending: reconciliation sends it again with the same idempotency key.
            this.logger.warn({ err: error, refundId: refund.id }, 'refund not sent; it stays pending and will be retried');
        }
    }
};
RefundsService = RefundsService_1 = __decorate([
    Injectable(),
    __param(1, Inject(PAYMENT_GATEWAY)),
    __metadata("design:paramtypes", [TransactionHost, Object, PaymentMetrics,
        PaymentOutcomes])
], RefundsService);
export { RefundsService };
//# sourceMappingURL=refunds.service.js.map