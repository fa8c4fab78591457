import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { ReconciliationJob } from '../src/payments/reconciliation.job';
import { RefundsService } from '../src/payments/refunds.service';
import { createOffering, createSlot } from './factories/inventory.factory';
import type { FakeStripe } from './support/fake-stripe/index';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createStripeTestApp, holdAndConvert } from './support/stripe-app';
import type { TestApp } from './support/test-app';

const WEBHOOK_SECRET = 'whsec_refunds_spec_secret';
const REFUND_POSTS = 'POST /v1/refunds';

interface RefundRow {
  id: string;
  amount_cents: number;
  status: string;
}

/**
 * Money against the fake Stripe server (real SDK, real Postgres). Refunds: the amount
 * check serialises refunds of one payment, and a refund the provider refuses for good is
 * failed, not retried, and shown to admins as a stuck payment. Intents: what the provider
 * reports must be our row's amount and currency, on every path that reads it.
 */
describe('money (fake Stripe, real Postgres)', () => {
  let fake: FakeStripe;
  let t: TestApp;
  /** Stripe.js on the phone; also stands in for someone refunding in the Stripe dashboard. */
  let client: Stripe;
  let webhookUrl: string;
  let experienceId: string;
  let slotId: string;
  const admin = () => ({ Authorization: `Bearer ${t.token('root', ['admin'])}` });
  const alice = () => ({ Authorization: `Bearer ${t.token('alice')}` });

  beforeAll(async () => {
    ({ fake, t, client, webhookUrl } = await createStripeTestApp({
      secretKey: 'sk_test_refunds_spec',
      clientKey: 'sk_test_refunds_dashboard',
      webhookSecret: WEBHOOK_SECRET,
    }));
    experienceId = (await createOffering(t.dataSource, { basePriceCents: 9000 })).id;
    slotId = (await createSlot(t.dataSource, experienceId, { capacity: 100 })).id;
  });

  afterAll(async () => {
    try {
      expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    } finally {
      await t?.close();
      await fake?.stop();
    }
  });

  /** hold -> convert: a pending reservation of 90.00 EUR and its intent. */
  const converted = () => holdAndConvert(t, alice(), { experienceId, timeSlotId: slotId });

  /** hold -> convert -> the app pays -> the webhook confirms: a payment with 9,000 captured. */
  async function capturedPayment(): Promise<{ paymentId: string; intentId: string }> {
    const { intentId } = await converted();
    await client.paymentIntents.confirm(intentId, { payment_method: 'pm_card_visa' });
    await fake.deliverAll();
    const [row] = (await t.dataSource.query(`SELECT id, status, captured_cents FROM payments WHERE provider_intent_id = $1`, [
      intentId,
    ])) as { id: string; status: string; captured_cents: number }[];
    expect(row).toMatchObject({ status: 'succeeded', captured_cents: 9000 });
    return { paymentId: row.id, intentId };
  }

  const refundsOf = async (paymentId: string): Promise<RefundRow[]> =>
    (await t.dataSource.query(`SELECT id, amount_cents, status FROM refunds WHERE payment_id = $1 ORDER BY created_at`, [
      paymentId,
    ])) as RefundRow[];
  const refund = (paymentId: string, amount: number) =>
    t.http.post(`/v1/admin/payments/${paymentId}/refunds`).set(admin()).send({ amount });
  const stuckList = async () =>
    (await t.http.get('/v1/admin/payments/stuck').set(admin()).expect(200)).body.payments as Record<string, unknown>[];

  it('ten concurrent refunds of 3,000 on a 9,000 capture: exactly 3 accepted, 7 refused with 422, never more refunded than captured', async () => {
    const { paymentId, intentId } = await capturedPayment();
    const posts = fake.requests.length;

    const answers = await Promise.all(Array.from({ length: 10 }, () => refund(paymentId, 3000)));

    const accepted = answers.filter((r) => r.status === 201);
    const refused = answers.filter((r) => r.status === 422);
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r.body).toEqual({ error: 'REFUND_EXCEEDS_PAYMENT', message: expect.any(String), requestId: expect.any(String) });
    }
    for (const r of accepted) expect(r.body).toMatchObject({ amount: 3000, status: 'succeeded', source: 'admin' });

    const rows = await refundsOf(paymentId);
    expect(rows.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(rows.reduce((sum, r) => sum + r.amount_cents, 0)).toBe(9000);
    // The provider was asked for three refunds (concurrent flushes may send one twice, with
    // the same key), and refunded exactly the capture.
    const keys = fake.requests.slice(posts).filter((r) => r.template === '/v1/refunds' && r.method === 'POST');
    expect(new Set(keys.map((r) => r.idempotencyKey)).size).toBe(3);
    const atStripe = [...fake.state.refunds.values()].filter((r) => r.payment_intent === intentId);
    expect(atStripe.reduce((sum, r) => sum + r.amount, 0)).toBe(9000);
    const [payment] = (await t.dataSource.query(`SELECT refunded_cents, captured_cents, stuck FROM payments WHERE id = $1`, [
      paymentId,
    ])) as { refunded_cents: number; captured_cents: number; stuck: boolean }[];
    expect(payment).toEqual({ refunded_cents: 9000, captured_cents: 9000, stuck: false });
  });

  it('a refund the provider refuses as over-refunded is failed, not retried, and the payment is listed as stuck with the reason', async () => {
    const { paymentId, intentId } = await capturedPayment();
    // Refunded in the Stripe dashboard; its charge.refunded event has not reached us.
    await client.refunds.create({ payment_intent: intentId, amount: 8000 });

    const res = await refund(paymentId, 3000).expect(201);
    expect(res.body).toMatchObject({ amount: 3000, status: 'failed', providerRefundId: null });
    expect((await refundsOf(paymentId)).map((r) => r.status)).toEqual(['failed']);

    const stuck = (await stuckList()).find((p) => p.paymentId === paymentId);
    expect(stuck).toMatchObject({ intentId, status: 'succeeded', reason: expect.stringMatching(/refund/i) });

    // Neither the next flush nor reconciliation sends it again.
    const posts = fake.requestCount(REFUND_POSTS);
    await t.app.get(RefundsService).flushPending();
    await t.app.get(ReconciliationJob).reconcile(0);
    expect(fake.requestCount(REFUND_POSTS)).toBe(posts);
    expect((await refundsOf(paymentId)).map((r) => r.status)).toEqual(['failed']);

    // A payment already over its capture at the provider: charge_already_refunded, same outcome.
    const second = await capturedPayment();
    await client.refunds.create({ payment_intent: second.intentId });
    expect((await refund(second.paymentId, 1000).expect(201)).body.status).toBe('failed');
    expect((await stuckList()).find((p) => p.paymentId === second.paymentId)).toMatchObject({
      reason: expect.stringMatching(/refund/i),
    });
    await fake.deliverAll();
  });

  it('a transient provider error (5xx) leaves the refund pending, and it is sent again with the same key', async () => {
    const { paymentId, intentId } = await capturedPayment();
    fake.inject({ kind: 'status', status: 503, path: '/v1/refunds', times: 3 });

    const res = await refund(paymentId, 2000).expect(201);
    expect(res.body).toMatchObject({ amount: 2000, status: 'pending' });
    expect((await stuckList()).find((p) => p.paymentId === paymentId)).toBeUndefined();

    await t.app.get(RefundsService).flushPending();
    const rows = await refundsOf(paymentId);
    expect(rows).toEqual([{ id: res.body.refundId, amount_cents: 2000, status: 'succeeded' }]);
    const keys = fake.requests.filter((r) => r.template === '/v1/refunds' && r.method === 'POST').map((r) => r.idempotencyKey);
    expect(new Set(keys.slice(-4))).toEqual(new Set([`refund:${res.body.refundId}`]));
    expect([...fake.state.refunds.values()].filter((r) => r.payment_intent === intentId).map((r) => r.amount)).toEqual([2000]);
  });
  describe("an intent whose money is not our payment row's", () => {
    /** Someone changed the intent at the provider (amount and currency) before the app paid it. */
    async function paidWithOtherMoney(): Promise<{ reservationId: string; intentId: string; paymentId: string }> {
      const { reservationId, intentId } = await converted();
      Object.assign(fake.state.paymentIntents.get(intentId)!, { amount: 100, currency: 'usd' });
      const paid = await client.paymentIntents.confirm(intentId, { payment_method: 'pm_card_visa' });
      expect(paid).toMatchObject({ status: 'succeeded', amount_received: 100, currency: 'usd' });
      const [{ id }] = (await t.dataSource.query(`SELECT id FROM payments WHERE provider_intent_id = $1`, [intentId])) as {
        id: string;
      }[];
      return { reservationId, intentId, paymentId: id };
    }
    const reservationStatus = async (id: string) =>
      (await t.http.get(`/v1/reservations/${id}`).set(alice()).expect(200)).body.status as string;
    const paymentRow = async (id: string) =>
      ((await t.dataSource.query(`SELECT status, captured_cents, stuck FROM payments WHERE id = $1`, [id])) as unknown[])[0];

    it('POST /v1/reservations/confirm reads it from the provider: 409, nothing confirmed, the payment stuck with the reason; its webhook changes nothing', async () => {
      const { reservationId, intentId, paymentId } = await paidWithOtherMoney();

      const res = await t.http
        .post('/v1/reservations/confirm')
        .set(alice())
        .send({ reservationId, paymentIntentId: intentId })
        .expect(409);
      expect(res.body.error).toBe('PAYMENT_NOT_COMPLETED');
      expect(await reservationStatus(reservationId)).toBe('pending');
      expect(await paymentRow(paymentId)).toEqual({ status: 'requires_payment_method', captured_cents: 0, stuck: true });
      expect((await stuckList()).find((p) => p.paymentId === paymentId)).toMatchObject({
        intentId,
        amount: 9000,
        currency: 'EUR',
        reason: expect.stringMatching(/100 USD.*9000 EUR/),
      });

      // Stripe's own payment_intent.succeeded carries the same 1 USD: acknowledged, nothing confirmed.
      const deliveries = await fake.deliverAll();
      expect(deliveries.filter((d) => d.status !== 200)).toEqual([]);
      expect(await reservationStatus(reservationId)).toBe('pending');
      expect(await paymentRow(paymentId)).toEqual({ status: 'requires_payment_method', captured_cents: 0, stuck: true });
    });

    it('reconciliation reads it the same way: nothing confirmed, the payment stuck, and not read again', async () => {
      fake.setWebhookTarget(null); // the webhook is lost
      try {
        const { reservationId, paymentId } = await paidWithOtherMoney();
        await t.app.get(ReconciliationJob).reconcile(0);
        expect(await reservationStatus(reservationId)).toBe('pending');
        expect(await paymentRow(paymentId)).toEqual({ status: 'requires_payment_method', captured_cents: 0, stuck: true });
        expect((await stuckList()).find((p) => p.paymentId === paymentId)?.reason).toMatch(/100 USD.*9000 EUR/);
        const reads = fake.requestCount('GET /v1/payment_intents/:id');
        await t.app.get(ReconciliationJob).reconcile(0);
        expect(fake.requestCount('GET /v1/payment_intents/:id')).toBe(reads);
      } finally {
        fake.setWebhookTarget(webhookUrl, WEBHOOK_SECRET);
      }
    });
  });
});
