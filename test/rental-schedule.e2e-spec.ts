import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { mintDevToken } from '../src/auth/dev-token.service';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { MoneyScheduleJob } from '../src/rentals/money-schedule.job';
import { MoneyScheduleService } from '../src/rentals/money-schedule.service';
import type { SimulatedTelematics } from '../src/rentals/simulated-telematics';
import { TELEMATICS } from '../src/rentals/telematics.port';
import { createOffering, createUnit } from './factories/inventory.factory';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A merchant-initiated Visa authorisation without extended authorisation (Stripe's table, stripe-model.ts). */
const VISA_OFF_SESSION = 4 * DAY + 18 * HOUR;
const POLICY = {
  pickupTime: '10:00',
  returnTime: '10:00',
  timeZone: 'Europe/Paris',
  deposit: 30_000,
  cancellationFee: 5_000,
  freeCancellationHours: 48,
  lateFeePerHour: 1_500,
  refuelFeePerPercent: 50,
  kmAllowancePerDay: 200,
  feePerExtraKm: 30,
};
const guest = { guestName: 'Sam Scheduler', guestEmail: 'sam@example.com' };

const photo = (n: number) =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]),
    Buffer.alloc(4000 + n, n),
    Buffer.from([0xff, 0xd9]),
  ]);

/** `at` is `expectedMs` to the second (the provider keeps Unix seconds; the app clock runs on meanwhile). */
const expectNear = (at: Date, expectedMs: number) => expect(Math.abs(at.getTime() - expectedMs)).toBeLessThan(2_000);

/** The Paris calendar date `days` from `nowMs`. */
const parisDate = (nowMs: number, days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(nowMs + days * DAY));

interface PaymentRow {
  id: string;
  status: string;
  purpose: string;
  amount_cents: number;
  captured_cents: number;
  capture_method: string;
  off_session: boolean;
  capture_before: Date | null;
  provider_intent_id: string | null;
  client_secret: string | null;
  failure_code: string | null;
}

/**
 * The vehicle money schedule (DESIGN.md section 12, "Money"; issue 14 item 3) on the
 * simulated provider, whose authorisations lapse on the app's clock: a pickup later than
 * RENTAL_AUTH_LEAD_DAYS saves the card (SetupIntent) and is confirmed `scheduled`; the
 * job authorises off-session two days before pickup; renewals run from each
 * authorisation's own `capture_before`; a declined authorisation asks the customer and is
 * cancelled 24 h before pickup if they do not act; a scheduled booking cancelled inside
 * the fee window pays the fee off-session.
 */
