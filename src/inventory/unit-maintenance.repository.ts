import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { RentalUnitInfo, UnitAllocation } from './inventory.types';
import { toUnit, UNIT_COLUMNS, type UnitRow } from './rental-units.repository';
import { unitLockKey } from './inventory.repository';

const ALLOCATION_COLUMNS = `id, purpose, reservation_id AS "reservationId", reservation_item_id AS "reservationItemId", unit_id AS "unitId",
  state, maintenance_id AS "maintenanceId", lower(period) AS "start", upper(period) AS "end"`;

/**
 * The SQL of maintenance blocks (DESIGN.md section 12, invariant 7): the fleet's
 * `maintenance` allocations, and moving or displacing the bookings they land on. Every
 * method runs on the caller's transaction; the caller holds the offering's unit lock
 * (`lockOffering`, the same advisory lock every unit hold takes) while it changes units.
 */
@Injectable()
export class UnitMaintenanceRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async unitByFleetId(fleetVehicleId: string): Promise<RentalUnitInfo | null> {
    const [row] = await this.txHost.rows<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM rental_units WHERE fleet_vehicle_id = $1`, [
      fleetVehicleId,
    ]);
    return row ? toUnit(row) : null;
  }

  /** Waits for the offering's unit lock (released at the end of the transaction): holds on its units wait meanwhile. */
  async lockOffering(offeringId: string): Promise<void> {
    const [classId, objectId] = unitLockKey(offeringId);
    await this.txHost.rows(`SELECT pg_advisory_xact_lock($1::int, $2::int)::text AS locked`, [classId, objectId]);
  }

  /** Live allocations of a unit overlapping `[start, end)`, by id; `lock` locks them. */
  async liveOverlapping(unitId: string, start: Date, end: Date, lock: boolean): Promise<UnitAllocation[]> {
    return this.txHost.rows<UnitAllocation>(
      `SELECT ${ALLOCATION_COLUMNS} FROM allocations
        WHERE unit_id = $1 AND resource_type = 'unit' AND state <> 'released' AND period && tstzrange($2, $3, '[)')
        ORDER BY id ${lock ? 'FOR UPDATE' : ''}`,
      [unitId, start, end],
    );
  }

  /** The live block of a maintenance id, locked, or null. */
  async liveBlock(maintenanceId: string): Promise<UnitAllocation | null> {
    const [row] = await this.txHost.rows<UnitAllocation>(
      `SELECT ${ALLOCATION_COLUMNS} FROM allocations WHERE maintenance_id = $1 AND state <> 'released' FOR UPDATE`,
      [maintenanceId],
    );
    return row ?? null;
  }

  /**
   * Moves a booking's live allocation to the first free unit of the same offering (by id,
   * as holds pick): admin status `available`, fleet status neither `maintenance` nor
   * `out_of_service`, no live allocation overlapping. The new unit, or null when none is free.
   */
  async moveToFreeUnit(allocationId: string, offeringId: string): Promise<RentalUnitInfo | null> {
    const [row] = await this.txHost.rows<UnitRow>(
      `WITH moving AS (SELECT id, unit_id, period FROM allocations WHERE id = $1 AND state <> 'released'),
       pick AS (
         SELECT ru.id FROM rental_units ru, moving
          WHERE ru.offering_id = $2 AND ru.id <> moving.unit_id
            AND ru.status = 'available' AND ru.fleet_status NOT IN ('maintenance', 'out_of_service')
            AND NOT EXISTS (SELECT 1 FROM allocations a
                             WHERE a.unit_id = ru.id AND a.resource_type = 'unit' AND a.state <> 'released' AND a.period && moving.period)
          ORDER BY ru.id
          LIMIT 1),
       moved AS (
         UPDATE allocations SET unit_id = pick.id, updated_at = now() FROM pick WHERE allocations.id = $1 RETURNING allocations.unit_id)
       SELECT ${UNIT_COLUMNS} FROM rental_units WHERE id = (SELECT unit_id FROM moved)`,
      [allocationId, offeringId],
    );
    return row ? toUnit(row) : null;
  }

  /** Releases live allocations with a reason (`displaced` bookings, `cancelled` or `superseded` blocks); how many. */
  async release(allocationIds: string[], reason: 'displaced' | 'cancelled' | 'superseded'): Promise<number> {
    if (allocationIds.length === 0) return 0;
    const rows = await this.txHost.rows(
      `UPDATE allocations SET state = 'released', release_reason = $2, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND state <> 'released' RETURNING id`,
      [allocationIds, reason],
    );
    return rows.length;
  }

  /**
   * Inserts a maintenance block; its id, or null when a live booking overlaps (a hold that
   * committed in between: the exclusion constraint refuses it, and the caller clears the
   * unit again). `ON CONFLICT DO NOTHING` keeps the transaction alive for that retry.
   */
  async insertBlock(
    unitId: string,
    maintenanceId: string,
    start: Date,
    end: Date,
    reason: string | null,
  ): Promise<string | null> {
    const [row] = await this.txHost.rows<{ id: string }>(
      `INSERT INTO allocations (id, purpose, maintenance_id, reason, resource_type, unit_id, quantity, period, state)
       VALUES ($1, 'maintenance', $2, $3, 'unit', $4, 1, tstzrange($5, $6, '[)'), 'committed')
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [randomUUID(), maintenanceId, reason, unitId, start, end],
    );
    return row?.id ?? null;
  }

  /** Live maintenance blocks of a unit, by start. */
  async blocksOf(unitId: string): Promise<UnitAllocation[]> {
    return this.txHost.rows<UnitAllocation>(
      `SELECT ${ALLOCATION_COLUMNS} FROM allocations
        WHERE unit_id = $1 AND resource_type = 'unit' AND purpose = 'maintenance' AND state <> 'released' ORDER BY lower(period), id`,
      [unitId],
    );
  }
}
