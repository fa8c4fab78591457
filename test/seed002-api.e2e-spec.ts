import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Test } from 'supertest';
import { mintDevToken } from '../src/auth/dev-token.service';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import type { SimulatedTelematics } from '../src/rentals/simulated-telematics';
import { TELEMATICS } from '../src/rentals/telematics.port';
import { createOffering, createSlot, createUnit, VEHICLE_POLICY } from './factories/inventory.factory';
import { replayed } from './support/idempotency-assertions';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const HOUR = 3_600_000;
const guest = { guestName: 'Ada Driver', guestEmail: 'ada@example.com', guestPhone: '+33123456789' };

/** A JPEG's first bytes and filler: enough for the sniffer and the store. */
const photo = (n: number) =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]),
    Buffer.alloc(4000 + n, n),
    Buffer.from([0xff, 0xd9]),
  ]);

/** The Paris calendar date `days` from `nowMs`. */
const parisDate = (nowMs: number, days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(nowMs + days * 24 * HOUR));

/**
 * Seed 002's mobile app paths (DESIGN.md section 12, issue 14 item 7), served at exactly
 * /api/... on the simulated providers: book a vehicle in one call (hold + convert with a
 * saved card), a declined card keeping the hold for a retry with another card, replays,
 * fetch, unlock and return, and nothing of it under /v1/api.
 */
