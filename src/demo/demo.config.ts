import type { AppConfig } from '../config/app-config';

/** What the demo catalog reads from the validated environment (src/config/config-slices.ts provides it). */
export class DemoConfig {
  /** Whether to load the demo catalog into an empty database: DEMO_CATALOG if set, else only on the embedded database. */
  readonly loadCatalog: boolean;

  constructor(env: AppConfig) {
    this.loadCatalog = env.DEMO_CATALOG ?? env.embeddedDatabase;
  }
}
