import type { AppConfig } from '../config/app-config';

/** What the tax module reads from the validated environment (src/config/config-slices.ts provides it). */
export class TaxConfig {
  /** TAX_API_URL: the TaxJar-style API's base URL; null: no HTTP provider configured. */
  readonly apiUrl: string | null;
  /** TAX_API_KEY: sent as `Authorization: Bearer`. */
  readonly apiKey: string | null;
  /** The provider when the `tax.provider` flag names none: `http` when the API is configured, else `simulated`. */
  readonly defaultProvider: 'http' | 'simulated';
  /** NODE_ENV=production: the simulated provider is never used (a flag variant selecting it is ignored). */
  readonly production: boolean;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly breakerThreshold: number;
  readonly breakerHalfOpenMs: number;
  readonly rateLimitPerSecond: number;
  readonly rateLimitBurst: number;
  readonly dailyQuota: number;
  /** TAX_FALLBACK_RATES as written (src/tax/tax-rate.ts parses it). */
  readonly fallbackRates: string;
  readonly simulatedLatencyMs: number;
  readonly simulatedFailurePercent: number;

  constructor(env: AppConfig) {
    this.apiUrl = env.TAX_API_URL ?? null;
    this.apiKey = env.TAX_API_KEY ?? null;
    this.defaultProvider = this.apiUrl && this.apiKey ? 'http' : 'simulated';
    this.production = env.NODE_ENV === 'production';
    this.timeoutMs = env.TAX_TIMEOUT_MS;
    this.retries = env.TAX_RETRIES;
    this.breakerThreshold = env.TAX_BREAKER_THRESHOLD;
    this.breakerHalfOpenMs = env.TAX_BREAKER_HALF_OPEN_MS;
    this.rateLimitPerSecond = env.TAX_RATE_LIMIT_PER_SECOND;
    this.rateLimitBurst = env.TAX_RATE_LIMIT_BURST;
    this.dailyQuota = env.TAX_DAILY_QUOTA;
    this.fallbackRates = env.TAX_FALLBACK_RATES;
    this.simulatedLatencyMs = env.TAX_SIMULATED_LATENCY_MS;
    this.simulatedFailurePercent = env.TAX_SIMULATED_FAILURE_PERCENT;
  }
}
