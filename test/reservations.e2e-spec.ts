import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { HoldExpiryJob } from '../src/reservations/hold-expiry.job';
import { createOffering, createSlot, createStock, createUnit } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

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
  const waitPastTtl = () => new Promise((resolve) => setTimeout(resolve, 2100));

  beforeAll(async () => {
    t = await createTestApp({ env: { HOLD_TTL_SECONDS: '2', HOLD_SWEEP_INTERVAL_SECONDS: '3600' } });
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
    await waitPastTtl();

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
    await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 2, ...guest }).expect(200);
    await waitPastTtl();
    expect(await held(slot.id)).toBe(2); // the sweep has not run
    await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 2, ...guest }).expect(200);
    expect(await held(slot.id)).toBe(2);
  });

  it('the sweep expires holds and returns their places; two sweeps at once release each hold once', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 40 });
    for (let i = 0; i < 30; i++)
      await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest }).expect(200);
    expect(await held(slot.id)).toBe(30);
    await waitPastTtl();

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
