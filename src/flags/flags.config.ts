import type { AppConfig } from '../config/app-config';

/** What the flags module reads from the validated environment (src/config/config-slices.ts provides it). */
export class FlagsConfig {
  /** NODE_ENV=production: a flag value that selects a simulated integration is refused. */
  readonly production: boolean;

  constructor(env: AppConfig) {
    this.production = env.NODE_ENV === 'production';
  }
}
