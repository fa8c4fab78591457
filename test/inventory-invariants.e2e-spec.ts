import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import { InvariantsService } from '../src/inventory/invariants.service';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { createOffering, createSlot, createStock, createUnit } from './factories/inventory.factory';
import { newSku, expectError, useInventoryApp } from './support/inventory-app';
import type { TestApp } from './support/test-app';

/** Inventory: the invariant checker. The app and helpers are shared with the other inventory specs (test/support/inventory-app.ts). */
describe('inventory', () => {
  let t: TestApp;
  let admin: string;
  let user: string;
  const app = useInventoryApp();
  beforeAll(() => {
    ({ t, admin, user } = app);
  });
  const { holdSlot, holdStock, commit, failure, invariants, inRolledBackTransaction } = app;

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
});
