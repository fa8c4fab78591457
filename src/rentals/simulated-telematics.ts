import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '@holdfast/clock';
import type { IntegrationPolicy } from '@holdfast/resilience';
import type { RentalsConfig } from './rentals.config';
import {
  checkIdempotencyKey,
  checkVehicleId,
  TelematicsError,
  toTelematicsError,
  type LastLock,
  type LockReading,
  type Telematics,
  type TelematicsCommandOptions,
  type UnlockReading,
} from './telematics.port';

/** Average distance per hour a rented car is out (parked most of the time): ~290 km a day. */
export const SIMULATED_KM_PER_HOUR = 12;
/** Energy used per km, in percent of a full tank or battery (a 500 km range). */
export const SIMULATED_PERCENT_PER_KM = 0.2;
/** Below this level the simulated renter fills up (to 100 %) before driving on. */
const REFUEL_BELOW_PERCENT = 10;
/** Commands remembered for their idempotency keys (the oldest are forgotten first). */
const MAX_REMEMBERED_COMMANDS = 10_000;
/** Where the simulated fleet is parked (Amsterdam Centraal), each car within ~5 km of it. */
const DEPOT = { latitude: 52.3791, longitude: 4.9003 };

/** Vehicle ids containing these words misbehave, so tests and demos can reach every path. */
export const SIMULATED_FAULTS = {
  /** unlock fails as an unreachable car (`unavailable`). */
  fails: 'unlock-fails',
  /** unlock is refused by the car (`refused`, reason `immobilised`). */
  refused: 'unlock-refused',
  /** unlock answers after `slowMs` (past the budget by default: `timeout`). */
  slow: 'unlock-slow',
  /** the car reports no readings: null odometer and level, and no last lock. */
  noReadings: 'no-readings',
} as const;

export interface SimulatedTelematicsOptions {
  /** How long an `unlock-slow` vehicle takes to open. Default 1 s more than the budget, so it times out. */
  slowMs: number;
}

interface VehicleState {
  odometerKm: number;
  energyLevelPercent: number;
  locked: boolean;
  /** While open: when the distance was last brought up to date. */
  since: number;
  lastLock: LastLock;
}

interface Remembered {
  vehicleId: string;
  action: 'unlock' | 'lock';
  result: UnlockReading | LockReading;
}

/**
 * An in-process fleet (TELEMATICS_MODE=simulated, the development default; refused in
 * production). Each vehicle starts parked and locked at the depot with a mileage and level
 * derived from its id (same id, same car). While it is open, time on the app's Clock is
 * driving: 12 km an hour out, 0.2 % of energy a km, a fill-up when it would drop below 10 %;
 * locking records where and at what readings. Asking for the last lock of an open car locks
 * it first (the simulated renter locks it when walking away), so a return sees the rental's
 * readings. Commands are idempotent by key, as the HTTP API's are. Runs under the
 * `telematics` policy when given one (its timeout applies to `unlock-slow`).
 */
