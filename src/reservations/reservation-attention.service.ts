import { Injectable } from '@nestjs/common';
import { SupportService } from '../support/support.service';
import { ReservationAttentionRepository } from './reservation-attention.repository';
import { ReservationsRepository } from './reservations.repository';
import { ReservationsService } from './reservations.service';

/** A vehicle as the customer's email names it. */
export interface VehicleRef {
  label: string;
  plate: string | null;
  model: string | null;
}

/** What became of a reservation whose vehicle maintenance took. */
export type DisplacementOutcome = 'flagged' | 'expired' | 'ignored';

/** Statuses whose reservation is (or may become, its payment in flight) a booking: flagged, not expired. */
const BOOKED = ['pending', 'payment_failed', 'confirmed'];

/**
 * What happens to a reservation when the fleet takes its vehicle for maintenance
 * (DESIGN.md section 12): moved to another unit (the customer of a confirmed booking is
 * emailed), or displaced (flagged for an admin, a support case, an email; an unpaid hold
 * simply ends). Every method runs in the caller's transaction, so emails and cases exist
 * if and only if the change commits.
 */
@Injectable()
export class ReservationAttentionService {
  constructor(
    private readonly repo: ReservationsRepository,
    private readonly attention: ReservationAttentionRepository,
    private readonly reservations: ReservationsService,
    private readonly support: SupportService,
  ) {}

  /** Locks these reservations' rows, in the order given (callers sort by id). */
  async lock(reservationIds: string[]): Promise<void> {
    for (const id of reservationIds) await this.repo.findForUpdate(id);
  }

  /**
   * The reservation's vehicle was moved to another unit of the same offering. A confirmed
   * booking's customer is emailed (`booking_moved`); a hold or a payment in flight keeps
   * its new unit silently (the app reads it from the reservation).
   */
  async vehicleMoved(reservationId: string, from: VehicleRef, to: VehicleRef): Promise<void> {
    const row = await this.repo.findForUpdate(reservationId);
    if (row?.status !== 'confirmed') return;
    await this.reservations.queueEmail('booking_moved', reservationId, { vehicleChange: { from, to } });
  }

  /**
   * The reservation's vehicle was taken by maintenance and no other unit was free (its
   * allocation is released as `displaced`). An unpaid hold ends (`expired`, reason
   * `VEHICLE_UNAVAILABLE`: the app shows it as it shows any expired hold). A booking
   * (confirmed, or its payment in flight or failed) stays as it is, flagged for an admin
   * (`vehicle_displaced`), with a support case; a confirmed booking's customer is emailed.
   */
  async vehicleDisplaced(
    reservationId: string,
    details: { maintenanceId: string; vehicle: VehicleRef; from: Date; to: Date },
  ): Promise<DisplacementOutcome> {
    const row = await this.repo.findForUpdate(reservationId);
    if (!row) return 'ignored';
    if (row.status === 'held') {
      await this.reservations.releaseAndSetStatus(reservationId, 'expired', 'VEHICLE_UNAVAILABLE');
      return 'expired';
    }
    if (!BOOKED.includes(row.status)) return 'ignored';
    await this.attention.flag(reservationId, 'vehicle_displaced');
    await this.support.open('vehicle_displaced', reservationId, {
      maintenanceId: details.maintenanceId,
      unitLabel: details.vehicle.label,
      from: details.from.toISOString(),
      to: details.to.toISOString(),
      status: row.status,
    });
    if (row.status === 'confirmed') {
      await this.reservations.queueEmail('booking_displaced', reservationId, {
        vehicleChange: { from: details.vehicle, to: null },
      });
    }
    return 'flagged';
  }

  /** A reservation's flag (why and since when), or null. */
  flagOf(reservationId: string): Promise<{ attentionReason: string; flaggedAt: Date } | null> {
    return this.attention.flagOf(reservationId);
  }
}
