var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SqlParams, TransactionHost, sqlState } from '../../libs/database/src/index.js';
const toSlot = (r) => ({
    id: r.id,
    offeringId: r.offering_id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    capacity: r.capacity,
    held: r.held,
    booked: r.booked,
    status: r.status,
});
/**
 * The guarded update that takes places of a slot and its ledger row, as two CTEs for a
 * bigger statement: `inv_taken` (the slot's id, when taken) and `inv_allocation` (the
 * ledger row's id). The update takes the places only if the slot is open, in the future
 * and has enough left, plus the caller's `guards` and `startsAt` expectation; otherwise
 * both CTEs are empty, and the caller's writes that select FROM `inv_taken` do nothing.
 */
export function slotTakeCtes(p, take) {
    const slot = p.add(take.slotId, 'uuid');
    const quantity = p.add(take.quantity, 'int');
    const conditions = [
        `id = ${slot}`,
        `status = 'open'`,
        `starts_at > now()`,
        `capacity - held - booked >= ${quantity}`,
        // A JavaScript Date holds milliseconds; the column holds microseconds (node-postgres truncates).
        ...(take.startsAt ? [`date_trunc('milliseconds', starts_at) = ${p.add(take.startsAt, 'timestamptz')}`] : []),
        ...(take.offeringId ? [`offering_id = ${p.add(take.offeringId, 'uuid')}`] : []),
        ...(take.guards ?? []),
    ];
    return `inv_taken AS (
      UPDATE time_slots SET held = held + ${quantity}, updated_at = now()
       WHERE ${conditions.join(' AND ')}
       RETURNING id),
    inv_allocation AS (
      INSERT INTO allocations (id, reservation_id, reservation_item_id, resource_type, time_slot_id, quantity, state)
      SELECT ${p.add(randomUUID(), 'uuid')}, ${p.add(take.reservationId, 'uuid')}, ${p.add(take.itemId, 'uuid')}, 'slot', inv_taken.id, ${quantity}, 'held'
        FROM inv_taken
      RETURNING id)`;
}
/**
 * The SQL that moves capacity. Every change is a conditional update (never read, then
 * write) paired with its ledger row in the same statement, and counters are locked in
 * one global order (time slots, then stock items, each by id) so carts never deadlock.
 * All methods run on the caller's transaction (`txHost.manager`).
 */
