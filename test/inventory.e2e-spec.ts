import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import type { EntityManager } from 'typeorm';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { InventoryModule } from '../src/inventory/inventory.module';
import { InventoryService } from '../src/inventory/inventory.service';
import type { AllocationRequest, ShortageHandler } from '../src/inventory/inventory.types';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { InvariantsService } from '../src/inventory/invariants.service';
import { createOffering, createSlot, createStock, createUnit } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS);
const newSku = (prefix = 'SKU') => `${prefix}-${randomUUID().slice(0, 8)}`;

function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, error: res.body.error }).toEqual({ status, error: code });
  expect(res.body.message).toEqual(expect.any(String));
}

/** The fields a VALIDATION_FAILED response names in its details. */
const fields = (res: Response) => (res.body.details ?? []).map((d: { field: string }) => d.field);

describe('inventory', () => {
  let t: TestApp;
  let inventory: InventoryService;
  let txHost: TransactionHost;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    t = await createTestApp({ imports: [InventoryModule] });
    inventory = t.app.get(InventoryService);
    txHost = t.app.get(TransactionHost);
    admin = t.token('root', ['admin']);
    user = t.token('bob');
  });
  afterAll(async () => {
    // Whatever the tests did, they left inventory consistent.
    if (t) expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    await t?.close();
  });

  /** Allocates in a transaction of its own, as a hold does: all or nothing. */
  const allocate = (reservationId: string, requests: AllocationRequest[], onShortage?: ShortageHandler) =>
    txHost.run(() => inventory.allocate(reservationId, requests, onShortage));
  const holdSlot = async (slotId: string, quantity: number, reservationId = randomUUID()) => {
    await allocate(reservationId, [{ kind: 'slot', itemId: randomUUID(), slotId, quantity }]);
    return reservationId;
  };
  const holdStock = async (stockItemId: string, quantity: number, reservationId = randomUUID()) => {
    await allocate(reservationId, [{ kind: 'sku', itemId: randomUUID(), stockItemId, quantity }]);
    return reservationId;
  };
  const holdUnit = async (offeringId: string, start: Date, end: Date, reservationId = randomUUID()) => {
    await allocate(reservationId, [{ kind: 'unit', itemId: randomUUID(), offeringId, start, end }]);
    return reservationId;
  };
  const release = (...reservationIds: string[]) => txHost.run(() => inventory.release(reservationIds));
  const commit = (reservationId: string) => txHost.run(() => inventory.commit(reservationId));
  const failure = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error,
    );

  const slotCounters = async (id: string) => {
    const [row] = (await t.dataSource.query(`SELECT capacity, held, booked FROM time_slots WHERE id = $1`, [id])) as {
      capacity: number;
      held: number;
      booked: number;
    }[];
    return row;
  };
  const stockCounters = async (id: string) => {
    const [row] = (await t.dataSource.query(`SELECT on_hand, held, sold FROM stock_items WHERE id = $1`, [id])) as {
      on_hand: number;
      held: number;
      sold: number;
    }[];
    return row;
  };
  const liveAllocations = async (reservationId: string) => {
    const rows = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM allocations WHERE reservation_id = $1 AND state <> 'released'`,
      [reservationId],
    )) as { n: number }[];
    return rows[0].n;
  };
  const invariants = () => checkInventoryInvariants(t.dataSource.manager);

  /** Runs `fn` in a transaction that is always rolled back: for corrupting data (even the schema) by hand. */
  async function inRolledBackTransaction(fn: (manager: EntityManager) => Promise<void>): Promise<void> {
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await fn(runner.manager);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  describe('admin: time slots', () => {
    const post = (offeringId: string, body: object, token = admin) =>
      t.http.post(`/v1/admin/offerings/${offeringId}/time-slots`).set('Authorization', `Bearer ${token}`).send(body);
    const patch = (slotId: string, body: object, token = admin) =>
      t.http.patch(`/v1/admin/time-slots/${slotId}`).set('Authorization', `Bearer ${token}`).send(body);

    it('creates a slot on an experience and answers 201 with the slot view', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const res = await post(tour.id, { startsAt: '2031-07-01T09:00:00Z', endsAt: '2031-07-01T13:00:00+02:00', capacity: 12 });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        offeringId: tour.id,
        startsAt: '2031-07-01T09:00:00.000Z',
        endsAt: '2031-07-01T11:00:00.000Z',
        capacity: 12,
        held: 0,
        booked: 0,
        placesLeft: 12,
        status: 'open',
      });
      expect(await slotCounters(res.body.id)).toEqual({ capacity: 12, held: 0, booked: 0 });
    });

    it('replays a create sent again with the same idempotency key, creating one slot', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const key = randomUUID();
      const body = { startsAt: '2031-08-01T09:00:00Z', endsAt: '2031-08-01T10:00:00Z', capacity: 3 };
      const first = await post(tour.id, body).set('X-Idempotency-Key', key).expect(201);
      const second = await post(tour.id, body).set('X-Idempotency-Key', key).expect(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      const rows = (await t.dataSource.query(`SELECT count(*)::int AS n FROM time_slots WHERE offering_id = $1`, [tour.id])) as {
        n: number;
      }[];
      expect(rows[0].n).toBe(1);
    });

    it('refuses an unknown or malformed offering with 404 NOT_FOUND, and a non-experience with 400', async () => {
      const body = { startsAt: '2031-07-01T09:00:00Z', endsAt: '2031-07-01T11:00:00Z', capacity: 5 };
      const unknown = await post(randomUUID(), body);
      expectError(unknown, 404, 'NOT_FOUND');
      expect(unknown.body.message).toBe('Offering not found');
      expectError(await post('not-a-uuid', body), 404, 'NOT_FOUND');
      const product = await createOffering(t.dataSource, { kind: 'product' });
      const wrongKind = await post(product.id, body);
      expectError(wrongKind, 400, 'VALIDATION_FAILED');
      expect(wrongKind.body.message).toMatch(/experience/);
    });

    it('validates the body: times, end after start, capacity 1..100000, no unknown fields', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const good = { startsAt: '2031-07-01T09:00:00Z', endsAt: '2031-07-01T11:00:00Z', capacity: 5 };
      const cases: [object, string][] = [
        [{ ...good, endsAt: good.startsAt }, 'endsAt'],
        [{ ...good, endsAt: '2031-07-01T08:00:00Z' }, 'endsAt'],
        [{ ...good, startsAt: 'tomorrow' }, 'startsAt'],
        [{ ...good, startsAt: '2031-07-01T09:00:00' }, 'startsAt'], // no zone
        [{ ...good, startsAt: '2031-02-30T09:00:00Z' }, 'startsAt'],
        [{ ...good, capacity: 0 }, 'capacity'],
        [{ ...good, capacity: 100_001 }, 'capacity'],
        [{ ...good, capacity: 2.5 }, 'capacity'],
        [{ ...good, capacity: '5' }, 'capacity'],
        [{ startsAt: good.startsAt, endsAt: good.endsAt }, 'capacity'],
        [{ ...good, held: 3 }, 'held'],
      ];
      for (const [body, field] of cases) {
        const res = await post(tour.id, body);
        expect({ body, status: res.status, error: res.body.error, fields: fields(res) }).toEqual({
          body,
          status: 400,
          error: 'VALIDATION_FAILED',
          fields: expect.arrayContaining([field]),
        });
      }
      await post(tour.id, { ...good, capacity: 100_000 }).expect(201);
    });

    it('changes capacity, status and times; unknown slots are 404 TIME_SLOT_NOT_FOUND', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id, { capacity: 10 });
      const res = await patch(slot.id, { capacity: 20, status: 'closed' }).expect(200);
      expect(res.body).toMatchObject({ id: slot.id, capacity: 20, placesLeft: 20, status: 'closed' });
      expect(new Date(res.body.startsAt).getTime()).toBe(slot.startsAt.getTime());

      const moved = await patch(slot.id, { startsAt: '2032-01-01T10:00:00Z', endsAt: '2032-01-01T12:00:00Z' }).expect(200);
      expect(moved.body).toMatchObject({
        startsAt: '2032-01-01T10:00:00.000Z',
        endsAt: '2032-01-01T12:00:00.000Z',
        capacity: 20,
      });
      // Only the end, before the current start: refused, nothing changed.
      const backwards = await patch(slot.id, { endsAt: '2032-01-01T09:00:00Z' });
      expectError(backwards, 400, 'VALIDATION_FAILED');
      expect(fields(backwards)).toEqual(['endsAt']);
      expect(await patch(slot.id, {}).expect(200)).toMatchObject({ body: { endsAt: '2032-01-01T12:00:00.000Z' } });

      expectError(await patch(randomUUID(), { capacity: 5 }), 404, 'TIME_SLOT_NOT_FOUND');
      expectError(await patch('nope', { capacity: 5 }), 404, 'TIME_SLOT_NOT_FOUND');
      expectError(await patch(slot.id, { status: 'sold-out' }), 400, 'VALIDATION_FAILED');
      expectError(await patch(slot.id, { capacity: 0 }), 400, 'VALIDATION_FAILED');
    });

    it('never lowers capacity below the places held and booked', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id, { capacity: 10 });
      const booked = await holdSlot(slot.id, 2);
      await commit(booked);
      await holdSlot(slot.id, 3);
      expect(await slotCounters(slot.id)).toEqual({ capacity: 10, held: 3, booked: 2 });

      const res = await patch(slot.id, { capacity: 4, status: 'closed' });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.message).toBe('Capacity cannot be below the 5 places already held or booked (3 held, 2 booked)');
      expect(fields(res)).toEqual(['capacity']);
      // The whole change was refused, the status too.
      expect(await slotCounters(slot.id)).toEqual({ capacity: 10, held: 3, booked: 2 });
      expect((await inventory.getSlot(slot.id))?.status).toBe('open');

      const exact = await patch(slot.id, { capacity: 5 }).expect(200);
      expect(exact.body).toMatchObject({ capacity: 5, held: 3, booked: 2, placesLeft: 0 });
      expect(await invariants()).toEqual([]);
    });

    it('is for admins only: 403 for a user, 401 without a token', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id);
      const body = { startsAt: '2031-07-01T09:00:00Z', endsAt: '2031-07-01T11:00:00Z', capacity: 5 };
      expectError(await post(tour.id, body, user), 403, 'FORBIDDEN');
      expectError(await patch(slot.id, { capacity: 5 }, user), 403, 'FORBIDDEN');
      expectError(await t.http.post(`/v1/admin/offerings/${tour.id}/time-slots`).send(body), 401, 'UNAUTHORIZED');
      expect(await slotCounters(slot.id)).toEqual({ capacity: 10, held: 0, booked: 0 });
    });
  });

  describe('admin: stock', () => {
    const put = (offeringId: string, items: unknown, token = admin) =>
      t.http.put(`/v1/admin/offerings/${offeringId}/stock`).set('Authorization', `Bearer ${token}`).send({ items });

    it("creates and updates SKUs and returns the offering's whole stock list", async () => {
      const carrier = await createOffering(t.dataSource, { kind: 'product' });
      const [a, b, c] = ['A', 'B', 'C'].map((p) => newSku(`CARRIER.${p}`));
      const first = await put(carrier.id, [
        { sku: b, onHand: 5 },
        { sku: a, onHand: 0 },
      ]).expect(200);
      expect(first.body).toEqual([
        { id: expect.any(String), sku: a, onHand: 0, held: 0, sold: 0, available: 0 },
        { id: expect.any(String), sku: b, onHand: 5, held: 0, sold: 0, available: 5 },
      ]);

      const stockB = first.body[1].id as string;
      const reservation = await holdStock(stockB, 2);
      await commit(reservation);
      await holdStock(stockB, 1);
      const second = await put(carrier.id, [
        { sku: c, onHand: 7 },
        { sku: b, onHand: 3 },
      ]).expect(200);
      expect(second.body).toEqual([
        { id: first.body[0].id, sku: a, onHand: 0, held: 0, sold: 0, available: 0 },
        { id: stockB, sku: b, onHand: 3, held: 1, sold: 2, available: 0 },
        { id: expect.any(String), sku: c, onHand: 7, held: 0, sold: 0, available: 7 },
      ]);
      expect(await invariants()).toEqual([]);
    });

    it('refuses, all or nothing, onHand below held + sold and SKUs of another offering', async () => {
      const carrier = await createOffering(t.dataSource, { kind: 'product' });
      const other = await createOffering(t.dataSource, { kind: 'product' });
      const theirs = await createStock(t.dataSource, other.id, newSku('THEIRS'), 4);
      const mine = await createStock(t.dataSource, carrier.id, newSku('MINE'), 6);
      await holdStock(mine.id, 4);
      const fresh = newSku('NEW');

      const res = await put(carrier.id, [
        { sku: fresh, onHand: 10 },
        { sku: mine.sku, onHand: 3 },
        { sku: theirs.sku, onHand: 9 },
      ]);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual(
        expect.arrayContaining([
          { field: 'items.1.onHand', message: `onHand of ${mine.sku} must be at least 4, the units already held or sold` },
          { field: 'items.2.sku', message: `sku ${theirs.sku} belongs to another offering` },
        ]),
      );
      expect(res.body.details).toHaveLength(2);
      // Nothing was written: not even the valid new SKU.
      expect(await stockCounters(mine.id)).toEqual({ on_hand: 6, held: 4, sold: 0 });
      expect(await stockCounters(theirs.id)).toEqual({ on_hand: 4, held: 0, sold: 0 });
      const created = (await t.dataSource.query(`SELECT 1 FROM stock_items WHERE sku = $1`, [fresh])) as unknown[];
      expect(created).toHaveLength(0);

      await put(carrier.id, [{ sku: mine.sku, onHand: 4 }]).expect(200);
    });

    it('validates SKUs, quantities and the offering', async () => {
      const carrier = await createOffering(t.dataSource, { kind: 'product' });
      const cases: [unknown, string][] = [
        [[], 'items'],
        ['A', 'items'],
        [[{ sku: '', onHand: 1 }], 'items.0.sku'],
        [[{ sku: 'has space', onHand: 1 }], 'items.0.sku'],
        [[{ sku: 'x'.repeat(65), onHand: 1 }], 'items.0.sku'],
        [[{ sku: 'OK', onHand: -1 }], 'items.0.onHand'],
        [[{ sku: 'OK', onHand: 1.5 }], 'items.0.onHand'],
        [[{ sku: 'OK' }], 'items.0.onHand'],
        [[{ sku: 'OK', onHand: 1, price: 3 }], 'items.0.price'],
        [
          [
            { sku: 'DUP', onHand: 1 },
            { sku: 'DUP', onHand: 2 },
          ],
          'items.1.sku',
        ],
      ];
      for (const [items, field] of cases) {
        const res = await put(carrier.id, items);
        expect({ items, status: res.status, error: res.body.error, fields: fields(res) }).toEqual({
          items,
          status: 400,
          error: 'VALIDATION_FAILED',
          fields: expect.arrayContaining([field]),
        });
      }
      const ok = [{ sku: newSku('x_y.Z'), onHand: 1 }];
      expectError(await put(randomUUID(), ok), 404, 'NOT_FOUND');
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      expectError(await put(tour.id, ok), 400, 'VALIDATION_FAILED');
      expectError(await put(carrier.id, ok, user), 403, 'FORBIDDEN');
    });
  });

  describe('admin: rental units', () => {
    const post = (offeringId: string, body: object, token = admin) =>
      t.http.post(`/v1/admin/offerings/${offeringId}/units`).set('Authorization', `Bearer ${token}`).send(body);

    it('adds units to a rental offering', async () => {
      const van = await createOffering(t.dataSource, { kind: 'rental' });
      const res = await post(van.id, { label: ' Van 1 ' }).expect(201);
      expect(res.body).toEqual({ id: expect.any(String), offeringId: van.id, label: 'Van 1', status: 'available' });
      const parked = await post(van.id, { label: 'Van 2', status: 'maintenance' }).expect(201);
      expect(parked.body.status).toBe('maintenance');
    });

    it('refuses bad bodies, other kinds, unknown offerings and non-admins', async () => {
      const van = await createOffering(t.dataSource, { kind: 'rental' });
      expectError(await post(van.id, {}), 400, 'VALIDATION_FAILED');
      expectError(await post(van.id, { label: '   ' }), 400, 'VALIDATION_FAILED');
      expectError(await post(van.id, { label: 'x'.repeat(121) }), 400, 'VALIDATION_FAILED');
      expectError(await post(van.id, { label: 'Van', status: 'rented' }), 400, 'VALIDATION_FAILED');
      const product = await createOffering(t.dataSource, { kind: 'product' });
      expectError(await post(product.id, { label: 'Van' }), 400, 'VALIDATION_FAILED');
      expectError(await post(randomUUID(), { label: 'Van' }), 404, 'NOT_FOUND');
      expectError(await post(van.id, { label: 'Van' }, user), 403, 'FORBIDDEN');
    });
  });

  describe('public availability', () => {
    const get = (offeringId: string, query: Record<string, string> = {}) =>
      t.http.get(`/v1/catalog/offerings/${offeringId}/availability`).query(query);

    it('lists the open, future slots of an experience starting in the window, earliest first, with places left', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const later = await createSlot(t.dataSource, tour.id, { startsAt: inDays(12), capacity: 10 });
      const sooner = await createSlot(t.dataSource, tour.id, { startsAt: inDays(3), capacity: 6 });
      await createSlot(t.dataSource, tour.id, { startsAt: inDays(5), status: 'closed' });
      await createSlot(t.dataSource, tour.id, { startsAt: inDays(6), status: 'cancelled' });
      await createSlot(t.dataSource, tour.id, {
        startsAt: new Date(Date.now() - HOUR_MS),
        endsAt: new Date(Date.now() + HOUR_MS),
      });
      const farAway = await createSlot(t.dataSource, tour.id, { startsAt: inDays(40) });
      const booked = await holdSlot(later.id, 4);
      await commit(booked);
      await holdSlot(later.id, 1);
      await holdSlot(sooner.id, 6);

      const res = await get(tour.id).expect(200); // no token: public
      expect(res.body).toEqual({
        offeringId: tour.id,
        kind: 'experience',
        slots: [
          {
            id: sooner.id,
            startsAt: sooner.startsAt.toISOString(),
            endsAt: sooner.endsAt.toISOString(),
            capacity: 6,
            placesLeft: 0,
            status: 'open',
          },
          {
            id: later.id,
            startsAt: later.startsAt.toISOString(),
            endsAt: later.endsAt.toISOString(),
            capacity: 10,
            placesLeft: 5,
            status: 'open',
          },
        ],
      });

      // The window is [from, to): a slot starting exactly at `to` is out, one at `from` is in.
      const window = await get(tour.id, { from: later.startsAt.toISOString(), to: farAway.startsAt.toISOString() }).expect(200);
      expect(window.body.slots.map((s: { id: string }) => s.id)).toEqual([later.id]);
      const wide = await get(tour.id, { from: new Date().toISOString(), to: inDays(60).toISOString() }).expect(200);
      expect(wide.body.slots.map((s: { id: string }) => s.id)).toEqual([sooner.id, later.id, farAway.id]);
    });

    it('lists stock left per SKU for a product', async () => {
      const carrier = await createOffering(t.dataSource, { kind: 'product' });
      const b = await createStock(t.dataSource, carrier.id, `B-${randomUUID()}`, 5);
      const a = await createStock(t.dataSource, carrier.id, `A-${randomUUID()}`, 3);
      const sold = await holdStock(b.id, 2);
      await commit(sold);
      await holdStock(b.id, 1);
      const res = await get(carrier.id).expect(200);
      expect(res.body).toEqual({
        offeringId: carrier.id,
        kind: 'product',
        stock: [
          { sku: a.sku, available: 3 },
          { sku: b.sku, available: 2 },
        ],
      });
    });

    it('says which rental units are free for the whole window', async () => {
      const van = await createOffering(t.dataSource, { kind: 'rental' });
      const one = await createUnit(t.dataSource, van.id, 'Van 1');
      const two = await createUnit(t.dataSource, van.id, 'Van 2');
      const three = await createUnit(t.dataSource, van.id, 'Van 3', 'maintenance');
      await createUnit(t.dataSource, van.id, 'Van 4', 'retired');
      const from = new Date('2031-03-10T00:00:00Z');
      const to = new Date('2031-03-15T00:00:00Z');

      // Both free units get held for the 12th-14th; then one of them is released.
      const first = await holdUnit(van.id, new Date('2031-03-12T00:00:00Z'), new Date('2031-03-14T00:00:00Z'));
      const second = await holdUnit(van.id, new Date('2031-03-12T00:00:00Z'), new Date('2031-03-14T00:00:00Z'));
      await commit(first);
      await release(second);
      const [taken] = (await t.dataSource.query(`SELECT unit_id FROM allocations WHERE reservation_id = $1`, [first])) as {
        unit_id: string;
      }[];
      const free = taken.unit_id === one.id ? two : one;
      const busy = taken.unit_id === one.id ? one : two;

      const res = await get(van.id, { from: from.toISOString(), to: to.toISOString() }).expect(200);
      expect(res.body).toEqual({
        offeringId: van.id,
        kind: 'rental',
        from: from.toISOString(),
        to: to.toISOString(),
        units: [
          { id: one.id, label: 'Van 1', available: one.id === free.id },
          { id: two.id, label: 'Van 2', available: two.id === free.id },
          { id: three.id, label: 'Van 3', available: false },
        ],
        availableUnits: 1,
      });
      expect(res.body.units.find((u: { id: string }) => u.id === busy.id).available).toBe(false);

      // Periods are half-open: a window that starts when the rental ends overlaps nothing.
      const after = await get(van.id, { from: '2031-03-14', to: '2031-03-20' }).expect(200);
      expect(after.body.availableUnits).toBe(2);
      const before = await get(van.id, { from: '2031-03-01', to: '2031-03-12T00:00:00Z' }).expect(200);
      expect(before.body.availableUnits).toBe(2);
      const straddling = await get(van.id, { from: '2031-03-13T12:00:00Z', to: '2031-03-13T13:00:00Z' }).expect(200);
      expect(straddling.body.availableUnits).toBe(1);
    });

    it('answers 404 NOT_FOUND for an unknown or malformed offering id', async () => {
      expectError(await get(randomUUID()), 404, 'NOT_FOUND');
      expectError(await get('not-a-uuid'), 404, 'NOT_FOUND');
    });

    it('validates the window: ISO dates, to after from, at most 366 days, no unknown parameters', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const cases: Record<string, string>[] = [
        { from: 'yesterday' },
        { to: '2031-13-01' },
        { from: '2031-01-01T10:00:00' }, // no zone
        { from: '2031-01-02', to: '2031-01-02' },
        { from: '2031-01-02', to: '2031-01-01' },
        { from: '2031-01-01', to: '2032-01-03' }, // 367 days
        { from: '2031-01-01', when: 'soon' },
      ];
      for (const query of cases) {
        const res = await get(tour.id, query);
        expect({ query, status: res.status, error: res.body.error }).toEqual({ query, status: 400, error: 'VALIDATION_FAILED' });
      }
      await get(tour.id, { from: '2031-01-01', to: '2032-01-02' }).expect(200); // 366 days
      await get(tour.id, { from: '2031-01-01' }).expect(200);
    });
  });

  describe('invariant checker', () => {
    it('finds nothing on consistent data, through the function, the service and the admin route', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id);
      await holdSlot(slot.id, 2);
      expect(await invariants()).toEqual([]);
      expect(await t.app.get(InvariantsService).checkInvariants()).toEqual([]);
      const res = await t.http.get('/v1/admin/invariants').set('Authorization', `Bearer ${admin}`).expect(200);
      expect(res.body).toEqual({ ok: true, violations: [] });
      expectError(await t.http.get('/v1/admin/invariants').set('Authorization', `Bearer ${user}`), 403, 'FORBIDDEN');
    });

    it('reports slot counters that drift from the ledger, on the admin route too', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id);
      await commit(await holdSlot(slot.id, 2));
      await holdSlot(slot.id, 1);
      await t.dataSource.query(`UPDATE time_slots SET held = held + 1, booked = booked - 1 WHERE id = $1`, [slot.id]);
      try {
        const expected = [
          {
            invariant: 'slot.held_matches_ledger',
            resource: `time_slot:${slot.id}`,
            detail: 'held is 2 but its held allocations add up to 1',
          },
          {
            invariant: 'slot.booked_matches_ledger',
            resource: `time_slot:${slot.id}`,
            detail: 'booked is 1 but its committed allocations add up to 2',
          },
        ];
        expect(await invariants()).toEqual(expected);
        const res = await t.http.get('/v1/admin/invariants').set('Authorization', `Bearer ${admin}`).expect(200);
        expect(res.body).toEqual({ ok: false, violations: expected });
      } finally {
        await t.dataSource.query(`UPDATE time_slots SET held = held - 1, booked = booked + 1 WHERE id = $1`, [slot.id]);
      }
      expect(await invariants()).toEqual([]);
    });

    it('reports stock counters that drift from the ledger', async () => {
      const carrier = await createOffering(t.dataSource, { kind: 'product' });
      const stock = await createStock(t.dataSource, carrier.id, newSku('DRIFT'), 10);
      await holdStock(stock.id, 3);
      await inRolledBackTransaction(async (manager) => {
        await manager.query(`UPDATE stock_items SET held = 1, sold = 2 WHERE id = $1`, [stock.id]);
        expect(await checkInventoryInvariants(manager)).toEqual([
          {
            invariant: 'stock.held_matches_ledger',
            resource: `stock_item:${stock.id} (${stock.sku})`,
            detail: 'held is 1 but its held allocations add up to 3',
          },
          {
            invariant: 'stock.sold_matches_ledger',
            resource: `stock_item:${stock.id} (${stock.sku})`,
            detail: 'sold is 2 but its committed allocations add up to 0',
          },
        ]);
      });
    });

    it('reports negative counters and counters over capacity, which only a dropped CHECK would let through', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id, { capacity: 4 });
      await holdSlot(slot.id, 3);
      const carrier = await createOffering(t.dataSource, { kind: 'product' });
      const stock = await createStock(t.dataSource, carrier.id, newSku('OVER'), 5);
      await holdStock(stock.id, 5);

      // The CHECK constraints refuse both corruptions outright...
      for (const sql of [
        `UPDATE time_slots SET capacity = 2 WHERE id = '${slot.id}'`,
        `UPDATE stock_items SET on_hand = 4 WHERE id = '${stock.id}'`,
        `UPDATE time_slots SET held = -1 WHERE id = '${slot.id}'`,
      ]) {
        const error = (await failure(t.dataSource.query(sql))) as { driverError?: { code?: string } };
        expect(error.driverError?.code).toBe('23514');
      }
      // ...so drop them, in a transaction that is rolled back, to see the checker catch what they guard.
      await inRolledBackTransaction(async (manager) => {
        await manager.query(`ALTER TABLE time_slots DROP CONSTRAINT chk_time_slots_counters`);
        await manager.query(`ALTER TABLE stock_items DROP CONSTRAINT chk_stock_items_counters`);
        await manager.query(`UPDATE time_slots SET capacity = 2 WHERE id = $1`, [slot.id]);
        await manager.query(`UPDATE stock_items SET on_hand = 4, sold = -1 WHERE id = $1`, [stock.id]);
        expect(await checkInventoryInvariants(manager)).toEqual([
          {
            invariant: 'slot.within_capacity',
            resource: `time_slot:${slot.id}`,
            detail: 'held 3 + booked 0 = 3 exceeds capacity 2',
          },
          {
            invariant: 'stock.counters_non_negative',
            resource: `stock_item:${stock.id} (${stock.sku})`,
            detail: 'held is 5 and sold is -1',
          },
          {
            invariant: 'stock.sold_matches_ledger',
            resource: `stock_item:${stock.id} (${stock.sku})`,
            detail: 'sold is -1 but its committed allocations add up to 0',
          },
        ]);
      });
      expect(await invariants()).toEqual([]);
    });

    it('cannot store two overlapping live allocations of one unit (23P01), and reports them if the constraint is gone', async () => {
      const van = await createOffering(t.dataSource, { kind: 'rental' });
      const unit = await createUnit(t.dataSource, van.id, 'Van 1');
      const insert = (manager: EntityManager, period: string, state = 'held') =>
        manager.query(
          `INSERT INTO allocations (reservation_id, reservation_item_id, resource_type, unit_id, quantity, period, state)
           VALUES ($1, $2, 'unit', $3, 1, $4::tstzrange, $5) RETURNING id`,
          [randomUUID(), randomUUID(), unit.id, period, state],
        ) as Promise<{ id: string }[]>;

      await insert(t.dataSource.manager, '[2031-05-01,2031-05-05)', 'committed');
      const error = (await failure(insert(t.dataSource.manager, '[2031-05-04,2031-05-06)'))) as {
        driverError?: { code?: string };
      };
      expect(error.driverError?.code).toBe('23P01');
      // A released allocation, or one that only touches the period, is no conflict.
      await insert(t.dataSource.manager, '[2031-05-02,2031-05-03)', 'released');
      await insert(t.dataSource.manager, '[2031-05-05,2031-05-07)');
      expect(await invariants()).toEqual([]);

      await inRolledBackTransaction(async (manager) => {
        await manager.query(`ALTER TABLE allocations DROP CONSTRAINT excl_allocations_unit_period`);
        const [clash] = await insert(manager, '[2031-05-04,2031-05-06)');
        const violations = await checkInventoryInvariants(manager);
        expect(violations).toHaveLength(2); // it overlaps both live allocations, not the released one
        for (const v of violations) {
          expect(v).toEqual({
            invariant: 'unit.no_overlapping_allocations',
            resource: `rental_unit:${unit.id}`,
            detail: expect.stringContaining(clash.id),
          });
        }
      });
    });
  });

  describe('InventoryService.allocate', () => {
    it('takes places of an open, future slot and records them in the ledger', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id, { capacity: 5 });
      const reservation = await holdSlot(slot.id, 4);
      expect(await slotCounters(slot.id)).toEqual({ capacity: 5, held: 4, booked: 0 });
      expect(await liveAllocations(reservation)).toBe(1);
      expect(await invariants()).toEqual([]);
    });

    it('takes a whole cart or nothing: a short second item undoes the first', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id, { capacity: 10 });
      const carrier = await createOffering(t.dataSource, { kind: 'product' });
      const stock = await createStock(t.dataSource, carrier.id, newSku('CART'), 1);
      const reservation = randomUUID();
      // Slots are taken before SKUs (the global lock order), so the slot is taken, then the SKU fails.
      const error = await failure(
        allocate(reservation, [
          { kind: 'sku', itemId: randomUUID(), stockItemId: stock.id, quantity: 2 },
          { kind: 'slot', itemId: randomUUID(), slotId: slot.id, quantity: 3 },
        ]),
      );
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'NOT_ENOUGH_CAPACITY', status: 409 });
      expect(await slotCounters(slot.id)).toEqual({ capacity: 10, held: 0, booked: 0 });
      expect(await stockCounters(stock.id)).toEqual({ on_hand: 1, held: 0, sold: 0 });
      expect(await liveAllocations(reservation)).toBe(0);
      expect(await invariants()).toEqual([]);

      await allocate(reservation, [
        { kind: 'sku', itemId: randomUUID(), stockItemId: stock.id, quantity: 1 },
        { kind: 'slot', itemId: randomUUID(), slotId: slot.id, quantity: 3 },
      ]);
      expect(await liveAllocations(reservation)).toBe(2);
      expect(await invariants()).toEqual([]);
    });

    it('refuses more places than are left with NOT_ENOUGH_CAPACITY, saying how many are left', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id, { capacity: 3 });
      await holdSlot(slot.id, 2);
      const error = await failure(holdSlot(slot.id, 2));
      expect(error).toMatchObject({ code: 'NOT_ENOUGH_CAPACITY' });
      expect((error as AppError).message).toMatch(/1 left, 2 asked/);
      expect(await slotCounters(slot.id)).toEqual({ capacity: 3, held: 2, booked: 0 });
      expect(await invariants()).toEqual([]);
    });

    it('refuses closed, cancelled and past slots with TIME_SLOT_NOT_AVAILABLE, unknown ones with TIME_SLOT_NOT_FOUND', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const closed = await createSlot(t.dataSource, tour.id, { status: 'closed' });
      const cancelled = await createSlot(t.dataSource, tour.id, { status: 'cancelled' });
      const past = await createSlot(t.dataSource, tour.id, { startsAt: new Date(Date.now() - 2 * HOUR_MS) });
      for (const slot of [closed, cancelled, past]) {
        expect(await failure(holdSlot(slot.id, 1))).toMatchObject({ code: 'TIME_SLOT_NOT_AVAILABLE', status: 400 });
        expect(await slotCounters(slot.id)).toEqual({ capacity: 10, held: 0, booked: 0 });
      }
      expect(await failure(holdSlot(randomUUID(), 1))).toMatchObject({ code: 'TIME_SLOT_NOT_FOUND', status: 404 });
      expect(await invariants()).toEqual([]);
    });

    it('commits held places as booked, and release gives held and booked places back', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id, { capacity: 6 });
      const carrier = await createOffering(t.dataSource, { kind: 'product' });
      const stock = await createStock(t.dataSource, carrier.id, newSku('LIFE'), 4);
      const confirmed = randomUUID();
      await allocate(confirmed, [
        { kind: 'slot', itemId: randomUUID(), slotId: slot.id, quantity: 2 },
        { kind: 'sku', itemId: randomUUID(), stockItemId: stock.id, quantity: 3 },
      ]);
      const held = await holdSlot(slot.id, 3);

      expect(await commit(confirmed)).toBe(2);
      expect(await slotCounters(slot.id)).toEqual({ capacity: 6, held: 3, booked: 2 });
      expect(await stockCounters(stock.id)).toEqual({ on_hand: 4, held: 0, sold: 3 });
      expect(await commit(confirmed)).toBe(0); // committing twice changes nothing
      expect(await invariants()).toEqual([]);

      expect(await release(held)).toBe(1);
      expect(await slotCounters(slot.id)).toEqual({ capacity: 6, held: 0, booked: 2 });
      expect(await release(held)).toBe(0); // nor does releasing twice
      expect(await invariants()).toEqual([]);

      expect(await release(confirmed)).toBe(2); // a cancellation gives booked places back too
      expect(await slotCounters(slot.id)).toEqual({ capacity: 6, held: 0, booked: 0 });
      expect(await stockCounters(stock.id)).toEqual({ on_hand: 4, held: 0, sold: 0 });
      await holdSlot(slot.id, 6); // and they can be held again
      expect(await invariants()).toEqual([]);
    });

    it('gives a rental unit to one holder per period; a released unit can be taken again', async () => {
      const van = await createOffering(t.dataSource, { kind: 'rental' });
      await createUnit(t.dataSource, van.id, 'Only van');
      const start = new Date('2031-06-01T00:00:00Z');
      const end = new Date('2031-06-04T00:00:00Z');
      const first = await holdUnit(van.id, start, end);
      expect(await failure(holdUnit(van.id, new Date('2031-06-03T00:00:00Z'), new Date('2031-06-05T00:00:00Z')))).toMatchObject({
        code: 'NOT_ENOUGH_CAPACITY',
      });
      await holdUnit(van.id, end, new Date('2031-06-06T00:00:00Z')); // back to back is fine
      await release(first);
      await holdUnit(van.id, start, end);
      expect(await invariants()).toEqual([]);
    });

    it('tries again once when the shortage handler frees something', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id, { capacity: 2 });
      const stale = await holdSlot(slot.id, 2);
      const reclaimed: string[] = [];
      await allocate(randomUUID(), [{ kind: 'slot', itemId: randomUUID(), slotId: slot.id, quantity: 1 }], async (resource) => {
        const holders = await inventory.holdersOn(resource);
        reclaimed.push(...holders);
        return (await inventory.release(holders)) > 0;
      });
      expect(reclaimed).toEqual([stale]);
      expect(await slotCounters(slot.id)).toEqual({ capacity: 2, held: 1, booked: 0 });
      expect(await invariants()).toEqual([]);
    });

    it('never sells a place twice under concurrency', async () => {
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id, { capacity: 5 });
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => holdSlot(slot.id, 1)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
        expect(r.reason).toMatchObject({ code: 'TIME_SLOT_NOT_AVAILABLE' }); // full (issue 10)
      }
      expect(await slotCounters(slot.id)).toEqual({ capacity: 5, held: 5, booked: 0 });
      expect(await invariants()).toEqual([]);
    });
  });
});
