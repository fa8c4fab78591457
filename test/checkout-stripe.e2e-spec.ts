import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { TransactionHost } from '@holdfast/database';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import { ReconciliationJob } from '../src/payments/reconciliation.job';
import type { StripeGateway } from '../src/payments/stripe.gateway';
import { HoldExpiryJob } from '../src/reservations/hold-expiry.job';
import { ReservationsService } from '../src/reservations/reservations.service';
import { createOffering, createSlot, createUnit } from './factories/inventory.factory';
import type { EventObject, FakeStripe, WebhookDelivery } from './support/fake-stripe/index';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createStripeTestApp } from './support/stripe-app';
import type { TestApp } from './support/test-app';
import { intentOf } from './support/stripe-helpers';

const WEBHOOK_SECRET = 'whsec_checkout_stripe_spec';
const CREATE = 'POST /v1/payment_intents';
const REFERENCE = /^[A-Z2-9]{12}$/;
const guest = { guestName: 'John Doe', guestEmail: 'john@example.com' };

interface PaymentRow {
  id: string;
  reservation_id: string;
  status: string;
  amount_cents: number;
  captured_cents: number;
  refunded_cents: number;
  charge_id: string | null;
  failure_code: string | null;
}

interface SlotRow {
  capacity: number;
  held: number;
  booked: number;
}

/**
 * Seed 004 end to end with PAYMENT_PROVIDER=stripe: the app talks to the fake Stripe
 * server through the real SDK, the fake POSTs signed events to the app's real port, and
 * a second SDK client stands in for Stripe.js on the phone (it confirms intents with
 * test payment methods). The test delivers webhooks itself, so it decides their order.
 */
