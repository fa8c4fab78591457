import type { AppConfig } from './config/app-config';

/** What the request logger reads from the validated environment (src/config/config-slices.ts provides it). */
export class LoggingConfig {
  /** LOG_LEVEL: pino's level (`silent` turns logging off). */
  readonly level: string;
  /** LOG_PRETTY: human-readable single-line logs instead of JSON. */
  readonly pretty: boolean;

  constructor(env: AppConfig) {
    this.level = env.LOG_LEVEL;
    this.pretty = env.LOG_PRETTY;
  }
}
