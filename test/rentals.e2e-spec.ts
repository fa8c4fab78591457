import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mintDevToken } from '../src/auth/dev-token.service';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import type { SimulatedTelematics } from '../src/rentals/simulated-telematics';
import { TELEMATICS } from '../src/rentals/telematics.port';
import { createOffering, createUnit } from './factories/inventory.factory';
import { checkPaymentInvariants } from './support/payment-invariants';
import { checkRentalInvariants } from './support/rental-invariants';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const HOUR = 3_600_000;
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
const guest = { guestName: 'Vera Vanrenter', guestEmail: 'vera@example.com' };

/** A JPEG's first bytes and filler: enough for the sniffer and the store. */
const photo = (n: number) =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]),
    Buffer.alloc(4000 + n, n),
    Buffer.from([0xff, 0xd9]),
  ]);

/** The Paris calendar date `days` from the app clock's now. */
const parisDate = (nowMs: number, days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(nowMs + days * 24 * HOUR));

/**
 * A vehicle rental end to end over HTTP on the simulated providers (DESIGN.md section 12,
 * issue 14's walk-through): verify, hold the van, convert with a card kept for later,
 * unlock, return with four photos late, the fines assessed, the authorisation captured up
 * to what is due (the deposit released), the rental and reservation completed, the emails.
 */
