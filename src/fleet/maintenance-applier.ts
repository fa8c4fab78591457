import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { RentalUnitInfo } from '../inventory/inventory.types';
import { UnitMaintenanceService } from '../inventory/unit-maintenance.service';
import { ReservationAttentionService, type VehicleRef } from '../reservations/reservation-attention.service';
import { RentalsService } from '../rentals/rentals.service';
import { FleetMetrics } from './fleet-metrics';
import type { MaintenanceScheduled } from './fleet.types';

const ref = (unit: RentalUnitInfo): VehicleRef => ({ label: unit.label, plate: unit.plate, model: unit.model });

/**
 * Applies a `MaintenanceScheduled` event (DESIGN.md section 12, invariant 7) in the
 * caller's transaction: the block lands (inventory moves or displaces what it overlaps),
 * then each booking it touched is told: a moved confirmed booking emails its customer
 * and its rental follows the vehicle; a displaced booking is flagged, gets a support case
 * and an email; a displaced unpaid hold ends. All of it commits, or none of it.
 */
@Injectable()
export class MaintenanceApplier {
  constructor(
    private readonly maintenance: UnitMaintenanceService,
    private readonly attention: ReservationAttentionService,
    private readonly rentals: RentalsService,
    private readonly metrics: FleetMetrics,
    private readonly txHost: TransactionHost,
  ) {}

  /** Counts an effect once the event's transaction commits (a retried attempt's count is dropped with it). */
  private count(effect: 'moved' | 'displaced' | 'expired'): void {
    this.txHost.afterCommit(() => this.metrics.impact(effect));
  }

  async apply(unit: RentalUnitInfo, event: MaintenanceScheduled): Promise<string> {
    if (event.cancelled) {
      const lifted = await this.maintenance.liftBlock(event.maintenanceId);
      return lifted ? 'maintenance lifted' : 'no live block to lift';
    }
    const result = await this.maintenance.placeBlock(
      unit,
      { maintenanceId: event.maintenanceId, start: event.from, end: event.to, reason: event.reason },
      (reservationIds) => this.attention.lock(reservationIds),
    );
    let moved = 0;
    let displaced = 0;
    for (const { allocation, movedTo } of result.impacts) {
      const reservationId = allocation.reservationId!;
      if (movedTo) {
        moved++;
        await this.rentals.vehicleMoved(reservationId, movedTo.id);
        await this.attention.vehicleMoved(reservationId, ref(unit), ref(movedTo));
        this.count('moved');
      } else {
        displaced++;
        const outcome = await this.attention.vehicleDisplaced(reservationId, {
          maintenanceId: event.maintenanceId,
          vehicle: ref(unit),
          from: event.from,
          to: event.to,
        });
        if (outcome !== 'ignored') this.count(outcome === 'expired' ? 'expired' : 'displaced');
      }
    }
    return `maintenance placed (${moved} moved, ${displaced} displaced)`;
  }
}
