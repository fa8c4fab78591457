import { FleetApi, type FleetApiVehicle } from './fleet-api.port';

/**
 * The development fleet (FLEET_API_MODE=simulated, refused in production): it knows only
 * the vehicles given to it (`put`), none at first, so reconciling against it changes
 * nothing until a vehicle is put. Events sent over HTTP or NATS are the way to drive
 * statuses and maintenance in development.
 */
export class SimulatedFleet extends FleetApi {
  readonly name = 'simulated' as const;
  private readonly known = new Map<string, FleetApiVehicle>();

  /** Adds or replaces a vehicle as the fleet will list it. */
  put(vehicle: FleetApiVehicle): void {
    this.known.set(vehicle.vehicleId, structuredClone(vehicle));
  }

  async vehicles(): Promise<FleetApiVehicle[]> {
    return [...this.known.values()].map((v) => structuredClone(v));
  }
}
