import type { AppConfig } from '../config/app-config';
import { corsOrigins, trustProxy } from './http-protection';

/** What rate limiting, CORS and proxy trust read from the validated environment (src/config/config-slices.ts provides it). */
export class ProtectionConfig {
  /** CORS_ORIGINS as a list of exact origins; empty: no CORS headers at all. */
  readonly corsOrigins: readonly string[];
  /** TRUST_PROXY as Express's `trust proxy` setting (it decides `req.ip`). */
  readonly trustProxy: boolean | number | string;
  /** RATE_LIMIT_PER_MINUTE: requests per caller per minute on /v1 (0: off). */
  readonly rateLimitPerMinute: number;
  /** RATE_LIMIT_HOLD_PER_MINUTE: on `@RateLimit('hold')` routes, on top of the above (0: off). */
  readonly holdRateLimitPerMinute: number;

  constructor(env: AppConfig) {
    this.corsOrigins = Object.freeze(corsOrigins(env.CORS_ORIGINS));
    this.trustProxy = trustProxy(env.TRUST_PROXY);
    this.rateLimitPerMinute = env.RATE_LIMIT_PER_MINUTE;
    this.holdRateLimitPerMinute = env.RATE_LIMIT_HOLD_PER_MINUTE;
  }
}
