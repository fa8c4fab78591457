import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { mintDevToken } from '../src/auth/dev-token.service';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { MoneyScheduleService } from '../src/rentals/money-schedule.service';
import type { SimulatedTelematics } from '../src/rentals/simulated-telematics';
import { TELEMATICS } from '../src/rentals/telematics.port';
import { createOffering, createUnit } from './factories/inventory.factory';
import type { FakeStripe, RequestRecord } from './support/fake-stripe/index';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createStripeTestApp } from './support/stripe-app';
import type { TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const VISA_OFF_SESSION = 4 * DAY + 18 * HOUR;
const WEBHOOK_SECRET = 'whsec_rental_schedule_stripe_spec';
const POLICY = {
  pickupTime: '09:00',
  returnTime: '09:00',
  timeZone: 'Europe/Paris',
  deposit: 25_000,
  cancellationFee: 5_000,
  freeCancellationHours: 48,
  lateFeePerHour: 1_500,
  refuelFeePerPercent: 50,
  kmAllowancePerDay: 300,
  feePerExtraKm: 30,
};
const guest = { guestName: 'Stella Stripe', guestEmail: 'stella@example.com' };
const parisDate = (nowMs: number, days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(nowMs + days * DAY));
const photo = (n: number) =>
  Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), Buffer.alloc(3000 + n, n)]);
const expectNear = (at: Date, expectedMs: number) => expect(Math.abs(at.getTime() - expectedMs)).toBeLessThan(2_000);

/**
 * The vehicle money schedule with PAYMENT_PROVIDER=stripe (DESIGN.md section 12; issue 14's
 * "Done when"): the SetupIntent, the off-session authorisation, its renewal (new first,
 * the old cancelled), the manual capture with `amount_to_capture`, an off-session
 * authorisation that needs the customer, and a fine the card cannot pay off-session, paid
 * in the app through `payOwed`, all through the real SDK against the fake Stripe
 * server and its parameter validation. The fake's clock is the app's, so `capture_before`
 * and the webhook signatures move with it; the test delivers the webhooks itself.
 */
