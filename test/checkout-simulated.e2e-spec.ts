import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TransactionHost } from '@holdfast/database';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import { PaymentsService } from '../src/payments/payments.service';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { createOffering, createSlot, createUnit } from './factories/inventory.factory';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createTestApp, type TestApp } from './support/test-app';

const guest = { guestName: 'John Doe', guestEmail: 'john@example.com' };

/**
 * Seed 004 end to end, as a mobile app (or a Swagger user) would drive it, with the
 * simulated provider: only HTTP, the dev routes standing in for Stripe.js.
 */
describe('checkout with the simulated provider, over HTTP only', () => {
  let t: TestApp;
  let token: string;
  let experienceId: string;
  let slotId: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const settle = () => (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();

  const hold = async (guests = 2) => {
    const res = await t.http
      .post('/v1/reservations/hold')
      .set(auth())
      .set('X-Idempotency-Key', randomUUID())
      .send({ experienceId, timeSlotId: slotId, numberOfGuests: guests, ...guest })
      .expect(200);
    return res.body.reservation.id as string;
  };
  const convert = (holdId: string, body: object = {}, key = randomUUID()) =>
    t.http
      .post('/v1/reservations/hold/convert')
      .set(auth())
      .set('X-Idempotency-Key', key)
      .send({ holdId, ...body });
  /** convert, 200: the new intent's id. */
  const convertOk = async (holdId: string) => (await convert(holdId).expect(200)).body.reservation.paymentIntentId as string;
  const pay = (pi: string, paymentMethod: string) =>
    t.http.post(`/v1/dev/payments/${pi}/confirm`).set(auth()).send({ paymentMethod });
  const reservation = async (id: string) => (await t.http.get(`/v1/reservations/${id}`).set(auth()).expect(200)).body;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    token = t.token('alice');
    const offering = await createOffering(t.dataSource, { kind: 'experience', basePriceCents: 10000, refundableUntilHours: 48 });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 20 });
    experienceId = offering.id;
    slotId = slot.id;
  });
  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    await t.close();
  });

  it('hold -> convert -> pay (4242) -> confirmed by the webhook; the confirm call then changes nothing', async () => {
    const id = await hold();
    const converted = await convert(id).expect(200);
    expect(converted.body).toEqual({
      reservation: { id, status: 'pending', paymentIntentId: expect.stringMatching(/^pi_/), paymentStatus: 'none' },
      paymentClientSecret: expect.stringMatching(/_secret_/),
      requiresAction: false,
      clientSecretType: 'payment_intent',
    });
    const pi = converted.body.reservation.paymentIntentId as string;

    await pay(pi, '4242424242424242').expect(200);
    await settle();
    const confirmed = await reservation(id);
    expect(confirmed).toMatchObject({ status: 'confirmed', reservationReference: expect.stringMatching(/^[A-Z0-9]{12}$/) });

    const again = await t.http
      .post('/v1/reservations/confirm')
      .set(auth())
      .send({ reservationId: id, paymentIntentId: pi })
      .expect(200);
    expect(again.body).toEqual({
      reservation: { id, status: 'confirmed', paymentStatus: 'paid', reservationReference: confirmed.reservationReference },
      payment: { paymentId: expect.any(String), status: 'captured', chargeId: expect.stringMatching(/^ch_/) },
    });
    const status = await t.http.get(`/v1/reservations/${id}/payment-status`).set(auth()).expect(200);
    expect(status.body).toEqual({
      success: true,
      data: {
        reservationStatus: 'confirmed',
        paymentIntentId: pi,
        stripeStatus: 'succeeded',
        requiresAction: false,
        actionType: null,
        clientSecret: null,
        clientSecretType: 'payment_intent',
      },
    });
  });

  it('confirm call first, webhook second: confirmed once', async () => {
    const id = await hold(1);
    const pi = await convertOk(id);
    await t.http.post('/v1/reservations/confirm').set(auth()).send({ reservationId: id, paymentIntentId: pi }).expect(409);
    await pay(pi, 'pm_card_visa').expect(200);
    const res = await t.http
      .post('/v1/reservations/confirm')
      .set(auth())
      .send({ reservationId: id, paymentIntentId: pi })
      .expect(200);
    const reference = res.body.reservation.reservationReference;
    await settle();
    expect((await reservation(id)).reservationReference).toBe(reference);
  });

  it('declined, then paid with another card on the same hold (payment recovery)', async () => {
    const id = await hold(1);
    const first = (await convert(id).expect(200)).body.reservation.paymentIntentId as string;
    const declined = await pay(first, '4000000000000002').expect(400);
    expect(declined.body.error).toBe('PAYMENT_CARD_DECLINED');
    await settle();
    expect((await reservation(id)).status).toBe('payment_failed');

    const retry = await convert(id).expect(200);
    const second = retry.body.reservation.paymentIntentId as string;
    expect(second).not.toBe(first);
    await pay(second, '4242424242424242').expect(200);
    await settle();
    expect((await reservation(id)).status).toBe('confirmed');
  });

  it('insufficient funds is a decline too', async () => {
    const id = await hold(1);
    const pi = await convertOk(id);
    const res = await pay(pi, '4000000000009995').expect(400);
    expect(res.body.error).toBe('PAYMENT_CARD_DECLINED');
  });

  it('3-D Secure: requires action, then authenticated, then confirmed', async () => {
    const id = await hold(1);
    const pi = await convertOk(id);
    await pay(pi, '4000002500003155').expect(200);
    await settle();
    const polled = await t.http.get(`/v1/reservations/${id}/payment-status`).set(auth()).expect(200);
    expect(polled.body.data).toMatchObject({
      reservationStatus: 'pending',
      stripeStatus: 'requires_action',
      requiresAction: true,
    });
    await t.http.post(`/v1/dev/payments/${pi}/authenticate`).set(auth()).send({ result: 'success' }).expect(200);
    await settle();
    expect((await reservation(id)).status).toBe('confirmed');
  });

  it('the same convert key sent 20 times at once creates one intent', async () => {
    const id = await hold(1);
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 20 }, () => convert(id, {}, key)));
    const ok = responses.filter((r) => r.status === 200);
    expect(responses.every((r) => r.status === 200 || r.body.error === 'IDEMPOTENCY_KEY_IN_PROGRESS')).toBe(true);
    expect(new Set(ok.map((r) => r.body.reservation.paymentIntentId)).size).toBe(1);
    const [{ n }] = (await t.dataSource.query('SELECT count(*)::int AS n FROM payments WHERE reservation_id = $1', [id])) as [
      { n: number },
    ];
    expect(n).toBe(1);
  });

  it('a convert after the hold expired is refused with HOLD_EXPIRED', async () => {
    const id = await hold(1);
    await t.dataSource.query(`UPDATE reservations SET hold_expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    const res = await convert(id).expect(400);
    expect(res.body.error).toBe('HOLD_EXPIRED');
  });

  it('cancelling a confirmed booking inside the refund window refunds it in full', async () => {
    const id = await hold(2);
    const pi = await convertOk(id);
    await pay(pi, '4242424242424242').expect(200);
    await settle();
    const cancelled = await t.http.post(`/v1/reservations/${id}/cancel`).set(auth()).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', statusReason: 'USER_CANCELLED' });
    await settle();
    const [payment] = (await t.dataSource.query(
      'SELECT captured_cents, refunded_cents FROM payments WHERE provider_intent_id = $1',
      [pi],
    )) as {
      captured_cents: number;
      refunded_cents: number;
    }[];
    expect(payment).toEqual({ captured_cents: 20000, refunded_cents: 20000 });
  });

  it('admin refunds: partial, then one that would exceed is 422', async () => {
    const id = await hold(1);
    const pi = await convertOk(id);
    await pay(pi, '4242424242424242').expect(200);
    await settle();
    const [{ id: paymentId }] = (await t.dataSource.query('SELECT id FROM payments WHERE provider_intent_id = $1', [pi])) as [
      { id: string },
    ];
    const admin = t.token('root', ['admin']);
    const partial = await t.http
      .post(`/v1/admin/payments/${paymentId}/refunds`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ amount: 4000 })
      .expect(201);
    expect(partial.body).toMatchObject({ amount: 4000, status: 'succeeded', source: 'admin' });
    const tooMuch = await t.http
      .post(`/v1/admin/payments/${paymentId}/refunds`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ amount: 6001 })
      .expect(422);
    expect(tooMuch.body.error).toBe('REFUND_EXCEEDS_PAYMENT');
    await t.http.post(`/v1/admin/payments/${paymentId}/refunds`).set(auth()).send({ amount: 1 }).expect(403);
  });
  it('lists payments reconciliation could not repair for admins', async () => {
    const id = await hold(1);
    const pi = await convertOk(id);
    await t.dataSource.query(`UPDATE payments SET stuck = true WHERE provider_intent_id = $1`, [pi]);
    const admin = t.token('root', ['admin']);
    const res = await t.http.get('/v1/admin/payments/stuck').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(res.body.payments).toEqual([
      expect.objectContaining({
        reservationId: id,
        intentId: pi,
        status: 'requires_payment_method',
        amount: 10000,
        currency: 'EUR',
      }),
    ]);
    await t.http.get('/v1/admin/payments/stuck').set(auth()).expect(403);
    await t.dataSource.query(`UPDATE payments SET stuck = false WHERE provider_intent_id = $1`, [pi]);
  });
});

describe('rentals (carriers, not vehicles): paid like goods, captured at confirmation, refunded by policy', () => {
  let t: TestApp;
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
  });
  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    await t.close();
  });

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const rentalHold = async (token: string, offeringId: string, from = 10, to = 13) =>
    (
      await t.http
        .post('/v1/reservations/hold')
        .set(bearer(token))
        .set('X-Idempotency-Key', randomUUID())
        .send({ ...guest, items: [{ offeringId, startDate: day(from), endDate: day(to) }] })
        .expect(200)
    ).body.reservation as { id: string; totalPrice: number };
  const paymentRows = (reservationId: string) =>
    t.dataSource.query(
      `SELECT id, status, capture_method, amount_cents, captured_cents, refunded_cents FROM payments WHERE reservation_id = $1`,
      [reservationId],
    ) as Promise<
      {
        id: string;
        status: string;
        capture_method: string;
        amount_cents: number;
        captured_cents: number;
        refunded_cents: number;
      }[]
    >;

  /** A rental offering with one unit, `code`. */
  const carrierWithUnit = async (code: string, offering: Parameters<typeof createOffering>[1]) => {
    const carrier = await createOffering(t.dataSource, { kind: 'rental', ...offering });
    await createUnit(t.dataSource, carrier.id, code);
    return carrier;
  };
  /** convert, 200: the new intent's id. */
  const convertRental = async (token: string, holdId: string) =>
    (
      await t.http
        .post('/v1/reservations/hold/convert')
        .set(bearer(token))
        .set('X-Idempotency-Key', randomUUID())
        .send({ holdId })
        .expect(200)
    ).body.reservation.paymentIntentId as string;
  /** Stripe.js's part through the dev route, then the simulated provider's events delivered. */
  const payAndSettle = async (token: string, pi: string, paymentMethod: string) => {
    await t.http.post(`/v1/dev/payments/${pi}/confirm`).set(bearer(token)).send({ paymentMethod }).expect(200);
    await (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();
  };
  const cancelOk = (token: string, id: string) => t.http.post(`/v1/reservations/${id}/cancel`).set(bearer(token)).expect(200);
  const reservationBody = async (token: string, id: string) =>
    (await t.http.get(`/v1/reservations/${id}`).set(bearer(token)).expect(200)).body;
  /** What convert did before rentals were captured at once: the reservation pending, an attempt with manual capture and its intent. */
  const legacyManualAttempt = async (id: string, totalPrice: number, submit: { paymentMethodId?: string } = {}) => {
    const payments = t.app.get(PaymentsService);
    const txHost = t.app.get(TransactionHost);
    const attempt = await txHost.run(async () => {
      await txHost.manager.query(`UPDATE reservations SET status = 'pending' WHERE id = $1`, [id]);
      return payments.openAttempt({
        reservationId: id,
        userId: 'rita',
        amount: totalPrice,
        currency: 'EUR',
        captureMethod: 'manual',
      });
    });
    return { payments, attempt, submitted: await payments.submitAttempt(attempt.paymentId, submit) };
  };

  it('hold -> convert -> pay -> confirmed with the total captured; cancel within the policy refunds it in full', async () => {
    const token = t.token('rita');
    const carrier = await carrierWithUnit('CARRIER-1', { basePriceCents: 8000, refundableUntilHours: 48 });
    const { id, totalPrice } = await rentalHold(token, carrier.id);
    expect(totalPrice).toBe(24000);
    const pi = await convertRental(token, id);
    await payAndSettle(token, pi, 'pm_card_visa');

    const confirmed = await t.http
      .post('/v1/reservations/confirm')
      .set(bearer(token))
      .send({ reservationId: id, paymentIntentId: pi })
      .expect(200);
    expect(confirmed.body).toMatchObject({
      reservation: { status: 'confirmed', paymentStatus: 'paid' },
      payment: { status: 'captured', chargeId: expect.stringMatching(/^ch_/) },
    });
    expect(await paymentRows(id)).toEqual([
      expect.objectContaining({ status: 'succeeded', capture_method: 'automatic', amount_cents: 24000, captured_cents: 24000 }),
    ]);

    await cancelOk(token, id);
    await (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();
    expect(await paymentRows(id)).toEqual([expect.objectContaining({ captured_cents: 24000, refunded_cents: 24000 })]);
    const after = await reservationBody(token, id);
    expect(after).toMatchObject({ status: 'cancelled', statusReason: 'USER_CANCELLED' });
  });

  it('cancelled after the policy window: nothing is refunded, the capture stands', async () => {
    const token = t.token('rita');
    const carrier = await carrierWithUnit('CARRIER-2', { basePriceCents: 5000, refundableUntilHours: 48 });
    const { id } = await rentalHold(token, carrier.id, 1, 3); // starts within 48 h
    const pi = await convertRental(token, id);
    await payAndSettle(token, pi, '4242424242424242');
    expect(await paymentRows(id)).toEqual([expect.objectContaining({ status: 'succeeded', captured_cents: 10000 })]);

    await cancelOk(token, id);
    expect(await paymentRows(id)).toEqual([expect.objectContaining({ captured_cents: 10000, refunded_cents: 0 })]);
    const after = await reservationBody(token, id);
    expect(after).toMatchObject({ status: 'cancelled', statusReason: 'USER_CANCELLED_NO_REFUND' });
  });

  it('an authorisation made before rentals were captured at once (manual capture) still confirms as authorized, and cancel releases it', async () => {
    const token = t.token('rita');
    const carrier = await carrierWithUnit('CARRIER-3', { basePriceCents: 8000, refundableUntilHours: 48 });
    const { id, totalPrice } = await rentalHold(token, carrier.id);
    // What convert did before: the attempt with manual capture, its intent, the reservation pending.
    const { submitted: legacy } = await legacyManualAttempt(id, totalPrice);
    await payAndSettle(token, legacy.intentId!, 'pm_card_visa');
    const confirmed = await t.http
      .post('/v1/reservations/confirm')
      .set(bearer(token))
      .send({ reservationId: id, paymentIntentId: legacy.intentId })
      .expect(200);
    expect(confirmed.body).toMatchObject({
      reservation: { status: 'confirmed', paymentStatus: 'authorized' },
      payment: { status: 'authorized' },
    });

    await cancelOk(token, id);
    expect(await paymentRows(id)).toEqual([
      expect.objectContaining({ status: 'canceled', captured_cents: 0, refunded_cents: 0 }),
    ]);
    expect((await reservationBody(token, id)).status).toBe('cancelled');
  });

  it('an authorisation made before can still be captured (PaymentsService.capture), once', async () => {
    const token = t.token('rita');
    const carrier = await carrierWithUnit('CARRIER-5', { basePriceCents: 8000 });
    const { id, totalPrice } = await rentalHold(token, carrier.id);
    const {
      payments,
      attempt,
      submitted: legacy,
    } = await legacyManualAttempt(id, totalPrice, { paymentMethodId: 'pm_card_visa' });
    expect(legacy.status).toBe('requires_capture');
    const captured = await payments.capture(attempt.paymentId);
    expect(captured).toMatchObject({ status: 'succeeded', captured: totalPrice });
    await expect(payments.capture(attempt.paymentId)).rejects.toMatchObject({ code: 'INVALID_HOLD_STATUS' });
    expect((await reservationBody(token, id)).status).toBe('confirmed');
  });

  it('an open manual-capture attempt left from before is not reused: convert replaces it with an automatic one', async () => {
    const token = t.token('rita');
    const carrier = await carrierWithUnit('CARRIER-4', { basePriceCents: 8000 });
    const { id, totalPrice } = await rentalHold(token, carrier.id);
    const payments = t.app.get(PaymentsService);
    const txHost = t.app.get(TransactionHost);
    const attempt = await txHost.run(() =>
      payments.openAttempt({ reservationId: id, userId: 'rita', amount: totalPrice, currency: 'EUR', captureMethod: 'manual' }),
    );
    await payments.submitAttempt(attempt.paymentId, {});
    const paymentIntentId = await convertRental(token, id);
    const rows = await paymentRows(id);
    expect(rows.find((r) => r.id === attempt.paymentId)).toMatchObject({ status: 'canceled', capture_method: 'manual' });
    expect(rows.filter((r) => r.status !== 'canceled')).toEqual([
      expect.objectContaining({ status: 'requires_payment_method', capture_method: 'automatic' }),
    ]);
    expect(paymentIntentId).not.toBe(attempt.intentId);
  });
});
