import { Injectable } from '@nestjs/common';
import { AuditService } from '@holdfast/audit';
import { Transactional, TransactionHost } from '@holdfast/database';
import { AppError, type ErrorDetail } from '@holdfast/errors';
import { CatalogService } from '../catalog/catalog.service';
import type { CreateRentalUnitDto, RentalUnitDto } from './dto/rental-unit.dto';
import type { StockItemDto, StockLineDto } from './dto/stock.dto';
import type { CreateTimeSlotDto, TimeSlotDto, UpdateTimeSlotDto } from './dto/time-slot.dto';
import { findOfferingKind, isUuid, type OfferingKind } from './offering-kind';
import { InventoryService } from './inventory.service';
import type { FleetStatus } from './inventory.types';
import { RentalUnitsRepository } from './rental-units.repository';
import type { SlotStatus } from './time-slot.entity';

interface SlotRow {
  id: string;
  offering_id: string;
  starts_at: Date;
  ends_at: Date;
  capacity: number;
  held: number;
  booked: number;
  status: SlotStatus;
}

interface StockRow {
  id: string;
  sku: string;
  on_hand: number;
  held: number;
  sold: number;
}

const SLOT_COLUMNS = 'id, offering_id, starts_at, ends_at, capacity, held, booked, status';
/** Attempts at a slot update whose condition failed but whose diagnosis found nothing wrong (a concurrent change). */
const SLOT_UPDATE_ATTEMPTS = 3;

const toSlot = (r: SlotRow): TimeSlotDto => ({
  id: r.id,
  offeringId: r.offering_id,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  capacity: r.capacity,
  held: r.held,
  booked: r.booked,
  placesLeft: r.capacity - r.held - r.booked,
  status: r.status,
});

const toStock = (r: StockRow): StockItemDto => ({
  id: r.id,
  sku: r.sku,
  onHand: r.on_hand,
  held: r.held,
  sold: r.sold,
  available: r.on_hand - r.held - r.sold,
});

function invalid(message: string, details?: ErrorDetail[]): AppError {
  return new AppError('VALIDATION_FAILED', message, details);
}

/**
 * What admins change in inventory: time slots and their capacity, stock levels by SKU,
 * rental units. Capacity and stock never drop below what is already held or sold: each
 * such change is one conditional UPDATE, so it cannot race a hold taking places.
 */
@Injectable()
export class InventoryAdminService {
  constructor(
    readonly txHost: TransactionHost,
    private readonly inventory: InventoryService,
    private readonly catalog: CatalogService,
    private readonly audit: AuditService,
    private readonly units: RentalUnitsRepository,
  ) {}

