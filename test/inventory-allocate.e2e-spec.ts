import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@holdfast/errors';
import type { InventoryService } from '../src/inventory/inventory.service';
import { createOffering, createSlot, createStock, createUnit } from './factories/inventory.factory';
import { HOUR_MS, newSku, useInventoryApp } from './support/inventory-app';
import type { TestApp } from './support/test-app';

/** Inventory: InventoryService.allocate. The app and helpers are shared with the other inventory specs (test/support/inventory-app.ts). */
describe('inventory', () => {
  let t: TestApp;
  let inventory: InventoryService;
  const app = useInventoryApp();
  beforeAll(() => {
    ({ t, inventory } = app);
  });
  const { allocate, holdSlot, holdUnit, release, commit, failure, slotCounters, stockCounters, liveAllocations, invariants } =
    app;

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
