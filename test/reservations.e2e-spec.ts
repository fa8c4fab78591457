import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { HoldExpiryJob } from '../src/reservations/hold-expiry.job';
import { createOffering, createSlot, createStock, createUnit } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';
import { backdateHolds } from './support/time';

const guest = { guestName: 'John Doe', guestEmail: 'john@example.com' };

describe('holds (seed 004 step 1) and reading reservations', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let admin: string;

  const hold = (token: string, body: object, key: string = randomUUID()) =>
    t.http.post('/v1/reservations/hold').set('Authorization', `Bearer ${token}`).set('X-Idempotency-Key', key).send(body);

  const slotCounters = async (slotId: string) =>
    (
      (await t.dataSource.query('SELECT held, booked, capacity FROM time_slots WHERE id = $1', [slotId])) as {
        held: number;
        booked: number;
        capacity: number;
      }[]
    )[0];

  beforeAll(async () => {
    t = await createTestApp();
    alice = t.token('alice');
    bob = t.token('bob');
    admin = t.token('root', ['admin']);
  });
  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    await t.close();
  });

  it("prices the seed's example: 20000 less 15 % group and 10 % early bird is 15000", async () => {
    const offering = await createOffering(t.dataSource, {
      kind: 'experience',
      basePriceCents: 10000,
      pricingRules: {
        groupDiscount: { minQuantity: 2, percentOff: 15, type: 'group_5_plus' },
        earlyBird: { minDaysBefore: 7, percentOff: 10, type: 'early_bird' },
      },
    });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 10 });
    const res = await hold(alice, {
      experienceId: offering.id,
      timeSlotId: slot.id,
      numberOfGuests: 2,
      ...guest,
      guestPhone: '+1234567890',
    }).expect(200);

    expect(res.body).toEqual({
      reservation: {
        id: expect.any(String),
        status: 'held',
        holdExpiresAt: expect.any(String),
        totalPrice: 15000,
        originalPrice: 20000,
        discountApplied: 5000,
        currency: 'EUR',
        paymentStatus: 'none',
      },
      appliedDiscounts: {
        groupDiscount: { amount: 3000, type: 'group_5_plus' },
        earlyBirdDiscount: { amount: 2000, type: 'early_bird' },
        totalDiscount: 5000,
      },
      holdDurationMinutes: 15,
    });
    const expiresIn = new Date(res.body.reservation.holdExpiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(14 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(15 * 60_000);
    expect(await slotCounters(slot.id)).toEqual({ held: 2, booked: 0, capacity: 10 });
  });

  it('refuses bad input with the codes of seed 004', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 3 });
    const past = await createSlot(t.dataSource, offering.id, {
      startsAt: new Date(Date.now() - 3_600_000),
      endsAt: new Date(Date.now() - 1_800_000),
    });
    const closed = await createSlot(t.dataSource, offering.id, { status: 'closed' });
    const base = { experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest };

    const cases: [object, number, string][] = [
      [{ ...base, timeSlotId: randomUUID() }, 404, 'TIME_SLOT_NOT_FOUND'],
      [{ ...base, timeSlotId: past.id }, 400, 'TIME_SLOT_NOT_AVAILABLE'],
      [{ ...base, timeSlotId: closed.id }, 400, 'TIME_SLOT_NOT_AVAILABLE'],
      [{ ...base, numberOfGuests: 4 }, 409, 'NOT_ENOUGH_CAPACITY'],
      [{ ...base, numberOfGuests: 0 }, 400, 'VALIDATION_FAILED'],
      [{ ...base, numberOfGuests: 51 }, 400, 'VALIDATION_FAILED'],
      [{ ...base, guestEmail: 'not-an-email' }, 400, 'VALIDATION_FAILED'],
      [{ ...base, surprise: true }, 400, 'VALIDATION_FAILED'],
      [{ ...base, experienceId: undefined }, 400, 'VALIDATION_FAILED'],
      [{ ...guest }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, error] of cases) {
      const res = await hold(alice, body);
      expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status, error });
    }
    const missingKey = await t.http.post('/v1/reservations/hold').set('Authorization', `Bearer ${alice}`).send(base).expect(400);
    expect(missingKey.body.error).toBe('IDEMPOTENCY_KEY_REQUIRED');
    await t.http.post('/v1/reservations/hold').set('X-Idempotency-Key', randomUUID()).send(base).expect(401);
    expect(await slotCounters(slot.id)).toEqual({ held: 0, booked: 0, capacity: 3 });
  });

  it('a slot with no place left is TIME_SLOT_NOT_AVAILABLE (400, seed 004 "full"); one with too few places is NOT_ENOUGH_CAPACITY (409)', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 3 });
    const seedForm = (numberOfGuests: number) => ({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests, ...guest });
    const cartForm = (quantity: number) => ({ ...guest, items: [{ offeringId: offering.id, timeSlotId: slot.id, quantity }] });
    const product = await createOffering(t.dataSource, { kind: 'product' });
    const stock = await createStock(t.dataSource, product.id, `SKU-${randomUUID().slice(0, 8)}`, 5);
    const cartOfTwo = (quantity: number) => ({
      ...guest,
      items: [
        { offeringId: product.id, sku: stock.sku, quantity: 1 },
        { offeringId: offering.id, timeSlotId: slot.id, quantity },
      ],
    });

    await hold(alice, seedForm(2)).expect(200);
    // One place left: asking for more is "not enough" (the one-statement path, then its fallback, and a cart).
    for (const body of [seedForm(2), cartForm(2), cartOfTwo(2)]) {
      const res = await hold(bob, body);
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 409, error: 'NOT_ENOUGH_CAPACITY' });
    }
    await hold(alice, seedForm(1)).expect(200);
    // None left: the slot is full, whatever is asked and whichever path decides.
    for (const body of [seedForm(1), seedForm(3), cartForm(1), cartOfTwo(1)]) {
      const res = await hold(bob, body);
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'TIME_SLOT_NOT_AVAILABLE' });
      expect(res.body.message).toMatch(/full/i);
    }
    expect(await slotCounters(slot.id)).toEqual({ held: 3, booked: 0, capacity: 3 });
    const [{ held: stockHeld }] = (await t.dataSource.query('SELECT held FROM stock_items WHERE id = $1', [stock.id])) as {
      held: number;
    }[];
    expect(stockHeld).toBe(0);
  });

  it('holds a cart of a slot, stock and a rental unit all or nothing', async () => {
    const tour = await createOffering(t.dataSource, { kind: 'experience', basePriceCents: 5000 });
    const slot = await createSlot(t.dataSource, tour.id, { capacity: 5 });
    const carrier = await createOffering(t.dataSource, { kind: 'product', basePriceCents: 2500 });
    const stock = await createStock(t.dataSource, carrier.id, `SKU-${randomUUID().slice(0, 8)}`, 2);
    const van = await createOffering(t.dataSource, { kind: 'rental', basePriceCents: 8000 });
    await createUnit(t.dataSource, van.id, 'VAN-1');
    const start = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const end = new Date(Date.now() + 23 * 86_400_000).toISOString().slice(0, 10);

    const cart = (skuQuantity: number) => ({
      ...guest,
      items: [
        { offeringId: tour.id, timeSlotId: slot.id, quantity: 2 },
        { offeringId: carrier.id, sku: stock.sku, quantity: skuQuantity },
        { offeringId: van.id, startDate: start, endDate: end },
      ],
    });

    const tooMuch = await hold(alice, cart(3)).expect(409);
    expect(tooMuch.body.error).toBe('NOT_ENOUGH_CAPACITY');
    expect(await slotCounters(slot.id)).toEqual({ held: 0, booked: 0, capacity: 5 });

    const ok = await hold(alice, cart(2)).expect(200);
    expect(ok.body.reservation.originalPrice).toBe(2 * 5000 + 2 * 2500 + 3 * 8000);
    expect(await slotCounters(slot.id)).toEqual({ held: 2, booked: 0, capacity: 5 });

    const vanTaken = await hold(bob, { ...guest, items: [{ offeringId: van.id, startDate: start, endDate: end }] }).expect(409);
    expect(vanTaken.body.error).toBe('NOT_ENOUGH_CAPACITY');

    const detail = await t.http
      .get(`/v1/reservations/${ok.body.reservation.id}`)
      .set('Authorization', `Bearer ${alice}`)
      .expect(200);
    expect(detail.body.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['experience', 'product', 'rental']);
    expect(detail.body.timeSlot.id).toBe(slot.id);
  });

  it('rejects a rental whose end is not after its start', async () => {
    const van = await createOffering(t.dataSource, { kind: 'rental' });
    const res = await hold(alice, {
      ...guest,
      items: [{ offeringId: van.id, startDate: '2030-01-05', endDate: '2030-01-05' }],
    }).expect(400);
    expect(res.body.error).toBe('VALIDATION_FAILED');
    expect(res.body.details[0].field).toBe('items.0.endDate');
  });

  it("lists only the user's own reservations, with offering and time slot, and paginates like seed 004", async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience', title: 'Listing tour' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 50 });
    const carol = t.token('carol');
    for (let i = 0; i < 3; i++)
      await hold(carol, { experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest }).expect(200);

    const page = await t.http
      .get('/v1/reservations?limit=2&offset=0&status=held')
      .set('Authorization', `Bearer ${carol}`)
      .expect(200);
    expect(page.body.pagination).toEqual({ total: 3, limit: 2, offset: 0, hasMore: true });
    expect(page.body.reservations).toHaveLength(2);
    expect(page.body.reservations[0]).toMatchObject({
      experienceId: offering.id,
      status: 'held',
      totalPrice: expect.any(Number),
      experience: { id: offering.id, title: 'Listing tour' },
      timeSlot: { id: slot.id },
    });
    const last = await t.http.get('/v1/reservations?limit=2&offset=2').set('Authorization', `Bearer ${carol}`).expect(200);
    expect(last.body.pagination.hasMore).toBe(false);

    const theirs = page.body.reservations[0].id as string;
    const other = await t.http.get(`/v1/reservations/${theirs}`).set('Authorization', `Bearer ${bob}`).expect(404);
    expect(other.body.error).toBe('RESERVATION_NOT_FOUND');
    await t.http.get(`/v1/reservations/${theirs}`).set('Authorization', `Bearer ${admin}`).expect(200);
    const all = await t.http.get('/v1/reservations?limit=100').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(all.body.pagination.total).toBeGreaterThan(3);
    await t.http.get('/v1/reservations/not-a-uuid').set('Authorization', `Bearer ${carol}`).expect(404);
    const badQuery = await t.http.get('/v1/reservations?limit=0').set('Authorization', `Bearer ${carol}`).expect(400);
    expect(badQuery.body.error).toBe('VALIDATION_FAILED');
  });

  it('cancels a hold and gives its places back; a cancelled hold cannot be cancelled again', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 4 });
    const held = await hold(alice, { experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 3, ...guest }).expect(200);
    const id = held.body.reservation.id as string;

    await t.http.post(`/v1/reservations/${id}/cancel`).set('Authorization', `Bearer ${bob}`).expect(404);
    const cancelled = await t.http.post(`/v1/reservations/${id}/cancel`).set('Authorization', `Bearer ${alice}`).expect(200);
    expect(cancelled.body).toMatchObject({ id, status: 'cancelled', statusReason: 'USER_CANCELLED' });
    expect(await slotCounters(slot.id)).toEqual({ held: 0, booked: 0, capacity: 4 });
    const again = await t.http.post(`/v1/reservations/${id}/cancel`).set('Authorization', `Bearer ${alice}`).expect(409);
    expect(again.body.error).toBe('INVALID_HOLD_STATUS');
  });
});

