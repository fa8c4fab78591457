import type { AppConfig } from '../config/app-config';

/** What the database module reads from the validated environment (src/config/config-slices.ts provides it). */
export class DatabaseConfig {
  /** The URL in use: DATABASE_URL, or the embedded server's when it is unset. */
  readonly url: string;
  /** DB_POOL_SIZE: connections in the pool. */
  readonly poolSize: number;
  /** MIGRATIONS_RUN: apply pending migrations on start-up. */
  readonly migrationsRun: boolean;

  constructor(env: AppConfig) {
    this.url = env.databaseUrl;
    this.poolSize = env.DB_POOL_SIZE;
    this.migrationsRun = env.MIGRATIONS_RUN;
  }
}