describe('the vehicle money schedule on Stripe (fake Stripe server, real SDK, real webhooks)', () => {
  let fake: FakeStripe;
  let t: TestApp;
  /** Stripe.js in the app: confirms SetupIntents and PaymentIntents with the client secret's object. */
  let client: Stripe;
  let offeringId: string;
  const vans: string[] = [];
  const auth = (sub: string, roles?: string[]) => ({
    Authorization: `Bearer ${mintDevToken(t.config.JWT_SECRET, { sub, roles }, 30 * 24 * 3600, t.config.JWT_AUDIENCE, t.config.JWT_ISSUER)}`,
  });
  const schedule = () => t.app.get(MoneyScheduleService);
  const telematics = () => t.app.get(TELEMATICS) as SimulatedTelematics;
  const booking = async (sub: string, id: string) => (await t.http.get(`/v1/reservations/${id}`).set(auth(sub)).expect(200)).body;
  const payments = async (id: string) =>
    (await t.dataSource.query(
      `SELECT id, status, purpose, amount_cents, captured_cents, off_session, capture_before, provider_intent_id
         FROM payments WHERE reservation_id = $1 ORDER BY created_at, id`,
      [id],
    )) as {
      id: string;
      status: string;
      purpose: string;
      amount_cents: number;
      captured_cents: number;
      off_session: boolean;
      capture_before: Date | null;
      provider_intent_id: string;
    }[];
  /** Delivers every event not yet delivered; the app must acknowledge each. */
  const deliver = async () => {
    const deliveries = await fake.deliverAll();
    expect(deliveries.filter((d) => d.status !== 200).map((d) => [d.type, d.status])).toEqual([]);
    return deliveries.map((d) => d.type);
  };
  const requestsSince = (mark: number, key: string): RequestRecord[] =>
    fake.requests.slice(mark).filter((r) => `${r.method} ${r.template}` === key);
  const renewJobsSettled = (id: string) =>
    waitFor('the renew jobs to run', async () => {
      const [{ open }] = (await t.dataSource.query(
        `SELECT count(*)::int AS open FROM pgboss.job
          WHERE name = 'rentals-renew' AND data->>'reservationId' = $1 AND state IN ('created', 'retry', 'active') AND start_after <= now()`,
        [id],
      )) as { open: number }[];
      return open === 0;
    });

  /**
   * An hour before the rental's return time, with the vehicle locked and telematics reading
   * `reading`: the customer's return with the same readings and four photos, built but not
   * yet sent (wrapped, since awaiting a supertest request sends it).
   */
  async function returnAnHourEarly(
    sub: string,
    id: string,
    fleetVehicleId: string,
    reading: { odometerKm: number; energyLevelPercent: number },
  ) {
    const returnAt = Date.parse((await t.http.get(`/v1/rentals/${id}`).set(auth(sub)).expect(200)).body.returnAt);
    t.clock.set(returnAt - HOUR);
    await telematics().lock(fleetVehicleId, { idempotencyKey: `lock-${id}` });
    telematics().setReadings(fleetVehicleId, reading);
    let request = t.http
      .post(`/v1/rentals/${id}/return`)
      .set(auth(sub))
      .set('X-Idempotency-Key', randomUUID())
      .field('odometerKm', String(reading.odometerKm))
      .field('energyLevelPercent', String(reading.energyLevelPercent))
      .field('latitude', '48.85')
      .field('longitude', '2.35');
    for (let n = 1; n <= 4; n++)
      request = request.attach('photos', photo(n), { filename: `p${n}.jpg`, contentType: 'image/jpeg' });
    return { request };
  }

  async function holdAndConvert(sub: string, unit: number, startInDays: number, days: number) {
    await t.dataSource.query(
      `UPDATE rental_units SET fleet_status = CASE WHEN id = $1 THEN 'available' ELSE 'out_of_service' END`,
      [vans[unit]],
    );
    const now = t.clock.nowMs();
    const held = await t.http
      .post('/v1/reservations/hold')
      .set(auth(sub))
      .set('X-Idempotency-Key', randomUUID())
      .send({
        items: [{ offeringId, startDate: parisDate(now, startInDays), endDate: parisDate(now, startInDays + days) }],
        ...guest,
      })
      .expect(200);
    const id = held.body.reservation.id as string;
    const mark = fake.requests.length;
    const converted = (
      await t.http
        .post('/v1/reservations/hold/convert')
        .set(auth(sub))
        .set('X-Idempotency-Key', randomUUID())
        .send({ holdId: id, savePaymentMethod: true })
        .expect(200)
    ).body;
    return { id, converted, mark };
  }

  beforeAll(async () => {
    ({ fake, t, client } = await createStripeTestApp({
      secretKey: 'sk_test_rental_schedule',
      clientKey: 'sk_test_rental_schedule_phone',
      webhookSecret: WEBHOOK_SECRET,
      followAppClock: true,
    }));
    offeringId = (
      await createOffering(t.dataSource, { kind: 'rental', basePriceCents: 10_000, vehicle: true, rentalPolicy: POLICY })
    ).id;
    for (const n of [1, 2]) {
      const unit = await createUnit(t.dataSource, offeringId, `Van ${n}`, 'available', {
        plate: `HF-00${n}-ST`,
        model: 'Ford Transit',
        seats: 3,
        energy: 'fuel',
        fleetVehicleId: `fleet-stripe-${n}`,
      });
      vans.push(unit.id);
    }
  });

  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    await t.close();
    await fake.stop();
  });

  it('SetupIntent -> scheduled -> off-session authorisation -> renewal (new, then old cancelled) -> capture with amount_to_capture', async () => {
    const sub = 'stripe-renter';
    const { id, converted, mark } = await holdAndConvert(sub, 0, 8, 4);

    // Convert made a SetupIntent, off-session usage, our ids in its metadata, key seti:{setupId}.
    expect(converted).toMatchObject({ clientSecretType: 'setup_intent', reservation: { status: 'pending' } });
    const setupIntentId = converted.reservation.paymentIntentId as string;
    const [create] = requestsSince(mark, 'POST /v1/setup_intents');
    const [{ id: setupId }] = (await t.dataSource.query(`SELECT id FROM payment_setups WHERE reservation_id = $1`, [id])) as {
      id: string;
    }[];
    expect(create.params).toMatchObject({
      usage: 'off_session',
      customer: expect.stringMatching(/^cus_/),
      metadata: { setupId, reservationId: id },
      automatic_payment_methods: { enabled: 'true', allow_redirects: 'never' },
    });
    expect(create.idempotencyKey).toBe(`seti:${setupId}`);
    expect(requestsSince(mark, 'POST /v1/payment_intents')).toEqual([]);

    // The phone confirms it (Stripe.js confirmSetup); the webhook confirms the booking.
    const confirmed = await client.setupIntents.confirm(setupIntentId, { payment_method: 'pm_card_visa' });
    expect(confirmed.status).toBe('succeeded');
    expect(await deliver()).toContain('setup_intent.succeeded');
    expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'scheduled' });

    // Two days before pickup: the off-session authorisation.
    fake.setAuthorizationSupport({ extended: false });
    const pickupAt = Date.parse((await t.http.get(`/v1/rentals/${id}`).set(auth(sub)).expect(200)).body.pickupAt);
    t.clock.set(pickupAt - 2 * DAY);
    const before = fake.requests.length;
    expect(await schedule().authorize(id)).toMatchObject({ authorized: expect.any(String) });
    const [authorize] = requestsSince(before, 'POST /v1/payment_intents');
    const [auth1] = await payments(id);
    expect(authorize.params).toMatchObject({
      amount: String(4 * 10_000 + 25_000),
      currency: 'eur',
      capture_method: 'manual',
      confirm: 'true',
      off_session: 'true',
      customer: create.params.customer,
      payment_method: confirmed.payment_method,
      payment_method_options: {
        card: { request_extended_authorization: 'if_available', request_incremental_authorization: 'if_available' },
      },
      metadata: { paymentId: auth1.id, reservationId: id, purpose: 'booking' },
    });
    expect(authorize.params).not.toHaveProperty('setup_future_usage');
    expect(authorize.idempotencyKey).toBe(`pi:${auth1.id}`);
    expect(auth1).toMatchObject({ status: 'requires_capture', purpose: 'booking', off_session: true, amount_cents: 65_000 });
    expectNear(auth1.capture_before!, t.clock.nowMs() + VISA_OFF_SESSION);
    await deliver();
    await renewJobsSettled(id);
    expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });

    // Picked up; 12 hours before the authorisation lapses (it would before the return + 24 h): renewed.
    telematics().setReadings('fleet-stripe-1', { odometerKm: 5_000, energyLevelPercent: 70 });
    t.clock.set(pickupAt);
    await t.http.post(`/v1/rentals/${id}/unlock`).set(auth(sub)).set('X-Idempotency-Key', randomUUID()).expect(200);
    t.clock.set(auth1.capture_before!.getTime() - 12 * HOUR);
    const renewing = fake.requests.length;
    const renewed = await schedule().renew(id);
    expect(renewed).toMatchObject({ renewed: expect.any(String), released: auth1.id });
    const posts = fake.requests.slice(renewing).filter((r) => r.method === 'POST');
    // New before old: the renewal is authorised first, then the old authorisation cancelled (key cancel:{paymentId};
    // the renew job that the new authorisation queued may send the same cancel: Stripe answers it from its key).
    expect(posts[0]).toMatchObject({ template: '/v1/payment_intents', idempotencyKey: `pi:${renewed.renewed}` });
    expect(posts[0].params).toMatchObject({ off_session: 'true', capture_method: 'manual', metadata: { purpose: 'renewal' } });
    const cancels = posts.slice(1);
    expect(cancels.length).toBeGreaterThanOrEqual(1);
    for (const cancel of cancels) {
      expect(cancel).toMatchObject({
        path: `/v1/payment_intents/${auth1.provider_intent_id}/cancel`,
        idempotencyKey: `cancel:${auth1.id}`,
      });
    }
    expect(cancels.filter((c) => c.status === 200 && !c.replayed)).toHaveLength(1);
    await deliver();
    await renewJobsSettled(id);
    const [old, renewal] = await payments(id);
    expect(old).toMatchObject({ status: 'canceled', captured_cents: 0 });
    expect(renewal).toMatchObject({ status: 'requires_capture', purpose: 'renewal', off_session: true, amount_cents: 65_000 });
    expect(fake.state.paymentIntents.get(auth1.provider_intent_id)!.status).toBe('canceled');

    // Returned on time: the settlement captures the price from the renewal (amount_to_capture), the deposit released.
    const { request } = await returnAnHourEarly(sub, id, 'fleet-stripe-1', { odometerKm: 5_400, energyLevelPercent: 70 });
    const capturing = fake.requests.length;
    await request.expect(200);
    await waitFor('the settlement', async () => (await booking(sub, id)).status === 'completed', 20_000);
    const captures = requestsSince(capturing, 'POST /v1/payment_intents/:id/capture');
    expect(captures.map((c) => [c.path, c.params.amount_to_capture])).toEqual([
      [`/v1/payment_intents/${renewal.provider_intent_id}/capture`, String(40_000)],
    ]);
    await deliver();
    expect(await payments(id)).toMatchObject([
      { status: 'canceled', captured_cents: 0 },
      { status: 'succeeded', captured_cents: 40_000 },
    ]);
  });

  it('an off-session authorisation needing the customer: 402 authentication_required -> requires_action -> completed in the app -> authorized', async () => {
    t.clock.reset();
    const sub = 'stripe-3ds';
    const { id, converted } = await holdAndConvert(sub, 1, 6, 2);
    const setupIntentId = converted.reservation.paymentIntentId as string;
    // The card asks for 3-D Secure on setup (the customer is in the app) ...
    const confirming = await client.setupIntents.confirm(setupIntentId, { payment_method: 'pm_card_authenticationRequired' });
    expect(confirming.status).toBe('requires_action');
    fake.completeSetupAction(setupIntentId, 'success');
    await deliver();
    expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'scheduled' });

    // ... and again off-session: Stripe's 402 carries the intent, which the app completes.
    const pickupAt = Date.parse((await t.http.get(`/v1/rentals/${id}`).set(auth(sub)).expect(200)).body.pickupAt);
    t.clock.set(pickupAt - 2 * DAY);
    expect(await schedule().authorize(id)).toMatchObject({
      actionRequired: expect.any(String),
      failureCode: 'authentication_required',
    });
    await deliver();
    expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'requires_action' });
    const status = (await t.http.get(`/v1/reservations/${id}/payment-status`).set(auth(sub)).expect(200)).body.data;
    const [attempt] = await payments(id);
    expect(status).toMatchObject({
      paymentIntentId: attempt.provider_intent_id,
      stripeStatus: 'requires_payment_method',
      requiresAction: true,
      clientSecret: fake.state.paymentIntents.get(attempt.provider_intent_id)!.client_secret,
      clientSecretType: 'payment_intent',
    });

    const card = fake.state.paymentIntents.get(attempt.provider_intent_id)!.last_payment_error?.payment_method as
      { id: string } | undefined;
    const pm = card?.id ?? (fake.state.setupIntents.get(setupIntentId)!.payment_method as string);
    const onSession = await client.paymentIntents.confirm(attempt.provider_intent_id, { payment_method: pm });
    expect(onSession.status).toBe('requires_action');
    fake.completeAction(attempt.provider_intent_id, 'success');
    await deliver();
    expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });
    expect(await payments(id)).toMatchObject([{ status: 'requires_capture', off_session: true, captured_cents: 0 }]);
    t.clock.set(pickupAt - DAY);
    expect(await schedule().deadline(id)).toEqual({ resolved: true });
  });

  it('a fine the saved card cannot pay off-session: 402 authentication_required -> payOwed -> paid in the app with another card -> settled', async () => {
    t.clock.reset();
    const sub = 'stripe-fined';
    // Pickup tomorrow: convert authorises at once; the card asks for 3-D Secure on every payment, so never pays off-session.
    const { id, converted } = await holdAndConvert(sub, 1, 1, 1);
    const bookingIntent = converted.reservation.paymentIntentId as string;
    const confirming = await client.paymentIntents.confirm(bookingIntent, { payment_method: 'pm_card_authenticationRequired' });
    expect(confirming.status).toBe('requires_action');
    fake.completeAction(bookingIntent, 'success');
    await deliver();
    expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });

    // Picked up and returned on time, no fines: the price is captured and the rental completes.
    const rental = async () => (await t.http.get(`/v1/rentals/${id}`).set(auth(sub)).expect(200)).body;
    const { pickupAt } = await rental();
    t.clock.set(Date.parse(pickupAt) - 10 * 60_000);
    telematics().setReadings('fleet-stripe-2', { odometerKm: 9_000, energyLevelPercent: 80 });
    await t.http.post(`/v1/rentals/${id}/unlock`).set(auth(sub)).set('X-Idempotency-Key', randomUUID()).expect(200);
    const { request } = await returnAnHourEarly(sub, id, 'fleet-stripe-2', { odometerKm: 9_000, energyLevelPercent: 80 });
    expect((await request.expect(200)).body).toMatchObject({ rentalStatus: 'returned', fines: [] });
    await waitFor('the settlement', async () => (await booking(sub, id)).status === 'completed', 20_000);
    await deliver();

    // A damage fine after completion: charged off-session, Stripe answers 402 authentication_required.
    await t.http
      .put(`/v1/admin/rentals/${id}/fines/damage`)
      .set(auth('stripe-ops', ['admin']))
      .send({ amount: 4_500, reason: 'Dent on the tailgate' })
      .expect(200);
    const fineCharge = async () => (await payments(id)).find((p) => p.purpose === 'fine');
    await waitFor('the fine charge declined', async () => (await fineCharge())?.status === 'requires_payment_method', 20_000);
    await deliver();
    const fine = (await fineCharge())!;
    expect(fine).toMatchObject({ status: 'requires_payment_method', off_session: true, amount_cents: 4_500 });
    const owed = await rental();
    expect(owed.payOwed).toEqual({
      paymentIntentId: fine.provider_intent_id,
      clientSecret: fake.state.paymentIntents.get(fine.provider_intent_id)!.client_secret,
      clientSecretType: 'payment_intent',
      amount: 4_500,
      currency: owed.money.currency,
      stripeStatus: 'requires_payment_method',
    });

    // The app confirms it with another card (Stripe.js confirmPayment); the webhook settles the fine.
    const paid = await client.paymentIntents.confirm(owed.payOwed.paymentIntentId, { payment_method: 'pm_card_visa' });
    expect(paid.status).toBe('succeeded');
    expect(await deliver()).toContain('payment_intent.succeeded');
    await waitFor('the fine paid', async () => (await rental()).money.owed === 0, 20_000);
    expect(await rental()).toMatchObject({ rentalStatus: 'completed', payOwed: null, money: { charged: 4_500, owed: 0 } });
    expect((await payments(id)).filter((p) => p.purpose === 'fine')).toMatchObject([
      { status: 'succeeded', captured_cents: 4_500 },
    ]);
  });
});
