import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { FleetStatus, RentalUnitInfo, ReservedUnit, UnitStatus, VehicleEnergy } from './inventory.types';

/** A rental_units row as selected with UNIT_COLUMNS (shared with UnitMaintenanceRepository). */
export interface UnitRow {
  id: string;
  offering_id: string;
  label: string;
  status: UnitStatus;
  plate: string | null;
  model: string | null;
  seats: number | null;
  energy: VehicleEnergy | null;
  fleet_vehicle_id: string | null;
  fleet_status: FleetStatus;
}

interface ReservedRow extends UnitRow {
  reservation_id: string;
  reservation_item_id: string;
  state: ReservedUnit['allocationState'];
  period_start: Date;
  period_end: Date;
}

export const UNIT_COLUMNS = 'id, offering_id, label, status, plate, model, seats, energy, fleet_vehicle_id, fleet_status';
const UNIT_COLUMNS_OF_RU = UNIT_COLUMNS.split(', ')
  .map((column) => `ru.${column}`)
  .join(', ');

export const toUnit = (r: UnitRow): RentalUnitInfo => ({
  id: r.id,
  offeringId: r.offering_id,
  label: r.label,
  status: r.status,
  plate: r.plate,
  model: r.model,
  seats: r.seats,
  energy: r.energy,
  fleetVehicleId: r.fleet_vehicle_id,
  fleetStatus: r.fleet_status,
});

const toReserved = (r: ReservedRow): ReservedUnit => ({
  reservationId: r.reservation_id,
  reservationItemId: r.reservation_item_id,
  allocationState: r.state,
  start: r.period_start,
  end: r.period_end,
  unit: toUnit(r),
});

/** A new unit's fields (the vehicle ones null for units that are not vehicles). */
export type NewUnit = Omit<RentalUnitInfo, 'id' | 'fleetStatus'>;

/**
 * Rental units' rows and the units the ledger gives reservation items: reads for other
 * modules and the admin writes. (What takes and frees units is InventoryRepository's.)
 * Every method runs on the caller's transaction, if any. Ids must be UUIDs (callers check).
 */
@Injectable()
export class RentalUnitsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async find(id: string): Promise<RentalUnitInfo | null> {
    const [row] = await this.txHost.rows<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM rental_units WHERE id = $1`, [id]);
    return row ? toUnit(row) : null;
  }

  async findMany(ids: string[]): Promise<RentalUnitInfo[]> {
    const rows = await this.txHost.rows<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM rental_units WHERE id = ANY($1::uuid[])`, [ids]);
    return rows.map(toUnit);
  }

  /** Every unit of an offering, retired ones included, by label. */
  async ofOffering(offeringId: string): Promise<RentalUnitInfo[]> {
    const rows = await this.txHost.rows<UnitRow>(
      `SELECT ${UNIT_COLUMNS} FROM rental_units WHERE offering_id = $1 ORDER BY label, id`,
      [offeringId],
    );
    return rows.map(toUnit);
  }

  /**
   * Inserts a unit; null, and nothing inserted, when another unit has its fleet vehicle id
   * (the unique index decides, so two admins racing cannot both get it).
   */
  async insert(unit: NewUnit): Promise<RentalUnitInfo | null> {
    const [row] = await this.txHost.rows<UnitRow>(
      `INSERT INTO rental_units (offering_id, label, status, plate, model, seats, energy, fleet_vehicle_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (fleet_vehicle_id) DO NOTHING
       RETURNING ${UNIT_COLUMNS}`,
      [unit.offeringId, unit.label, unit.status, unit.plate, unit.model, unit.seats, unit.energy, unit.fleetVehicleId],
    );
    return row ? toUnit(row) : null;
  }

  /**
   * Sets a unit's fleet status (locking the row); the unit before and after (the same when
   * it already had that status: nothing is written), or null when there is no such unit.
   */
  async setFleetStatus(id: string, status: FleetStatus): Promise<{ before: RentalUnitInfo; after: RentalUnitInfo } | null> {
    const [before] = await this.txHost.rows<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM rental_units WHERE id = $1 FOR UPDATE`, [id]);
    if (!before) return null;
    if (before.fleet_status === status) return { before: toUnit(before), after: toUnit(before) };
    const [after] = await this.txHost.rows<UnitRow>(
      `UPDATE rental_units SET fleet_status = $2, updated_at = now() WHERE id = $1 RETURNING ${UNIT_COLUMNS}`,
      [id, status],
    );
    return { before: toUnit(before), after: toUnit(after) };
  }

  /**
   * The unit allocated to a reservation item: its live allocation, or else the latest one
   * it gave back (so a cancelled or expired booking still says which vehicle it had).
   */
  async forReservationItem(reservationItemId: string): Promise<ReservedUnit | null> {
    const [row] = await this.txHost.rows<ReservedRow>(
      `SELECT a.reservation_id, a.reservation_item_id, a.state, lower(a.period) AS period_start, upper(a.period) AS period_end,
              ${UNIT_COLUMNS_OF_RU}
         FROM allocations a JOIN rental_units ru ON ru.id = a.unit_id
        WHERE a.reservation_item_id = $1 AND a.resource_type = 'unit'
        ORDER BY a.state <> 'released' DESC, a.updated_at DESC, a.id
        LIMIT 1`,
      [reservationItemId],
    );
    return row ? toReserved(row) : null;
  }

  /** The units allocated to a reservation's items, one per item (as `forReservationItem` picks it). */
  async forReservation(reservationId: string): Promise<ReservedUnit[]> {
    const rows = await this.txHost.rows<ReservedRow>(
      `SELECT DISTINCT ON (a.reservation_item_id)
              a.reservation_id, a.reservation_item_id, a.state, lower(a.period) AS period_start, upper(a.period) AS period_end,
              ${UNIT_COLUMNS_OF_RU}
         FROM allocations a JOIN rental_units ru ON ru.id = a.unit_id
        WHERE a.reservation_id = $1 AND a.resource_type = 'unit'
        ORDER BY a.reservation_item_id, a.state <> 'released' DESC, a.updated_at DESC, a.id`,
      [reservationId],
    );
    return rows.map(toReserved);
  }

  /** `forReservation` for many reservations in ONE query (by `idx_allocations_reservation`). */
  async forReservations(reservationIds: string[]): Promise<ReservedUnit[]> {
    const rows = await this.txHost.rows<ReservedRow>(
      `SELECT DISTINCT ON (a.reservation_item_id)
              a.reservation_id, a.reservation_item_id, a.state, lower(a.period) AS period_start, upper(a.period) AS period_end,
              ${UNIT_COLUMNS_OF_RU}
         FROM allocations a JOIN rental_units ru ON ru.id = a.unit_id
        WHERE a.reservation_id = ANY($1::uuid[]) AND a.resource_type = 'unit'
        ORDER BY a.reservation_item_id, a.state <> 'released' DESC, a.updated_at DESC, a.id`,
      [reservationIds],
    );
    return rows.map(toReserved);
  }
}
