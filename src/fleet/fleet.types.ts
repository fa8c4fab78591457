import type { FleetStatus } from '../inventory/inventory.types';

/** Where a fleet event came from. */
export const FLEET_EVENT_SOURCES = ['http', 'nats', 'reconcile'] as const;
export type FleetEventSourceName = (typeof FLEET_EVENT_SOURCES)[number];

/** The outcomes `fleet_events` records (a duplicate is not recorded again; `failed`: every delivery failed). */
export const RECORDED_FLEET_OUTCOMES = ['applied', 'stale', 'unknown_vehicle', 'malformed', 'failed'] as const;
export type RecordedFleetOutcome = (typeof RECORDED_FLEET_OUTCOMES)[number];

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
