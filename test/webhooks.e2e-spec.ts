import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import Stripe from 'stripe';
import type { Response } from 'supertest';
import { METRIC, PaymentMetrics } from '../src/payments/metrics.service';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import { PaymentEventRelay } from '../src/payments/payment-event-relay';
import {
  type BookingPaymentOutcomes,
  BookingPaymentOutcomesPort,
  type SucceededOutcome,
} from '../src/payments/booking-payment-outcomes.port';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { WebhooksService } from '../src/webhooks/webhooks.service';
import { createTestApp, type TestApp } from './support/test-app';

const SECRET = 'whsec_webhooks_e2e_secret';
const stripe = new Stripe('sk_test_x');

interface OutcomeCall {
  method: 'succeeded' | 'scheduled' | 'failed' | 'requiresAction' | 'refunded';
  reservationId: string;
  paymentId: string;
  reason?: string;
}

/** Stands in for reservations: records what payments reported, and can be told to crash. */
class FakeOutcomes implements BookingPaymentOutcomes {
  calls: OutcomeCall[] = [];
  /** How many of the next calls throw (a handler crash mid-way). */
  failNext = 0;
  /** What reservations answers to a success (`refund`: its inventory is gone). */
  succeedWith: SucceededOutcome = { result: 'confirmed' };

  paymentSucceeded(reservationId: string, paymentId: string): Promise<SucceededOutcome> {
    return this.record({ method: 'succeeded', reservationId, paymentId }).then(() => this.succeedWith);
  }

  paymentScheduled(reservationId: string, setupId: string): Promise<SucceededOutcome> {
    return this.record({ method: 'scheduled', reservationId, paymentId: setupId }).then(() => this.succeedWith);
  }

  paymentFailed(reservationId: string, paymentId: string): Promise<void> {
    return this.record({ method: 'failed', reservationId, paymentId });
  }

  paymentRequiresAction(reservationId: string, paymentId: string): Promise<void> {
    return this.record({ method: 'requiresAction', reservationId, paymentId });
  }

  paymentRefunded(reservationId: string, paymentId: string, reason: string): Promise<void> {
    return this.record({ method: 'refunded', reservationId, paymentId, reason });
  }

  of(paymentId: string): OutcomeCall['method'][] {
    return this.calls.filter((c) => c.paymentId === paymentId).map((c) => c.method);
  }

  private async record(call: OutcomeCall): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('the reservations side crashed');
    }
    this.calls.push(call);
  }
}

interface PaymentRow {
  id: string;
  reservation_id: string;
  provider_intent_id: string | null;
  status: string;
  captured_cents: number;
  refunded_cents: number;
  failure_code: string | null;
}

/**
 * `POST /v1/webhooks/stripe` (DESIGN.md section 5) on the real app and real Postgres,
 * with events signed as Stripe signs them. Payment rows are inserted directly to stand
 * for converted reservations; a fake outcome port stands for reservations.
 */
