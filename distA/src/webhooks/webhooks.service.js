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
var WebhooksService_1;
import { Inject, Injectable, Logger, } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TransactionHost, RecurringPass } from '../../libs/database/src/index.js';
import { AppError } from '../../libs/errors/src/index.js';
import { intentFromStripeObject } from '../payments/intent-mapper.js';
import { METRIC, PaymentMetrics } from '../payments/metrics.service.js';
import { PaymentEventRelay } from '../payments/payment-event-relay.js';
import { PAYMENT_GATEWAY, WebhookSignatureError } from '../payments/payment-gateway.js';
import { PaymentOutcomes } from '../payments/payment-outcome.port.js';
import { PaymentsService } from '../payments/payments.service.js';
import { RefundsService } from '../payments/refunds.service.js';
/** One refund each: created (in our API call or in the dashboard) or changed (e.g. pending -> succeeded). */
const REFUND_EVENTS = new Set(['refund.created', 'refund.updated', 'charge.refund.updated']);
const PENDING_INTERVAL_NAME = 'webhook-pending-events';
const PENDING_INTERVAL_MS = 30_000;
/**
 * The intent a stored event is about (a PaymentIntent's id, or a Charge's
 * `payment_intent`, an id or an expanded object) and the payment id its metadata names,
 * when that is a UUID: the two ways `applyIntent` finds our payment row.
 */
const EVENT_KEYS = `
  CROSS JOIN LATERAL (SELECT e.payload->'data'->'object' AS o) obj
  CROSS JOIN LATERAL (
    SELECT CASE WHEN e.type LIKE 'payment_intent.%' THEN obj.o->>'id'
                ELSE COALESCE(obj.o->'payment_intent'->>'id', obj.o->>'payment_intent') END AS intent_id,
           CASE WHEN e.type LIKE 'payment_intent.%'
                 AND obj.o->'metadata'->>'paymentId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                THEN (obj.o->'metadata'->>'paymentId')::uuid END AS payment_id
  ) k`;
/**
 * Stripe events (and the simulated provider's, which arrive through the same path):
 * verified over the raw body, de-duplicated by event id, and applied in ONE transaction
 * together with everything they change (payment, refunds, reservation, inventory, the
 * event row itself). Application goes through `PaymentsService.applyIntent`, whose state
 * machine only moves forward, so duplicates and any delivery order end in the same state.
 */