export class SimulatedTelematics implements Telematics {
  readonly mode = 'simulated' as const;
  private readonly vehicles = new Map<string, VehicleState>();
  private readonly commands = new Map<string, Remembered>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: IntegrationPolicy | null,
    private readonly options: SimulatedTelematicsOptions,
  ) {}

  /** The simulated fleet under `policy` (registerTelematicsPolicy), slow cars past TELEMATICS_TIMEOUT_MS. */
  static fromConfig(config: RentalsConfig, clock: Clock, policy: IntegrationPolicy | null): SimulatedTelematics {
    return new SimulatedTelematics(clock, policy, { slowMs: config.telematicsTimeoutMs + 1000 });
  }

  async unlock(fleetVehicleId: string, { idempotencyKey }: TelematicsCommandOptions): Promise<UnlockReading> {
    checkVehicleId(fleetVehicleId);
    checkIdempotencyKey(idempotencyKey);
    return this.run(async (signal) => {
      const id = fleetVehicleId.toLowerCase();
      if (id.includes(SIMULATED_FAULTS.fails)) throw new TelematicsError('unavailable', 'The simulated car cannot be reached');
      if (id.includes(SIMULATED_FAULTS.refused)) {
        throw new TelematicsError('refused', 'The simulated car refused to open (immobilised)', 'immobilised');
      }
      if (id.includes(SIMULATED_FAULTS.slow)) await sleep(this.options.slowMs, undefined, { signal });
      return this.once(idempotencyKey, fleetVehicleId, 'unlock', () => {
        const state = this.vehicle(fleetVehicleId);
        const now = this.clock.nowMs();
        this.drive(state, now);
        if (state.locked) {
          state.locked = false;
          state.since = now;
        }
        return { unlockedAt: new Date(now), ...this.readings(fleetVehicleId, state) };
      }) as UnlockReading;
    });
  }

  async lock(fleetVehicleId: string, { idempotencyKey }: TelematicsCommandOptions): Promise<LockReading> {
    checkVehicleId(fleetVehicleId);
    checkIdempotencyKey(idempotencyKey);
    return this.run(async () =>
      this.once(idempotencyKey, fleetVehicleId, 'lock', () => {
        const state = this.vehicle(fleetVehicleId);
        this.lockNow(fleetVehicleId, state);
        const { lockedAt, odometerKm, energyLevelPercent } = state.lastLock;
        return { lockedAt, odometerKm, energyLevelPercent };
      }),
    ) as Promise<LockReading>;
  }

  async lastLock(fleetVehicleId: string): Promise<LastLock | null> {
    checkVehicleId(fleetVehicleId);
    return this.run(async () => {
      if (fleetVehicleId.toLowerCase().includes(SIMULATED_FAULTS.noReadings)) return null;
      const state = this.vehicle(fleetVehicleId);
      this.lockNow(fleetVehicleId, state); // the renter locks it on walking away
      return { ...state.lastLock };
    });
  }

  /** A vehicle's state now (for tests and demos): readings, whether it is locked. */
  inspect(fleetVehicleId: string): { odometerKm: number; energyLevelPercent: number; locked: boolean } {
    const state = this.vehicle(fleetVehicleId);
    if (!state.locked) this.drive(state, this.clock.nowMs());
    return { odometerKm: state.odometerKm, energyLevelPercent: state.energyLevelPercent, locked: state.locked };
  }

  /** Sets a vehicle's readings (a test's starting point: a car with little fuel, a high mileage). */
  setReadings(fleetVehicleId: string, readings: { odometerKm?: number; energyLevelPercent?: number }): void {
    const state = this.vehicle(fleetVehicleId);
    if (readings.odometerKm !== undefined) state.odometerKm = readings.odometerKm;
    if (readings.energyLevelPercent !== undefined) state.energyLevelPercent = readings.energyLevelPercent;
    // A parked car read so when it was locked.
    if (state.locked) state.lastLock = { ...state.lastLock, ...this.readings(fleetVehicleId, state) };
  }

  /** Runs `fn` under the policy (when there is one), every failure as a TelematicsError. */
  private async run<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return this.policy ? await this.policy.execute(fn) : await fn(new AbortController().signal);
    } catch (error) {
      throw toTelematicsError(error);
    }
  }

  /** The remembered result of `key`, or `effect`'s, remembered; a key reused for another command is refused. */
  private once(
    key: string,
    vehicleId: string,
    action: Remembered['action'],
    effect: () => UnlockReading | LockReading,
  ): UnlockReading | LockReading {
    const seen = this.commands.get(key);
    if (seen) {
      if (seen.vehicleId !== vehicleId || seen.action !== action) {
        throw new TelematicsError('unavailable', 'The idempotency key was used for another command (HTTP 422)');
      }
      return { ...seen.result };
    }
    const result = effect();
    this.commands.set(key, { vehicleId, action, result });
    if (this.commands.size > MAX_REMEMBERED_COMMANDS) this.commands.delete(this.commands.keys().next().value!);
    return { ...result };
  }

  private lockNow(vehicleId: string, state: VehicleState): void {
    if (state.locked) return;
    const now = this.clock.nowMs();
    this.drive(state, now);
    state.locked = true;
    const seed = hash(`${vehicleId}:${state.odometerKm}`);
    // Returned near where it was picked up: within ~200 m of its parking place.
    const home = this.home(vehicleId);
    state.lastLock = {
      lockedAt: new Date(now),
      ...this.readings(vehicleId, state),
      latitude: round6(home.latitude + ((seed % 401) - 200) / 100_000),
      longitude: round6(home.longitude + (((seed >>> 9) % 401) - 200) / 100_000),
    };
  }

  /** Brings an open car's odometer and level up to `now`: the driving since the last look. */
  private drive(state: VehicleState, now: number): void {
    if (state.locked || now <= state.since) return;
    const km = Math.floor(((now - state.since) / 3_600_000) * SIMULATED_KM_PER_HOUR);
    if (km <= 0) return; // under one km: nothing to add yet, and `since` stays for the next look
    state.since += (km / SIMULATED_KM_PER_HOUR) * 3_600_000;
    state.odometerKm += km;
    let use = km * SIMULATED_PERCENT_PER_KM;
    let level = state.energyLevelPercent;
    while (level - use < REFUEL_BELOW_PERCENT) {
      use -= Math.max(0, level - REFUEL_BELOW_PERCENT);
      level = 100;
    }
    state.energyLevelPercent = Math.round(level - use);
  }

  private readings(vehicleId: string, state: VehicleState): { odometerKm: number | null; energyLevelPercent: number | null } {
    if (vehicleId.toLowerCase().includes(SIMULATED_FAULTS.noReadings)) return { odometerKm: null, energyLevelPercent: null };
    return { odometerKm: state.odometerKm, energyLevelPercent: state.energyLevelPercent };
  }

  /** A vehicle's state, created on first sight: parked and locked at its place, readings from its id. */
  private vehicle(vehicleId: string): VehicleState {
    let state = this.vehicles.get(vehicleId);
    if (!state) {
      const seed = hash(vehicleId);
      const now = this.clock.nowMs();
      const odometerKm = 5_000 + (seed % 115_000);
      const energyLevelPercent = 70 + ((seed >>> 17) % 31);
      const noReadings = vehicleId.toLowerCase().includes(SIMULATED_FAULTS.noReadings);
      state = {
        odometerKm,
        energyLevelPercent,
        locked: true,
        since: now,
        lastLock: {
          lockedAt: new Date(now),
          odometerKm: noReadings ? null : odometerKm,
          energyLevelPercent: noReadings ? null : energyLevelPercent,
          ...this.home(vehicleId),
        },
      };
      this.vehicles.set(vehicleId, state);
    }
    return state;
  }

  /** The vehicle's parking place: within ~5 km of the depot, fixed by its id. */
  private home(vehicleId: string): { latitude: number; longitude: number } {
    const seed = hash(`home:${vehicleId}`);
    return {
      latitude: round6(DEPOT.latitude + ((seed % 9_001) - 4_500) / 100_000),
      longitude: round6(DEPOT.longitude + (((seed >>> 14) % 9_001) - 4_500) / 100_000),
    };
  }
}

/** 32 stable bits of a string. */
function hash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;
