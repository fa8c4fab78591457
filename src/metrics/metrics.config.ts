import type { AppConfig } from '../config/app-config';

/** What the metrics module reads from the validated environment (src/config/config-slices.ts provides it). */
export class MetricsConfig {
  /** METRICS_TOKEN: the bearer token a scraper sends to GET /metrics; unset, the route answers 404. */
  readonly scrapeToken?: string;
  /**
   * Whether to collect Node's process metrics (CPU, memory, event loop, GC): not under
   * NODE_ENV=test, where one process starts many apps and the collectors cannot be stopped.
   */
  readonly processMetrics: boolean;

  constructor(env: AppConfig) {
    this.scrapeToken = env.METRICS_TOKEN;
    this.processMetrics = env.NODE_ENV !== 'test';
  }
}