describe('the vehicle money schedule (simulated provider, moved clock)', () => {
  let t: TestApp;
  let offeringId: string;
  let strictOfferingId: string;
  const units: Record<string, { id: string; fleetVehicleId: string }> = {};
  const token = (sub: string, roles: string[] = []) =>
    mintDevToken(t.config.JWT_SECRET, { sub, roles }, 30 * 24 * 3600, t.config.JWT_AUDIENCE, t.config.JWT_ISSUER);
  const auth = (sub: string) => ({ Authorization: `Bearer ${token(sub)}` });
  const gateway = () => t.app.get(PAYMENT_GATEWAY) as SimulatedGateway;
  const flush = () => gateway().flushEvents();
  const schedule = () => t.app.get(MoneyScheduleService);
  const telematics = () => t.app.get(TELEMATICS) as SimulatedTelematics;

  const payments = async (reservationId: string) =>
    (await t.dataSource.query(
      `SELECT id, status, purpose, amount_cents, captured_cents, capture_method, off_session, capture_before, provider_intent_id,
              client_secret, failure_code
         FROM payments WHERE reservation_id = $1 ORDER BY created_at, id`,
      [reservationId],
    )) as PaymentRow[];
  const booking = async (sub: string, id: string) => (await t.http.get(`/v1/reservations/${id}`).set(auth(sub)).expect(200)).body;
  const rental = async (sub: string, id: string) => (await t.http.get(`/v1/rentals/${id}`).set(auth(sub)).expect(200)).body;
  const paymentStatus = async (sub: string, id: string) =>
    (await t.http.get(`/v1/reservations/${id}/payment-status`).set(auth(sub)).expect(200)).body.data;
  const emails = async (sub: string, id: string) =>
    (await t.http.get('/v1/dev/emails').query({ reservationId: id }).set(auth(sub)).expect(200)).body.emails as {
      template: string;
      text: string;
    }[];
  const cases = async (id: string) =>
    (await t.dataSource.query(`SELECT kind, details FROM support_cases WHERE reservation_id = $1 ORDER BY opened_at`, [id])) as {
      kind: string;
      details: Record<string, unknown>;
    }[];
  const jobs = async (name: string, id: string) =>
    (await t.dataSource.query(
      `SELECT state, start_after, created_on FROM pgboss.job WHERE name = $1 AND data->>'reservationId' = $2 ORDER BY created_on`,
      [name, id],
    )) as { state: string; start_after: Date; created_on: Date }[];
  /** The renew jobs due now (queued by an authorisation that landed) have run. */
  const renewJobsSettled = (id: string) =>
    waitFor(`the renew jobs of ${id} to run`, async () => {
      const [{ open }] = (await t.dataSource.query(
        `SELECT count(*)::int AS open FROM pgboss.job
          WHERE name = 'rentals-renew' AND data->>'reservationId' = $1 AND state IN ('created', 'retry', 'active')
            AND start_after <= now()`,
        [id],
      )) as { open: number }[];
      return open === 0;
    });

  /** hold + convert (card kept) as `sub`: the reservation id and the convert answer. */
  async function holdAndConvert(sub: string, offering: string, startInDays: number, days: number, body: object = {}) {
    const now = t.clock.nowMs();
    const held = await t.http
      .post('/v1/reservations/hold')
      .set(auth(sub))
      .set('X-Idempotency-Key', randomUUID())
      .send({
        items: [{ offeringId: offering, startDate: parisDate(now, startInDays), endDate: parisDate(now, startInDays + days) }],
        ...guest,
      })
      .expect(200);
    const id = held.body.reservation.id as string;
    const converted = await t.http
      .post('/v1/reservations/hold/convert')
      .set(auth(sub))
      .set('X-Idempotency-Key', randomUUID())
      .send({ holdId: id, savePaymentMethod: true, ...body })
      .expect(200);
    return { id, converted: converted.body };
  }

  /** The app completes the SetupIntent with `card` (the dev route standing in for Stripe.js `confirmSetup`). */
  async function setUpCard(sub: string, setupIntentId: string, card: string) {
    const res = await t.http
      .post(`/v1/dev/payments/setup-intents/${setupIntentId}/confirm`)
      .set(auth(sub))
      .send({ paymentMethod: card })
      .expect(200);
    if (res.body.status === 'requires_action') {
      await t.http
        .post(`/v1/dev/payments/setup-intents/${setupIntentId}/authenticate`)
        .set(auth(sub))
        .send({ result: 'success' })
        .expect(200);
    }
    await flush();
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    offeringId = (
      await createOffering(t.dataSource, { kind: 'rental', basePriceCents: 12_000, vehicle: true, rentalPolicy: POLICY })
    ).id;
    // Free cancellation only up to 5 days before pickup: a booking 4 days ahead is scheduled AND inside the fee window.
    strictOfferingId = (
      await createOffering(t.dataSource, {
        kind: 'rental',
        basePriceCents: 9_000,
        vehicle: true,
        rentalPolicy: { ...POLICY, freeCancellationHours: 120 },
      })
    ).id;
    for (const [name, offering] of [
      ['renewals', offeringId],
      ['completed', offeringId],
      ['unresolved', offeringId],
      ['pass', offeringId],
      ['renewal-declined', offeringId],
      ['strict', strictOfferingId],
    ] as const) {
      const unit = await createUnit(t.dataSource, offering, `Van ${name}`, 'available', {
        plate: `HF-${name.slice(0, 3).toUpperCase()}`,
        model: 'Renault Master',
        seats: 9,
        energy: 'fuel',
        fleetVehicleId: `fleet-${name}`,
      });
      units[name] = { id: unit.id, fleetVehicleId: unit.fleetVehicleId! };
      // One unit per scenario: the others are taken out of service for the holds below.
    }
  });

  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    await t.close();
  });

  /** Only `name`'s unit of its offering can be held (the others are out of service). */
  async function onlyUnit(name: string): Promise<void> {
    for (const [other, unit] of Object.entries(units)) {
      const status = other === name ? 'available' : 'out_of_service';
      await t.dataSource.query(`UPDATE rental_units SET fleet_status = $2 WHERE id = $1`, [unit.id, status]);
    }
  }

  describe('authorised later, then renewed from capture_before, settled from the open authorisation', () => {
    const sub = 'renter-renewals';
    let id: string;
    let pickupAt: number;
    let returnAt: number;

    it('a pickup 10 days ahead: convert answers a SetupIntent; the booking is confirmed `scheduled` once the card is set up', async () => {
      t.clock.reset();
      await onlyUnit('renewals');
      const { id: reservationId, converted } = await holdAndConvert(sub, offeringId, 10, 10);
      id = reservationId;
      expect(converted).toEqual({
        reservation: { id, status: 'pending', paymentIntentId: expect.stringMatching(/^seti_/), paymentStatus: 'none' },
        paymentClientSecret: expect.stringMatching(/^seti_\w+_secret_\w+$/),
        requiresAction: false,
        clientSecretType: 'setup_intent',
      });
      const setupIntentId = converted.reservation.paymentIntentId as string;
      expect(await paymentStatus(sub, id)).toMatchObject({
        reservationStatus: 'pending',
        paymentIntentId: setupIntentId,
        stripeStatus: 'requires_payment_method',
        requiresAction: false,
        clientSecret: converted.paymentClientSecret,
        clientSecretType: 'setup_intent',
      });

      await setUpCard(sub, setupIntentId, 'pm_card_visa');
      const confirmed = await booking(sub, id);
      expect(confirmed).toMatchObject({ status: 'confirmed', paymentStatus: 'scheduled', payments: [] });
      expect(confirmed.reservationReference).toMatch(/^[A-Z2-9]{12}$/);
      // Nothing authorised yet; the card is kept for the off-session payments to come.
      expect(await payments(id)).toEqual([]);
      const methods = (await t.http.get('/v1/payments/methods').set(auth(sub)).expect(200)).body;
      expect(JSON.stringify(methods)).toContain('4242');
      // The confirm call after the webhook changes nothing and answers the same booking.
      const again = await t.http
        .post('/v1/reservations/confirm')
        .set(auth(sub))
        .set('X-Idempotency-Key', randomUUID())
        .send({ reservationId: id, paymentIntentId: setupIntentId })
        .expect(200);
      expect(again.body).toMatchObject({
        reservation: {
          id,
          status: 'confirmed',
          paymentStatus: 'scheduled',
          reservationReference: confirmed.reservationReference,
        },
        payment: { status: 'scheduled', chargeId: null },
      });
      const events = (await t.dataSource.query(`SELECT type FROM outbox_events WHERE reservation_id = $1 ORDER BY id`, [id])) as {
        type: string;
      }[];
      expect(events.map((e) => e.type)).toEqual(['held', 'pending', 'confirmed']);
      await waitFor('the confirmation email', async () =>
        (await emails(sub, id)).some((e) => e.template === 'reservation_confirmed'),
      );
    });

    it('the authorisation is queued in the confirming transaction, to start RENTAL_AUTH_LEAD_DAYS (2) before pickup', async () => {
      const view = await rental(sub, id);
      pickupAt = Date.parse(view.pickupAt);
      returnAt = Date.parse(view.returnAt);
      expect(returnAt - pickupAt).toBe(10 * DAY);
      const [job] = await jobs('rentals-authorize', id);
      expect(job.state).toBe('created');
      // pg-boss counts from the database's now(): the wait is pickup - 2 days - the app's now (the clock is not moved yet).
      const wait = job.start_after.getTime() - job.created_on.getTime();
      expect(Math.abs(wait - (pickupAt - 2 * DAY - Date.now()))).toBeLessThan(60_000);
    });

    it('two days before pickup the job authorises price + deposit off-session: `authorized`, with capture_before', async () => {
      // The account grants no extended authorisation: a Visa off-session authorisation lasts 4 days 18 hours.
      gateway().setAuthorizationSupport({ extended: false });
      t.clock.set(pickupAt - 2 * DAY);
      const outcome = await schedule().authorize(id);
      expect(outcome).toMatchObject({ authorized: expect.any(String) });
      await flush();
      const [auth1] = await payments(id);
      expect(auth1).toMatchObject({
        status: 'requires_capture',
        purpose: 'booking',
        capture_method: 'manual',
        off_session: true,
        amount_cents: 120_000 + 30_000,
      });
      expectNear(auth1.capture_before!, pickupAt - 2 * DAY + VISA_OFF_SESSION);
      expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });
      // Running it again (a retry, the safety pass) authorises nothing twice.
      expect(await schedule().authorize(id)).toEqual({ skipped: 'payment authorized' });
      expect(await payments(id)).toHaveLength(1);
    });

    it('the renewal is planned from that capture_before: 12 hours before it, as it lapses before the return + 24 h', async () => {
      await renewJobsSettled(id);
      const [auth1] = await payments(id);
      const plan = await schedule().renew(id);
      expect(plan).toEqual({ renewAt: new Date(auth1.capture_before!.getTime() - 12 * HOUR).toISOString() });
      const deferred = (await jobs('rentals-renew', id)).filter((j) => j.state === 'created');
      expect(deferred.length).toBeGreaterThanOrEqual(1);
    });

    it('picked up (unlocked): the rental runs on the authorisation', async () => {
      telematics().setReadings(units.renewals.fleetVehicleId, { odometerKm: 10_000, energyLevelPercent: 90 });
      t.clock.set(pickupAt - 10 * 60_000);
      await t.http.post(`/v1/rentals/${id}/unlock`).set(auth(sub)).set('X-Idempotency-Key', randomUUID()).expect(200);
    });

    it('renewed: a new authorisation first (purpose renewal), then the old one cancelled; twice, until it covers the return', async () => {
      for (let round = 1; round <= 2; round++) {
        const before = await payments(id);
        const current = before.filter((p) => p.status === 'requires_capture');
        expect(current).toHaveLength(1);
        t.clock.set(current[0].capture_before!.getTime() - 12 * HOUR);
        const outcome = await schedule().renew(id);
        expect(outcome).toMatchObject({ renewed: expect.any(String), released: current[0].id });
        await flush();
        await renewJobsSettled(id);
        const after = await payments(id);
        const renewal = after.find((p) => p.id === outcome.renewed)!;
        expect(renewal).toMatchObject({
          status: 'requires_capture',
          purpose: 'renewal',
          off_session: true,
          amount_cents: 150_000,
        });
        expectNear(renewal.capture_before!, t.clock.nowMs() + VISA_OFF_SESSION);
        expect(after.find((p) => p.id === current[0].id)).toMatchObject({ status: 'canceled', captured_cents: 0 });
        expect(gateway().paymentIntentObject(current[0].provider_intent_id!)).toMatchObject({ status: 'canceled' });
        expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });
      }
      // The third authorisation lasts past the return + 24 h: nothing more to renew.
      const last = (await payments(id)).find((p) => p.status === 'requires_capture')!;
      expect(last.capture_before!.getTime()).toBeGreaterThanOrEqual(returnAt + 24 * HOUR);
      expect(await schedule().renew(id)).toEqual({ covered: last.capture_before!.toISOString() });
      expect((await rental(sub, id)).money).toMatchObject({ authorised: 150_000, captured: 0 });
    });

    it('returned on time: the settlement captures the price from the open (renewed) authorisation only', async () => {
      t.clock.set(returnAt - HOUR);
      await telematics().lock(units.renewals.fleetVehicleId, { idempotencyKey: `lock-${id}` });
      telematics().setReadings(units.renewals.fleetVehicleId, { odometerKm: 11_000, energyLevelPercent: 90 });
      let request = t.http
        .post(`/v1/rentals/${id}/return`)
        .set(auth(sub))
        .set('X-Idempotency-Key', randomUUID())
        .field('odometerKm', '11000')
        .field('energyLevelPercent', '90')
        .field('latitude', '48.8566')
        .field('longitude', '2.3522');
      for (let n = 1; n <= 4; n++)
        request = request.attach('photos', photo(n), { filename: `p${n}.jpg`, contentType: 'image/jpeg' });
      expect((await request.expect(200)).body).toMatchObject({ rentalStatus: 'returned', fines: [] });
      await waitFor('the settlement', async () => (await rental(sub, id)).rentalStatus === 'completed', 20_000);
      await flush();

      const all = await payments(id);
      expect(all.map((p) => [p.purpose, p.status])).toEqual([
        ['booking', 'canceled'],
        ['renewal', 'canceled'],
        ['renewal', 'succeeded'],
      ]);
      // Nothing is ever captured above an authorisation, and only the open one was captured.
      for (const p of all) expect(p.captured_cents).toBeLessThanOrEqual(p.amount_cents);
      expect(all[2].captured_cents).toBe(120_000);
      expect(gateway().paymentIntentObject(all[2].provider_intent_id!)).toMatchObject({ amount_received: 120_000 });
      expect((await rental(sub, id)).money).toMatchObject({
        due: 120_000,
        authorised: 0,
        captured: 120_000,
        charged: 0,
        owed: 0,
      });
      expect(await booking(sub, id)).toMatchObject({ status: 'completed', paymentStatus: 'paid' });
    });
  });

  describe('an off-session authorisation that needs the customer', () => {
    let id: string;
    let pickupAt: number;

    /** A booking 6 days ahead on a card that always asks for 3-D Secure, authorised (and declined) 2 days before pickup. */
    async function declinedAuthorisation(sub: string, unit: string): Promise<void> {
      t.clock.reset();
      await onlyUnit(unit);
      const { id: reservationId, converted } = await holdAndConvert(sub, offeringId, 6, 3);
      id = reservationId;
      // The SetupIntent asks for 3-D Secure once (the customer is in the app); off-session, the bank asks again.
      await setUpCard(sub, converted.reservation.paymentIntentId, 'pm_card_authenticationRequired');
      expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'scheduled' });
      pickupAt = Date.parse((await rental(sub, id)).pickupAt);
      t.clock.set(pickupAt - 2 * DAY);
      const outcome = await schedule().authorize(id);
      expect(outcome).toMatchObject({
        actionRequired: expect.any(String),
        failureCode: 'authentication_required',
        deadline: new Date(pickupAt - DAY).toISOString(),
      });
      await flush();
    }

    it('declined with authentication_required: `requires_action` with the client secret, an email, a support case, the deadline queued', async () => {
      const sub = 'renter-completes';
      await declinedAuthorisation(sub, 'completed');
      const view = await booking(sub, id);
      // The booking stands: confirmed, its money waiting for the customer.
      expect(view).toMatchObject({ status: 'confirmed', paymentStatus: 'requires_action' });
      const [attempt] = await payments(id);
      expect(attempt).toMatchObject({
        status: 'requires_payment_method',
        failure_code: 'authentication_required',
        off_session: true,
        captured_cents: 0,
      });
      expect(await paymentStatus(sub, id)).toEqual({
        reservationStatus: 'confirmed',
        paymentIntentId: attempt.provider_intent_id,
        stripeStatus: 'requires_payment_method',
        requiresAction: true,
        actionType: null,
        clientSecret: attempt.client_secret,
        clientSecretType: 'payment_intent',
      });
      expect(attempt.client_secret).toMatch(/^pi_\w+_secret_\w+$/);
      expect(await cases(id)).toEqual([
        {
          kind: 'rental_authorization_action_required',
          details: expect.objectContaining({ paymentId: attempt.id, failureCode: 'authentication_required' }),
        },
      ]);
      await waitFor('the action-required email', async () =>
        (await emails(sub, id)).some((e) => e.template === 'rental_action_required'),
      );
      const email = (await emails(sub, id)).find((e) => e.template === 'rental_action_required')!;
      expect(email.text).toMatch(/confirm the payment before \w+day, \d+ \w+ \d{4} at \d\d:\d\d UTC/);
      const [{ data }] = (await t.dataSource.query(
        `SELECT data FROM notifications WHERE reservation_id = $1 AND template = 'rental_action_required'`,
        [id],
      )) as { data: { rental: { actionDeadline: string } } }[];
      expect(data.rental.actionDeadline).toBe(new Date(pickupAt - DAY).toISOString());
      const [deadlineJob] = await jobs('rentals-action-deadline', id);
      expect(deadlineJob.state).toBe('created');

      // Another run (a retry, the safety pass) asks once: no second email or case, no second attempt.
      expect(await schedule().authorize(id)).toMatchObject({ actionRequired: attempt.id });
      expect(await cases(id)).toHaveLength(1);
      expect(await payments(id)).toHaveLength(1);
      expect(await jobs('rentals-action-deadline', id)).toHaveLength(1);
    });

    it('someone else can neither see nor complete it', async () => {
      await t.http.get(`/v1/reservations/${id}/payment-status`).set(auth('someone-else')).expect(404);
      const [attempt] = await payments(id);
      const res = await t.http
        .post(`/v1/dev/payments/${attempt.provider_intent_id}/confirm`)
        .set(auth('someone-else'))
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(404);
      expect(res.body.error).toBe('NOT_FOUND');
    });

    it('the app completes it on-session with the saved card (3-D Secure): `authorized`; the deadline then changes nothing', async () => {
      const sub = 'renter-completes';
      const [attempt] = await payments(id);
      const [{ payment_method_id: card }] = (await t.dataSource.query(
        `SELECT payment_method_id FROM payment_setups WHERE reservation_id = $1 AND status = 'succeeded'`,
        [id],
      )) as { payment_method_id: string }[];
      const confirmed = await t.http
        .post(`/v1/dev/payments/${attempt.provider_intent_id}/confirm`)
        .set(auth(sub))
        .send({ paymentMethod: card })
        .expect(200);
      expect(confirmed.body.status).toBe('requires_action');
      await t.http
        .post(`/v1/dev/payments/${attempt.provider_intent_id}/authenticate`)
        .set(auth(sub))
        .send({ result: 'success' })
        .expect(200);
      await flush();
      expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });
      expect(await payments(id)).toMatchObject([{ status: 'requires_capture', amount_cents: 3 * 12_000 + 30_000 }]);
      expect((await paymentStatus(sub, id)).clientSecret).toBeNull();

      t.clock.set(pickupAt - DAY);
      expect(await schedule().deadline(id)).toEqual({ resolved: true });
      expect(await booking(sub, id)).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });
    });

    it('unresolved 24 h before pickup: cancelled, the unit freed, the intent cancelled, nothing charged', async () => {
      const sub = 'renter-ignores';
      await declinedAuthorisation(sub, 'unresolved');
      const [attempt] = await payments(id);

      t.clock.set(pickupAt - DAY);
      expect(await schedule().deadline(id)).toEqual({ cancelled: true });
      await flush();
      const view = await booking(sub, id);
      expect(view).toMatchObject({ status: 'cancelled', statusReason: 'PAYMENT_ACTION_NOT_COMPLETED', paymentStatus: 'none' });
      expect(await payments(id)).toMatchObject([{ status: 'canceled', captured_cents: 0 }]);
      expect(gateway().paymentIntentObject(attempt.provider_intent_id!)).toMatchObject({
        status: 'canceled',
        amount_received: 0,
      });
      // The intent can no longer be completed: the card is never charged.
      await t.http
        .post(`/v1/dev/payments/${attempt.provider_intent_id}/confirm`)
        .set(auth(sub))
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(400);
      const allocations = (await t.dataSource.query(`SELECT state FROM allocations WHERE reservation_id = $1`, [id])) as {
        state: string;
      }[];
      expect(allocations.map((a) => a.state)).toEqual(['released']);
      await waitFor('the cancellation email', async () =>
        (await emails(sub, id)).some((e) => e.template === 'reservation_cancelled'),
      );
      // Running the deadline again changes nothing.
      expect(await schedule().deadline(id)).toEqual({ skipped: 'booking not confirmed' });

      // The van is free again for the same dates.
      const items = view.items as { startDate: string; endDate: string }[];
      await t.http
        .post('/v1/reservations/hold')
        .set(auth('next-renter'))
        .set('X-Idempotency-Key', randomUUID())
        .send({ items: [{ offeringId, startDate: items[0].startDate, endDate: items[0].endDate }], ...guest })
        .expect(200);
    });
    it('a renewal the card refuses off-session asks the customer too, but the booking keeps its authorisation until then', async () => {
      const sub = 'renter-renewal-declined';
      t.clock.reset();
      await onlyUnit('renewal-declined');
      const { id: reservationId, converted } = await holdAndConvert(sub, offeringId, 6, 8);
      await setUpCard(sub, converted.reservation.paymentIntentId, 'pm_card_authenticationRequired');
      const pickup = Date.parse((await rental(sub, reservationId)).pickupAt);
      t.clock.set(pickup - 2 * DAY);
      expect(await schedule().authorize(reservationId)).toMatchObject({ actionRequired: expect.any(String) });
      // Completed in the app (on-session, 3-D Secure): an online authorisation, 7 days, shorter than the rental.
      const [first] = await payments(reservationId);
      const [{ payment_method_id: card }] = (await t.dataSource.query(
        `SELECT payment_method_id FROM payment_setups WHERE reservation_id = $1 AND status = 'succeeded'`,
        [reservationId],
      )) as { payment_method_id: string }[];
      await t.http
        .post(`/v1/dev/payments/${first.provider_intent_id}/confirm`)
        .set(auth(sub))
        .send({ paymentMethod: card })
        .expect(200);
      await t.http
        .post(`/v1/dev/payments/${first.provider_intent_id}/authenticate`)
        .set(auth(sub))
        .send({ result: 'success' })
        .expect(200);
      await flush();
      await renewJobsSettled(reservationId);
      const [authorised] = await payments(reservationId);
      expect(authorised.status).toBe('requires_capture');
      expectNear(authorised.capture_before!, t.clock.nowMs() + 7 * DAY);

      t.clock.set(authorised.capture_before!.getTime() - 12 * HOUR);
      const outcome = await schedule().renew(reservationId);
      expect(outcome).toMatchObject({
        actionRequired: expect.any(String),
        failureCode: 'authentication_required',
        deadline: authorised.capture_before!.toISOString(),
      });
      await flush();
      // The booking still holds its authorisation: authorized, unlockable; the renewal's secret is on payment-status.
      expect(await booking(sub, reservationId)).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });
      const renewal = (await payments(reservationId)).find((p) => p.id === outcome.actionRequired)!;
      expect(renewal).toMatchObject({ purpose: 'renewal', status: 'requires_payment_method', off_session: true });
      expect(await paymentStatus(sub, reservationId)).toMatchObject({
        paymentIntentId: renewal.provider_intent_id,
        requiresAction: true,
        clientSecret: renewal.client_secret,
      });
      expect((await cases(reservationId)).map((c) => c.kind)).toEqual([
        'rental_authorization_action_required',
        'rental_renewal_action_required',
      ]);
      // No deadline cancels a rental for a renewal: only the first authorisation has one.
      expect(await jobs('rentals-action-deadline', reservationId)).toHaveLength(1);

      // Completed in the app: the renewal holds, the old authorisation is released (by the renew job it queued).
      await t.http
        .post(`/v1/dev/payments/${renewal.provider_intent_id}/confirm`)
        .set(auth(sub))
        .send({ paymentMethod: card })
        .expect(200);
      await t.http
        .post(`/v1/dev/payments/${renewal.provider_intent_id}/authenticate`)
        .set(auth(sub))
        .send({ result: 'success' })
        .expect(200);
      await flush();
      await waitFor('the old authorisation to be released', async () =>
        (await payments(reservationId)).some((p) => p.id === authorised.id && p.status === 'canceled'),
      );
      expect((await payments(reservationId)).filter((p) => p.status === 'requires_capture').map((p) => p.id)).toEqual([
        renewal.id,
      ]);
      expect(await booking(sub, reservationId)).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });
    });
  });

  describe('the safety pass, and cancelling a scheduled booking', () => {
    it('a lost job is made good by the pass: due, it authorises; an extended authorisation needs no renewal', async () => {
      const sub = 'renter-pass';
      t.clock.reset();
      gateway().setAuthorizationSupport({ extended: true });
      await onlyUnit('pass');
      const { id, converted } = await holdAndConvert(sub, offeringId, 5, 7);
      await setUpCard(sub, converted.reservation.paymentIntentId, 'pm_card_mastercard');
      // The queued job is lost (a restore, a dead letter): the pass finds the booking anyway.
      await t.dataSource.query(`DELETE FROM pgboss.job WHERE name = 'rentals-authorize' AND data->>'reservationId' = $1`, [id]);
      const pickupAt = Date.parse((await rental(sub, id)).pickupAt);
      await t.app.get(MoneyScheduleJob).pass();
      expect(await payments(id)).toEqual([]); // not due yet
      t.clock.set(pickupAt - 2 * DAY + HOUR);
      await t.app.get(MoneyScheduleJob).pass();
      await flush();
      const [auth1] = await payments(id);
      expect(auth1).toMatchObject({ status: 'requires_capture', purpose: 'booking', off_session: true });
      expectNear(auth1.capture_before!, t.clock.nowMs() + 30 * DAY);
      expect(await schedule().renew(id)).toEqual({ covered: auth1.capture_before!.toISOString() });
      expect(await booking(sub, id)).toMatchObject({ paymentStatus: 'authorized' });
    });

    it('with a saved card, convert sets it up server-side: confirmed `scheduled` in the convert answer itself', async () => {
      const sub = 'renter-saved-card';
      t.clock.reset();
      await onlyUnit('pass');
      const saved = await t.http
        .post('/v1/payments/methods')
        .set(auth(sub))
        .send({ paymentMethodId: 'pm_card_visa' })
        .expect(200);
      const now = t.clock.nowMs();
      const held = await t.http
        .post('/v1/reservations/hold')
        .set(auth(sub))
        .set('X-Idempotency-Key', randomUUID())
        .send({ items: [{ offeringId, startDate: parisDate(now, 20), endDate: parisDate(now, 22) }], ...guest })
        .expect(200);
      const id = held.body.reservation.id as string;
      const converted = await t.http
        .post('/v1/reservations/hold/convert')
        .set(auth(sub))
        .set('X-Idempotency-Key', randomUUID())
        .send({ holdId: id, paymentMethodId: saved.body.data.id })
        .expect(200);
      expect(converted.body).toMatchObject({
        reservation: { id, status: 'confirmed', paymentIntentId: expect.stringMatching(/^seti_/), paymentStatus: 'scheduled' },
        requiresAction: false,
        clientSecretType: 'setup_intent',
      });
      expect(await jobs('rentals-authorize', id)).toHaveLength(1);
      expect(await payments(id)).toEqual([]);
    });

    it('cancelled before pickup with nothing authorised: free outside the window; inside it the fee is charged off-session', async () => {
      t.clock.reset();
      await onlyUnit('strict');
      // 8 days ahead: outside the 5-day fee window.
      const free = await holdAndConvert('renter-strict', strictOfferingId, 8, 2);
      await setUpCard('renter-strict', free.converted.reservation.paymentIntentId, 'pm_card_visa');
      await t.http
        .post(`/v1/reservations/${free.id}/cancel`)
        .set(auth('renter-strict'))
        .set('X-Idempotency-Key', randomUUID())
        .expect(200);
      expect(await booking('renter-strict', free.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'none' });
      expect(await payments(free.id)).toEqual([]);

      // 4 days ahead: scheduled (beyond the 2 lead days) and inside the fee window.
      const late = await holdAndConvert('renter-strict', strictOfferingId, 4, 2);
      expect(late.converted.clientSecretType).toBe('setup_intent');
      await setUpCard('renter-strict', late.converted.reservation.paymentIntentId, 'pm_card_visa');
      await t.http
        .post(`/v1/reservations/${late.id}/cancel`)
        .set(auth('renter-strict'))
        .set('X-Idempotency-Key', randomUUID())
        .expect(200);
      await flush();
      expect(await booking('renter-strict', late.id)).toMatchObject({ status: 'cancelled' });
      expect(await payments(late.id)).toMatchObject([
        { purpose: 'fine', status: 'succeeded', amount_cents: 5_000, captured_cents: 5_000, off_session: true },
      ]);
      // The authorisation job finds a cancelled booking: nothing is authorised.
      expect(await schedule().authorize(late.id)).toEqual({ skipped: 'booking cancelled' });
      expect(await payments(late.id)).toHaveLength(1);
    });

    it("a SetupIntent id is no one else's to confirm; an unknown one is PAYMENT_NOT_COMPLETED", async () => {
      t.clock.reset();
      await onlyUnit('strict');
      const { id, converted } = await holdAndConvert('renter-strict', strictOfferingId, 12, 1);
      const setupIntentId = converted.reservation.paymentIntentId as string;
      const other = await t.http
        .post('/v1/reservations/confirm')
        .set(auth('someone-else'))
        .set('X-Idempotency-Key', randomUUID())
        .send({ reservationId: id, paymentIntentId: setupIntentId })
        .expect(404);
      expect(other.body.error).toBe('RESERVATION_NOT_FOUND');
      await t.http
        .post(`/v1/dev/payments/setup-intents/${setupIntentId}/confirm`)
        .set(auth('someone-else'))
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(404);
      const early = await t.http
        .post('/v1/reservations/confirm')
        .set(auth('renter-strict'))
        .set('X-Idempotency-Key', randomUUID())
        .send({ reservationId: id, paymentIntentId: setupIntentId })
        .expect(409);
      expect(early.body).toMatchObject({
        error: 'PAYMENT_NOT_COMPLETED',
        message: expect.stringMatching(/requires_payment_method/),
      });
      const unknown = await t.http
        .post('/v1/reservations/confirm')
        .set(auth('renter-strict'))
        .set('X-Idempotency-Key', randomUUID())
        .send({ reservationId: id, paymentIntentId: 'seti_not_ours' })
        .expect(409);
      expect(unknown.body.error).toBe('PAYMENT_NOT_COMPLETED');
      // A declined card on the SetupIntent: 400, the hold may be converted again.
      await t.http
        .post(`/v1/dev/payments/setup-intents/${setupIntentId}/confirm`)
        .set(auth('renter-strict'))
        .send({ paymentMethod: 'pm_card_chargeDeclined' })
        .expect(400);
      await flush();
      expect(await booking('renter-strict', id)).toMatchObject({ status: 'payment_failed', paymentStatus: 'none' });
      const retried = await t.http
        .post('/v1/reservations/hold/convert')
        .set(auth('renter-strict'))
        .set('X-Idempotency-Key', randomUUID())
        .send({ holdId: id, savePaymentMethod: true })
        .expect(200);
      expect(retried.body.reservation.paymentIntentId).not.toBe(setupIntentId);
      await setUpCard('renter-strict', retried.body.reservation.paymentIntentId, 'pm_card_visa');
      expect(await booking('renter-strict', id)).toMatchObject({ status: 'confirmed', paymentStatus: 'scheduled' });
    });
    it('SetupIntent events are checked like any: malformed -> unprocessable, not ours -> ignored, another SetupIntent for our setup -> nothing', async () => {
      t.clock.reset();
      await onlyUnit('strict');
      const { id, converted } = await holdAndConvert('renter-strict', strictOfferingId, 14, 1);
      const [{ id: setupId }] = (await t.dataSource.query(`SELECT id FROM payment_setups WHERE reservation_id = $1`, [id])) as {
        id: string;
      }[];
      const stripe = new Stripe('sk_test_signing_only');
      const deliver = async (type: string, object: unknown) => {
        const eventId = `evt_${randomUUID().replace(/-/g, '')}`;
        const body = JSON.stringify({
          id: eventId,
          object: 'event',
          created: Math.floor(t.clock.nowMs() / 1000),
          type,
          data: { object },
        });
        const signature = stripe.webhooks.generateTestHeaderString({
          payload: body,
          secret: t.config.STRIPE_WEBHOOK_SECRET.split(',')[0],
          timestamp: Math.floor(t.clock.nowMs() / 1000),
        });
        await t.http
          .post('/v1/webhooks/stripe')
          .set('Content-Type', 'application/json')
          .set('Stripe-Signature', signature)
          .send(body)
          .expect(200);
        const [stored] = (await t.dataSource.query(`SELECT status FROM webhook_events WHERE id = $1`, [eventId])) as {
          status: string;
        }[];
        return stored.status;
      };
      const succeeded = (setupIntentId: string, metadata: Record<string, string>) => ({
        id: setupIntentId,
        object: 'setup_intent',
        status: 'succeeded',
        customer: 'cus_someone',
        payment_method: 'pm_someone',
        usage: 'off_session',
        metadata,
      });
      expect(await deliver('setup_intent.succeeded', { id: 'seti_x', object: 'setup_intent', status: 'done' })).toBe(
        'unprocessable',
      );
      expect(await deliver('setup_intent.succeeded', succeeded('seti_not_ours', { setupId: randomUUID() }))).toBe('ignored');
      // A SetupIntent that is not the one our setup made, naming our setup: it confirms nothing.
      expect(await deliver('setup_intent.succeeded', succeeded('seti_forged', { setupId, reservationId: id }))).toBe('processed');
      expect(await booking('renter-strict', id)).toMatchObject({ status: 'pending', paymentStatus: 'none' });
      expect(converted.reservation.paymentIntentId).not.toBe('seti_forged');
    });
  });
});