  private query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.txHost.rows<T>(sql, params);
  }

  /** The offering's kind, after checking it exists (404 NOT_FOUND) and is `kind` (400 VALIDATION_FAILED). */
  private async requireOffering(offeringId: string, kind: OfferingKind, what: string): Promise<void> {
    const actual = await findOfferingKind(this.catalog, offeringId);
    if (!actual) throw new AppError('NOT_FOUND', 'Offering not found');
    if (actual !== kind) {
      throw invalid(`Only ${kind} offerings have ${what}; this offering is a ${actual}`);
    }
  }

  /**
   * Adds a time slot to an experience. Audited (`time_slot` / `create`) by `actor`.
   *
   * @throws AppError NOT_FOUND (no such offering), VALIDATION_FAILED (not an experience, end not after start)
   */
  @Transactional()
  async createSlot(offeringId: string, body: CreateTimeSlotDto, actor: string): Promise<TimeSlotDto> {
    const startsAt = new Date(body.startsAt);
    const endsAt = new Date(body.endsAt);
    if (endsAt <= startsAt) {
      throw invalid('The slot must end after it starts', [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
    }
    await this.requireOffering(offeringId, 'experience', 'time slots');
    const [row] = await this.query<SlotRow>(
      `INSERT INTO time_slots (offering_id, starts_at, ends_at, capacity) VALUES ($1, $2, $3, $4) RETURNING ${SLOT_COLUMNS}`,
      [offeringId, startsAt, endsAt, body.capacity],
    );
    const slot = toSlot(row);
    await this.audit.record({ actor, recordType: 'time_slot', recordId: slot.id, action: 'create', after: slot });
    return slot;
  }

  /**
   * Changes a slot's capacity, status or times. The capacity is checked against the
   * places held and booked in the same UPDATE that sets it (the row lock makes a
   * concurrent hold wait or fail), never read first and written after. Audited
   * (`time_slot` / `update`, before and after) by `actor`.
   *
   * @throws AppError TIME_SLOT_NOT_FOUND, VALIDATION_FAILED (capacity below held + booked, end not after start)
   */
  @Transactional()
  async updateSlot(slotId: string, body: UpdateTimeSlotDto, actor: string): Promise<TimeSlotDto> {
    if (!isUuid(slotId)) throw new AppError('TIME_SLOT_NOT_FOUND', 'This time slot does not exist');
    this.inventory.forgetSlot(slotId);
    // The audit's "before": the row as this transaction found it. Not locked, so a hold
    // may still move `held` before the UPDATE below takes the lock; what the admin changed
    // (capacity, status, times) cannot move in between but through another admin change.
    const [previous] = await this.query<SlotRow>(`SELECT ${SLOT_COLUMNS} FROM time_slots WHERE id = $1`, [slotId]);
    if (!previous) throw new AppError('TIME_SLOT_NOT_FOUND', 'This time slot does not exist');
    const capacity = body.capacity ?? null;
    const startsAt = body.startsAt ? new Date(body.startsAt) : null;
    const endsAt = body.endsAt ? new Date(body.endsAt) : null;
    for (let attempt = 1; ; attempt++) {
      const rows = await this.query<SlotRow>(
        `UPDATE time_slots
            SET capacity = COALESCE($2::int, capacity),
                status = COALESCE($3::text, status),
                starts_at = COALESCE($4::timestamptz, starts_at),
                ends_at = COALESCE($5::timestamptz, ends_at),
                updated_at = now()
          WHERE id = $1
            AND ($2::int IS NULL OR held + booked <= $2::int)
            AND COALESCE($5::timestamptz, ends_at) > COALESCE($4::timestamptz, starts_at)
          RETURNING ${SLOT_COLUMNS}`,
        [slotId, capacity, body.status ?? null, startsAt, endsAt],
      );
      if (rows[0]) {
        const after = toSlot(rows[0]);
        await this.audit.record({
          actor,
          recordType: 'time_slot',
          recordId: slotId,
          action: 'update',
          before: toSlot(previous),
          after,
        });
        return after;
      }

      // The condition failed: say why, from the row as it is now.
      const [slot] = await this.query<SlotRow>(`SELECT ${SLOT_COLUMNS} FROM time_slots WHERE id = $1`, [slotId]);
      if (!slot) throw new AppError('TIME_SLOT_NOT_FOUND', 'This time slot does not exist');
      const taken = slot.held + slot.booked;
      if (capacity !== null && taken > capacity) {
        throw invalid(
          `Capacity cannot be below the ${taken} places already held or booked (${slot.held} held, ${slot.booked} booked)`,
          [{ field: 'capacity', message: `capacity must be at least ${taken}, the places already held or booked` }],
        );
      }
      if ((endsAt ?? slot.ends_at) <= (startsAt ?? slot.starts_at)) {
        throw invalid('The slot must end after it starts', [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
      }
      // Holds were released between the UPDATE and the read: try again.
      if (attempt >= SLOT_UPDATE_ATTEMPTS) throw new AppError('SERVICE_UNAVAILABLE', 'The slot is changing too fast; retry');
    }
  }

  /**
   * Sets the stock of a product's SKUs, creating the ones that are new. All or nothing:
   * a SKU of another offering, or one whose `onHand` would fall below its held + sold
   * units, fails the whole request with every problem listed. Audited
   * (`offering_stock` / `set`, the offering's whole stock list before and after) by `actor`.
   *
   * @returns the offering's whole stock list, by SKU
   * @throws AppError NOT_FOUND (no such offering), VALIDATION_FAILED
   */
  @Transactional()
  async putStock(offeringId: string, items: StockLineDto[], actor: string): Promise<StockItemDto[]> {
    const seen = new Map<string, number>();
    const duplicates: ErrorDetail[] = [];
    items.forEach((item, i) => {
      if (seen.has(item.sku)) duplicates.push({ field: `items.${i}.sku`, message: `sku ${item.sku} is listed more than once` });
      seen.set(item.sku, i);
    });
    if (duplicates.length) throw invalid('Each SKU may appear only once', duplicates);
    await this.requireOffering(offeringId, 'product', 'stock');

    const skus = items.map((item) => item.sku);
    // Lock the existing rows in id order first, the order InventoryRepository locks
    // stock in, so this cannot deadlock with a cart being held.
    await this.query(`SELECT id FROM stock_items WHERE sku = ANY($1::text[]) ORDER BY id FOR UPDATE`, [skus]);
    const before = await this.listStock(offeringId);
    // The DO UPDATE's WHERE is the guard: a row of another offering, or one whose new
    // on_hand would not cover its held + sold units, is left as it is and not returned.
    const written = await this.query<{ sku: string }>(
      `INSERT INTO stock_items AS s (offering_id, sku, on_hand)
       SELECT $1, line.sku, line.on_hand FROM unnest($2::text[], $3::int[]) AS line(sku, on_hand)
       ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = now()
        WHERE s.offering_id = EXCLUDED.offering_id AND s.held + s.sold <= EXCLUDED.on_hand
       RETURNING s.sku`,
      [offeringId, skus, items.map((item) => item.onHand)],
    );
    if (written.length < items.length) {
      const done = new Set(written.map((r) => r.sku));
      const refused = items.filter((item) => !done.has(item.sku)).map((item) => item.sku);
      const rows = await this.query<{ sku: string; offering_id: string; held: number; sold: number }>(
        `SELECT sku, offering_id, held, sold FROM stock_items WHERE sku = ANY($1::text[])`,
        [refused],
      );
      const details = rows.map((row): ErrorDetail => {
        const i = seen.get(row.sku)!;
        return row.offering_id !== offeringId
          ? { field: `items.${i}.sku`, message: `sku ${row.sku} belongs to another offering` }
          : {
              field: `items.${i}.onHand`,
              message: `onHand of ${row.sku} must be at least ${row.held + row.sold}, the units already held or sold`,
            };
      });
      // Throwing rolls back the SKUs that were written: nothing changes.
      throw invalid('Some stock lines cannot be applied; nothing was changed', details);
    }
    const after = await this.listStock(offeringId);
    await this.audit.record({ actor, recordType: 'offering_stock', recordId: offeringId, action: 'set', before, after });
    return after;
  }

  /** Every SKU of an offering, by SKU. */
  async listStock(offeringId: string): Promise<StockItemDto[]> {
    const rows = await this.query<StockRow>(
      `SELECT id, sku, on_hand, held, sold FROM stock_items WHERE offering_id = $1 ORDER BY sku`,
      [offeringId],
    );
    return rows.map(toStock);
  }

  /**
   * Adds a unit to a rental offering. A unit of a vehicle offering needs `plate`, `model`,
   * `seats` and `energy`; its `fleetVehicleId` defaults to the plate and must be unused.
   * Other rentals' units take no vehicle fields. Audited (`rental_unit` / `create`) by `actor`.
   *
   * @throws AppError NOT_FOUND (no such offering), VALIDATION_FAILED (not a rental, vehicle
   * fields missing or out of place, fleet vehicle id taken)
   */
  @Transactional()
  async createUnit(offeringId: string, body: CreateRentalUnitDto, actor: string): Promise<RentalUnitDto> {
    const offering = isUuid(offeringId) ? await this.catalog.getOffering(offeringId, { fresh: true }) : null;
    if (!offering) throw new AppError('NOT_FOUND', 'Offering not found');
    if (offering.kind !== 'rental') throw invalid(`Only rental offerings have units; this offering is a ${offering.kind}`);
    const vehicleFields = ['plate', 'model', 'seats', 'energy', 'fleetVehicleId'] as const;
    if (offering.vehicle) {
      const missing = (['plate', 'model', 'seats', 'energy'] as const).filter((field) => body[field] === undefined);
      if (missing.length) {
        throw invalid(
          'A vehicle needs its plate, model, seats and energy',
          missing.map((field) => ({ field, message: `${field} is required for a unit of a vehicle offering` })),
        );
      }
    } else {
      const given = vehicleFields.filter((field) => body[field] !== undefined);
      if (given.length) {
        throw invalid(
          'Only units of vehicle offerings take vehicle fields',
          given.map((field) => ({ field, message: `${field} is only for units of a vehicle offering` })),
        );
      }
    }
    const fleetVehicleId = body.fleetVehicleId ?? body.plate ?? null;
    const unit = await this.units.insert({
      offeringId,
      label: body.label.trim(),
      status: body.status ?? 'available',
      plate: body.plate ?? null,
      model: body.model ?? null,
      seats: body.seats ?? null,
      energy: body.energy ?? null,
      fleetVehicleId,
    });
    if (!unit) {
      const field = body.fleetVehicleId === undefined ? 'plate' : 'fleetVehicleId';
      throw invalid(`Another unit already has the fleet vehicle id ${fleetVehicleId}`, [
        {
          field,
          message:
            field === 'plate'
              ? 'another unit already has this plate as its fleet vehicle id; give a fleetVehicleId'
              : 'another unit already has this fleetVehicleId',
        },
      ]);
    }
    await this.audit.record({ actor, recordType: 'rental_unit', recordId: unit.id, action: 'create', after: unit });
    return unit;
  }

  /** Every unit of a rental offering, retired ones included, by label. @throws AppError NOT_FOUND */
  async listUnits(offeringId: string): Promise<RentalUnitDto[]> {
    const kind = await findOfferingKind(this.catalog, offeringId);
    if (kind !== 'rental') throw new AppError('NOT_FOUND', kind ? 'Only rental offerings have units' : 'Offering not found');
    return this.units.ofOffering(offeringId);
  }

  /**
   * Sets a unit's fleet status (DESIGN.md section 12: the fleet feeds it; an admin may set
   * it meanwhile). `maintenance` and `out_of_service` keep new holds off the unit; holds
   * and bookings it already has are kept (maintenance blocks with dates are the fleet
   * events' job). Audited (`rental_unit` / `fleet_status`, before and after) by `actor`,
   * e.g. an admin's id or `system:fleet`. Setting the status it already has changes nothing
   * and records nothing.
   *
   * @throws AppError NOT_FOUND for an unknown unit or one whose id is not a UUID
   */
  @Transactional()
  async setFleetStatus(unitId: string, status: FleetStatus, actor: string): Promise<RentalUnitDto> {
    const changed = isUuid(unitId) ? await this.units.setFleetStatus(unitId, status) : null;
    if (!changed) throw new AppError('NOT_FOUND', 'Rental unit not found');
    if (changed.before.fleetStatus !== status) {
      await this.audit.record({
        actor,
        recordType: 'rental_unit',
        recordId: unitId,
        action: 'fleet_status',
        before: changed.before,
        after: changed.after,
      });
    }
    return changed.after;
  }
}