describe("seed 002's /api paths (simulated providers)", () => {
  let t: TestApp;
  let van: string;
  let carrier: string;
  let experience: string;
  let fleetVehicleId: string;
  const cards: Record<string, string> = {};
  let reservationId: string;

  // Tokens that outlive the days the app clock moves through (t.token() lives an hour).
  const token = (sub: string) =>
    mintDevToken(t.config.JWT_SECRET, { sub, roles: [] }, 30 * 24 * 3600, t.config.JWT_AUDIENCE, t.config.JWT_ISSUER);
  const auth = (sub = 'renter-ada') => ({ Authorization: `Bearer ${token(sub)}` });
  const dates = () => ({ startDate: parisDate(t.clock.nowMs(), 1), endDate: parisDate(t.clock.nowMs(), 3) });
  const book = (body: object, key: string | null = randomUUID(), sub?: string) => {
    const req = t.http.post('/api/reservations').set(auth(sub));
    return (key === null ? req : req.set('X-Idempotency-Key', key)).send(body);
  };
  const saveCard = async (sub: string, paymentMethodId: string): Promise<string> =>
    (await t.http.post('/v1/payments/methods').set(auth(sub)).send({ paymentMethodId }).expect(200)).body.data.id as string;
  const rows = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await t.dataSource.query(sql, params)) as T[];
  const reservationsOf = (sub: string, offeringId: string) =>
    rows<{ id: string; status: string; hold_expires_at: Date }>(
      `SELECT r.id, r.status, r.hold_expires_at FROM reservations r JOIN reservation_items i ON i.reservation_id = r.id
        WHERE r.user_id = $1 AND i.offering_id = $2 ORDER BY r.created_at`,
      [sub, offeringId],
    );
  const liveAllocations = (reservation: string) =>
    rows<{ id: string }>(`SELECT id FROM allocations WHERE reservation_id = $1 AND state <> 'released'`, [reservation]);
  const paymentsOf = (reservation: string) =>
    rows<{ status: string; amount_cents: number; capture_method: string }>(
      `SELECT status, amount_cents, capture_method FROM payments WHERE reservation_id = $1 ORDER BY created_at`,
      [reservation],
    );
  const newVan = async (fleetId: string): Promise<string> => {
    const offering = await createOffering(t.dataSource, {
      kind: 'rental',
      basePriceCents: 12_000,
      vehicle: true,
      rentalPolicy: VEHICLE_POLICY,
    });
    await createUnit(t.dataSource, offering.id, fleetId, 'available', {
      plate: fleetId,
      model: 'Renault Master',
      fleetVehicleId: fleetId,
    });
    return offering.id;
  };
  const withPhotos = (req: Test): Test => {
    let request = req
      .field('odometerKm', '48300')
      .field('energyLevelPercent', '80')
      .field('latitude', '48.8566')
      .field('longitude', '2.3522');
    for (let n = 1; n <= 4; n++)
      request = request.attach('photos', photo(n), { filename: `side-${n}.jpg`, contentType: 'image/jpeg' });
    return request;
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    van = await newVan('fleet-van-api-1'); // one unit: a second hold of the same dates would find none
    fleetVehicleId = 'fleet-van-api-1';
    carrier = (await createOffering(t.dataSource, { kind: 'rental', basePriceCents: 1_500 })).id;
    await createUnit(t.dataSource, carrier, 'Carrier 1');
    experience = (await createOffering(t.dataSource)).id;
    await createSlot(t.dataSource, experience, { capacity: 10 });
    // Stripe's test cards, saved as the app saves them: one that declines every charge, one that pays, one with 3-D Secure.
    cards.declining = await saveCard('renter-ada', 'pm_card_chargeDeclined');
    cards.visa = await saveCard('renter-ada', 'pm_card_visa');
    cards.threeDS = await saveCard('renter-ada', 'pm_card_threeDSecure2Required');
    cards.bobs = await saveCard('renter-bob', 'pm_card_visa');
  });

  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    await t.close();
  });

  it('serves the five paths at /api, never under /v1/api, documented under their own tag', async () => {
    const id = randomUUID();
    for (const [method, path] of [
      ['post', '/v1/api/reservations'],
      ['get', `/v1/api/reservations/${id}`],
      ['post', `/v1/api/rentals/${id}/unlock`],
      ['post', `/v1/api/rentals/${id}/return`],
      // Only the paths seed 002 names: /v1 has the rest.
      ['get', `/api/rentals/${id}`],
      ['post', '/api/reservations/hold'],
    ] as const) {
      const res = await t.http[method](path).set(auth()).set('X-Idempotency-Key', randomUUID()).send({});
      expect({ path, status: res.status, error: res.body.error }).toEqual({ path, status: 404, error: 'NOT_FOUND' });
    }
    // The same paths answer at /api (here: someone else's or no reservation).
    expect((await t.http.get(`/api/reservations/${id}`).set(auth()).expect(404)).body.error).toBe('RESERVATION_NOT_FOUND');

    const docs = (await t.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { tags: string[]; responses: Record<string, unknown> }>>;
    };
    const seed = Object.entries(docs.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => op.tags?.includes('seed-002'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(seed.sort()).toEqual([
      'GET /api/bookings/analytics',
      'GET /api/reservations/{id}',
      'POST /api/rentals/{id}/return',
      'POST /api/rentals/{id}/unlock',
      'POST /api/reservations',
    ]);
    expect(Object.keys(docs.paths).filter((path) => path.startsWith('/v1/api'))).toEqual([]);
    expect(Object.keys(docs.paths['/api/reservations'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '404', '429', '503']),
    );
  });

  it('refuses what is not a vehicle booking with a card of the user: 400 or 404 with a code, nothing held', async () => {
    const body = { offeringId: van, ...dates(), paymentMethodId: cards.visa, ...guest };
    expect((await book(body, null).expect(400)).body.error).toBe('IDEMPOTENCY_KEY_REQUIRED');
    const unknownField = await book({ ...body, numberOfGuests: 2 }).expect(400);
    expect(unknownField.body).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'numberOfGuests' })],
    });
    const { paymentMethodId: _, ...noCard } = body;
    expect((await book(noCard).expect(400)).body).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'paymentMethodId' })],
    });
    expect((await book({ ...body, endDate: '03/12/2026' }).expect(400)).body.error).toBe('VALIDATION_FAILED');
    for (const offeringId of [carrier, experience]) {
      const res = await book({ ...body, offeringId }).expect(400);
      expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'offeringId' })] });
    }
    expect((await book({ ...body, offeringId: randomUUID() }).expect(404)).body.error).toBe('NOT_FOUND');
    // Another user's saved card: not found, and no unit taken for it.
    expect((await book({ ...body, paymentMethodId: cards.bobs }).expect(404)).body.error).toBe('PAYMENT_METHOD_NOT_FOUND');
    expect((await book({ ...body, paymentMethodId: randomUUID() }).expect(404)).body.error).toBe('PAYMENT_METHOD_NOT_FOUND');
    expect(await rows(`SELECT id FROM reservations WHERE user_id = 'renter-ada'`)).toEqual([]);
  });

  it('a declined card answers 400 PAYMENT_CARD_DECLINED and keeps the hold', async () => {
    const res = await book({ offeringId: van, ...dates(), paymentMethodId: cards.declining, ...guest }).expect(400);
    expect(res.body.error).toBe('PAYMENT_CARD_DECLINED');
    const held = await reservationsOf('renter-ada', van);
    expect(held.map((r) => r.status)).toEqual(['payment_failed']);
    reservationId = held[0].id;
    expect(await liveAllocations(reservationId)).toHaveLength(1);
    const view = (await t.http.get(`/api/reservations/${reservationId}`).set(auth()).expect(200)).body;
    expect(view).toMatchObject({ status: 'payment_failed', paymentStatus: 'failed' });
  });

  it('the same call with another card and a new key pays on that same hold', async () => {
    const [before] = await reservationsOf('renter-ada', van);
    const key = randomUUID();
    const body = { offeringId: van, ...dates(), paymentMethodId: cards.visa, ...guest };
    const res = await book(body, key).expect(200);
    expect(replayed(res)).toBe(false);
    expect(res.body).toEqual({
      reservation: {
        id: reservationId,
        status: 'confirmed',
        holdExpiresAt: before.hold_expires_at.toISOString(),
        totalPrice: 24_000,
        currency: 'EUR',
        paymentStatus: 'authorized',
        paymentIntentId: expect.stringMatching(/^pi_/),
      },
      paymentClientSecret: expect.stringMatching(/_secret_/),
      requiresAction: false,
      clientSecretType: 'payment_intent',
    });
    // One hold, one unit taken; the declined attempt (its intent cancelled by the retry) and the
    // authorisation of price + deposit.
    expect((await reservationsOf('renter-ada', van)).map((r) => r.id)).toEqual([reservationId]);
    expect(await liveAllocations(reservationId)).toHaveLength(1);
    expect(await paymentsOf(reservationId)).toEqual([
      { status: 'canceled', amount_cents: 54_000, capture_method: 'manual' },
      { status: 'requires_capture', amount_cents: 54_000, capture_method: 'manual' },
    ]);
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);

    // The same key and body replay the answer; the same key with another body is refused.
    const again = await book(body, key).expect(200);
    expect(replayed(again)).toBe(true);
    expect(again.body).toEqual(res.body);
    expect((await book({ ...body, paymentMethodId: cards.threeDS }, key).expect(422)).body.error).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await paymentsOf(reservationId)).toHaveLength(2);
    // Booked, the van is taken for those dates: a new call holds nothing more.
    expect((await book(body).expect(409)).body.error).toBe('NOT_ENOUGH_CAPACITY');
    expect((await reservationsOf('renter-ada', van)).map((r) => r.id)).toEqual([reservationId]);
  });

  it('GET /api/reservations/{id} is GET /v1/reservations/{id}; another user gets 404', async () => {
    const api = (await t.http.get(`/api/reservations/${reservationId}`).set(auth()).expect(200)).body;
    const v1 = (await t.http.get(`/v1/reservations/${reservationId}`).set(auth()).expect(200)).body;
    expect(api).toEqual(v1);
    expect(api).toMatchObject({ id: reservationId, status: 'confirmed', paymentStatus: 'authorized' });
    const bobs = await t.http.get(`/api/reservations/${reservationId}`).set(auth('renter-bob')).expect(404);
    expect(bobs.body.error).toBe('RESERVATION_NOT_FOUND');
    expect(JSON.stringify(bobs.body)).not.toContain('Ada');
    expect((await t.http.get('/api/reservations/not-a-uuid').set(auth()).expect(404)).body.error).toBe('RESERVATION_NOT_FOUND');
  });

  it('a retry after the final answer was lost resumes from its steps: the same hold, the same payment', async () => {
    const other = await newVan('fleet-van-api-2');
    const key = randomUUID();
    const body = { offeringId: other, ...dates(), paymentMethodId: cards.visa, ...guest };
    const first = (await book(body, key).expect(200)).body;
    // A crash after the hold and the convert committed, before the call's own answer was stored.
    const steps = await rows<{ scope: string }>(`SELECT scope FROM idempotency_keys WHERE key = $1 ORDER BY scope`, [key]);
    expect(steps.map((s) => s.scope)).toEqual([
      'renter-ada|POST /api/reservations',
      'renter-ada|POST /api/reservations#convert',
      'renter-ada|POST /api/reservations#hold',
    ]);
    await t.dataSource.query(`DELETE FROM idempotency_keys WHERE key = $1 AND scope = 'renter-ada|POST /api/reservations'`, [
      key,
    ]);

    const resumed = await book(body, key).expect(200);
    expect(resumed.body).toEqual(first);
    expect(replayed(resumed)).toBe(false); // the call's answer is given afresh, from its steps' stored ones
    expect((await reservationsOf('renter-ada', other)).map((r) => r.id)).toEqual([first.reservation.id]);
    expect(await paymentsOf(first.reservation.id)).toEqual([
      { status: 'requires_capture', amount_cents: 54_000, capture_method: 'manual' },
    ]);
  });

  it('3-D Secure leaves the booking pending with a client secret; another card then pays on the same hold', async () => {
    const other = await newVan('fleet-van-api-3');
    const body = { offeringId: other, ...dates(), ...guest };
    const challenged = (await book({ ...body, paymentMethodId: cards.threeDS }).expect(200)).body;
    expect(challenged).toMatchObject({
      reservation: { status: 'pending', paymentStatus: 'requires_action' },
      paymentClientSecret: expect.stringMatching(/_secret_/),
      requiresAction: true,
    });
    const paid = (await book({ ...body, paymentMethodId: cards.visa }).expect(200)).body;
    expect(paid).toMatchObject({
      reservation: { id: challenged.reservation.id, status: 'confirmed', paymentStatus: 'authorized' },
      requiresAction: false,
    });
    expect((await reservationsOf('renter-ada', other)).map((r) => r.id)).toEqual([challenged.reservation.id]);
    expect(await liveAllocations(challenged.reservation.id)).toHaveLength(1);
    // The challenged intent is confirmed again with the other card: one attempt, authorised.
    expect(await paymentsOf(challenged.reservation.id)).toEqual([
      { status: 'requires_capture', amount_cents: 54_000, capture_method: 'manual' },
    ]);
  });

  it('unlock and return through /api/rentals: the renter only', async () => {
    const rental = async () => (await t.http.get(`/v1/rentals/${reservationId}`).set(auth()).expect(200)).body;
    const unlock = (sub?: string) =>
      t.http.post(`/api/rentals/${reservationId}/unlock`).set(auth(sub)).set('X-Idempotency-Key', randomUUID());
    const giveBack = (sub?: string) =>
      withPhotos(t.http.post(`/api/rentals/${reservationId}/return`).set(auth(sub)).set('X-Idempotency-Key', randomUUID()));

    const view = await rental();
    t.clock.set(Date.parse(view.pickupAt) - 10 * 60_000);
    const telematics = t.app.get(TELEMATICS) as SimulatedTelematics;
    telematics.setReadings(fleetVehicleId, { odometerKm: 48_000, energyLevelPercent: 80 });
    expect((await unlock('renter-bob').expect(404)).body.error).toBe('RESERVATION_NOT_FOUND');
    expect((await giveBack('renter-bob').expect(404)).body.error).toBe('RESERVATION_NOT_FOUND');
    const started = (await unlock().expect(200)).body;
    expect(started).toMatchObject({ id: reservationId, rentalStatus: 'in_progress', pickupReading: { odometerKm: 48_000 } });
    // The same route family's idempotency: one key, one unlock answer.
    const key = randomUUID();
    const once = await t.http.post(`/api/rentals/${reservationId}/unlock`).set(auth()).set('X-Idempotency-Key', key).expect(200);
    const twice = await t.http.post(`/api/rentals/${reservationId}/unlock`).set(auth()).set('X-Idempotency-Key', key).expect(200);
    expect(replayed(twice)).toBe(true);
    expect(twice.body).toEqual(once.body);

    // Back on time, as full as it left, 300 km driven (within 2 x 200).
    t.clock.set(Date.parse(view.returnAt) - HOUR);
    await telematics.lock(fleetVehicleId, { idempotencyKey: `lock-${reservationId}` });
    telematics.setReadings(fleetVehicleId, { odometerKm: 48_300, energyLevelPercent: 80 });
    const returned = (await giveBack().expect(200)).body;
    expect(returned).toMatchObject({ rentalStatus: 'returned', disputes: [], fines: [] });
    expect(returned.photos).toHaveLength(4);
    await waitFor('the settlement to complete the rental', async () => (await rental()).rentalStatus === 'completed', 20_000);
    const booking = (await t.http.get(`/api/reservations/${reservationId}`).set(auth()).expect(200)).body;
    expect(booking.status).toBe('completed');
    expect((await rental()).money).toMatchObject({ due: 24_000, captured: 24_000, owed: 0 });
  });
});
