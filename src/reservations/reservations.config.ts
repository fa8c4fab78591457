import type { AppConfig } from '../config/app-config';

/** What the reservations module reads from the validated environment (src/config/config-slices.ts provides it). */
export class ReservationsConfig {
  /** HOLD_TTL_SECONDS: how long a hold keeps its inventory. */
  readonly holdTtlSeconds: number;
  /** HOLD_SWEEP_INTERVAL_SECONDS: how often the expiry sweep runs. */
  readonly holdSweepIntervalSeconds: number;
  /** RENTAL_AUTH_LEAD_DAYS: a vehicle picked up later than this is not authorised at convert (its card is set up). */
  readonly rentalAuthLeadDays: number;

  constructor(env: AppConfig) {
    this.holdTtlSeconds = env.HOLD_TTL_SECONDS;
    this.holdSweepIntervalSeconds = env.HOLD_SWEEP_INTERVAL_SECONDS;
    this.rentalAuthLeadDays = env.RENTAL_AUTH_LEAD_DAYS;
  }
}
