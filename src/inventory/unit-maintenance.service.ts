import { Injectable } from '@nestjs/common';
import type { RentalUnitInfo, UnitAllocation } from './inventory.types';
import { UnitMaintenanceRepository } from './unit-maintenance.repository';

/** How often a block is tried again after a booking landed between clearing the unit and inserting it. */
const BLOCK_ATTEMPTS = 5;

/** A booking a maintenance block landed on: moved to another unit of its offering, or displaced (released). */
export interface MaintenanceImpact {
  allocation: UnitAllocation;
  /** The unit it moved to; null: none was free, the allocation was released as `displaced`. */
  movedTo: RentalUnitInfo | null;
}

/** What placing a block did. */
export interface MaintenanceResult {
  blockId: string;
  impacts: MaintenanceImpact[];
}

/**
 * Maintenance blocks on rental units (DESIGN.md section 12, invariant 7): a block always
 * lands, moving each booking it overlaps to a free unit of the same offering, or
 * displacing it. Runs in the caller's transaction (so the caller's notifications commit
 * with it).
 */
@Injectable()
export class UnitMaintenanceService {
  constructor(private readonly repo: UnitMaintenanceRepository) {}

  /** The unit whose fleet vehicle id this is, or null. */
  unitByFleetId(fleetVehicleId: string): Promise<RentalUnitInfo | null> {
    return this.repo.unitByFleetId(fleetVehicleId);
  }

  /** The live maintenance blocks of a unit, by start. */
  blocksOf(unitId: string): Promise<UnitAllocation[]> {
    return this.repo.blocksOf(unitId);
  }

  /**
   * Places (or reschedules) the block of `maintenanceId` on `unit` for `[start, end)`.
   *
   * Lock order: the offering's unit lock first (the advisory lock every unit hold takes
   * before it inserts, so no hold lands on these units until this transaction ends), then
   * the holders' reservations (`lockHolders`, by id: the order a convert locks a
   * reservation before its allocations), then the allocations. Each overlapping booking
   * moves to the first free unit of the offering, or is released as `displaced`; then
   * the block is inserted. A booking that slipped in anyway (a writer that bypassed the
   * lock) makes the insert a no-op (`ON CONFLICT DO NOTHING`) and the unit is cleared
   * again, up to BLOCK_ATTEMPTS times.
   *
   * @throws Error when the block still cannot land after BLOCK_ATTEMPTS (the caller's
   * transaction rolls back and the event is retried)
   */
  async placeBlock(
    unit: RentalUnitInfo,
    block: { maintenanceId: string; start: Date; end: Date; reason: string | null },
    lockHolders: (reservationIds: string[]) => Promise<void>,
  ): Promise<MaintenanceResult> {
    await this.repo.lockOffering(unit.offeringId);
    const previous = await this.repo.liveBlock(block.maintenanceId);
    if (previous) await this.repo.release([previous.id], 'superseded');
    const impacts: MaintenanceImpact[] = [];
    for (let attempt = 1; attempt <= BLOCK_ATTEMPTS; attempt++) {
      const seen = (await this.repo.liveOverlapping(unit.id, block.start, block.end, false)).filter(
        (a) => a.purpose === 'booking',
      );
      if (seen.length > 0) {
        await lockHolders([...new Set(seen.map((a) => a.reservationId!))].sort());
        const locked = await this.repo.liveOverlapping(unit.id, block.start, block.end, true);
        for (const allocation of locked.filter((a) => a.purpose === 'booking')) {
          const movedTo = await this.repo.moveToFreeUnit(allocation.id, unit.offeringId);
          if (!movedTo) await this.repo.release([allocation.id], 'displaced');
          impacts.push({ allocation, movedTo });
        }
      }
      const blockId = await this.repo.insertBlock(unit.id, block.maintenanceId, block.start, block.end, block.reason);
      if (blockId) return { blockId, impacts };
    }
    throw new Error(`maintenance ${block.maintenanceId} could not land on unit ${unit.id} after ${BLOCK_ATTEMPTS} attempts`);
  }

  /** Lifts the live block of `maintenanceId` (released as `cancelled`); false when it has none. */
  async liftBlock(maintenanceId: string): Promise<boolean> {
    const block = await this.repo.liveBlock(maintenanceId);
    if (!block) return false;
    return (await this.repo.release([block.id], 'cancelled')) > 0;
  }
}
