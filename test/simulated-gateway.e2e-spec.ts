import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createAppConfig } from '../src/config/app-config';
import { validateEnv } from '../src/config/env.schema';
import { DevPaymentsController } from '../src/payments/dev-payments.controller';
import { DevPaymentsModule } from '../src/payments/dev-payments.module';
import { CustomersService } from '../src/payments/customers.service';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import { PaymentsConfig } from '../src/payments/payments.config';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * The dev payment routes over HTTP, against the app and PostgreSQL. The simulated
 * provider itself (no database) is tested beside it: src/payments/simulated.gateway.spec.ts.
 */

const SECRET = 'whsec_simulated_gateway_test_secret';
const config = new PaymentsConfig(
  createAppConfig(validateEnv({ NODE_ENV: 'test', STRIPE_WEBHOOK_SECRET: SECRET }), 'postgres://unused', false),
);

describe('dev payment routes (stand-ins for Stripe.js), over HTTP', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let experienceId: string;
  let slotId: string;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const settle = () => (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();

  /** A pending reservation of alice's and its PaymentIntent, through the real hold and convert. */
  const pendingIntent = async (): Promise<{ reservationId: string; pi: string }> => {
    const held = await t.http
      .post('/v1/reservations/hold')
      .set(as(alice))
      .set('X-Idempotency-Key', randomUUID())
      .send({ experienceId, timeSlotId: slotId, numberOfGuests: 1, guestName: 'Alice', guestEmail: 'alice@example.com' })
      .expect(200);
    const reservationId = held.body.reservation.id as string;
    const converted = await t.http
      .post('/v1/reservations/hold/convert')
      .set(as(alice))
      .set('X-Idempotency-Key', randomUUID())
      .send({ holdId: reservationId })
      .expect(200);
    return { reservationId, pi: converted.body.reservation.paymentIntentId as string };
  };
  const confirm = (pi: string, paymentMethod: unknown, token = alice) =>
    t.http.post(`/v1/dev/payments/${pi}/confirm`).set(as(token)).send({ paymentMethod });
  const authenticate = (pi: string, result: unknown, token = alice) =>
    t.http.post(`/v1/dev/payments/${pi}/authenticate`).set(as(token)).send({ result });
  const reservationStatus = async (id: string) =>
    (await t.http.get(`/v1/reservations/${id}`).set(as(alice)).expect(200)).body.status;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    alice = t.token('alice');
    bob = t.token('bob');
    const offering = await createOffering(t.dataSource, { kind: 'experience', basePriceCents: 4000 });
    experienceId = offering.id;
    slotId = (await createSlot(t.dataSource, offering.id, { capacity: 50 })).id;
  });
  beforeEach(async () => settle());
  afterAll(async () => {
    await settle();
    await t.close();
  });

  it('pays with a test card: 200 succeeded, and the webhook event confirms the reservation', async () => {
    const { reservationId, pi } = await pendingIntent();
    const res = await confirm(pi, '4242 4242 4242 4242').expect(200);
    expect(res.body).toEqual({ paymentIntentId: pi, status: 'succeeded', nextAction: null });
    await settle();
    expect(await reservationStatus(reservationId)).toBe('confirmed');
    const again = await confirm(pi, 'pm_card_visa').expect(400);
    expect(again.body.error).toBe('VALIDATION_FAILED');
  });

  it('3-D Secure: 200 requires_action with use_stripe_sdk, then authenticate', async () => {
    const { reservationId, pi } = await pendingIntent();
    expect((await confirm(pi, 'pm_card_threeDSecure2Required').expect(200)).body).toEqual({
      paymentIntentId: pi,
      status: 'requires_action',
      nextAction: 'use_stripe_sdk',
    });
    const failed = await authenticate(pi, 'failure').expect(400);
    expect(failed.body).toMatchObject({ error: 'PAYMENT_CARD_DECLINED', message: expect.stringContaining('3-D Secure') });
    // Nothing to authenticate now; pay again on the same intent, with 3-D Secure once more.
    expect((await authenticate(pi, 'success').expect(400)).body.error).toBe('VALIDATION_FAILED');
    await confirm(pi, '4000002500003155').expect(200);
    expect((await authenticate(pi, 'success').expect(200)).body).toEqual({
      paymentIntentId: pi,
      status: 'succeeded',
      nextAction: null,
    });
    await settle();
    expect(await reservationStatus(reservationId)).toBe('confirmed');
  });

  it('a decline is 400 PAYMENT_CARD_DECLINED, insufficient funds said so', async () => {
    const { pi } = await pendingIntent();
    expect((await confirm(pi, 'pm_card_chargeDeclined').expect(400)).body).toMatchObject({
      error: 'PAYMENT_CARD_DECLINED',
      message: 'Your card was declined',
    });
    expect((await confirm(pi, '4000000000009995').expect(400)).body).toMatchObject({
      error: 'PAYMENT_CARD_DECLINED',
      message: 'Your card has insufficient funds',
    });
  });

  it("only the intent's owner may use it; unknown intents and cards are 404", async () => {
    const { pi } = await pendingIntent();
    expect((await confirm(pi, 'pm_card_visa', bob).expect(404)).body.error).toBe('NOT_FOUND');
    expect((await authenticate(pi, 'success', bob).expect(404)).body.error).toBe('NOT_FOUND');
    expect((await confirm('pi_sim_unknown', 'pm_card_visa').expect(404)).body.error).toBe('NOT_FOUND');
    expect((await confirm(pi, 'pm_card_noSuchCard').expect(404)).body.error).toBe('PAYMENT_METHOD_NOT_FOUND');
    // Bob's attempts changed nothing.
    expect((await confirm(pi, 'pm_card_visa').expect(200)).body.status).toBe('succeeded');
  });

  it('validates the bodies', async () => {
    const { pi } = await pendingIntent();
    for (const bad of [undefined, '', 'visa', 42, '4242', 'pm_card_visa; drop table']) {
      expect({ bad, error: (await confirm(pi, bad).expect(400)).body.error }).toEqual({ bad, error: 'VALIDATION_FAILED' });
    }
    expect((await confirm(pi, '4242424242424241').expect(400)).body.error).toBe('VALIDATION_FAILED'); // fails the Luhn check
    expect((await authenticate(pi, 'maybe').expect(400)).body.error).toBe('VALIDATION_FAILED');
    await t.http.post(`/v1/dev/payments/${pi}/confirm`).send({ paymentMethod: 'pm_card_visa' }).expect(401);
  });

  describe('SetupIntents (saving a card for off-session payments) and the app clock', () => {
    const gateway = () => t.app.get(PAYMENT_GATEWAY) as SimulatedGateway;
    /** `user`'s provider customer, made by saving a first card through the API. */
    const customerOf = async (user: string, token: string): Promise<string> => {
      await t.http
        .post('/v1/payments/methods')
        .set(as(token))
        .set('X-Idempotency-Key', randomUUID())
        .send({ paymentMethodId: 'pm_card_visa' })
        .expect(200);
      return (await t.app.get(CustomersService).find(user))!;
    };
    /** A SetupIntent awaiting a card, as the rentals' convert makes one. */
    const setupFor = async (customerId: string) =>
      gateway().createSetupIntent({ setupId: randomUUID(), customerId, metadata: {} });
    const confirmSetup = (id: string, paymentMethod: unknown, token = alice) =>
      t.http.post(`/v1/dev/payments/setup-intents/${id}/confirm`).set(as(token)).send({ paymentMethod });
    const authenticateSetup = (id: string, result: unknown, token = alice) =>
      t.http.post(`/v1/dev/payments/setup-intents/${id}/authenticate`).set(as(token)).send({ result });

    it('confirm with a 3-D Secure card, authenticate: the card is saved; only the owner may; bad input is 400', async () => {
      const customerId = await customerOf('alice', alice);
      const setup = await setupFor(customerId);
      expect((await confirmSetup(setup.id, 'pm_card_visa', bob).expect(404)).body.error).toBe('NOT_FOUND');
      expect((await authenticateSetup(setup.id, 'success', bob).expect(404)).body.error).toBe('NOT_FOUND');
      expect((await confirmSetup('seti_sim_unknown', 'pm_card_visa').expect(404)).body.error).toBe('NOT_FOUND');
      expect((await confirmSetup(setup.id, 'visa').expect(400)).body.error).toBe('VALIDATION_FAILED');
      expect((await authenticateSetup(setup.id, 'maybe').expect(400)).body.error).toBe('VALIDATION_FAILED');
      await t.http.post(`/v1/dev/payments/setup-intents/${setup.id}/confirm`).send({ paymentMethod: 'pm_card_visa' }).expect(401);

      expect((await confirmSetup(setup.id, '4000002500003155').expect(200)).body).toEqual({
        setupIntentId: setup.id,
        status: 'requires_action',
        nextAction: 'use_stripe_sdk',
      });
      expect((await authenticateSetup(setup.id, 'success').expect(200)).body).toEqual({
        setupIntentId: setup.id,
        status: 'succeeded',
        nextAction: null,
      });
      expect((await confirmSetup(setup.id, 'pm_card_visa').expect(400)).body.error).toBe('VALIDATION_FAILED');

      // Saved for off-session use: the merchant can now authorise it while alice is away.
      const saved = await gateway().retrieveSetupIntent(setup.id);
      const authorised = await gateway().authorizeOffSession({
        paymentId: randomUUID(),
        amount: 30000,
        currency: 'EUR',
        customerId,
        paymentMethodId: saved.paymentMethodId!,
        metadata: {},
      });
      expect(authorised.status).toBe('requires_capture');
    });

    it('a declined card or a failed challenge is 400 PAYMENT_CARD_DECLINED, and another card may follow', async () => {
      const setup = await setupFor(await customerOf('alice', alice));
      expect((await confirmSetup(setup.id, 'pm_card_chargeDeclined').expect(400)).body.error).toBe('PAYMENT_CARD_DECLINED');
      await confirmSetup(setup.id, 'pm_card_threeDSecure2Required').expect(200);
      expect((await authenticateSetup(setup.id, 'failure').expect(400)).body.error).toBe('PAYMENT_CARD_DECLINED');
      expect((await confirmSetup(setup.id, 'pm_card_mastercard').expect(200)).body.status).toBe('succeeded');
    });

    it('runs on the app clock: a moved clock moves capture_before, and its signed events still verify', async () => {
      const customerId = await customerOf('bob', bob);
      const authorise = () =>
        gateway().authorizeOffSession({
          paymentId: randomUUID(),
          amount: 30000,
          currency: 'EUR',
          customerId,
          paymentMethodId: 'pm_card_mastercard',
          metadata: {},
        });
      const before = await authorise();
      t.clock.advance(10 * 86_400_000);
      try {
        const after = await authorise();
        const moved = after.captureBefore!.getTime() - before.captureBefore!.getTime();
        expect(Math.abs(moved - 10 * 86_400_000)).toBeLessThan(5_000);
        // The first authorisation lapsed meanwhile (7 days for a Mastercard).
        expect((await gateway().retrieveIntent(before.id)).status).toBe('canceled');
        await settle();
        // Signed on the app's clock, so the webhook endpoint (on the same clock) took them.
        const recorded = (await t.dataSource.query(
          `SELECT type FROM webhook_events WHERE payload->'data'->'object'->>'id' = $1 ORDER BY received_at`,
          [before.id],
        )) as { type: string }[];
        expect(recorded.map((r) => r.type)).toEqual(['payment_intent.amount_capturable_updated', 'payment_intent.canceled']);
      } finally {
        t.clock.reset();
      }
    });
  });

  it('are registered only with the simulated provider', () => {
    const stripeConfig = new PaymentsConfig(
      createAppConfig(
        validateEnv({ NODE_ENV: 'test', PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_x' }),
        'postgres://unused',
        false,
      ),
    );
    expect(DevPaymentsModule.forRoot(stripeConfig).controllers).toEqual([]);
    expect(DevPaymentsModule.forRoot(config).controllers).toEqual([DevPaymentsController]);
  });
});
