import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { createOffering, createSlot } from './factories/inventory.factory';
import { checkPaymentInvariants } from './support/payment-invariants';
import { holdAndConvert } from './support/stripe-app';
import { createTestApp, type TestApp } from './support/test-app';

/** Two secrets at once, as during a rotation: the new one added before the old one is removed. */
const OLD_SECRET = 'whsec_hostile_old_secret';
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
      env: { PAYMENT_PROVIDER: 'simulated', STRIPE_WEBHOOK_SECRET: ` ${NEW_SECRET} , ${OLD_SECRET} ` },
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
    const { reservationId, intentId } = await holdAndConvert(t, alice(), { experienceId, timeSlotId: slotId });
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
  describe('signature: timestamps and rotated secrets', () => {
    const expect400 = (res: { status: number; body: unknown }) => {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'VALIDATION_FAILED', message: expect.any(String), requestId: expect.any(String) });
    };

    it('refuses a valid HMAC whose timestamp is more than 5 minutes in the future, and stores nothing', async () => {
      const { reservationId, intentId } = await pending();
      const e = payload('payment_intent.succeeded', {
        object: succeededIntent(intentId, { amount: 20000, received: 20000, currency: 'eur' }),
      });
      expect400(await deliver(e.body, sign(e.body, NEW_SECRET, now() + 3600)));
      expect400(await deliver(e.body, sign(e.body, NEW_SECRET, now() + 330)));
      expect(await storedEvent(e.id)).toBeUndefined();
      expect(await reservationStatus(reservationId)).toBe('pending');

      // Within the tolerance either way (clocks drift): accepted.
      const ahead = payload('customer.created', { object: { id: 'cus_1', object: 'customer' } });
      await deliver(ahead.body, sign(ahead.body, NEW_SECRET, now() + 60)).expect(200);
      const behind = payload('customer.created', { object: { id: 'cus_2', object: 'customer' } });
      await deliver(behind.body, sign(behind.body, NEW_SECRET, now() - 60)).expect(200);
    });

    it('accepts a signature made with any secret of the list (old or new), refuses any other', async () => {
      const withOld = payload('customer.created', { object: { id: 'cus_old', object: 'customer' } });
      expect((await deliver(withOld.body, sign(withOld.body, OLD_SECRET)).expect(200)).body).toEqual({ received: true });
      const withNew = payload('customer.created', { object: { id: 'cus_new', object: 'customer' } });
      await deliver(withNew.body, sign(withNew.body, NEW_SECRET)).expect(200);
      const withOther = payload('customer.created', { object: { id: 'cus_x', object: 'customer' } });
      expect400(await deliver(withOther.body, sign(withOther.body, 'whsec_someone_else')));
      // The whole list as one secret is no secret of ours.
      expect400(await deliver(withOther.body, sign(withOther.body, `${NEW_SECRET},${OLD_SECRET}`)));
      expect(await storedEvent(withOther.id)).toBeUndefined();
    });

    it("the simulated provider's own events (signed with the first secret of the list) still go through", async () => {
      await paid(); // convert, pay and confirm through the simulated provider's signed events
    });
  });

  describe('signed events whose data.object is null or malformed', () => {
    it('are acknowledged (2xx), stored as unprocessable with the reason, and change nothing', async () => {
      const { reservationId, intentId, payment } = await pending();
      const cases: [string, unknown][] = [
        ['payment_intent.succeeded', { object: null }],
        ['payment_intent.succeeded', { object: 'pi_123' }],
        ['payment_intent.succeeded', { object: [intentId] }],
        ['payment_intent.succeeded', { object: 42 }],
        ['payment_intent.succeeded', {}],
        ['payment_intent.succeeded', null],
        ['payment_intent.succeeded', { object: { object: 'payment_intent', status: 'succeeded', amount: 20000 } }],
        ['payment_intent.succeeded', { object: { id: 12345, object: 'payment_intent', status: 'succeeded' } }],
        ['payment_intent.succeeded', { object: { id: ['pi_1'], object: 'payment_intent', status: 'succeeded' } }],
        ['payment_intent.succeeded', { object: { id: intentId, object: 'payment_intent', status: 'exploded' } }],
        ['payment_intent.succeeded', { object: { id: intentId, object: 'charge', status: 'succeeded' } }],
        ['payment_intent.payment_failed', { object: { id: { nested: true }, status: 'requires_payment_method' } }],
        ['charge.refunded', { object: null }],
        ['charge.refunded', { object: 'ch_123' }],
        ['charge.refunded', { object: { object: 'charge', payment_intent: intentId, amount_refunded: 100 } }],
        ['charge.refunded', { object: { id: 'ch_1', payment_intent: 7, amount_refunded: 100 } }],
        ['refund.created', { object: [] }],
        ['refund.updated', { object: { id: 're_1', payment_intent: { id: 9 }, amount: 100, status: 'succeeded' } }],
        ['customer.created', { object: null }],
      ];
      for (const [type, data] of cases) {
        const e = payload(type, data);
        const res = await deliver(e.body);
        expect([type, data, res.status, res.body]).toEqual([type, data, 200, { received: true }]);
        expect(await storedEvent(e.id)).toEqual({ status: 'unprocessable', error: expect.stringMatching(/data\.object/) });
        // Stripe's retry of the same event is a duplicate, still acknowledged.
        expect((await deliver(e.body)).body).toEqual({ received: true, duplicate: true });
      }
      expect(await reservationStatus(reservationId)).toBe('pending');
      expect(await paymentOf(intentId)).toMatchObject({ status: 'requires_payment_method', stuck: false, captured_cents: 0 });
      expect(payment.status).toBe('requires_payment_method');
    });

    it('a refund event whose amounts are not positive integers records nothing and answers 2xx', async () => {
      const { intentId, payment } = await paid();
      for (const amount of [-5000, 1.5, '5000', 1e20]) {
        const e = payload('refund.created', {
          object: { id: `re_${randomUUID().slice(0, 8)}`, amount, payment_intent: intentId, status: 'succeeded' },
        });
        expect((await deliver(e.body)).status).toBe(200);
      }
      expect(await t.dataSource.query(`SELECT id FROM refunds WHERE payment_id = $1`, [payment.id])).toEqual([]);
      expect(await paymentOf(intentId)).toMatchObject({ refunded_cents: 0, stuck: false });
    });

    it('a NUL character escaped in the signed body (which jsonb refuses) is stored and answered 2xx', async () => {
      const body = payload('customer.created', { object: { id: 'cus_nul', name: 'a\u0000b' } }).body;
      expect(body).toContain('\\u0000');
      const res = await deliver(body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true });
      const [row] = (await t.dataSource.query(`SELECT payload->'data'->'object'->>'name' AS name FROM webhook_events WHERE id = $1`, [
        JSON.parse(body).id,
      ])) as { name: string }[];
      expect(row.name).toBe('a\ufffdb');
    });

    it('a signed event nested 5,000 levels deep is acknowledged and stored as unprocessable (the input guard does not refuse it)', async () => {
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      for (const type of ['payment_intent.succeeded', 'customer.created']) {
        const id = newEventId();
        const body = `{"id":"${id}","object":"event","created":${now() - 1},"type":"${type}","data":{"object":{"id":"pi_deep","nested":${deep}}}}`;
        const res = await deliver(body);
        expect([type, res.status, res.body]).toEqual([type, 200, { received: true }]);
        expect(await storedEvent(id)).toEqual({ status: 'unprocessable', error: expect.stringMatching(/nested more than 32 levels/) });
      }
    });
  });
});