let InventoryRepository = class InventoryRepository {
    constructor(txHost) {
        this.txHost = txHost;
    }
    query(sql, params) {
        return this.txHost.rows(sql, params);
    }
    mutate(sql, params) {
        return this.txHost.returning(sql, params);
    }
    async findSlot(id) {
        const rows = await this.query(`SELECT id, offering_id, starts_at, ends_at, capacity, held, booked, status FROM time_slots WHERE id = $1`, [id]);
        return rows[0] ? toSlot(rows[0]) : null;
    }
    async findStockBySku(sku) {
        const rows = await this.query(`SELECT id, offering_id, sku, on_hand, held, sold FROM stock_items WHERE sku = $1`, [sku]);
        const r = rows[0];
        return r ? { id: r.id, offeringId: r.offering_id, sku: r.sku, onHand: r.on_hand, held: r.held, sold: r.sold } : null;
    }
    /** Takes `quantity` places of an open, future slot and records the allocation; false if too few are left. */
    async takeSlot(slotId, quantity, reservationId, itemId) {
        const p = new SqlParams();
        const rows = await this.query(`WITH ${slotTakeCtes(p, { slotId, quantity, reservationId, itemId })} SELECT id FROM inv_allocation`, p.values);
        return rows.length === 1;
    }
    /** Takes `quantity` units of a SKU and records the allocation; false if too few are left. */
    async takeStock(stockItemId, quantity, reservationId, itemId) {
        const rows = await this.query(`WITH taken AS (
         UPDATE stock_items SET held = held + $2, updated_at = now()
          WHERE id = $1 AND on_hand - held - sold >= $2
          RETURNING id)
       INSERT INTO allocations (id, reservation_id, reservation_item_id, resource_type, stock_item_id, quantity, state)
       SELECT $3, $4, $5, 'sku', taken.id, $2, 'held' FROM taken
       RETURNING id`, [stockItemId, quantity, randomUUID(), reservationId, itemId]);
        return rows.length === 1;
    }
    /**
     * Allocates a free unit of a rental offering for `[start, end)`; null if none is free.
     * Each candidate is tried inside a savepoint, and the exclusion constraint on
     * allocations decides: an overlapping live allocation (even one a concurrent
     * transaction has not committed yet, which the insert waits for) makes the insert fail
     * with 23P01, and the next candidate is tried. So two holds never share a unit, and a
     * unit being booked for other dates is never mistaken for a busy one.
     */
    async takeUnit(offeringId, start, end, reservationId, itemId) {
        const candidates = await this.query(`SELECT ru.id FROM rental_units ru
        WHERE ru.offering_id = $1 AND ru.status = 'available'
          AND NOT EXISTS (SELECT 1 FROM allocations a
                           WHERE a.unit_id = ru.id AND a.state <> 'released' AND a.period && tstzrange($2, $3, '[)'))
        ORDER BY ru.id`, [offeringId, start, end]);
        for (const { id: unitId } of candidates) {
            await this.query('SAVEPOINT take_unit', []);
            try {
                await this.query(`INSERT INTO allocations (id, reservation_id, reservation_item_id, resource_type, unit_id, quantity, period, state)
           VALUES ($1, $2, $3, 'unit', $4, 1, tstzrange($5, $6, '[)'), 'held')`, [randomUUID(), reservationId, itemId, unitId, start, end]);
                await this.query('RELEASE SAVEPOINT take_unit', []);
                return unitId;
            }
            catch (error) {
                await this.query('ROLLBACK TO SAVEPOINT take_unit', []);
                if (sqlState(error) !== '23P01')
                    throw error;
            }
        }
        return null;
    }
    /**
     * Releases every live allocation of these reservations and gives their places back
     * (held ones to `held`, committed ones to `booked`/`sold`). Returns how many rows it released.
     */
    async releaseFor(reservationIds) {
        if (reservationIds.length === 0)
            return 0;
        const released = await this.mutate(`WITH live AS (
         SELECT id, state FROM allocations
          WHERE reservation_id = ANY($1::uuid[]) AND state <> 'released'
          ORDER BY id
          FOR UPDATE)
       UPDATE allocations a SET state = 'released', updated_at = now()
         FROM live WHERE a.id = live.id
       RETURNING live.state AS prev_state, a.resource_type, a.time_slot_id, a.stock_item_id, a.quantity`, [reservationIds]);
        await this.adjustCounters(released, 'release');
        return released.length;
    }
    /** Turns every held allocation of a reservation into a committed one (held -> booked/sold). */
    async commitFor(reservationId) {
        const committed = await this.mutate(`WITH live AS (
         SELECT id FROM allocations WHERE reservation_id = $1 AND state = 'held' ORDER BY id FOR UPDATE)
       UPDATE allocations a SET state = 'committed', updated_at = now()
         FROM live WHERE a.id = live.id
       RETURNING 'held'::text AS prev_state, a.resource_type, a.time_slot_id, a.stock_item_id, a.quantity`, [reservationId]);
        await this.adjustCounters(committed, 'commit');
        return committed.length;
    }
    /** Applies ledger changes to the counters, locking rows in the global order first. */
    async adjustCounters(rows, mode) {
        const slots = new Map();
        const stock = new Map();
        for (const row of rows) {
            const id = row.time_slot_id ?? row.stock_item_id;
            if (!id)
                continue; // rental units have no counters
            const target = row.time_slot_id ? slots : stock;
            const delta = target.get(id) ?? { held: 0, done: 0 };
            if (row.prev_state === 'held') {
                delta.held -= row.quantity;
                if (mode === 'commit')
                    delta.done += row.quantity;
            }
            else {
                delta.done -= row.quantity;
            }
            target.set(id, delta);
        }
        await this.applyDeltas('time_slots', 'booked', slots);
        await this.applyDeltas('stock_items', 'sold', stock);
    }
    async applyDeltas(table, doneColumn, deltas) {
        if (deltas.size === 0)
            return;
        const ids = [...deltas.keys()].sort();
        // Lock first, in id order, as its own statement: an UPDATE ... FROM locks rows in
        // whatever order its plan visits them.
        await this.query(`SELECT id FROM ${table} WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
        await this.query(`UPDATE ${table} t SET held = t.held + d.held, ${doneColumn} = t.${doneColumn} + d.done, updated_at = now()
         FROM unnest($1::uuid[], $2::int[], $3::int[]) AS d(id, held, done)
        WHERE t.id = d.id`, [ids, ids.map((id) => deltas.get(id).held), ids.map((id) => deltas.get(id).done)]);
    }
    /** Reservations with held (not committed) allocations on a resource: candidates for reclaiming. */
    async holdersOn(resource) {
        let rows;
        if (resource.slotId) {
            rows = await this.query(`SELECT DISTINCT reservation_id FROM allocations WHERE time_slot_id = $1 AND state = 'held'`, [
                resource.slotId,
            ]);
        }
        else if (resource.stockItemId) {
            rows = await this.query(`SELECT DISTINCT reservation_id FROM allocations WHERE stock_item_id = $1 AND state = 'held'`, [
                resource.stockItemId,
            ]);
        }
        else {
            rows = await this.query(`SELECT DISTINCT a.reservation_id FROM allocations a JOIN rental_units ru ON ru.id = a.unit_id
          WHERE ru.offering_id = $1 AND a.state = 'held' AND a.period && tstzrange($2, $3, '[)')`, [resource.offeringId, resource.start, resource.end]);
        }
        return rows.map((r) => r.reservation_id);
    }
};
InventoryRepository = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [TransactionHost])
], InventoryRepository);
export { InventoryRepository };
//# sourceMappingURL=inventory.repository.js.map