describe('vehicle rentals, from booking to settlement (simulated providers)', () => {
  let t: TestApp;
  let offeringId: string;
  let fleetVehicleId: string;
  let reservationId: string;
  // Tokens that outlive the days the app clock moves through (t.token() lives an hour).
  const token = (sub: string, roles: string[] = []) =>
    mintDevToken(t.config.JWT_SECRET, { sub, roles }, 30 * 24 * 3600, t.config.JWT_AUDIENCE, t.config.JWT_ISSUER);
  const auth = (sub = 'renter-vera') => ({ Authorization: `Bearer ${token(sub)}` });
  const admin = () => ({ Authorization: `Bearer ${token('ops', ['admin'])}` });
  const flush = () => (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();
  const telematics = () => t.app.get(TELEMATICS) as SimulatedTelematics;
  const rental = async () => (await t.http.get(`/v1/rentals/${reservationId}`).set(auth()).expect(200)).body;
  const unlock = (sub?: string) =>
    t.http.post(`/v1/rentals/${reservationId}/unlock`).set(auth(sub)).set('X-Idempotency-Key', randomUUID());

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    const offering = await createOffering(t.dataSource, {
      kind: 'rental',
      basePriceCents: 12_000,
      vehicle: true,
      rentalPolicy: POLICY,
    });
    offeringId = offering.id;
    const unit = await createUnit(t.dataSource, offeringId, 'Van 1', 'available', {
      plate: 'HF-204-VN',
      model: 'Renault Master',
      seats: 9,
      energy: 'fuel',
      fleetVehicleId: 'fleet-van-1',
    });
    fleetVehicleId = unit.fleetVehicleId!;
  });

  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    const owed = async (id: string) => (await t.http.get(`/v1/rentals/${id}`).set(admin()).expect(200)).body.money.owed as number;
    expect(await checkRentalInvariants(t.dataSource, { owed })).toEqual([]);
    await t.close();
  });

  it('the customer is verified (the simulated service passes ordinary customers)', async () => {
    const res = await t.http.get('/v1/customers/me/verification').set(auth()).expect(200);
    expect(res.body).toMatchObject({ verified: true, reasons: [] });
  });

  it('a customer who fails a check cannot hold a vehicle: 403 CUSTOMER_NOT_VERIFIED with the reason', async () => {
    const res = await t.http
      .post('/v1/reservations/hold')
      .set(auth('renter-licence-invalid'))
      .set('X-Idempotency-Key', randomUUID())
      .send({
        items: [{ offeringId, startDate: parisDate(t.clock.nowMs(), 1), endDate: parisDate(t.clock.nowMs(), 3) }],
        ...guest,
      })
      .expect(403);
    expect(res.body).toMatchObject({ error: 'CUSTOMER_NOT_VERIFIED', message: expect.stringMatching(/licen/i) });
  });

  it('hold, then convert: a card kept for later is required; price + deposit authorised, the booking confirmed', async () => {
    const startDate = parisDate(t.clock.nowMs(), 1);
    const endDate = parisDate(t.clock.nowMs(), 3);
    const held = await t.http
      .post('/v1/reservations/hold')
      .set(auth())
      .set('X-Idempotency-Key', randomUUID())
      .send({ items: [{ offeringId, startDate, endDate }], ...guest })
      .expect(200);
    reservationId = held.body.reservation.id;
    expect(held.body.reservation.totalPrice).toBe(24_000);

    const bare = await t.http
      .post('/v1/reservations/hold/convert')
      .set(auth())
      .set('X-Idempotency-Key', randomUUID())
      .send({ holdId: reservationId })
      .expect(400);
    expect(bare.body.error).toBe('PAYMENT_METHOD_REQUIRED');

    const converted = await t.http
      .post('/v1/reservations/hold/convert')
      .set(auth())
      .set('X-Idempotency-Key', randomUUID())
      .send({ holdId: reservationId, savePaymentMethod: true })
      .expect(200);
    const pi = converted.body.reservation.paymentIntentId as string;
    await t.http.post(`/v1/dev/payments/${pi}/confirm`).set(auth()).send({ paymentMethod: '4242424242424242' }).expect(200);
    await flush();

    const booking = (await t.http.get(`/v1/reservations/${reservationId}`).set(auth()).expect(200)).body;
    expect(booking).toMatchObject({ status: 'confirmed', paymentStatus: 'authorized' });
    const [payment] = (await t.dataSource.query(
      `SELECT amount_cents, capture_method, purpose, capture_before FROM payments WHERE reservation_id = $1`,
      [reservationId],
    )) as { amount_cents: number; capture_method: string; purpose: string; capture_before: Date | null }[];
    expect(payment).toMatchObject({ amount_cents: 24_000 + 30_000, capture_method: 'manual', purpose: 'booking' });

    const view = await rental();
    // The authorisation's own lapse time, read from the provider (an online one: 7 days, or 30 extended).
    const [{ capture_before: captureBefore }] = (await t.dataSource.query(
      `SELECT capture_before FROM payments WHERE reservation_id = $1`,
      [reservationId],
    )) as { capture_before: Date | null }[];
    expect(captureBefore!.getTime()).toBeGreaterThan(t.clock.nowMs() + 6 * 24 * HOUR);
    expect(view).toMatchObject({
      id: reservationId,
      rentalStatus: 'not_started',
      vehicle: { plate: 'HF-204-VN', model: 'Renault Master' },
      money: { currency: 'EUR', price: 24_000, deposit: 30_000, due: 24_000, authorised: 54_000, captured: 0, owed: 0 },
    });
  });

  it('unlock: refused before the window and for anyone but the renter; the first one starts the rental', async () => {
    const view = await rental();
    const pickupAt = Date.parse(view.pickupAt);
    t.clock.set(pickupAt - 2 * HOUR);
    expect((await unlock().expect(409)).body.error).toBe('INVALID_RENTAL_STATUS');
    expect((await unlock('someone-else').expect(404)).body.error).toBe('RESERVATION_NOT_FOUND');

    telematics().setReadings(fleetVehicleId, { odometerKm: 48_000, energyLevelPercent: 80 });
    t.clock.set(pickupAt - 10 * 60_000);
    const started = (await unlock().expect(200)).body;
    expect(started).toMatchObject({
      rentalStatus: 'in_progress',
      pickupReading: { odometerKm: 48_000, energyLevelPercent: 80 },
    });
    // Parked and locked, opened again: still the same rental and pickup reading.
    const again = (await unlock().expect(200)).body;
    expect(again).toMatchObject({ rentalStatus: 'in_progress', pickupReading: { odometerKm: 48_000 } });
  });

  it('a vehicle taken out of service cannot be unlocked: 409 VEHICLE_UNAVAILABLE', async () => {
    await t.dataSource.query(`UPDATE rental_units SET fleet_status = 'out_of_service' WHERE fleet_vehicle_id = $1`, [
      fleetVehicleId,
    ]);
    expect((await unlock().expect(409)).body.error).toBe('VEHICLE_UNAVAILABLE');
    await t.dataSource.query(`UPDATE rental_units SET fleet_status = 'in_use' WHERE fleet_vehicle_id = $1`, [fleetVehicleId]);
  });

  it('return 95 minutes late with four photos: a late fee of two started hours, captured with the price, the rest released', async () => {
    const view = await rental();
    t.clock.set(Date.parse(view.returnAt) + 95 * 60_000);
    // The car was driven 350 km (within 2 x 200) and came back as full as it left.
    await telematics().lock(fleetVehicleId, { idempotencyKey: `lock-${reservationId}` });
    telematics().setReadings(fleetVehicleId, { odometerKm: 48_350, energyLevelPercent: 80 });

    let request = t.http
      .post(`/v1/rentals/${reservationId}/return`)
      .set(auth())
      .set('X-Idempotency-Key', randomUUID())
      .field('odometerKm', '48352')
      .field('energyLevelPercent', '79')
      .field('latitude', '48.8566')
      .field('longitude', '2.3522')
      .field('notes', 'Left at the depot, keys in the box');
    for (let n = 1; n <= 4; n++)
      request = request.attach('photos', photo(n), { filename: `side-${n}.jpg`, contentType: 'image/jpeg' });
    const returned = (await request.expect(200)).body;
    expect(returned).toMatchObject({
      rentalStatus: 'returned',
      returnReading: { odometerKm: 48_350, energyLevelPercent: 80, source: 'telematics' },
      disputes: [],
      fines: [{ kind: 'late', amount: 3_000, assessed: 3_000, setBy: 'automatic' }],
    });
    expect(returned.photos).toHaveLength(4);
    expect(returned.photos[0]).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), contentType: 'image/jpeg' });

    await waitFor('the settlement to complete the rental', async () => (await rental()).rentalStatus === 'completed', 20_000);
    await flush();
    const settled = await rental();
    expect(settled.money).toEqual({
      currency: 'EUR',
      price: 24_000,
      deposit: 30_000,
      due: 27_000,
      authorised: 0,
      captured: 27_000,
      charged: 0,
      refunded: 0,
      owed: 0,
    });
    const booking = (await t.http.get(`/v1/reservations/${reservationId}`).set(auth()).expect(200)).body;
    expect(booking.status).toBe('completed');
    // Every state change, the booking's and the rental's, has its outbox event, in order.
    const events = (await t.dataSource.query(`SELECT type FROM outbox_events WHERE reservation_id = $1 ORDER BY position, id`, [
      reservationId,
    ])) as { type: string }[];
    expect(events.map((e) => e.type)).toEqual([
      'held',
      'pending',
      'confirmed',
      'rental_in_progress',
      'rental_returned',
      'rental_completed',
      'completed',
    ]);

    const emails = (await t.http.get('/v1/dev/emails').query({ reservationId }).set(auth()).expect(200)).body;
    const templates = (emails.emails as { template: string }[]).map((e) => e.template);
    expect(templates).toEqual(expect.arrayContaining(['reservation_confirmed', 'rental_completed']));
  });

  it('a second return of the same rental is refused: 409 INVALID_RENTAL_STATUS', async () => {
    let request = t.http
      .post(`/v1/rentals/${reservationId}/return`)
      .set(auth())
      .set('X-Idempotency-Key', randomUUID())
      .field('odometerKm', '48352')
      .field('energyLevelPercent', '79')
      .field('latitude', '48.8566')
      .field('longitude', '2.3522');
    for (let n = 1; n <= 4; n++)
      request = request.attach('photos', photo(n), { filename: `side-${n}.jpg`, contentType: 'image/jpeg' });
    expect((await request.expect(409)).body.error).toBe('INVALID_RENTAL_STATUS');
  });

  it('an admin raising a fine after capture charges the difference off-session; lowering it refunds', async () => {
    await t.http
      .put(`/v1/admin/rentals/${reservationId}/fines/damage`)
      .set(admin())
      .send({ amount: 4_500, reason: 'Scratch on the rear door, photo 3' })
      .expect(200);
    await waitFor('the damage fine to be charged', async () => (await rental()).money.charged === 4_500, 20_000);
    await t.http
      .put(`/v1/admin/rentals/${reservationId}/fines/damage`)
      .set(admin())
      .send({ amount: 1_500, reason: 'Scratch was there before (photo at pickup)' })
      .expect(200);
    await waitFor('the lowered fine to be refunded', async () => (await rental()).money.refunded === 3_000, 20_000);
    const money = (await rental()).money;
    // Invariant 6: captured + charged - refunded = price + fines (nothing waived but the 3,000 of damage).
    expect(money.captured + money.charged - money.refunded).toBe(24_000 + 3_000 + 1_500);
    expect(money.owed).toBe(0);
    const audit = (await t.http.get('/v1/admin/audit').query({ recordType: 'rental' }).set(admin()).expect(200)).body;
    expect(audit.entries.length).toBeGreaterThanOrEqual(2);
  });

  it('other users never see a rental; non-admins cannot set fines', async () => {
    expect((await t.http.get(`/v1/rentals/${reservationId}`).set(auth('someone-else')).expect(404)).body.error).toBe(
      'RESERVATION_NOT_FOUND',
    );
    await t.http.put(`/v1/admin/rentals/${reservationId}/fines/late`).set(auth()).send({ amount: 0, reason: 'x' }).expect(403);
    await t.http.get('/v1/rentals/not-a-uuid').set(auth()).expect(404);
  });
});