let WebhooksService = WebhooksService_1 = class WebhooksService {
    constructor(txHost, gateway, payments, refunds, outcomes, metrics, relay, scheduler) {
        this.txHost = txHost;
        this.gateway = gateway;
        this.payments = payments;
        this.refunds = refunds;
        this.outcomes = outcomes;
        this.metrics = metrics;
        this.relay = relay;
        this.scheduler = scheduler;
        this.logger = new Logger(WebhooksService_1.name);
        this.recurring = new RecurringPass(this.scheduler, PENDING_INTERVAL_NAME, this.logger);
    }
    /** The simulated provider delivers its signed events through the same code path as Stripe's. */
    onModuleInit() {
        this.relay.register((rawBody, signature) => this.handle(rawBody, signature).then(() => undefined));
    }
    onApplicationBootstrap() {
        this.recurring.start(PENDING_INTERVAL_MS, () => this.applyPending());
    }
    /** Before the pool closes (in TypeORM's onApplicationShutdown): no new pass, and the running one finishes. */
    async beforeApplicationShutdown() {
        await this.recurring.stop();
    }
    /**
     * Verifies and applies one delivery. The event row and every change it causes commit
     * together; if anything throws, all of it rolls back (the event row included), the
     * caller answers 500 and the provider's retry is processed afresh. A duplicate delivery
     * of an event already stored is acknowledged and changes nothing.
     *
     * @throws AppError VALIDATION_FAILED when the signature is missing, wrong or too old (nothing is stored).
     */
    async handle(rawBody, signature) {
        const event = this.verify(rawBody, signature);
        // Always a transaction of its own: a delivery is its own unit of work, even when the
        // simulated provider's delivery inherits the async context of the call that caused it.
        const outcome = await this.txHost.outside(() => this.txHost.run(async () => {
            const inserted = (await this.txHost.manager.query(`INSERT INTO webhook_events (id, type, payload, status, processed_at) VALUES ($1, $2, $3::jsonb, 'processed', now())
         ON CONFLICT (id) DO NOTHING RETURNING id`, [event.id, event.type, rawBody.toString('utf8')]));
            if (inserted.length === 0)
                return 'duplicate';
            const result = await this.dispatch(event.type, event.object);
            if (result !== 'processed')
                await this.setStatus(event.id, result);
            return result;
        }));
        if (outcome === 'duplicate') {
            this.logger.debug({ eventId: event.id, type: event.type }, 'duplicate webhook event acknowledged');
            return { received: true, duplicate: true };
        }
        this.observeDelay(event.type, event.created);
        if (outcome === 'pending')
            this.logger.log({ eventId: event.id, type: event.type }, 'webhook event kept until its payment appears');
        await this.flushRefunds();
        return { received: true };
    }
    /**
     * Applies stored `pending` events (oldest first) whose payment now exists, each in its
     * own transaction, claimed with FOR UPDATE SKIP LOCKED so replicas share the work.
     * Runs every 30 s; call it with an intent id right after an intent is recorded so its
     * early events apply at once. An event whose handler fails stays pending (its error
     * recorded) for the next run. Call it outside any transaction (after the caller
     * commits). Returns how many were applied.
     */
    async applyPending(intentId) {
        if (this.txHost.inTransaction)
            throw new Error('applyPending runs its own transactions: call it after the caller commits');
        const failed = [];
        let applied = 0;
        for (;;) {
            let claimed = null;
            try {
                const done = await this.txHost.run(async () => {
                    const [row] = (await this.txHost.manager.query(`SELECT e.id, e.type, e.payload, e.received_at FROM webhook_events e ${EVENT_KEYS}
              WHERE e.status = 'pending' AND NOT (e.id = ANY($2::text[]))
                AND ($1::text IS NULL OR k.intent_id = $1)
                AND EXISTS (SELECT 1 FROM payments p WHERE p.provider_intent_id = k.intent_id OR p.id = k.payment_id)
              ORDER BY e.received_at, e.id LIMIT 1
              FOR UPDATE OF e SKIP LOCKED`, [intentId ?? null, failed]));
                    if (!row)
                        return null;
                    claimed = row.id;
                    const object = row.payload.data?.object;
                    const result = object !== null && typeof object === 'object'
                        ? await this.dispatch(row.type, object)
                        : 'ignored';
                    if (result === 'pending') {
                        // Matched in SQL but not by applyIntent: leave it for a later run rather than spin.
                        failed.push(row.id);
                        return row;
                    }
                    await this.setStatus(row.id, result);
                    if (result === 'processed' && typeof row.payload.created === 'number')
                        this.observeDelay(row.type, row.payload.created);
                    applied++;
                    return row;
                });
                if (!done)
                    break;
            }
            catch (error) {
                if (!claimed)
                    throw error;
                failed.push(claimed);
                this.logger.error({ err: error, eventId: claimed }, 'pending webhook event could not be applied; it stays pending');
                await this.recordError(claimed, error);
            }
        }
        if (applied > 0) {
            this.logger.log(`applied ${applied} pending webhook events`);
            await this.flushRefunds();
        }
        return applied;
    }
    verify(rawBody, signature) {
        try {
            return this.gateway.verifyEvent(rawBody, signature);
        }
        catch (error) {
            if (!(error instanceof WebhookSignatureError))
                throw error;
            this.metrics.increment(METRIC.webhookSignatureFailures);
            this.logger.warn({ reason: error.message }, 'webhook signature verification failed');
            throw new AppError('VALIDATION_FAILED', 'The Stripe-Signature header is missing, does not match the body, or its timestamp is outside the tolerance');
        }
    }
    /** Applies one event's object, inside the caller's transaction. */
    async dispatch(type, object) {
        if (type.startsWith('payment_intent.')) {
            const applied = await this.payments.applyIntent(intentFromStripeObject(object));
            return applied ? 'processed' : 'pending';
        }
        if (type === 'charge.refunded') {
            const list = object.refunds?.data;
            const amountRefunded = typeof object.amount_refunded === 'number' ? object.amount_refunded : 0;
            return this.recordRefunds(object.payment_intent, amountRefunded, Array.isArray(list) ? list : []);
        }
        if (REFUND_EVENTS.has(type))
            return this.recordRefunds(object.payment_intent, 0, [object]);
        return 'ignored';
    }
    /**
     * Refunds the provider made (ours, or ones made in its dashboard): recorded so our
     * refunded amount equals the provider's; a full refund also ends the reservation.
     * `charge.refunded` carries the charge's `amount_refunded` (and, before API version
     * 2022-11-15 or when expanded, its refunds); the `refund.*` events carry one refund each,
     * which is how a dashboard refund gets its own row on current API versions.
     */
    async recordRefunds(intent, amountRefunded, list) {
        const intentId = idOf(intent);
        if (!intentId)
            return 'ignored'; // a charge without a PaymentIntent is none of ours
        const refunds = list
            .filter((r) => r !== null && typeof r === 'object')
            .filter((r) => typeof r.id === 'string' && typeof r.amount === 'number')
            .map((r) => ({
            id: r.id,
            amount: r.amount,
            status: String(r.status),
            refundId: ourRefundId(r.metadata),
        }));
        const result = await this.refunds.recordProviderRefunds(intentId, amountRefunded, refunds);
        if (!result)
            return 'pending';
        if (result.fullyRefunded)
            await this.outcomes.paymentRefunded(result.reservationId, result.paymentId, 'REFUNDED');
        return 'processed';
    }
    async setStatus(eventId, status) {
        await this.txHost.manager.query(`UPDATE webhook_events SET status = $2::text,
              processed_at = CASE WHEN $2::text = 'pending' THEN NULL ELSE now() END,
              error = CASE WHEN $2::text = 'pending' THEN error END
        WHERE id = $1`, [eventId, status]);
    }
    /** After the rollback, on its own, so the reason survives for whoever looks at the event. */
    async recordError(eventId, error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        await this.txHost.manager
            .query(`UPDATE webhook_events SET error = $2 WHERE id = $1 AND status = 'pending'`, [eventId, message.slice(0, 1000)])
            .catch((e) => this.logger.warn({ err: e, eventId }, 'could not record a webhook event error'));
    }
    /** Refunds requested while applying (inventory gone) go to the provider only after the commit. */
    async flushRefunds() {
        try {
            await this.refunds.flushPending();
        }
        catch (error) {
            this.logger.error({ err: error }, 'pending refunds could not be sent; reconciliation will retry them');
        }
    }
    observeDelay(type, created) {
        if (!Number.isFinite(created) || created <= 0)
            return;
        this.metrics.observe(METRIC.webhookDelaySeconds, Math.max(0, Date.now() / 1000 - created), { type });
    }
};
WebhooksService = WebhooksService_1 = __decorate([
    Injectable(),
    __param(1, Inject(PAYMENT_GATEWAY)),
    __metadata("design:paramtypes", [TransactionHost, Object, PaymentsService,
        RefundsService,
        PaymentOutcomes,
        PaymentMetrics,
        PaymentEventRelay,
        SchedulerRegistry])
], WebhooksService);
export { WebhooksService };
/** An expandable field: the id itself, or the expanded object's id. */
function idOf(value) {
    if (typeof value === 'string')
        return value || null;
    const id = value !== null && typeof value === 'object' ? value.id : undefined;
    return typeof id === 'string' && id !== '' ? id : null;
}
/** Our refund row's id, which `RefundsService` puts in the provider refund's metadata. */
function ourRefundId(metadata) {
    const id = metadata !== null && typeof metadata === 'object' ? metadata.refundId : undefined;
    return typeof id === 'string' ? id : null;
}
//# sourceMappingURL=webhooks.service.js.map