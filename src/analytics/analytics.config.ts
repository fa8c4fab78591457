import type { AppConfig } from '../config/app-config';

/** What the analytics module reads from the validated environment (src/config/config-slices.ts provides it). */
export class AnalyticsConfig {
  /** ANALYTICS_EXPORT_HOUR_UTC: the nightly export runs once a day, after this hour (UTC). */
  readonly exportHourUtc: number;
  /** ANALYTICS_EXPORT_DAYS: how many past UTC days each nightly run writes (again). */
  readonly exportDays: number;

  constructor(env: AppConfig) {
    this.exportHourUtc = env.ANALYTICS_EXPORT_HOUR_UTC;
    this.exportDays = env.ANALYTICS_EXPORT_DAYS;
  }
}
