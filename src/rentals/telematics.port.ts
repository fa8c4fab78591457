import {
  BreakerOpenError,
  IntegrationTimeoutError,
  RateLimitedError,
  type IntegrationPolicy,
  type IntegrationPolicyOptions,
} from '@holdfast/resilience';
import type { IntegrationsService } from '../integrations/integrations.service';

/**
 * The vehicles' telematics (DESIGN.md section 12; contract in docs/telematics.md): opens a
 * rental car for its renter and reports its odometer and energy level, and what they read
 * when the car was last locked. Adapters: `HttpTelematicsClient` (TELEMATICS_MODE=http) and
 * `SimulatedTelematics` (the development default, refused in production). Inject by
 * `TELEMATICS` inside the rentals module.
 *
 * Every call runs under the `telematics` integration policy (registerTelematicsPolicy): one
 * budget of TELEMATICS_TIMEOUT_MS, a circuit breaker, the integration metrics. Every
 * failure is a TelematicsError; the caller maps it to 502 UNLOCK_FAILED.
 */
export interface Telematics {
  readonly mode: 'http' | 'simulated';

  /**
   * Opens the vehicle (again, if it is open already) and reads its odometer and level.
   * Idempotent by `idempotencyKey`: the same key answers the first call's result and opens
   * the car once. Derive it from the request's own key (`unlock-<reservation>-<key>`), so a
   * customer retrying after a timeout reaches the same unlock.
   * @throws TelematicsError timeout | unavailable | refused.
   */
  unlock(fleetVehicleId: string, options: TelematicsCommandOptions): Promise<UnlockReading>;

  /** Locks the vehicle and reads it; idempotent by key like `unlock`. @throws TelematicsError */
  lock(fleetVehicleId: string, options: TelematicsCommandOptions): Promise<LockReading>;

  /**
   * What the vehicle read when it was last locked (null: never locked, or telematics keeps
   * no such record). These readings win over the customer's at return; check `lockedAt` is
   * after the rental's unlock before using them (a lock from before the rental says nothing
   * about it).
   * @throws TelematicsError
   */
  lastLock(fleetVehicleId: string): Promise<LastLock | null>;
}

/** DI token of the `Telematics` adapter inside the rentals module (chosen by TELEMATICS_MODE). */
export const TELEMATICS = Symbol('TELEMATICS');

/** The integration's name: the `integration` label of the metrics and of GET /v1/admin/integrations. */
export const TELEMATICS_INTEGRATION = 'telematics';

export interface TelematicsCommandOptions {
  /** 1 to 200 printable ASCII characters; sent as `Idempotency-Key`. */
  idempotencyKey: string;
}

/** Null where the vehicle does not report a reading. */
export interface VehicleReading {
  /** Whole kilometres. */
  odometerKm: number | null;
  /** Fuel or charge, 0 to 100. */
  energyLevelPercent: number | null;
}

export interface UnlockReading extends VehicleReading {
  unlockedAt: Date;
}

export interface LockReading extends VehicleReading {
  lockedAt: Date;
}

export interface LastLock extends LockReading {
  /** Where the vehicle was locked (WGS 84), null without a GPS fix. */
  latitude: number | null;
  longitude: number | null;
}

/**
 * Why a telematics call failed: `timeout` (no answer within the budget: the car may still
 * open; retrying with the same key is safe), `unavailable` (unreachable, erroring, breaker
 * open, an answer we cannot trust) or `refused` (the vehicle or the API said no: unknown
 * vehicle, immobilised, ...; `reason` says which).
 */
export type TelematicsErrorKind = 'timeout' | 'unavailable' | 'refused';

export class TelematicsError extends Error {
  constructor(
    readonly kind: TelematicsErrorKind,
    message: string,
    /** For `refused`: the API's reason, a short machine word (`immobilised`, `unknown_vehicle`). */
    readonly reason: string | null = null,
  ) {
    super(message);
    this.name = 'TelematicsError';
  }
}

/** Consecutive failed calls that open the breaker, and how long it then fails fast. */
export const TELEMATICS_BREAKER = { threshold: 5, halfOpenAfterMs: 30_000 } as const;
/** Calls per second this replica sends telematics at most (a call waits up to 1 s for its turn, else `unavailable`). */
export const TELEMATICS_RATE_LIMIT = { perSecond: 20, burst: 20, maxWaitMs: 1_000 } as const;

/**
 * Registers the `telematics` integration with IntegrationsService (metrics, last error,
 * GET /v1/admin/integrations) and returns its policy, for whichever adapter runs:
 * `timeoutMs` is the whole budget of a call (TELEMATICS_TIMEOUT_MS); the policy itself does
 * not retry (the HTTP adapter retries inside the budget, with the same key); a `refused`
 * answer proves the service is up, so it does not count against the breaker; a client-side
 * rate limit keeps a burst of unlocks from becoming the provider's 429s.
 */
export function registerTelematicsPolicy(
  integrations: IntegrationsService,
  timeoutMs: number,
  breaker: IntegrationPolicyOptions['breaker'] = TELEMATICS_BREAKER,
): IntegrationPolicy {
  return integrations.register(
    { name: TELEMATICS_INTEGRATION, kind: 'telematics' },
    {
      timeoutMs,
      retries: 0,
      breaker,
      rateLimit: TELEMATICS_RATE_LIMIT,
      isFailure: (error) => !(error instanceof TelematicsError && error.kind === 'refused'),
    },
  );
}

/** The TelematicsError for whatever a call under the policy threw. */
export function toTelematicsError(error: unknown): TelematicsError {
  if (error instanceof TelematicsError) return error;
  if (error instanceof IntegrationTimeoutError) {
    return new TelematicsError('timeout', `The vehicle's telematics did not answer in time (${error.message})`);
  }
  if (error instanceof BreakerOpenError || error instanceof RateLimitedError) {
    return new TelematicsError('unavailable', `Telematics is unavailable: ${error.message}`);
  }
  return new TelematicsError(
    'unavailable',
    `The telematics call failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/** Checks a key before it is sent (a programming error, not the customer's). */
export function checkIdempotencyKey(key: string): void {
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new RangeError('A telematics idempotency key is 1 to 200 printable ASCII characters');
  }
}

/** Checks a vehicle id before it is used (a programming error, not the customer's). */
export function checkVehicleId(fleetVehicleId: string): void {
  if (typeof fleetVehicleId !== 'string' || fleetVehicleId.trim() === '' || fleetVehicleId.length > 200) {
    throw new RangeError('A fleet vehicle id is a non-empty string of at most 200 characters');
  }
}