describe('hold expiry', () => {
  let t: TestApp;
  let alice: string;
  const hold = (body: object) =>
    t.http
      .post('/v1/reservations/hold')
      .set('Authorization', `Bearer ${alice}`)
      .set('X-Idempotency-Key', randomUUID())
      .send(body);
  const held = async (slotId: string) =>
    ((await t.dataSource.query('SELECT held FROM time_slots WHERE id = $1', [slotId])) as { held: number }[])[0].held;
  // Past their time without waiting for it: the TTL and a second pass for these holds.
  const passTtl = (...reservationIds: string[]) => backdateHolds(t, (t.config.HOLD_TTL_SECONDS + 1) * 1000, reservationIds);

  beforeAll(async () => {
    t = await createTestApp({ env: { HOLD_SWEEP_INTERVAL_SECONDS: '3600' } });
    alice = t.token('alice');
  });
  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    await t.close();
  });

  it('reads a hold past its time as expired at once, and refuses to cancel it', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 2 });
    const res = await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest }).expect(200);
    const id = res.body.reservation.id as string;
    await passTtl(id);

    const read = await t.http.get(`/v1/reservations/${id}`).set('Authorization', `Bearer ${alice}`).expect(200);
    expect(read.body).toMatchObject({ status: 'expired', statusReason: 'HOLD_EXPIRED' });
    const listed = await t.http.get('/v1/reservations?status=expired').set('Authorization', `Bearer ${alice}`).expect(200);
    expect(listed.body.reservations.map((r: { id: string }) => r.id)).toContain(id);

    const cancel = await t.http.post(`/v1/reservations/${id}/cancel`).set('Authorization', `Bearer ${alice}`).expect(400);
    expect(cancel.body.error).toBe('HOLD_EXPIRED');
    // The write expired it for real: its place is back and it stays expired.
    expect(await held(slot.id)).toBe(0);
    const after = await t.http.post(`/v1/reservations/${id}/cancel`).set('Authorization', `Bearer ${alice}`).expect(409);
    expect(after.body.error).toBe('INVALID_HOLD_STATUS');
  });

  it('a hold that finds the slot full reclaims expired holds on it first', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 2 });
    const first = await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 2, ...guest }).expect(200);
    await passTtl(first.body.reservation.id);
    expect(await held(slot.id)).toBe(2); // the sweep has not run
    await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 2, ...guest }).expect(200);
    expect(await held(slot.id)).toBe(2);
  });

  it('the sweep expires holds and returns their places; two sweeps at once release each hold once', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 40 });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest }).expect(200);
      ids.push(res.body.reservation.id as string);
    }
    expect(await held(slot.id)).toBe(30);
    await passTtl(...ids);

    const job = t.app.get(HoldExpiryJob);
    const [a, b] = await Promise.all([job.sweep(), job.sweep()]);
    expect(a + b).toBeGreaterThanOrEqual(30);
    expect(await held(slot.id)).toBe(0);
    const statuses = (await t.dataSource.query(
      `SELECT r.status, count(*)::int AS n FROM reservations r JOIN reservation_items i ON i.reservation_id = r.id
        WHERE i.time_slot_id = $1 GROUP BY r.status`,
      [slot.id],
    )) as { status: string; n: number }[];
    expect(statuses).toEqual([{ status: 'expired', n: 30 }]);
    const releasedTwice = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM allocations WHERE time_slot_id = $1 AND state = 'released'`,
      [slot.id],
    )) as { n: number }[];
    expect(releasedTwice[0].n).toBe(30);
  });
});

describe('payments in reservation views: paymentStatus, payments and refunds; the admin list', () => {
  let t: TestApp;
  let admin: string;
  let offeringId: string;
  let slotId: string;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const settle = () => (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();

  const holdFor = async (token: string) =>
    (
      await t.http
        .post('/v1/reservations/hold')
        .set(as(token))
        .set('X-Idempotency-Key', randomUUID())
        .send({ experienceId: offeringId, timeSlotId: slotId, numberOfGuests: 1, ...guest })
        .expect(200)
    ).body;
  const convert = async (token: string, holdId: string) =>
    (await t.http.post('/v1/reservations/hold/convert').set(as(token)).set('X-Idempotency-Key', randomUUID()).send({ holdId }))
      .body;
  const pay = async (token: string, pi: string, paymentMethod: string) => {
    const res = await t.http.post(`/v1/dev/payments/${pi}/confirm`).set(as(token)).send({ paymentMethod });
    await settle();
    return res.status;
  };
  const view = async (token: string, id: string) => (await t.http.get(`/v1/reservations/${id}`).set(as(token)).expect(200)).body;
  const refund = async (paymentId: string, amount?: number) =>
    (
      await t.http
        .post(`/v1/admin/payments/${paymentId}/refunds`)
        .set(as(admin))
        .send(amount ? { amount } : {})
        .expect(201)
    ).body;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    admin = t.token('root', ['admin']);
    const offering = await createOffering(t.dataSource, { kind: 'experience', basePriceCents: 10000, refundableUntilHours: 48 });
    offeringId = offering.id;
    slotId = (await createSlot(t.dataSource, offering.id, { capacity: 100 })).id;
  });
  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    await t.close();
  });

  it('a reservation shows its payments and refunds to its owner and admins, and paymentStatus follows the money', async () => {
    const pat = t.token('pat');
    const held = await holdFor(pat);
    const id = held.reservation.id as string;
    expect(held.reservation.paymentStatus).toBe('none');
    expect(await view(pat, id)).toMatchObject({ status: 'held', paymentStatus: 'none', payments: [], refunds: [] });

    const converted = await convert(pat, id);
    expect(converted.reservation).toEqual({ id, status: 'pending', paymentIntentId: expect.any(String), paymentStatus: 'none' });
    const pi = converted.reservation.paymentIntentId as string;
    const pending = await view(pat, id);
    expect(pending.payments).toEqual([
      {
        paymentId: expect.any(String),
        status: 'requires_payment_method',
        amount: 10000,
        currency: 'EUR',
        captured: 0,
        refunded: 0,
        intentId: pi,
        createdAt: expect.any(String),
      },
    ]);
    const paymentId = pending.payments[0].paymentId as string;

    expect(await pay(pat, pi, 'pm_card_threeDSecure2Required')).toBe(200);
    expect(await view(pat, id)).toMatchObject({ status: 'pending', paymentStatus: 'requires_action' });
    await t.http.post(`/v1/dev/payments/${pi}/authenticate`).set(as(pat)).send({ result: 'success' }).expect(200);
    await settle();
    expect(await view(pat, id)).toMatchObject({
      status: 'confirmed',
      paymentStatus: 'paid',
      payments: [{ paymentId, status: 'succeeded', captured: 10000, refunded: 0 }],
    });

    // The admin finds the payment on the reservation and refunds part of it.
    const adminView = await view(admin, id);
    expect(adminView.payments.map((p: { paymentId: string }) => p.paymentId)).toEqual([paymentId]);
    const partial = await refund(adminView.payments[0].paymentId, 2500);
    expect(await view(pat, id)).toMatchObject({
      paymentStatus: 'partially_refunded',
      payments: [{ paymentId, captured: 10000, refunded: 2500 }],
      refunds: [
        { refundId: partial.refundId, paymentId, amount: 2500, status: 'succeeded', reason: null, createdAt: expect.any(String) },
      ],
    });
    await refund(paymentId);
    expect(await view(pat, id)).toMatchObject({ paymentStatus: 'refunded', payments: [{ refunded: 10000 }] });
    expect((await view(pat, id)).refunds).toHaveLength(2);
    await t.http
      .get(`/v1/reservations/${id}`)
      .set(as(t.token('mallory')))
      .expect(404);
  });

  it('a declined latest attempt is failed; the list carries paymentStatus too', async () => {
    const quinn = t.token('quinn');
    const { reservation } = await holdFor(quinn);
    const converted = await convert(quinn, reservation.id);
    await pay(quinn, converted.reservation.paymentIntentId, 'pm_card_chargeDeclined');
    expect(await view(quinn, reservation.id)).toMatchObject({ status: 'payment_failed', paymentStatus: 'failed' });
    const list = await t.http.get('/v1/reservations').set(as(quinn)).expect(200);
    expect(list.body.reservations).toEqual([
      expect.objectContaining({
        id: reservation.id,
        paymentStatus: 'failed',
        payments: [expect.objectContaining({ amount: 10000 })],
      }),
    ]);
  });

  describe('GET /v1/admin/reservations', () => {
    it("lists any user's reservations with payments and refunds, filtered by user, status and creation time, paginated", async () => {
      const rosa = t.token('rosa');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await holdFor(rosa)).reservation.id as string);
      const paid = await convert(rosa, ids[0]);
      expect(await pay(rosa, paid.reservation.paymentIntentId, 'pm_card_visa')).toBe(200);
      await t.dataSource.query(`UPDATE reservations SET created_at = '2030-01-01T10:00:00Z' WHERE id = $1`, [ids[2]]);

      const page = await t.http.get('/v1/admin/reservations?userId=rosa&limit=2').set(as(admin)).expect(200);
      expect(page.body.pagination).toEqual({ total: 3, limit: 2, offset: 0, hasMore: true });
      const all = await t.http.get('/v1/admin/reservations?userId=rosa&limit=10').set(as(admin)).expect(200);
      expect(all.body.reservations.map((r: { id: string }) => r.id).sort()).toEqual([...ids].sort());
      const confirmed = all.body.reservations.find((r: { id: string }) => r.id === ids[0]);
      expect(confirmed).toMatchObject({
        userId: 'rosa',
        status: 'confirmed',
        paymentStatus: 'paid',
        payments: [
          { paymentId: expect.any(String), status: 'succeeded', captured: 10000, intentId: paid.reservation.paymentIntentId },
        ],
        refunds: [],
      });

      const byStatus = await t.http.get('/v1/admin/reservations?userId=rosa&status=held').set(as(admin)).expect(200);
      expect(byStatus.body.reservations.map((r: { id: string }) => r.id).sort()).toEqual([ids[1], ids[2]].sort());
      const later = await t.http
        .get('/v1/admin/reservations?userId=rosa&from=2029-12-31T00:00:00Z&to=2030-01-02T00:00:00Z')
        .set(as(admin))
        .expect(200);
      expect(later.body).toMatchObject({ reservations: [{ id: ids[2] }], pagination: { total: 1, hasMore: false } });
      const everyone = await t.http.get('/v1/admin/reservations?limit=100').set(as(admin)).expect(200);
      expect(new Set(everyone.body.reservations.map((r: { userId: string }) => r.userId))).toEqual(
        new Set(['pat', 'quinn', 'rosa']),
      );

      const forbidden = await t.http.get('/v1/admin/reservations').set(as(rosa)).expect(403);
      expect(forbidden.body.error).toBe('FORBIDDEN');
      for (const query of ['from=yesterday', 'status=lost', 'limit=0', 'offset=-1', 'surprise=1']) {
        const bad = await t.http.get(`/v1/admin/reservations?${query}`).set(as(admin)).expect(400);
        expect({ query, error: bad.body.error }).toEqual({ query, error: 'VALIDATION_FAILED' });
      }
    });
  });
});
