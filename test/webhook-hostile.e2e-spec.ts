import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { createOffering, createSlot } from './factories/inventory.factory';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createTestApp, type TestApp } from './support/test-app';

const NEW_SECRET = 'whsec_hostile_new_secret';
const stripe = new Stripe('sk_test_x');

interface PaymentRow {
  id: string;
  reservation_id: string;
  status: string;
  amount_cents: number;
  captured_cents: number;
  refunded_cents: number;
  stuck: boolean;
  stuck_reason: string | null;
}

/**
 * Signed Stripe events that are valid HMAC-wise but hostile or broken, against the real
 * app (simulated provider, real reservations) on real Postgres: money that does not
 * match our payment row, malformed objects, timestamps from the future, and secrets being
 * rotated.
 */
describe('hostile webhook events (POST /v1/webhooks/stripe)', () => {
  let t: TestApp;
  let experienceId: string;
  let slotId: string;
  const alice = () => ({ Authorization: `Bearer ${t.token('alice')}` });
  const admin = () => ({ Authorization: `Bearer ${t.token('root', ['admin'])}` });
  const settle = () => (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();

  beforeAll(async () => {
    t = await createTestApp({
      env: { PAYMENT_PROVIDER: 'simulated', STRIPE_WEBHOOK_SECRET: NEW_SECRET },
    });
    experienceId = (await createOffering(t.dataSource, { basePriceCents: 20000, currency: 'EUR' })).id;
    slotId = (await createSlot(t.dataSource, experienceId, { capacity: 50 })).id;
  });
  afterAll(async () => {
    try {
      expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    } finally {
      await t?.close();
    }
  });

  /** A pending reservation of 200.00 EUR and its intent at the simulated provider. */
  async function pending(): Promise<{ reservationId: string; intentId: string; payment: PaymentRow }> {
    const held = await t.http
      .post('/v1/reservations/hold')
      .set(alice())
      .set('X-Idempotency-Key', randomUUID())
      .send({ experienceId, timeSlotId: slotId, numberOfGuests: 1, guestName: 'Ann Lee', guestEmail: 'ann@example.com' })
      .expect(200);
    const reservationId = held.body.reservation.id as string;
    const converted = await t.http
      .post('/v1/reservations/hold/convert')
      .set(alice())
      .set('X-Idempotency-Key', randomUUID())
      .send({ holdId: reservationId })
      .expect(200);
    const intentId = converted.body.reservation.paymentIntentId as string;
    return { reservationId, intentId, payment: await paymentOf(intentId) };
  }

  /** A confirmed reservation whose 200.00 EUR were captured. */
  async function paid(): Promise<{ reservationId: string; intentId: string; payment: PaymentRow }> {
    const p = await pending();
    await t.http.post(`/v1/dev/payments/${p.intentId}/confirm`).set(alice()).send({ paymentMethod: 'pm_card_visa' }).expect(200);
    await settle();
    expect(await reservationStatus(p.reservationId)).toBe('confirmed');
    return { ...p, payment: await paymentOf(p.intentId) };
  }

  async function paymentOf(intentId: string): Promise<PaymentRow> {
    const [row] = (await t.dataSource.query(`SELECT * FROM payments WHERE provider_intent_id = $1`, [intentId])) as PaymentRow[];
    return row;
  }
  const reservationStatus = async (id: string): Promise<string> =>
    (await t.http.get(`/v1/reservations/${id}`).set(alice()).expect(200)).body.status as string;
  const stuckEntry = async (paymentId: string) =>
    ((await t.http.get('/v1/admin/payments/stuck').set(admin()).expect(200)).body.payments as Record<string, unknown>[]).find(
      (p) => p.paymentId === paymentId,
    );
  const storedEvent = async (id: string) =>
    (
      (await t.dataSource.query(`SELECT status, error FROM webhook_events WHERE id = $1`, [id])) as {
        status: string;
        error: string | null;
      }[]
    )[0];

  const newEventId = () => `evt_${randomUUID().replace(/-/g, '')}`;
  function payload(type: string, data: unknown, id = newEventId()): { id: string; body: string } {
    const body = JSON.stringify({ id, object: 'event', api_version: '2026-10-28.endive', created: now() - 1, data, type });
    return { id, body };
  }
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (body: string, secret = NEW_SECRET, timestamp = now()) =>
    stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
  const deliver = (body: string, signature = sign(body)) =>
    t.http.post('/v1/webhooks/stripe').set('Content-Type', 'application/json').set('Stripe-Signature', signature).send(body);

  /** A PaymentIntent as Stripe sends it, for `intentId`, with whatever money the sender claims. */
  const succeededIntent = (intentId: string, money: { amount: number; received: number; currency: string }, metadata = {}) => ({
    id: intentId,
    object: 'payment_intent',
    amount: money.amount,
    amount_received: money.received,
    amount_capturable: 0,
    capture_method: 'automatic',
    currency: money.currency,
    latest_charge: `ch_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    metadata,
    payment_method: 'pm_card_visa',
    status: 'succeeded',
  });

  describe('money that does not match our payment row', () => {
    it('payment_intent.succeeded for 1 USD against 200 EUR confirms nothing and lists the payment as stuck, with the reason', async () => {
      const { reservationId, intentId, payment } = await pending();
      expect(payment).toMatchObject({ amount_cents: 20000, status: 'requires_payment_method' });
      const e = payload('payment_intent.succeeded', {
        object: succeededIntent(
          intentId,
          { amount: 100, received: 100, currency: 'usd' },
          { paymentId: payment.id, reservationId },
        ),
      });

      const res = await deliver(e.body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true });

      expect(await reservationStatus(reservationId)).toBe('pending');
      expect(await paymentOf(intentId)).toMatchObject({ status: 'requires_payment_method', captured_cents: 0, stuck: true });
      expect(await stuckEntry(payment.id)).toMatchObject({
        reservationId,
        intentId,
        amount: 20000,
        currency: 'EUR',
        reason: expect.stringMatching(/100 USD.*20000 EUR/),
      });
      expect((await storedEvent(e.id))?.status).toBe('processed');
    });

    it('the right amount in another currency, or less received than asked, confirms nothing either', async () => {
      for (const money of [
        { amount: 20000, received: 20000, currency: 'usd' },
        { amount: 20000, received: 100, currency: 'eur' },
        { amount: 100, received: 20000, currency: 'eur' },
      ]) {
        const { reservationId, intentId, payment } = await pending();
        await deliver(payload('payment_intent.succeeded', { object: succeededIntent(intentId, money) }).body).expect(200);
        expect(await reservationStatus(reservationId)).toBe('pending');
        expect(await paymentOf(intentId)).toMatchObject({ status: 'requires_payment_method', captured_cents: 0, stuck: true });
        expect((await stuckEntry(payment.id))?.reason).toEqual(expect.any(String));
      }
    });

    it('the matching amount and currency (any letter case) still confirm', async () => {
      const { reservationId, intentId } = await pending();
      await deliver(
        payload('payment_intent.succeeded', {
          object: succeededIntent(intentId, { amount: 20000, received: 20000, currency: 'EUR' }),
        }).body,
      ).expect(200);
      expect(await reservationStatus(reservationId)).toBe('confirmed');
      expect(await paymentOf(intentId)).toMatchObject({ status: 'succeeded', captured_cents: 20000, stuck: false });
      await settle();
    });

    it('charge.refunded above what was captured records nothing and lists the payment as stuck', async () => {
      const { reservationId, intentId, payment } = await paid();
      expect(payment).toMatchObject({ captured_cents: 20000, refunded_cents: 0 });
      const refundId = `re_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      const charge = {
        id: `ch_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
        object: 'charge',
        amount: 20000,
        amount_captured: 20000,
        amount_refunded: 50000,
        currency: 'eur',
        payment_intent: intentId,
        refunded: true,
        refunds: { object: 'list', data: [{ id: refundId, object: 'refund', amount: 50000, status: 'succeeded' }] },
      };
      await deliver(payload('charge.refunded', { object: charge }).body).expect(200);

      expect(await paymentOf(intentId)).toMatchObject({ refunded_cents: 0, stuck: true });
      expect(await t.dataSource.query(`SELECT id FROM refunds WHERE payment_id = $1`, [payment.id])).toEqual([]);
      expect(await reservationStatus(reservationId)).toBe('confirmed');
      expect((await stuckEntry(payment.id))?.reason).toMatch(/50000.*20000/);

      // The same for one refund.created above the capture, on another payment.
      const other = await paid();
      await deliver(
        payload('refund.created', {
          object: {
            id: `re_${randomUUID().slice(0, 8)}`,
            object: 'refund',
            amount: 20001,
            payment_intent: other.intentId,
            status: 'succeeded',
          },
        }).body,
      ).expect(200);
      expect(await paymentOf(other.intentId)).toMatchObject({ refunded_cents: 0, stuck: true });
      expect(await reservationStatus(other.reservationId)).toBe('confirmed');
    });
  });
});