describe('Stripe webhooks (POST /v1/webhooks/stripe)', () => {
  let t: TestApp;
  let fake: FakeOutcomes;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated', STRIPE_WEBHOOK_SECRET: SECRET } });
    // The 30 s run of pending events is registered; the tests call applyPending themselves.
    const scheduler = t.app.get(SchedulerRegistry);
    expect(scheduler.doesExist('interval', 'webhook-pending-events')).toBe(true);
    scheduler.deleteInterval('webhook-pending-events');
  });
  afterAll(async () => t?.close());

  beforeEach(() => {
    fake = new FakeOutcomes();
    t.app.get(BookingPaymentOutcomesPort).register(fake);
  });

  const newIntentId = (): string => `pi_${randomUUID().replace(/-/g, '').slice(0, 24)}`;

  async function insertPayment(
    fields: { intentId?: string | null; status?: string; amount?: number; captured?: number } = {},
  ): Promise<PaymentRow> {
    const amount = fields.amount ?? 5000;
    const [row] = (await t.dataSource.query(
      `INSERT INTO payments (reservation_id, user_id, provider, provider_intent_id, status, amount_cents, currency, captured_cents, capture_method)
       VALUES (gen_random_uuid(), 'alice', 'simulated', $1, $2, $3, 'usd', $4, 'automatic') RETURNING *`,
      [
        fields.intentId === undefined ? newIntentId() : fields.intentId,
        fields.status ?? 'requires_payment_method',
        amount,
        fields.captured ?? 0,
      ],
    )) as PaymentRow[];
    return row;
  }

  async function payment(id: string): Promise<PaymentRow> {
    const [row] = (await t.dataSource.query(`SELECT * FROM payments WHERE id = $1`, [id])) as PaymentRow[];
    return row;
  }

  async function storedEvent(id: string): Promise<{ status: string; type: string; processed_at: Date | null } | undefined> {
    const rows = (await t.dataSource.query(`SELECT status, type, processed_at FROM webhook_events WHERE id = $1`, [id])) as {
      status: string;
      type: string;
      processed_at: Date | null;
    }[];
    return rows[0];
  }

  /** A PaymentIntent as Stripe puts it in `event.data.object`. */
  function intent(id: string, status: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id,
      object: 'payment_intent',
      amount: 5000,
      amount_capturable: 0,
      amount_received: status === 'succeeded' ? 5000 : 0,
      capture_method: 'automatic_async',
      client_secret: `${id}_secret_test`,
      created: Math.floor(Date.now() / 1000) - 30,
      currency: 'usd',
      last_payment_error: null,
      latest_charge: status === 'succeeded' ? `ch_${id.slice(3)}` : null,
      livemode: false,
      metadata: {},
      next_action: status === 'requires_action' ? { type: 'use_stripe_sdk', use_stripe_sdk: {} } : null,
      payment_method: 'pm_card_visa',
      status,
      ...overrides,
    };
  }

  const declined = (id: string): Record<string, unknown> =>
    intent(id, 'requires_payment_method', {
      last_payment_error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        message: 'Your card was declined.',
      },
    });

  function event(
    type: string,
    object: Record<string, unknown>,
    id = `evt_${randomUUID().replace(/-/g, '')}`,
    created = Math.floor(Date.now() / 1000) - 2,
  ) {
    const payload = JSON.stringify({
      id,
      object: 'event',
      api_version: '2025-09-30.clover',
      created,
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    });
    return { id, payload };
  }

  const sign = (payload: string, options: { secret?: string; timestamp?: number } = {}): string =>
    stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? SECRET, timestamp: options.timestamp });

  /** Posts the raw payload, signed correctly unless told otherwise (`null`: no header at all). */
  function deliver(payload: string, signature: string | null = sign(payload)) {
    const req = t.http.post('/v1/webhooks/stripe').set('Content-Type', 'application/json');
    if (signature !== null) req.set('Stripe-Signature', signature);
    return req.send(payload);
  }

  function expectError(res: Response, status: number, error: string): void {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error, message: expect.any(String), requestId: expect.any(String) });
  }

  const signatureFailures = (): number => t.app.get(PaymentMetrics).snapshot().counters[METRIC.webhookSignatureFailures] ?? 0;

  describe('signature', () => {
    it('refuses a wrong, missing or foreign signature with 400 and stores nothing', async () => {
      const p = await insertPayment();
      const e = event('payment_intent.succeeded', intent(p.provider_intent_id!, 'succeeded'));
      const before = signatureFailures();

      expectError(await deliver(e.payload, sign(e.payload, { secret: 'whsec_someone_else' })), 400, 'VALIDATION_FAILED');
      expectError(await deliver(e.payload, null), 400, 'VALIDATION_FAILED');
      expectError(await deliver(e.payload, 't=1,v1=deadbeef'), 400, 'VALIDATION_FAILED');
      // Signed, then altered: the signature is over the raw bytes.
      const altered = e.payload.replace('"amount":5000', '"amount":1');
      expectError(await deliver(altered, sign(e.payload)), 400, 'VALIDATION_FAILED');

      expect(signatureFailures()).toBe(before + 4);
      expect(await storedEvent(e.id)).toBeUndefined();
      expect((await payment(p.id)).status).toBe('requires_payment_method');
      expect(fake.calls).toEqual([]);
    });

    it('refuses a stale timestamp with 400 and stores nothing', async () => {
      const p = await insertPayment();
      const e = event('payment_intent.succeeded', intent(p.provider_intent_id!, 'succeeded'));
      const res = await deliver(e.payload, sign(e.payload, { timestamp: Math.floor(Date.now() / 1000) - 3600 }));
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(await storedEvent(e.id)).toBeUndefined();
      expect((await payment(p.id)).status).toBe('requires_payment_method');
    });

    it('does not need a bearer token', async () => {
      const e = event('customer.created', { id: 'cus_123', object: 'customer' });
      const res = await deliver(e.payload);
      expect(res.status).toBe(200);
    });
  });

  describe('processing', () => {
    it('applies payment_intent.succeeded: payment succeeded, reservation told once, event stored as processed', async () => {
      const p = await insertPayment();
      const e = event('payment_intent.succeeded', intent(p.provider_intent_id!, 'succeeded'));
      const res = await deliver(e.payload);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true });

      const after = await payment(p.id);
      expect(after).toMatchObject({ status: 'succeeded', captured_cents: 5000 });
      expect(fake.calls).toEqual([{ method: 'succeeded', reservationId: p.reservation_id, paymentId: p.id }]);
      expect(await storedEvent(e.id)).toMatchObject({
        status: 'processed',
        type: 'payment_intent.succeeded',
        processed_at: expect.any(Date),
      });
      expect(
        t.app.get(PaymentMetrics).snapshot().histograms[`${METRIC.webhookDelaySeconds}{type="payment_intent.succeeded"}`],
      ).toMatchObject({
        count: expect.any(Number),
      });
    });

    it('acknowledges a duplicate delivery and applies the event once', async () => {
      const p = await insertPayment();
      const e = event('payment_intent.succeeded', intent(p.provider_intent_id!, 'succeeded'));
      expect((await deliver(e.payload)).body).toEqual({ received: true });
      const again = await deliver(e.payload);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ received: true, duplicate: true });
      // Two deliveries at once: one applies, the other waits on the event id and is a duplicate.
      const p2 = await insertPayment();
      const e2 = event('payment_intent.succeeded', intent(p2.provider_intent_id!, 'succeeded'));
      const both = await Promise.all([deliver(e2.payload), deliver(e2.payload)]);
      expect(both.map((r) => r.status)).toEqual([200, 200]);
      expect(both.filter((r) => (r.body as { duplicate?: boolean }).duplicate === true)).toHaveLength(1);

      expect(fake.of(p.id)).toEqual(['succeeded']);
      expect(fake.of(p2.id)).toEqual(['succeeded']);
      const [count] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM webhook_events WHERE id = ANY($1)`, [
        [e.id, e2.id],
      ])) as {
        n: number;
      }[];
      expect(count.n).toBe(2);
    });

    it('ends in the same state whatever the order: succeeded then payment_failed', async () => {
      const inOrder = await insertPayment();
      await deliver(event('payment_intent.payment_failed', declined(inOrder.provider_intent_id!)).payload).expect(200);
      await deliver(event('payment_intent.succeeded', intent(inOrder.provider_intent_id!, 'succeeded')).payload).expect(200);

      const reversed = await insertPayment();
      await deliver(event('payment_intent.succeeded', intent(reversed.provider_intent_id!, 'succeeded')).payload).expect(200);
      await deliver(event('payment_intent.payment_failed', declined(reversed.provider_intent_id!)).payload).expect(200);

      const a = await payment(inOrder.id);
      const b = await payment(reversed.id);
      expect(a).toMatchObject({ status: 'succeeded', captured_cents: 5000 });
      expect(b).toMatchObject({ status: 'succeeded', captured_cents: 5000 });
      expect(fake.of(inOrder.id).filter((m) => m === 'succeeded')).toHaveLength(1);
      expect(fake.of(reversed.id)).toEqual(['succeeded']);
    });

    it('ends in the same state whatever the order: requires_action then succeeded', async () => {
      const inOrder = await insertPayment();
      await deliver(
        event('payment_intent.requires_action', intent(inOrder.provider_intent_id!, 'requires_action')).payload,
      ).expect(200);
      await deliver(event('payment_intent.succeeded', intent(inOrder.provider_intent_id!, 'succeeded')).payload).expect(200);

      const reversed = await insertPayment();
      await deliver(event('payment_intent.succeeded', intent(reversed.provider_intent_id!, 'succeeded')).payload).expect(200);
      await deliver(
        event('payment_intent.requires_action', intent(reversed.provider_intent_id!, 'requires_action')).payload,
      ).expect(200);

      expect(await payment(inOrder.id)).toMatchObject({ status: 'succeeded', captured_cents: 5000 });
      expect(await payment(reversed.id)).toMatchObject({ status: 'succeeded', captured_cents: 5000 });
      expect(fake.of(inOrder.id)).toEqual(['requiresAction', 'succeeded']);
      expect(fake.of(reversed.id)).toEqual(['succeeded']);
    });

    it('ignores an unsettled event older than one already applied (an earlier decline arriving late), applies newer ones and settled ones of any age', async () => {
      const p = await insertPayment();
      const pi = p.provider_intent_id!;
      const now = Math.floor(Date.now() / 1000);
      // The second card needs 3-D Secure (event created 10 s ago)...
      await deliver(event('payment_intent.requires_action', intent(pi, 'requires_action'), undefined, now - 10).payload).expect(
        200,
      );
      // ...then the first card's decline, created a minute ago, is delivered late.
      const late = event('payment_intent.payment_failed', declined(pi), undefined, now - 60);
      await deliver(late.payload).expect(200);
      expect(await payment(p.id)).toMatchObject({ status: 'requires_action', failure_code: null });
      expect(fake.of(p.id)).toEqual(['requiresAction']); // the reservation was not told "failed"
      expect(await storedEvent(late.id)).toMatchObject({ status: 'processed' }); // acknowledged, kept, not applied
      // A decline after the 3-D Secure step is news: it applies.
      await deliver(event('payment_intent.payment_failed', declined(pi), undefined, now - 5).payload).expect(200);
      expect(await payment(p.id)).toMatchObject({ status: 'requires_payment_method', failure_code: 'generic_decline' });
      expect(fake.of(p.id)).toEqual(['requiresAction', 'failed']);
      // Money moved: a settled state applies whatever the event's age.
      await deliver(event('payment_intent.succeeded', intent(pi, 'succeeded'), undefined, now - 120).payload).expect(200);
      expect(await payment(p.id)).toMatchObject({ status: 'succeeded', captured_cents: 5000 });
      expect(fake.of(p.id)).toEqual(['requiresAction', 'failed', 'succeeded']);
      const [{ at }] = (await t.dataSource.query(`SELECT provider_event_at AS at FROM payments WHERE id = $1`, [p.id])) as {
        at: Date;
      }[];
      expect(at.getTime()).toBe((now - 5) * 1000); // the newest event applied, not the last delivered
    });

    it('applies the other payment_intent events: payment_failed, canceled, amount_capturable_updated', async () => {
      const failed = await insertPayment();
      await deliver(event('payment_intent.payment_failed', declined(failed.provider_intent_id!)).payload).expect(200);
      expect(await payment(failed.id)).toMatchObject({ status: 'requires_payment_method', failure_code: 'generic_decline' });
      expect(fake.of(failed.id)).toEqual(['failed']);

      const canceled = await insertPayment();
      await deliver(event('payment_intent.canceled', intent(canceled.provider_intent_id!, 'canceled')).payload).expect(200);
      expect((await payment(canceled.id)).status).toBe('canceled');

      const authorised = await insertPayment();
      const capturable = intent(authorised.provider_intent_id!, 'requires_capture', {
        capture_method: 'manual',
        amount_capturable: 5000,
      });
      await deliver(event('payment_intent.amount_capturable_updated', capturable).payload).expect(200);
      expect((await payment(authorised.id)).status).toBe('requires_capture');
      expect(fake.of(authorised.id)).toEqual(['succeeded']);
    });

    it('finds a payment by the paymentId in its metadata before the row has its intent id', async () => {
      const p = await insertPayment({ intentId: null, status: 'creating' });
      const intentId = newIntentId();
      const e = event(
        'payment_intent.succeeded',
        intent(intentId, 'succeeded', { metadata: { paymentId: p.id, reservationId: p.reservation_id } }),
      );
      await deliver(e.payload).expect(200);

      expect(await payment(p.id)).toMatchObject({ provider_intent_id: intentId, status: 'succeeded', captured_cents: 5000 });
      expect(fake.of(p.id)).toEqual(['succeeded']);
      expect((await storedEvent(e.id))?.status).toBe('processed');
    });

    it('keeps an event for a payment it does not know yet, and applies it when the payment appears', async () => {
      const intentId = newIntentId();
      const e = event('payment_intent.succeeded', intent(intentId, 'succeeded'));
      const res = await deliver(e.payload);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true });
      expect(await storedEvent(e.id)).toMatchObject({ status: 'pending', processed_at: null });

      const webhooks = t.app.get(WebhooksService);
      expect(await webhooks.applyPending(intentId)).toBe(0); // still unknown: stays pending
      expect((await storedEvent(e.id))?.status).toBe('pending');

      const p = await insertPayment({ intentId, status: 'requires_payment_method' });
      expect(await webhooks.applyPending(newIntentId())).toBe(0); // another intent's events only
      expect(await webhooks.applyPending(intentId)).toBe(1);
      expect(await payment(p.id)).toMatchObject({ status: 'succeeded', captured_cents: 5000 });
      expect(await storedEvent(e.id)).toMatchObject({ status: 'processed', processed_at: expect.any(Date) });
      expect(fake.of(p.id)).toEqual(['succeeded']);

      // A redelivery of the now-applied event is a duplicate; the scheduled run finds nothing left.
      expect((await deliver(e.payload)).body).toEqual({ received: true, duplicate: true });
      expect(await webhooks.applyPending()).toBe(0);
      expect(fake.of(p.id)).toEqual(['succeeded']);
    });

    it('applies pending events oldest first when the payment appears (scheduled run, no intent given)', async () => {
      const intentId = newIntentId();
      await deliver(event('payment_intent.requires_action', intent(intentId, 'requires_action')).payload).expect(200);
      await deliver(event('payment_intent.succeeded', intent(intentId, 'succeeded')).payload).expect(200);
      const p = await insertPayment({ intentId, status: 'requires_payment_method' });

      expect(await t.app.get(WebhooksService).applyPending()).toBeGreaterThanOrEqual(2);
      expect(await payment(p.id)).toMatchObject({ status: 'succeeded', captured_cents: 5000 });
      expect(fake.of(p.id)).toEqual(['requiresAction', 'succeeded']);
    });

    it("answers 500 on a handler crash, keeps nothing of it, and processes Stripe's retry", async () => {
      const p = await insertPayment();
      const e = event('payment_intent.succeeded', intent(p.provider_intent_id!, 'succeeded'));
      fake.failNext = 1;

      const crashed = await deliver(e.payload);
      expectError(crashed, 500, 'INTERNAL_ERROR');
      expect(JSON.stringify(crashed.body)).not.toContain('crashed');
      expect(await storedEvent(e.id)).toBeUndefined();
      expect(await payment(p.id)).toMatchObject({ status: 'requires_payment_method', captured_cents: 0 });

      const retry = await deliver(e.payload);
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual({ received: true });
      expect(await payment(p.id)).toMatchObject({ status: 'succeeded', captured_cents: 5000 });
      expect(fake.of(p.id)).toEqual(['succeeded']);
      expect((await storedEvent(e.id))?.status).toBe('processed');
    });

    it('records refunds made in the dashboard (charge.refunded) and reports a full refund', async () => {
      const p = await insertPayment({ status: 'succeeded', captured: 5000 });
      const chargeId = `ch_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
      const refund = (id: string, amount: number) => ({
        id,
        object: 'refund',
        amount,
        charge: chargeId,
        currency: 'usd',
        payment_intent: p.provider_intent_id,
        status: 'succeeded',
      });
      const charge = (amountRefunded: number, refunds: Record<string, unknown>[]) => ({
        id: chargeId,
        object: 'charge',
        amount: 5000,
        amount_captured: 5000,
        amount_refunded: amountRefunded,
        captured: true,
        currency: 'usd',
        payment_intent: p.provider_intent_id,
        refunded: amountRefunded === 5000,
        refunds: { object: 'list', data: refunds, has_more: false, url: `/v1/charges/${chargeId}/refunds` },
        status: 'succeeded',
      });
      const first = refund(`re_${randomUUID().slice(0, 8)}`, 2000);
      const second = refund(`re_${randomUUID().slice(0, 8)}`, 3000);

      await deliver(event('charge.refunded', charge(2000, [first])).payload).expect(200);
      expect((await payment(p.id)).refunded_cents).toBe(2000);
      expect(fake.of(p.id)).toEqual([]); // partial: the booking stands

      const e = event('charge.refunded', charge(5000, [second, first]));
      await deliver(e.payload).expect(200);
      expect((await payment(p.id)).refunded_cents).toBe(5000);
      const refunds = (await t.dataSource.query(
        `SELECT provider_refund_id, amount_cents, source, status FROM refunds WHERE payment_id = $1 ORDER BY amount_cents`,
        [p.id],
      )) as { provider_refund_id: string; amount_cents: number; source: string; status: string }[];
      expect(refunds).toEqual([
        { provider_refund_id: first.id, amount_cents: 2000, source: 'provider', status: 'succeeded' },
        { provider_refund_id: second.id, amount_cents: 3000, source: 'provider', status: 'succeeded' },
      ]);
      expect(fake.calls).toEqual([{ method: 'refunded', reservationId: p.reservation_id, paymentId: p.id, reason: 'REFUNDED' }]);
      expect((await storedEvent(e.id))?.status).toBe('processed');
    });

    it("completes our own refund when the provider's event arrives before our call's answer was recorded", async () => {
      const p = await insertPayment({ status: 'succeeded', captured: 5000 });
      const [ours] = (await t.dataSource.query(
        `INSERT INTO refunds (payment_id, amount_cents, reason, source, status) VALUES ($1, 2000, 'changed plans', 'admin', 'pending') RETURNING id`,
        [p.id],
      )) as { id: string }[];
      const providerRefundId = `re_${randomUUID().slice(0, 8)}`;
      const charge = {
        id: `ch_${randomUUID().slice(0, 8)}`,
        object: 'charge',
        amount: 5000,
        amount_captured: 5000,
        amount_refunded: 2000,
        payment_intent: p.provider_intent_id,
        refunds: {
          object: 'list',
          data: [{ id: providerRefundId, object: 'refund', amount: 2000, status: 'succeeded', metadata: { refundId: ours.id } }],
        },
      };
      await deliver(event('charge.refunded', charge).payload).expect(200);

      const refunds = (await t.dataSource.query(
        `SELECT id, provider_refund_id, status, source FROM refunds WHERE payment_id = $1`,
        [p.id],
      )) as { id: string; provider_refund_id: string; status: string; source: string }[];
      expect(refunds).toEqual([{ id: ours.id, provider_refund_id: providerRefundId, status: 'succeeded', source: 'admin' }]);
      expect((await payment(p.id)).refunded_cents).toBe(2000);
      expect(fake.calls).toEqual([]);
    });

    it('records a dashboard refund from refund.created when charge.refunded carries no refund list (current API versions)', async () => {
      const p = await insertPayment({ status: 'succeeded', captured: 5000 });
      const chargeId = `ch_${randomUUID().slice(0, 8)}`;
      const refund = {
        id: `re_${randomUUID().slice(0, 8)}`,
        object: 'refund',
        amount: 5000,
        charge: chargeId,
        metadata: {},
        payment_intent: p.provider_intent_id,
        status: 'succeeded',
      };
      const charge = {
        id: chargeId,
        object: 'charge',
        amount: 5000,
        amount_refunded: 5000,
        payment_intent: p.provider_intent_id,
        refunded: true,
      };
      // Either order ends the same: one provider row, 5000 refunded, the reservation told once per event at most.
      await deliver(event('charge.refunded', charge).payload).expect(200);
      expect((await payment(p.id)).refunded_cents).toBe(5000);
      await deliver(event('refund.created', refund).payload).expect(200);

      const refunds = (await t.dataSource.query(
        `SELECT provider_refund_id, amount_cents, source, status FROM refunds WHERE payment_id = $1`,
        [p.id],
      )) as unknown[];
      expect(refunds).toEqual([{ provider_refund_id: refund.id, amount_cents: 5000, source: 'provider', status: 'succeeded' }]);
      expect((await payment(p.id)).refunded_cents).toBe(5000);
      expect(fake.of(p.id).every((m) => m === 'refunded')).toBe(true);
      expect(fake.calls[0]).toEqual({ method: 'refunded', reservationId: p.reservation_id, paymentId: p.id, reason: 'REFUNDED' });

      // refund.created alone (before charge.refunded) also brings refunded_cents up.
      const q = await insertPayment({ status: 'succeeded', captured: 5000 });
      await deliver(
        event('refund.created', {
          ...refund,
          id: `re_${randomUUID().slice(0, 8)}`,
          amount: 1500,
          payment_intent: q.provider_intent_id,
        }).payload,
      ).expect(200);
      expect((await payment(q.id)).refunded_cents).toBe(1500);
      expect(fake.of(q.id)).toEqual([]);
    });

    it('acknowledges an event type it does not handle and stores it as ignored', async () => {
      const e = event('customer.subscription.created', { id: 'sub_123', object: 'subscription' });
      const res = await deliver(e.payload);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true });
      expect(await storedEvent(e.id)).toMatchObject({ status: 'ignored', type: 'customer.subscription.created' });
      expect(fake.calls).toEqual([]);
    });

    it('handles events the simulated provider delivers through the relay, on the same code path', async () => {
      const p = await insertPayment();
      const e = event('payment_intent.succeeded', intent(p.provider_intent_id!, 'succeeded'));
      await t.app.get(PaymentEventRelay).deliver(Buffer.from(e.payload), sign(e.payload));
      expect((await payment(p.id)).status).toBe('succeeded');
      expect((await storedEvent(e.id))?.status).toBe('processed');
      await expect(t.app.get(PaymentEventRelay).deliver(Buffer.from(e.payload), 't=1,v1=00')).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });

    it('sends a refund requested while applying only after the commit, end to end through the simulated provider', async () => {
      const gateway = t.app.get<SimulatedGateway>(PAYMENT_GATEWAY);
      const p = await insertPayment({ intentId: null, status: 'creating' });
      fake.succeedWith = { result: 'refund', reason: 'HOLD_EXPIRED' }; // the hold's inventory is gone

      // A saved card: confirmed at once; the provider answers, then sends payment_intent.succeeded.
      const created = await gateway.createIntent({
        paymentId: p.id,
        amount: 5000,
        currency: 'usd',
        captureMethod: 'automatic',
        paymentMethodId: 'pm_card_visa',
        metadata: { paymentId: p.id, reservationId: p.reservation_id },
      });
      expect(created.status).toBe('succeeded');
      await gateway.flushEvents(); // succeeded -> refund row -> sent after commit -> charge.refunded
      await gateway.flushEvents();

      expect(await payment(p.id)).toMatchObject({
        provider_intent_id: created.id,
        status: 'succeeded',
        captured_cents: 5000,
        refunded_cents: 5000,
      });
      const refunds = (await t.dataSource.query(
        `SELECT amount_cents, source, status, provider_refund_id FROM refunds WHERE payment_id = $1`,
        [p.id],
      )) as { amount_cents: number; source: string; status: string; provider_refund_id: string | null }[];
      expect(refunds).toEqual([
        { amount_cents: 5000, source: 'hold_expired', status: 'succeeded', provider_refund_id: expect.stringMatching(/^re_/) },
      ]);
      // The fake port is not transactional: a transaction retried after a deadlock (the refund's
      // own answer racing its charge.refunded event) may have reported twice what committed once.
      expect(new Set(fake.of(p.id))).toEqual(new Set(['succeeded', 'refunded']));
      expect(fake.calls.find((c) => c.method === 'refunded')?.reason).toBe('HOLD_EXPIRED');
    });
  });
});
