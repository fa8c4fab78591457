import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SqlParams, TransactionHost } from '@holdfast/database';
import type { SlotInfo, SlotTake, StockInfo } from './inventory.types';

interface SlotRow {
  id: string;
  offering_id: string;
  starts_at: Date;
  ends_at: Date;
  capacity: number;
  held: number;
  booked: number;
  status: SlotInfo['status'];
}

interface ReleasedRow {
  prev_state: 'held' | 'committed';
  resource_type: 'slot' | 'sku' | 'unit';
  time_slot_id: string | null;
  stock_item_id: string | null;
  quantity: number;
}

const toSlot = (r: SlotRow): SlotInfo => ({
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
 * Pure: the text depends only on which of `startsAt`, `offeringId` and `guards` are given.
 */
export function slotTakeCtes(p: SqlParams, take: SlotTake): string {
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
       WHERE ${conditions.join('\n         AND ')}
       RETURNING id),
    inv_allocation AS (
      INSERT INTO allocations (id, reservation_id, reservation_item_id, resource_type, time_slot_id, quantity, state)
      SELECT ${p.add(take.allocationId, 'uuid')}, ${p.add(take.reservationId, 'uuid')}, ${p.add(take.itemId, 'uuid')}, 'slot', inv_taken.id, ${quantity}, 'held'
        FROM inv_taken
      RETURNING id)`;
}

/** The release of many reservations' places as CTEs, and what the statement must select of them (see `releaseCtes`). */
export interface ReleaseCtes {
  /** The CTEs, to follow the caller's own after a comma. */
  ctes: string;
  /** A select-list item, `"imsReservationIds"`: the IMS reservations released (text[]), to give back at the IMS after commit. */
  select: string;
}

/**
 * `releaseFor` for a bigger statement (the sweep's one-statement batch): CTEs that release
 * every live allocation, and every held IMS item, of the reservations a CTE of the
 * caller's returns (`reservations`, with an `id` column), and give their places back.
 * Nothing starts before the caller's `after` conditions have been evaluated (give them a
 * subquery on your own writing CTEs to run those first); then, one after the other, each
 * gated on the one before: the IMS items (`inv_external`); the allocations, locked in id
 * order (`inv_live`, `inv_released`); the time slots' counters, the rows locked in id
 * order first (`inv_slots_locked`, `inv_slots`); then the stock items' the same way
 * (`inv_stock`): the global lock order of `adjustCounters`, and the counter rows (the ones
 * new holds take) are locked last, until the statement commits. A locking SELECT in a CTE
 * is never folded into its reader, and a later update of a row it locked reads the row's
 * latest version (READ COMMITTED), so counters others changed meanwhile add up.
 * Pure: the text depends only on the names and conditions given.
 */
export function releaseCtes({ reservations, after = [] }: { reservations: string; after?: string[] }): ReleaseCtes {
  const gate = (conditions: string[]) => conditions.map((c) => `\n         AND ${c}`).join('');
  /** The counters of one table, given the ledger column that names its rows. */
  const counters = (name: 'slots' | 'stock', table: string, idColumn: string, doneColumn: string, afterCte: string | null) => `
    inv_${name}_deltas AS (
      SELECT ${idColumn} AS id,
             -COALESCE(sum(quantity) FILTER (WHERE prev_state = 'held'), 0)::int AS held,
             -COALESCE(sum(quantity) FILTER (WHERE prev_state = 'committed'), 0)::int AS done
        FROM inv_released WHERE ${idColumn} IS NOT NULL GROUP BY ${idColumn}),
    inv_${name}_locked AS (
      SELECT t.id, d.held, d.done FROM ${table} t JOIN inv_${name}_deltas d ON d.id = t.id${
        afterCte ? `\n       WHERE (SELECT count(*) FROM ${afterCte}) >= 0` : ''
      }
       ORDER BY t.id
         FOR UPDATE OF t),
    inv_${name} AS (
      UPDATE ${table} t SET held = t.held + l.held, ${doneColumn} = t.${doneColumn} + l.done, updated_at = now()
        FROM inv_${name}_locked l
       WHERE t.id = l.id
      RETURNING t.id)`;
  const ctes = `inv_external AS (
      UPDATE external_allocations SET status = 'released', updated_at = now()
       WHERE reservation_id IN (SELECT id FROM ${reservations}) AND status = 'held'${gate(after)}
      RETURNING ims_reservation_id),
    inv_live AS (
      SELECT a.id, a.state FROM allocations a
       WHERE a.reservation_id IN (SELECT id FROM ${reservations}) AND a.state <> 'released'
         AND (SELECT count(*) FROM inv_external) >= 0
       ORDER BY a.id
         FOR UPDATE),
    inv_released AS (
      UPDATE allocations a SET state = 'released', updated_at = now()
        FROM inv_live l WHERE a.id = l.id
      RETURNING l.state AS prev_state, a.time_slot_id, a.stock_item_id, a.quantity),${counters('slots', 'time_slots', 'time_slot_id', 'booked', null)},${counters('stock', 'stock_items', 'stock_item_id', 'sold', 'inv_slots')}`;
  return {
    ctes,
    select: `(SELECT COALESCE(array_agg(ims_reservation_id), '{}') FROM inv_external) AS "imsReservationIds"`,
  };
}

/** The advisory lock class of rental offerings ('RENT'); the two-int lock space is apart from the one-bigint one. */
const UNIT_LOCK_CLASS = 0x52454e54;

/**
 * The advisory lock that serialises takers of one rental offering's units: its class and
 * the first 32 bits of the offering's id (random in a v4 UUID; two offerings that share
 * them only queue together, which is harmless).
 */
export function unitLockKey(offeringId: string): [number, number] {
  return [UNIT_LOCK_CLASS, Number.parseInt(offeringId.replace(/-/g, '').slice(0, 8), 16) | 0];
}

/**
 * The SQL that moves capacity. Every change is a conditional update (never read, then
 * write) paired with its ledger row in the same statement, and counters are locked in
 * one global order (time slots, then stock items, each by id, then rental offerings'
 * advisory locks by offering id) so carts never deadlock.
 * All methods run on the caller's transaction (`txHost.manager`).
 */
@Injectable()
export class InventoryRepository {
  constructor(private readonly txHost: TransactionHost) {}

  private query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.txHost.rows<T>(sql, params);
  }

  async findSlot(id: string): Promise<SlotInfo | null> {
    const rows = await this.query<SlotRow>(
      `SELECT id, offering_id, starts_at, ends_at, capacity, held, booked, status FROM time_slots WHERE id = $1`,
      [id],
    );
    return rows[0] ? toSlot(rows[0]) : null;
  }

  /** These time slots as they are now; ids that name none are left out. */
  async findSlots(ids: string[]): Promise<SlotInfo[]> {
    const rows = await this.query<SlotRow>(
      `SELECT id, offering_id, starts_at, ends_at, capacity, held, booked, status FROM time_slots WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(toSlot);
  }

  async findStockBySku(sku: string): Promise<StockInfo | null> {
    const rows = await this.query<{ id: string; offering_id: string; sku: string; on_hand: number; held: number; sold: number }>(
      `SELECT id, offering_id, sku, on_hand, held, sold FROM stock_items WHERE sku = $1`,
      [sku],
    );
    const r = rows[0];
    return r ? { id: r.id, offeringId: r.offering_id, sku: r.sku, onHand: r.on_hand, held: r.held, sold: r.sold } : null;
  }

  /** Takes `quantity` places of an open, future slot and records the allocation; false if too few are left. */
  async takeSlot(slotId: string, quantity: number, reservationId: string, itemId: string): Promise<boolean> {
    const p = new SqlParams();
    const rows = await this.query<{ id: string }>(
      `WITH ${slotTakeCtes(p, { slotId, quantity, reservationId, itemId, allocationId: randomUUID() })} SELECT id FROM inv_allocation`,
      p.values,
    );
    return rows.length === 1;
  }

  /** Takes `quantity` units of a SKU and records the allocation; false if too few are left. */
  async takeStock(stockItemId: string, quantity: number, reservationId: string, itemId: string): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      `WITH taken AS (
         UPDATE stock_items SET held = held + $2, updated_at = now()
          WHERE id = $1 AND on_hand - held - sold >= $2
          RETURNING id)
       INSERT INTO allocations (id, reservation_id, reservation_item_id, resource_type, stock_item_id, quantity, state)
       SELECT $3, $4, $5, 'sku', taken.id, $2, 'held' FROM taken
       RETURNING id`,
      [stockItemId, quantity, randomUUID(), reservationId, itemId],
    );
    return rows.length === 1;
  }

  /**
   * Allocates a free unit of a rental offering for `[start, end)`; null if none is free.
   * A unit is a candidate when our admin status is `available` and the fleet's status is
   * neither `maintenance` nor `out_of_service` (DESIGN.md section 12); `in_use` (being
   * driven now) is held for dates its live allocations leave free.
   *
   * Takers of one offering's units are serialised by a transaction-level advisory lock
   * on the offering (see `unitLockKey`), taken BEFORE anything is inserted, so no insert
   * ever waits inside the exclusion check on another transaction's overlapping row. (Two
   * holds inserting overlapping ranges at once used to wait on each other there:
   * deadlocks, and chains of transactions holding pooled connections, each behind the
   * one before.) The caller takes resources in the global order (slots, SKUs, then
   * rental offerings by id), so the locks of a cart never deadlock either.
   *
   * 1. Without the lock, one query: is any unit plainly free (no live allocation
   *    overlaps, as committed)? If none is, null at once: no waiting behind the lock
   *    holder to learn what is already known. If one may be, the same statement takes
   *    the lock (and waits for it).
   * 2. Under the lock, a fresh statement (READ COMMITTED: it sees every earlier holder's
   *    commit) picks the first free unit by id and inserts its allocation. The exclusion
   *    constraint stays the backstop: `ON CONFLICT DO NOTHING` turns a clash with a writer
   *    that bypassed the lock into "try the next unit" instead of an aborted transaction.
   *
   * Every lookup of a unit's allocations names `resource_type = 'unit'`: the unit
   * exclusion constraints' GiST indexes are partial on it, and without it PostgreSQL
   * cannot use them and scans every allocation of every slot and SKU instead (9 ms per
   * lookup at 40,000 slot allocations against 0.05 ms; issue 16's rentals phase ran at
   * 13 holds/s with 133 ms of PostgreSQL CPU per hold).
   */
  async takeUnit(offeringId: string, start: Date, end: Date, reservationId: string, itemId: string): Promise<string | null> {
    const [classId, objectId] = unitLockKey(offeringId);
    const locked = await this.query<{ locked: string }>(
      `WITH maybe_free AS (
         SELECT 1 FROM rental_units ru
          WHERE ru.offering_id = $1 AND ru.status = 'available' AND ru.fleet_status NOT IN ('maintenance', 'out_of_service')
            AND NOT EXISTS (SELECT 1 FROM allocations a
                             WHERE a.unit_id = ru.id AND a.resource_type = 'unit' AND a.state <> 'released' AND a.period && tstzrange($2, $3, '[)'))
          LIMIT 1)
       SELECT pg_advisory_xact_lock($4::int, $5::int)::text AS locked FROM maybe_free`,
      [offeringId, start, end, classId, objectId],
    );
    if (locked.length === 0) return null;
    let after: string | null = null;
    for (;;) {
      const [row]: { picked: string | null; taken: string | null }[] = await this.query(
        `WITH pick AS (
           SELECT ru.id FROM rental_units ru
            WHERE ru.offering_id = $1 AND ru.status = 'available' AND ru.fleet_status NOT IN ('maintenance', 'out_of_service')
              AND ($4::uuid IS NULL OR ru.id > $4::uuid)
              AND NOT EXISTS (SELECT 1 FROM allocations a
                               WHERE a.unit_id = ru.id AND a.resource_type = 'unit' AND a.state <> 'released' AND a.period && tstzrange($2, $3, '[)'))
            ORDER BY ru.id
            LIMIT 1),
         taken AS (
           INSERT INTO allocations (id, reservation_id, reservation_item_id, resource_type, unit_id, quantity, period, state)
           SELECT $5, $6, $7, 'unit', pick.id, 1, tstzrange($2, $3, '[)'), 'held' FROM pick
           ON CONFLICT DO NOTHING
           RETURNING unit_id)
         SELECT (SELECT id FROM pick) AS picked, (SELECT unit_id FROM taken) AS taken`,
        [offeringId, start, end, after, randomUUID(), reservationId, itemId],
      );
      if (row.taken) return row.taken;
      if (!row.picked) return null;
      after = row.picked;
    }
  }

  /**
   * Releases every live allocation of these reservations and gives their places back
   * (held ones to `held`, committed ones to `booked`/`sold`). Returns how many rows it released.
   */
  async releaseFor(reservationIds: string[]): Promise<number> {
    if (reservationIds.length === 0) return 0;
    const released = await this.query<ReleasedRow>(
      `WITH live AS (
         SELECT id, state FROM allocations
          WHERE reservation_id = ANY($1::uuid[]) AND state <> 'released'
          ORDER BY id
          FOR UPDATE)
       UPDATE allocations a SET state = 'released', updated_at = now()
         FROM live WHERE a.id = live.id
       RETURNING live.state AS prev_state, a.resource_type, a.time_slot_id, a.stock_item_id, a.quantity`,
      [reservationIds],
    );
    await this.adjustCounters(released, 'release');
    return released.length;
  }

  /** Turns every held allocation of a reservation into a committed one (held -> booked/sold). */
  async commitFor(reservationId: string): Promise<number> {
    const committed = await this.query<ReleasedRow>(
      `WITH live AS (
         SELECT id FROM allocations WHERE reservation_id = $1 AND state = 'held' ORDER BY id FOR UPDATE)
       UPDATE allocations a SET state = 'committed', updated_at = now()
         FROM live WHERE a.id = live.id
       RETURNING 'held'::text AS prev_state, a.resource_type, a.time_slot_id, a.stock_item_id, a.quantity`,
      [reservationId],
    );
    await this.adjustCounters(committed, 'commit');
    return committed.length;
  }

  /** Applies ledger changes to the counters, locking rows in the global order first. */
  private async adjustCounters(rows: ReleasedRow[], mode: 'release' | 'commit'): Promise<void> {
    const slots = new Map<string, { held: number; done: number }>();
    const stock = new Map<string, { held: number; done: number }>();
    for (const row of rows) {
      const id = row.time_slot_id ?? row.stock_item_id;
      if (!id) continue; // rental units have no counters
      const target = row.time_slot_id ? slots : stock;
      const delta = target.get(id) ?? { held: 0, done: 0 };
      if (row.prev_state === 'held') {
        delta.held -= row.quantity;
        if (mode === 'commit') delta.done += row.quantity;
      } else {
        delta.done -= row.quantity;
      }
      target.set(id, delta);
    }
    await this.applyDeltas('time_slots', 'booked', slots);
    await this.applyDeltas('stock_items', 'sold', stock);
  }

  private async applyDeltas(
    table: 'time_slots' | 'stock_items',
    doneColumn: 'booked' | 'sold',
    deltas: Map<string, { held: number; done: number }>,
  ) {
    if (deltas.size === 0) return;
    const ids = [...deltas.keys()].sort();
    // Lock first, in id order, as its own statement: an UPDATE ... FROM locks rows in
    // whatever order its plan visits them.
    await this.query(`SELECT id FROM ${table} WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
    await this.query(
      `UPDATE ${table} t SET held = t.held + d.held, ${doneColumn} = t.${doneColumn} + d.done, updated_at = now()
         FROM unnest($1::uuid[], $2::int[], $3::int[]) AS d(id, held, done)
        WHERE t.id = d.id`,
      [ids, ids.map((id) => deltas.get(id)!.held), ids.map((id) => deltas.get(id)!.done)],
    );
  }

  /** Reservations with held (not committed) allocations on a resource: candidates for reclaiming. */
  async holdersOn(resource: {
    slotId?: string;
    stockItemId?: string;
    offeringId?: string;
    start?: Date;
    end?: Date;
  }): Promise<string[]> {
    let rows: { reservation_id: string }[];
    if (resource.slotId) {
      rows = await this.query(`SELECT DISTINCT reservation_id FROM allocations WHERE time_slot_id = $1 AND state = 'held'`, [
        resource.slotId,
      ]);
    } else if (resource.stockItemId) {
      rows = await this.query(`SELECT DISTINCT reservation_id FROM allocations WHERE stock_item_id = $1 AND state = 'held'`, [
        resource.stockItemId,
      ]);
    } else {
      rows = await this.query(
        `SELECT DISTINCT a.reservation_id FROM allocations a JOIN rental_units ru ON ru.id = a.unit_id
          WHERE ru.offering_id = $1 AND a.resource_type = 'unit' AND a.state = 'held' AND a.period && tstzrange($2, $3, '[)')`,
        [resource.offeringId, resource.start, resource.end],
      );
    }
    return rows.map((r) => r.reservation_id);
  }
}
