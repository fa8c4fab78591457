import type { AppConfig } from '../config/app-config';

/** What the job queue reads from the validated environment (src/config/config-slices.ts provides it). */
export class JobsConfig {
  /** The app's database URL: pg-boss keeps its tables there, in the `pgboss` schema. */
  readonly url: string;
  /**
   * How long shutdown waits for running jobs: half of SHUTDOWN_TIMEOUT_MS (main.ts
   * exits when that runs out; requests and the pool need the rest). A job still running
   * then is failed and retried by another replica.
   */
  readonly drainTimeoutMs: number;

  constructor(env: AppConfig) {
    this.url = env.databaseUrl;
    this.drainTimeoutMs = Math.max(1000, Math.floor(env.SHUTDOWN_TIMEOUT_MS / 2));
  }
}
