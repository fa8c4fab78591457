import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createOffering, createSlot, createStock, createUnit } from './factories/inventory.factory';
import { HOUR_MS, inDays, expectError, useInventoryApp } from './support/inventory-app';
import type { TestApp } from './support/test-app';

/** Inventory: public availability. The app and helpers are shared with the other inventory specs (test/support/inventory-app.ts). */
describe('inventory', () => {
  let t: TestApp;
  const app = useInventoryApp();
  beforeAll(() => {
    ({ t } = app);
  });
  const { holdSlot, holdStock, holdUnit, release, commit } = app;

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
          { id: one.id, label: 'Van 1', model: null, seats: null, energy: null, available: one.id === free.id },
          { id: two.id, label: 'Van 2', model: null, seats: null, energy: null, available: two.id === free.id },
          { id: three.id, label: 'Van 3', model: null, seats: null, energy: null, available: false },
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
});