describe('checkout with Stripe (fake Stripe server, real SDK, real webhooks)', () => {
  let fake: FakeStripe;
  let t: TestApp;
  /** What Stripe.js does in the app: confirm the intent with a card. */
  let client: Stripe;
  let experienceId: string;
  let mainSlot: string;
  const tokens = new Map<string, string>();
  const auth = (user = 'alice') => {
    if (!tokens.has(user)) tokens.set(user, user === 'root' ? t.token(user, ['admin']) : t.token(user));
    return { Authorization: `Bearer ${tokens.get(user)!}` };
  };

  const hold = async (slotId = mainSlot, guests = 1, user = 'alice'): Promise<string> => {
    const res = await t.http
      .post('/v1/reservations/hold')
      .set(auth(user))
      .set('X-Idempotency-Key', randomUUID())
      .send({ experienceId, timeSlotId: slotId, numberOfGuests: guests, ...guest })
      .expect(200);
    return res.body.reservation.id as string;
  };
  const convert = (holdId: string, body: object = {}, key: string = randomUUID(), user = 'alice') =>
    t.http
      .post('/v1/reservations/hold/convert')
      .set(auth(user))
      .set('X-Idempotency-Key', key)
      .send({ holdId, ...body });
  const convertOk = async (holdId: string, user = 'alice'): Promise<string> =>
    (await convert(holdId, {}, randomUUID(), user).expect(200)).body.reservation.paymentIntentId as string;
  const confirmCall = (reservationId: string, paymentIntentId: string, user = 'alice') =>
    t.http.post('/v1/reservations/confirm').set(auth(user)).send({ reservationId, paymentIntentId });
  const paymentStatus = async (id: string, user = 'alice') =>
    (await t.http.get(`/v1/reservations/${id}/payment-status`).set(auth(user)).expect(200)).body.data;
  const reservation = async (id: string, user = 'alice') =>
    (await t.http.get(`/v1/reservations/${id}`).set(auth(user)).expect(200)).body;
  /** Stripe.js confirming the intent with a test card; no return_url (the intent never redirects). */
  const pay = (pi: string, paymentMethod: string) => client.paymentIntents.confirm(pi, { payment_method: paymentMethod });

  const pendingFor = (pi: string, type?: string): EventObject[] =>
    fake.pendingEvents().filter((e) => intentOf(e) === pi && (type === undefined || e.type === type));
  /** Delivers every undelivered event about `pi`, oldest first; each must be acknowledged. */
  const deliverFor = async (pi: string): Promise<WebhookDelivery[]> => {
    const out: WebhookDelivery[] = [];
    for (const event of pendingFor(pi)) out.push(await fake.deliver(event));
    expect(out.map((d) => [d.type, d.status])).toEqual(out.map((d) => [d.type, 200]));
    return out;
  };

  const rows = <T>(sql: string, params: unknown[] = []) => t.dataSource.query(sql, params) as Promise<T[]>;
  const payment = async (pi: string): Promise<PaymentRow> =>
    (await rows<PaymentRow>('SELECT * FROM payments WHERE provider_intent_id = $1', [pi]))[0];
  const paymentsOf = (reservationId: string) =>
    rows<PaymentRow>('SELECT * FROM payments WHERE reservation_id = $1 ORDER BY created_at', [reservationId]);
  const slot = async (id: string): Promise<SlotRow> =>
    (await rows<SlotRow>('SELECT capacity, held, booked FROM time_slots WHERE id = $1', [id]))[0];
  const statusRow = async (id: string) =>
    (
      await rows<{ status: string; status_reason: string | null; reference: string | null; updated_at: Date }>(
        'SELECT status, status_reason, reference, updated_at FROM reservations WHERE id = $1',
        [id],
      )
    )[0];
  const refundsOf = (paymentId: string) =>
    rows<{ id: string; amount_cents: number; status: string; source: string; provider_refund_id: string | null }>(
      'SELECT id, amount_cents, status, source, provider_refund_id FROM refunds WHERE payment_id = $1 ORDER BY created_at',
      [paymentId],
    );
  const stripeRefundsFor = (pi: string) => [...fake.state.refunds.values()].filter((r) => r.payment_intent === pi);
  const postCount = () => fake.requests.filter((r) => r.method === 'POST').length;
  const expireHold = (id: string) =>
    t.dataSource.query(`UPDATE reservations SET hold_expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
  /** What the sweep does to a pending reservation once its intent is out of the way: expire it, give its places back. */
  const expireAndRelease = async (id: string) => {
    await expireHold(id);
    const txHost = t.app.get(TransactionHost);
    const reservations = t.app.get(ReservationsService);
    await txHost.run(() => reservations.releaseAndSetStatus(id, 'expired', 'HOLD_EXPIRED'));
  };
  const newSlot = async (capacity: number) => (await createSlot(t.dataSource, experienceId, { capacity })).id;

  beforeAll(async () => {
    ({ fake, t, client } = await createStripeTestApp({
      secretKey: 'sk_test_holdfast_checkout_spec',
      clientKey: 'sk_test_holdfast_mobile_app',
      webhookSecret: WEBHOOK_SECRET,
    }));
    const offering = await createOffering(t.dataSource, { kind: 'experience', basePriceCents: 10000, refundableUntilHours: 48 });
    experienceId = offering.id;
    mainSlot = await newSlot(100);
  });

  afterAll(async () => {
    try {
      expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
      expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    } finally {
      await t?.close();
      await fake?.stop();
    }
  });

  it('hold -> convert -> the app pays -> payment_intent.succeeded confirms; POST /confirm then answers the seed shape and changes nothing', async () => {
    const id = await hold(mainSlot, 2);
    const before = await slot(mainSlot);
    const converted = await convert(id).expect(200);
    expect(converted.body).toEqual({
      reservation: { id, status: 'pending', paymentIntentId: expect.stringMatching(/^pi_/), paymentStatus: 'none' },
      paymentClientSecret: expect.stringMatching(/^pi_\w+_secret_\w+$/),
      requiresAction: false,
      clientSecretType: 'payment_intent',
    });
    const pi = converted.body.reservation.paymentIntentId as string;
    const [attempt] = await paymentsOf(id);

    // What Stripe got: the total, our ids in the metadata, the key derived from our payment row.
    const intent = fake.state.paymentIntents.get(pi)!;
    expect(intent).toMatchObject({
      amount: 20000,
      currency: 'eur',
      status: 'requires_payment_method',
      client_secret: converted.body.paymentClientSecret,
      metadata: { paymentId: attempt.id, reservationId: id },
    });
    expect(fake.requests.find((r) => r.template === '/v1/payment_intents' && r.method === 'POST')?.idempotencyKey).toBe(
      `pi:${attempt.id}`,
    );

    const paid = await pay(pi, 'pm_card_visa');
    expect(paid.status).toBe('succeeded');
    expect((await reservation(id)).status).toBe('pending'); // nothing happens until Stripe tells us

    const deliveries = await deliverFor(pi);
    expect(deliveries.map((d) => d.type)).toEqual(['payment_intent.succeeded']);
    expect(JSON.parse(deliveries[0].responseBody)).toEqual({ received: true });
    const confirmed = await reservation(id);
    expect(confirmed).toMatchObject({
      status: 'confirmed',
      statusReason: null,
      reservationReference: expect.stringMatching(REFERENCE),
    });
    expect(await slot(mainSlot)).toEqual({ ...before, held: before.held - 2, booked: before.booked + 2 });
    expect(await payment(pi)).toMatchObject({ status: 'succeeded', captured_cents: 20000, charge_id: paid.latest_charge });

    const row = await statusRow(id);
    const posts = postCount();
    const again = await confirmCall(id, pi).expect(200);
    expect(again.body).toEqual({
      reservation: { id, status: 'confirmed', paymentStatus: 'paid', reservationReference: confirmed.reservationReference },
      payment: { paymentId: attempt.id, status: 'captured', chargeId: paid.latest_charge },
    });
    expect(await statusRow(id)).toEqual(row);
    expect(await slot(mainSlot)).toEqual({ ...before, held: before.held - 2, booked: before.booked + 2 });
    expect(postCount()).toBe(posts);
    expect(await paymentsOf(id)).toHaveLength(1);
    expect(await paymentStatus(id)).toEqual({
      reservationStatus: 'confirmed',
      paymentIntentId: pi,
      stripeStatus: 'succeeded',
      requiresAction: false,
      actionType: null,
      clientSecret: null,
      clientSecretType: 'payment_intent',
    });
  });

  it('the other order: the app pays, POST /confirm confirms (read from Stripe), the webhook then changes nothing', async () => {
    const id = await hold();
    const pi = await convertOk(id);
    const early = await confirmCall(id, pi).expect(409);
    expect(early.body.error).toBe('PAYMENT_NOT_COMPLETED');

    await pay(pi, 'pm_card_visa');
    const retrieves = fake.requestCount('GET /v1/payment_intents/:id');
    const res = await confirmCall(id, pi).expect(200);
    expect(fake.requestCount('GET /v1/payment_intents/:id')).toBe(retrieves + 1);
    expect(res.body).toEqual({
      reservation: { id, status: 'confirmed', paymentStatus: 'paid', reservationReference: expect.stringMatching(REFERENCE) },
      payment: { paymentId: expect.any(String), status: 'captured', chargeId: expect.stringMatching(/^ch_/) },
    });
    const booked = (await slot(mainSlot)).booked;
    const row = await statusRow(id);

    const [delivery] = await deliverFor(pi);
    expect(delivery.type).toBe('payment_intent.succeeded');
    expect(await statusRow(id)).toEqual(row);
    expect(row.reference).toBe(res.body.reservation.reservationReference);
    expect((await slot(mainSlot)).booked).toBe(booked);
    expect(await rows('SELECT status FROM webhook_events WHERE id = $1', [delivery.eventId])).toEqual([{ status: 'processed' }]);
  });

  it('3-D Secure: payment-status shows requiresAction, then confirmed once the customer authenticates', async () => {
    const id = await hold();
    const pi = await convertOk(id);
    const paid = await pay(pi, 'pm_card_threeDSecure2Required');
    expect(paid.status).toBe('requires_action');

    expect(await paymentStatus(id)).toEqual({
      reservationStatus: 'pending',
      paymentIntentId: pi,
      stripeStatus: 'requires_action',
      requiresAction: true,
      actionType: 'use_stripe_sdk',
      clientSecret: expect.stringMatching(/_secret_/),
      clientSecretType: 'payment_intent',
    });
    await deliverFor(pi); // payment_intent.requires_action
    expect((await reservation(id)).status).toBe('pending');

    fake.completeAction(pi, 'success');
    expect((await deliverFor(pi)).map((d) => d.type)).toEqual(['payment_intent.succeeded']);
    expect(await paymentStatus(id)).toEqual({
      reservationStatus: 'confirmed',
      paymentIntentId: pi,
      stripeStatus: 'succeeded',
      requiresAction: false,
      actionType: null,
      clientSecret: null,
      clientSecretType: 'payment_intent',
    });
    expect((await reservation(id)).reservationReference).toMatch(REFERENCE);
  });

  it('3-D Secure by redirect: payment-status reports the real next_action.type (redirect_to_url), from the webhook too', async () => {
    const id = await hold();
    const pi = await convertOk(id);
    // A browser flow: Stripe.js confirms with a return_url, so the bank's page is a redirect.
    const paid = await client.paymentIntents.confirm(pi, {
      payment_method: 'pm_card_threeDSecure2Required',
      return_url: 'https://app.example/return',
    });
    expect(paid).toMatchObject({ status: 'requires_action', next_action: { type: 'redirect_to_url' } });
    await deliverFor(pi); // payment_intent.requires_action
    expect(await rows('SELECT next_action_type FROM payments WHERE provider_intent_id = $1', [pi])).toEqual([
      { next_action_type: 'redirect_to_url' },
    ]);
    expect(await paymentStatus(id)).toEqual({
      reservationStatus: 'pending',
      paymentIntentId: pi,
      stripeStatus: 'requires_action',
      requiresAction: true,
      actionType: 'redirect_to_url',
      clientSecret: expect.stringMatching(/_secret_/),
      clientSecretType: 'payment_intent',
    });
    // Whatever Stripe says the next action is, as it says it (here a bank-account flow's).
    fake.inject({
      path: '/v1/payment_intents/:id',
      method: 'GET',
      kind: 'response',
      set: { next_action: { type: 'verify_with_microdeposits', verify_with_microdeposits: {} } },
    });
    expect((await paymentStatus(id)).actionType).toBe('verify_with_microdeposits');

    fake.completeAction(pi, 'success');
    await deliverFor(pi);
    expect(await paymentStatus(id)).toMatchObject({ reservationStatus: 'confirmed', requiresAction: false, actionType: null });
  });

  it('a carrier rental is paid like goods: automatic capture, confirmed with the total captured, cancel refunds it by policy', async () => {
    const carrier = await createOffering(t.dataSource, { kind: 'rental', basePriceCents: 8000, refundableUntilHours: 48 });
    await createUnit(t.dataSource, carrier.id, 'CARRIER-STRIPE');
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const held = await t.http
      .post('/v1/reservations/hold')
      .set(auth())
      .set('X-Idempotency-Key', randomUUID())
      .send({ ...guest, items: [{ offeringId: carrier.id, startDate: day(20), endDate: day(23) }] })
      .expect(200);
    const id = held.body.reservation.id as string;
    const pi = await convertOk(id);
    expect(fake.state.paymentIntents.get(pi)).toMatchObject({ amount: 24000, capture_method: 'automatic' });

    await pay(pi, 'pm_card_visa');
    expect((await deliverFor(pi)).map((d) => d.type)).toEqual(['payment_intent.succeeded']);
    expect(await reservation(id)).toMatchObject({ status: 'confirmed', reservationReference: expect.stringMatching(REFERENCE) });
    expect(await payment(pi)).toMatchObject({ status: 'succeeded', amount_cents: 24000, captured_cents: 24000 });

    await t.http.post(`/v1/reservations/${id}/cancel`).set(auth()).expect(200);
    expect(stripeRefundsFor(pi)).toEqual([expect.objectContaining({ amount: 24000, status: 'succeeded' })]);
    await deliverFor(pi); // charge.refunded: recorded once
    expect(await payment(pi)).toMatchObject({ captured_cents: 24000, refunded_cents: 24000 });
    expect(await reservation(id)).toMatchObject({ status: 'cancelled', statusReason: 'USER_CANCELLED' });
  });

  it('a decline, then another card on the same hold: convert again gives a NEW intent (the old one cancelled), same hold timer', async () => {
    const id = await hold();
    const { holdExpiresAt } = await reservation(id);
    const first = await convertOk(id);
    await expect(pay(first, 'pm_card_chargeDeclined')).rejects.toMatchObject({ type: 'StripeCardError', code: 'card_declined' });
    expect((await deliverFor(first)).map((d) => d.type)).toEqual(['payment_intent.payment_failed']);
    expect(await reservation(id)).toMatchObject({ status: 'payment_failed', statusReason: 'PAYMENT_DECLINED' });
    expect(await payment(first)).toMatchObject({ status: 'requires_payment_method', failure_code: 'generic_decline' });

    const retry = await convert(id).expect(200);
    const second = retry.body.reservation.paymentIntentId as string;
    expect(second).not.toBe(first);
    expect(retry.body.reservation.status).toBe('pending');
    // The declined intent can never take money any more.
    expect(fake.state.paymentIntents.get(first)!.status).toBe('canceled');
    expect(await payment(first)).toMatchObject({ status: 'canceled' });

    await pay(second, 'pm_card_mastercard');
    await deliverFor(second);
    await deliverFor(first); // payment_intent.canceled of the old attempt: nothing changes
    expect(await reservation(id)).toMatchObject({
      status: 'confirmed',
      holdExpiresAt,
      reservationReference: expect.stringMatching(REFERENCE),
    });
    expect((await paymentsOf(id)).map((p) => p.status)).toEqual(['canceled', 'succeeded']);
  });

  it('a saved card: POST /payments/methods, then convert with our uuid confirms server-side', async () => {
    const saved = await t.http
      .post('/v1/payments/methods')
      .set(auth('carol'))
      .send({ paymentMethodId: 'pm_card_visa', nickname: 'Personal Card' })
      .expect(200);
    expect(saved.body.data).toMatchObject({ type: 'card', brand: 'Visa', last4: '4242', isDefault: true });
    const methodId = saved.body.data.id as string;
    const [stored] = await rows<{ provider_payment_method_id: string }>(
      'SELECT provider_payment_method_id FROM saved_payment_methods WHERE id = $1',
      [methodId],
    );
    const attached = fake.state.paymentMethods.get(stored.provider_payment_method_id)!;
    expect(attached.customer).toMatch(/^cus_/);

    const id = await hold(mainSlot, 1, 'carol');
    const res = await convert(id, { paymentMethodId: methodId }, randomUUID(), 'carol').expect(200);
    expect(res.body).toEqual({
      reservation: { id, status: 'confirmed', paymentIntentId: expect.stringMatching(/^pi_/), paymentStatus: 'paid' },
      paymentClientSecret: expect.stringMatching(/_secret_/),
      requiresAction: false,
      clientSecretType: 'payment_intent',
    });
    const pi = res.body.reservation.paymentIntentId as string;
    expect(fake.state.paymentIntents.get(pi)).toMatchObject({
      status: 'succeeded',
      customer: attached.customer,
      payment_method: attached.id,
    });
    const row = await statusRow(id);
    expect(row.reference).toMatch(REFERENCE);
    await deliverFor(pi); // the webhook comes second: nothing changes
    expect(await statusRow(id)).toEqual(row);

    // A saved card that needs 3-D Secure: convert reports requiresAction, the app completes it.
    const secure = await t.http
      .post('/v1/payments/methods')
      .set(auth('carol'))
      .send({ paymentMethodId: 'pm_card_threeDSecure2Required' })
      .expect(200);
    const id3ds = await hold(mainSlot, 1, 'carol');
    const challenged = await convert(id3ds, { paymentMethodId: secure.body.data.id }, randomUUID(), 'carol').expect(200);
    expect(challenged.body).toMatchObject({ reservation: { id: id3ds, status: 'pending' }, requiresAction: true });
    const pi3ds = challenged.body.reservation.paymentIntentId as string;
    expect(await paymentStatus(id3ds, 'carol')).toMatchObject({
      stripeStatus: 'requires_action',
      requiresAction: true,
      actionType: 'use_stripe_sdk',
    });
    fake.completeAction(pi3ds, 'success');
    await deliverFor(pi3ds);
    expect((await reservation(id3ds, 'carol')).status).toBe('confirmed');

    // Someone else's saved card is not found.
    const other = await hold(mainSlot, 1, 'dave');
    const refused = await convert(other, { paymentMethodId: methodId }, randomUUID(), 'dave').expect(404);
    expect(refused.body.error).toBe('PAYMENT_METHOD_NOT_FOUND');
  });

  describe('one convert, one PaymentIntent', () => {
    it('a Stripe timeout after the intent was created: the SDK retries with the same key and finds the same intent', async () => {
      const id = await hold();
      const created = fake.counters.created.paymentIntents;
      const requests = fake.requestCount(CREATE);
      // Stripe creates the intent at once but answers after the gateway's 10 s per-attempt timeout.
      const fault = fake.inject({
        path: '/v1/payment_intents',
        method: 'POST',
        kind: 'timeout',
        afterEffect: true,
        delayMs: 11_000,
      });
      const res = await convert(id).expect(200);
      expect(fault.hits).toBe(1);
      expect(fake.counters.created.paymentIntents).toBe(created + 1);
      expect(fake.requestCount(CREATE)).toBe(requests + 2);
      const [attempt] = await paymentsOf(id);
      const sent = fake.requests.filter((r) => r.template === '/v1/payment_intents' && r.method === 'POST').slice(-2);
      expect(sent.map((r) => [r.idempotencyKey, r.replayed])).toEqual([
        [`pi:${attempt.id}`, false],
        [`pi:${attempt.id}`, true],
      ]);
      expect(fake.state.paymentIntents.get(res.body.reservation.paymentIntentId)!.metadata.paymentId).toBe(attempt.id);
    }, 30_000);

    it('500s after the effect until the SDK gives up: 502, and the client retry (same key, then a new one) finds the one intent', async () => {
      const id = await hold();
      const created = fake.counters.created.paymentIntents;
      const key = randomUUID();
      fake.inject({ path: '/v1/payment_intents', method: 'POST', kind: 'status', status: 500, afterEffect: true, times: 3 });
      const failed = await convert(id, {}, key).expect(502);
      expect(failed.body.error).toBe('PAYMENT_PROCESSING_FAILED');
      expect(fake.counters.created.paymentIntents).toBe(created + 1); // Stripe did create it
      expect((await reservation(id)).status).toBe('pending');

      const retried = await convert(id, {}, key).expect(200);
      const pi = retried.body.reservation.paymentIntentId as string;
      expect(fake.state.paymentIntents.has(pi)).toBe(true);
      const again = await convert(id, {}, randomUUID()).expect(200);
      expect(again.body.reservation.paymentIntentId).toBe(pi);
      expect(fake.counters.created.paymentIntents).toBe(created + 1);
      expect(await paymentsOf(id)).toHaveLength(1);

      await pay(pi, 'pm_card_visa');
      await deliverFor(pi);
      expect((await reservation(id)).status).toBe('confirmed');
    });

    it('the same convert key 20 times at once: one request to Stripe, one intent', async () => {
      const id = await hold();
      const created = fake.counters.created.paymentIntents;
      const requests = fake.requestCount(CREATE);
      const key = randomUUID();
      // A slow Stripe keeps the first request in flight while the others arrive.
      fake.inject({ path: '/v1/payment_intents', method: 'POST', kind: 'timeout', delayMs: 300 });
      const responses = await Promise.all(Array.from({ length: 20 }, () => convert(id, {}, key)));
      const ok = responses.filter((r) => r.status === 200);
      expect(responses.filter((r) => r.status !== 200).map((r) => r.body.error)).toEqual(
        Array(20 - ok.length).fill('IDEMPOTENCY_KEY_IN_PROGRESS'),
      );
      expect(ok.length).toBeGreaterThan(0);
      expect(new Set(ok.map((r) => r.body.reservation.paymentIntentId)).size).toBe(1);
      expect(fake.counters.created.paymentIntents).toBe(created + 1);
      expect(fake.requestCount(CREATE)).toBe(requests + 1);
      const replay = await convert(id, {}, key).expect(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(ok[0].body);
      expect(await paymentsOf(id)).toHaveLength(1);
    });

    it('20 converts of the same hold at once with different keys still make one intent', async () => {
      const id = await hold();
      const created = fake.counters.created.paymentIntents;
      const responses = await Promise.all(Array.from({ length: 20 }, () => convert(id)));
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(new Set(responses.map((r) => r.body.reservation.paymentIntentId)).size).toBe(1);
      expect(fake.counters.created.paymentIntents).toBe(created + 1);
      expect(await paymentsOf(id)).toHaveLength(1);
    });
  });

  describe('a Stripe-compatible mock answering canned objects: our call binds the intent to the row it was made for', () => {
    const CREATE_FAULT = { path: '/v1/payment_intents', method: 'POST', kind: 'response' } as const;

    it('fixture metadata (not ours): convert still answers the intent and its client secret, and the flow confirms', async () => {
      const id = await hold();
      fake.inject({ ...CREATE_FAULT, set: { metadata: { order_id: '6735' } } });
      const res = await convert(id).expect(200);
      expect(res.body).toEqual({
        reservation: { id, status: 'pending', paymentIntentId: expect.stringMatching(/^pi_/), paymentStatus: 'none' },
        paymentClientSecret: expect.stringMatching(/^pi_\w+_secret_\w+$/),
        requiresAction: false,
        clientSecretType: 'payment_intent',
      });
      const pi = res.body.reservation.paymentIntentId as string;
      const [attempt] = await paymentsOf(id);
      expect(await payment(pi)).toMatchObject({ id: attempt.id, reservation_id: id, status: 'requires_payment_method' });

      await pay(pi, 'pm_card_visa');
      await deliverFor(pi);
      expect(await reservation(id)).toMatchObject({
        status: 'confirmed',
        reservationReference: expect.stringMatching(REFERENCE),
      });
    });

    it("metadata naming another reservation's payment: the intent binds to ours and the other payment is untouched", async () => {
      const otherId = await hold();
      const otherPi = await convertOk(otherId);
      const other = await payment(otherPi);
      const id = await hold();
      fake.inject({ ...CREATE_FAULT, set: { metadata: { paymentId: other.id, reservationId: otherId } } });
      const res = await convert(id).expect(200);
      const pi = res.body.reservation.paymentIntentId as string;
      expect(pi).not.toBe(otherPi);
      expect((await payment(pi)).reservation_id).toBe(id);
      expect(await payment(otherPi)).toEqual(other);
    });

    it('a 200 without a client secret (or without an id) is 502 PAYMENT_PROCESSING_FAILED; the attempt stays open and a retry repairs it', async () => {
      const id = await hold();
      fake.inject({ ...CREATE_FAULT, omit: ['client_secret'] });
      const noSecret = await convert(id).expect(502);
      expect(noSecret.body).toMatchObject({ error: 'PAYMENT_PROCESSING_FAILED', requestId: expect.any(String) });
      fake.inject({ ...CREATE_FAULT, omit: ['id', 'client_secret'] });
      const noId = await convert(id).expect(502);
      expect(noId.body.error).toBe('PAYMENT_PROCESSING_FAILED');

      // One attempt, never marked failed: the same key `pi:{paymentId}` finds the one intent Stripe made.
      const [attempt] = await paymentsOf(id);
      expect(attempt).toMatchObject({ status: 'creating', failure_code: null });
      expect((await reservation(id)).status).toBe('pending');
      const repaired = await convert(id).expect(200);
      const pi = repaired.body.reservation.paymentIntentId as string;
      expect(fake.state.paymentIntents.get(pi)!.metadata.paymentId).toBe(attempt.id);
      expect(repaired.body.paymentClientSecret).toBe(fake.state.paymentIntents.get(pi)!.client_secret);
      expect(await paymentsOf(id)).toHaveLength(1);
    });

    it('one canned intent id for every call: the second convert is 502 and its attempt is set aside as stuck, never bound to the first', async () => {
      const first = await hold();
      const second = await hold();
      fake.inject({ ...CREATE_FAULT, set: { id: 'pi_fixture_stripe_mock' }, times: 2 });
      const ok = await convert(first).expect(200);
      expect(ok.body.reservation.paymentIntentId).toBe('pi_fixture_stripe_mock');
      const bound = await payment('pi_fixture_stripe_mock');
      expect(bound.reservation_id).toBe(first);

      const refused = await convert(second).expect(502);
      expect(refused.body.error).toBe('PAYMENT_PROCESSING_FAILED');
      expect(await payment('pi_fixture_stripe_mock')).toEqual(bound);
      const [attempt] = await paymentsOf(second);
      expect(attempt).toMatchObject({ failure_code: 'provider_intent_mismatch' });
      expect((await rows<{ stuck: boolean }>('SELECT stuck FROM payments WHERE id = $1', [attempt.id]))[0].stuck).toBe(true);
      // Set aside for admins, out of the way of both bookings' tests.
      await t.dataSource.query(`UPDATE payments SET stuck = false, status = 'failed' WHERE reservation_id = ANY($1::uuid[])`, [
        [first, second],
      ]);
    });
  });

  describe('the webhook endpoint', () => {
    it('a bad, stale, tampered or missing signature is 400 and nothing is stored; the genuine delivery then applies', async () => {
      const id = await hold();
      const pi = await convertOk(id);
      await pay(pi, 'pm_card_visa');
      const [event] = pendingFor(pi, 'payment_intent.succeeded');
      const tampered = JSON.stringify({ ...event, data: { object: { ...event.data.object, amount: 1 } } }, null, 2);
      const bad = [
        await fake.deliver(event, { secret: 'whsec_someone_elses_secret' }),
        await fake.deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 600 }),
        await fake.deliver(event, { payload: tampered }),
        await fake.deliver(event, { signature: 't=1,v1=deadbeef' }),
      ];
      expect(bad.map((d) => d.status)).toEqual([400, 400, 400, 400]);
      expect(bad.map((d) => JSON.parse(d.responseBody).error)).toEqual(Array(4).fill('VALIDATION_FAILED'));
      expect(await rows('SELECT id FROM webhook_events WHERE id = $1', [event.id])).toEqual([]);
      expect((await reservation(id)).status).toBe('pending');
      expect((await payment(pi)).status).toBe('requires_payment_method');

      const good = await fake.deliver(event);
      expect(good.status).toBe(200);
      expect((await reservation(id)).status).toBe('confirmed');
    });

    it('a duplicate delivery is acknowledged and applied once', async () => {
      const id = await hold(mainSlot, 3);
      const pi = await convertOk(id);
      await pay(pi, 'pm_card_visa');
      const before = await slot(mainSlot);
      const [event] = pendingFor(pi, 'payment_intent.succeeded');
      const first = await fake.deliver(event);
      const row = await statusRow(id);
      const second = await fake.deliver(event);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(JSON.parse(first.responseBody)).toEqual({ received: true });
      expect(JSON.parse(second.responseBody)).toEqual({ received: true, duplicate: true });
      expect(await statusRow(id)).toEqual(row);
      expect(row).toMatchObject({ status: 'confirmed', reference: expect.stringMatching(REFERENCE) });
      expect(await slot(mainSlot)).toEqual({ ...before, held: before.held - 3, booked: before.booked + 3 });
      expect(await rows('SELECT status FROM webhook_events WHERE id = $1', [event.id])).toEqual([{ status: 'processed' }]);
    });

    it('out of order: payment_failed arriving after succeeded leaves the booking confirmed and the payment as it was', async () => {
      const id = await hold();
      const pi = await convertOk(id);
      await expect(pay(pi, 'pm_card_chargeDeclinedInsufficientFunds')).rejects.toMatchObject({ code: 'card_declined' });
      const paid = await pay(pi, 'pm_card_visa'); // the same intent, another card
      const [failedEvent] = pendingFor(pi, 'payment_intent.payment_failed');
      const [succeededEvent] = pendingFor(pi, 'payment_intent.succeeded');

      expect((await fake.deliver(succeededEvent)).status).toBe(200);
      const row = await statusRow(id);
      const paidRow = await payment(pi);
      expect(paidRow).toMatchObject({ status: 'succeeded', charge_id: paid.latest_charge, failure_code: null });

      expect((await fake.deliver(failedEvent)).status).toBe(200);
      expect(await statusRow(id)).toEqual(row);
      expect(row.status).toBe('confirmed');
      expect(await payment(pi)).toMatchObject({ status: 'succeeded', charge_id: paid.latest_charge, failure_code: null });
      const confirmed = await confirmCall(id, pi).expect(200);
      expect(confirmed.body.payment.chargeId).toBe(paid.latest_charge);
    });
  });

  describe('a payment that succeeds after its hold expired', () => {
    it('the place was sold meanwhile: the payment is refunded automatically and the reservation is refunded (HOLD_EXPIRED)', async () => {
      const lastPlace = await newSlot(1);
      const late = await hold(lastPlace);
      const latePi = await convertOk(late);
      await pay(latePi, 'pm_card_visa'); // paid, but Stripe's webhook is slow

      await expireAndRelease(late);
      expect(await slot(lastPlace)).toEqual({ capacity: 1, held: 0, booked: 0 });
      const bobs = await hold(lastPlace, 1, 'bob');
      const bobPi = await convertOk(bobs, 'bob');
      await pay(bobPi, 'pm_card_visa');
      await deliverFor(bobPi);
      expect((await reservation(bobs, 'bob')).status).toBe('confirmed');
      expect(await slot(lastPlace)).toEqual({ capacity: 1, held: 0, booked: 1 });

      const [succeeded] = await deliverFor(latePi);
      expect(succeeded.type).toBe('payment_intent.succeeded');
      expect(await reservation(late)).toMatchObject({ status: 'refunded', statusReason: 'HOLD_EXPIRED' });
      const paid = await payment(latePi);
      expect(paid).toMatchObject({ status: 'succeeded', captured_cents: 10000, refunded_cents: 10000 });
      const [refund] = await refundsOf(paid.id);
      expect(refund).toMatchObject({
        amount_cents: 10000,
        status: 'succeeded',
        source: 'hold_expired',
        provider_refund_id: expect.stringMatching(/^re_/),
      });
      expect(stripeRefundsFor(latePi)).toEqual([
        expect.objectContaining({
          id: refund.provider_refund_id,
          amount: 10000,
          status: 'succeeded',
          metadata: expect.objectContaining({ refundId: refund.id }),
        }),
      ]);
      expect(await slot(lastPlace)).toEqual({ capacity: 1, held: 0, booked: 1 });
      expect((await reservation(bobs, 'bob')).status).toBe('confirmed');

      // Stripe's charge.refunded for our own refund changes nothing.
      expect((await deliverFor(latePi)).map((d) => d.type)).toEqual(['charge.refunded']);
      expect(await refundsOf(paid.id)).toHaveLength(1);
      expect((await payment(latePi)).refunded_cents).toBe(10000);
      expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    });

    it('the place is still free: the payment takes it again and confirms (CONFIRMED_AFTER_HOLD_EXPIRED)', async () => {
      const slotId = await newSlot(1);
      const id = await hold(slotId);
      const pi = await convertOk(id);
      await pay(pi, 'pm_card_visa');
      await expireAndRelease(id);
      expect(await slot(slotId)).toEqual({ capacity: 1, held: 0, booked: 0 });

      await deliverFor(pi);
      expect(await reservation(id)).toMatchObject({
        status: 'confirmed',
        statusReason: 'CONFIRMED_AFTER_HOLD_EXPIRED',
        reservationReference: expect.stringMatching(REFERENCE),
      });
      expect(await slot(slotId)).toEqual({ capacity: 1, held: 0, booked: 1 });
      expect(stripeRefundsFor(pi)).toEqual([]);
    });
  });

  it('the expiry sweep: an unpaid intent is cancelled at Stripe first and the reservation expires; a paid one is confirmed instead', async () => {
    const slotId = await newSlot(5);
    const unpaid = await hold(slotId, 2);
    const unpaidPi = await convertOk(unpaid);
    const paidRes = await hold(slotId, 1);
    const paidPi = await convertOk(paidRes);
    await pay(paidPi, 'pm_card_visa'); // webhook not delivered
    await expireHold(unpaid);
    await expireHold(paidRes);

    expect(await t.app.get(HoldExpiryJob).sweep()).toBe(1);

    expect(fake.state.paymentIntents.get(unpaidPi)!.status).toBe('canceled');
    expect(await payment(unpaidPi)).toMatchObject({ status: 'canceled' });
    expect(await reservation(unpaid)).toMatchObject({ status: 'expired', statusReason: 'HOLD_EXPIRED' });
    expect(fake.state.paymentIntents.get(paidPi)!.status).toBe('succeeded');
    expect(await reservation(paidRes)).toMatchObject({
      status: 'confirmed',
      reservationReference: expect.stringMatching(REFERENCE),
    });
    expect(stripeRefundsFor(paidPi)).toEqual([]);
    expect(await slot(slotId)).toEqual({ capacity: 5, held: 0, booked: 1 });

    // The late events (canceled, succeeded) change nothing.
    const rowsBefore = [await statusRow(unpaid), await statusRow(paidRes)];
    expect((await deliverFor(unpaidPi)).map((d) => d.type)).toEqual(['payment_intent.canceled']);
    expect((await deliverFor(paidPi)).map((d) => d.type)).toEqual(['payment_intent.succeeded']);
    expect([await statusRow(unpaid), await statusRow(paidRes)]).toEqual(rowsBefore);
    expect(await t.app.get(HoldExpiryJob).sweep()).toBe(0);
  });

  it('reconciliation: a payment whose webhook never came is read back from Stripe and confirms the reservation', async () => {
    const id = await hold();
    const pi = await convertOk(id);
    await pay(pi, 'pm_card_visa'); // the webhook is lost
    await t.dataSource.query(`UPDATE payments SET updated_at = now() - interval '1 hour' WHERE provider_intent_id = $1`, [pi]);

    const retrieves = fake.requestCount('GET /v1/payment_intents/:id');
    expect(await t.app.get(ReconciliationJob).run()).toBeGreaterThanOrEqual(1);
    expect(fake.requestCount('GET /v1/payment_intents/:id')).toBeGreaterThan(retrieves);
    expect(await reservation(id)).toMatchObject({ status: 'confirmed', reservationReference: expect.stringMatching(REFERENCE) });
    expect(await payment(pi)).toMatchObject({ status: 'succeeded', captured_cents: 10000 });
  });

  it('refunds: admin partial refunds, one too many is 422, and a refund made in the Stripe dashboard is recorded', async () => {
    const id = await hold();
    const pi = await convertOk(id);
    await pay(pi, 'pm_card_visa');
    await deliverFor(pi);
    const { id: paymentId } = await payment(pi);
    const admin = auth('root');

    const partial = await t.http.post(`/v1/admin/payments/${paymentId}/refunds`).set(admin).send({ amount: 4000 }).expect(201);
    expect(partial.body).toMatchObject({
      paymentId,
      amount: 4000,
      status: 'succeeded',
      source: 'admin',
      providerRefundId: expect.stringMatching(/^re_/),
    });
    expect(stripeRefundsFor(pi)).toEqual([expect.objectContaining({ id: partial.body.providerRefundId, amount: 4000 })]);
    const refundPosts = fake.requestCount('POST /v1/refunds');
    const tooMuch = await t.http.post(`/v1/admin/payments/${paymentId}/refunds`).set(admin).send({ amount: 6001 }).expect(422);
    expect(tooMuch.body.error).toBe('REFUND_EXCEEDS_PAYMENT');
    expect(fake.requestCount('POST /v1/refunds')).toBe(refundPosts);
    await t.http.post(`/v1/admin/payments/${paymentId}/refunds`).set(auth()).send({ amount: 1 }).expect(403);

    // Someone refunds 10.00 in the Stripe dashboard; Stripe sends charge.refunded.
    const dashboard = await client.refunds.create({ payment_intent: pi, amount: 1000 });
    expect((await deliverFor(pi)).map((d) => d.type)).toEqual(['charge.refunded', 'charge.refunded']);
    expect(await payment(pi)).toMatchObject({ captured_cents: 10000, refunded_cents: 5000 });
    // Only 50.00 is left: more is refused before Stripe is asked.
    const posts = fake.requestCount('POST /v1/refunds');
    const beyond = await t.http.post(`/v1/admin/payments/${paymentId}/refunds`).set(admin).send({ amount: 5001 }).expect(422);
    expect(beyond.body.error).toBe('REFUND_EXCEEDS_PAYMENT');
    expect(fake.requestCount('POST /v1/refunds')).toBe(posts);

    // With refund.created subscribed, the dashboard refund gets a row of its own (ours is not doubled).
    const ours = fake.state.refunds.get(partial.body.providerRefundId)!;
    for (const refund of [ours, dashboard]) {
      const delivery = await fake.deliver(fake.buildEvent('refund.created', refund as unknown as Record<string, unknown>));
      expect(delivery.status).toBe(200);
    }
    expect((await refundsOf(paymentId)).map((r) => [r.source, r.amount_cents, r.status, r.provider_refund_id])).toEqual([
      ['admin', 4000, 'succeeded', partial.body.providerRefundId],
      ['provider', 1000, 'succeeded', dashboard.id],
    ]);
    expect((await payment(pi)).refunded_cents).toBe(5000);

    // The rest, refunded by an admin: the booking is then fully refunded.
    const rest = await t.http.post(`/v1/admin/payments/${paymentId}/refunds`).set(admin).send({}).expect(201);
    expect(rest.body).toMatchObject({ amount: 5000, status: 'succeeded' });
    expect(await payment(pi)).toMatchObject({ captured_cents: 10000, refunded_cents: 10000 });
    expect(await reservation(id)).toMatchObject({ status: 'refunded', statusReason: 'REFUNDED' });
    await deliverFor(pi);
    expect((await payment(pi)).refunded_cents).toBe(10000);
    expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
  });

  it('every event Stripe still has for us, delivered late and in one go, changes nothing', async () => {
    const before = await rows('SELECT id, status, status_reason, reference FROM reservations ORDER BY id');
    const deliveries = await fake.deliverAll();
    expect(deliveries.filter((d) => d.status !== 200)).toEqual([]);
    expect(await rows('SELECT id, status, status_reason, reference FROM reservations ORDER BY id')).toEqual(before);
  });

  it('a Stripe outage: convert answers 502, and after repeated failures the breaker fails fast without calling Stripe', async () => {
    const id = await hold();
    const gateway = t.app.get(PAYMENT_GATEWAY) as StripeGateway;
    expect(gateway.breakerState()).toBe('closed');
    const outage = fake.inject({ path: '/v1/payment_intents', method: 'POST', kind: 'status', status: 500, times: 1000 });
    const created = fake.counters.created.paymentIntents;

    for (let i = 1; i <= 5; i++) {
      const res = await convert(id).expect(502);
      expect(res.body).toMatchObject({ error: 'PAYMENT_PROCESSING_FAILED', message: expect.any(String) });
      expect(outage.hits).toBe(i * 3); // one attempt and the SDK's two retries, each a 500
    }
    expect(gateway.breakerState()).toBe('open');

    const requests = fake.requests.length;
    const started = Date.now();
    const fast = await convert(id).expect(502);
    expect(fast.body.error).toBe('PAYMENT_PROCESSING_FAILED');
    expect(Date.now() - started).toBeLessThan(500);
    expect(fake.requests.length).toBe(requests);
    expect(fake.counters.created.paymentIntents).toBe(created);
    // The app keeps answering what it knows.
    expect(await paymentStatus(id)).toMatchObject({ reservationStatus: 'pending', paymentIntentId: null });
    expect(fake.requests.length).toBe(requests);
    fake.clearFaults();
  }, 60_000);
});
