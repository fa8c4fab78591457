import type { FleetStatus } from '../inventory/inventory.types';

/** Where a fleet event came from. */
export type FleetEventSourceName = 'http' | 'nats' | 'reconcile';

/**
 * What became of an event: `applied`; `stale` (an event about the same thing with a later
 * `occurredAt` was applied already); `duplicate` (its id was received before: nothing
 * done, nothing recorded again); `unknown_vehicle`; `malformed` (recorded with the reason).
 * Everything but a failure is acknowledged and never retried.
 */
export type FleetEventOutcome = 'applied' | 'stale' | 'duplicate' | 'unknown_vehicle' | 'malformed';

interface FleetEventBase {
  id: string;
  occurredAt: Date;
  /** The unit's `fleetVehicleId`. */
  vehicleId: string;
}

export interface VehicleStatusChanged extends FleetEventBase {
  type: 'VehicleStatusChanged';
  status: FleetStatus;
}

export interface MaintenanceScheduled extends FleetEventBase {
  type: 'MaintenanceScheduled';
  maintenanceId: string;
  from: Date;
  to: Date;
  reason: string | null;
  cancelled: boolean;
}

/** A well-formed fleet event (DESIGN.md section 12). */
export type FleetEvent = VehicleStatusChanged | MaintenanceScheduled;

/** What handling an event returned. */
export interface FleetEventResult {
  eventId: string;
  outcome: FleetEventOutcome;
  /** Why (malformed, unknown vehicle, stale), when not applied. */
  detail?: string;
}
