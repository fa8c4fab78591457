import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { InventoryService } from '../src/inventory/inventory.service';
import { createOffering, createSlot, createStock } from './factories/inventory.factory';
import { newSku, expectError, fields, useInventoryApp } from './support/inventory-app';
import type { TestApp } from './support/test-app';

/** Inventory: the admin routes for time slots, stock and rental units. The app and helpers are shared with the other inventory specs (test/support/inventory-app.ts). */
describe('inventory', () => {
  let t: TestApp;
  let inventory: InventoryService;
  let admin: string;
  let user: string;
  const app = useInventoryApp();
  beforeAll(() => {
    ({ t, inventory, admin, user } = app);
  });
  const { holdSlot, holdStock, commit, slotCounters, stockCounters, invariants } = app;

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
      expect(res.body).toEqual({
        id: expect.any(String),
        offeringId: van.id,
        label: 'Van 1',
        status: 'available',
        plate: null,
        model: null,
        seats: null,
        energy: null,
        fleetVehicleId: null,
        fleetStatus: 'available',
      });
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
});
