import type { FleetStatus } from '../inventory/inventory.types';

/** A maintenance the fleet API lists for a vehicle. */
export interface FleetApiMaintenance {
  maintenanceId: string;
  from: string;
  to: string;
  reason: string | null;
  cancelled: boolean;
  /** When the fleet last changed it (its events' `occurredAt`). */
  updatedAt: string;
}

/** A vehicle as `GET {FLEET_API_URL}/vehicles` lists it. */
export interface FleetApiVehicle {
  vehicleId: string;
  status: FleetStatus;
  /** When its status last changed, at the fleet. */
  statusChangedAt: string;
  maintenance: FleetApiMaintenance[];
}

/** Why the fleet API could not be read. */
export class FleetApiError extends Error {}

/**
 * The fleet's REST API (DESIGN.md section 12: "event-driven + REST API"), read to repair
 * missed events: `http` (FleetHttpClient) or `simulated` (SimulatedFleet, development).
 */
export abstract class FleetApi {
  abstract readonly name: 'http' | 'simulated';
  /** Every vehicle with its status and scheduled maintenance. @throws FleetApiError */
  abstract vehicles(signal?: AbortSignal): Promise<FleetApiVehicle[]>;
}
