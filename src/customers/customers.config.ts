import type { AppConfig } from '../config/app-config';

/** What the customers module reads from the validated environment (src/config/config-slices.ts provides it). */
export class CustomersConfig {
  /** CUSTOMERS_MODE: `simulated` (in process, the embedded default) or `http` (seed 002's Customer Management Service). */
  readonly mode: 'simulated' | 'http';
  /** CUSTOMER_SERVICE_URL: the service's base URL (validated present when the mode is `http`). */
  readonly serviceUrl: string | null;
  /** CUSTOMER_SERVICE_API_KEY: sent as X-Api-Key. */
  readonly apiKey: string | null;
  /** CUSTOMER_SERVICE_TIMEOUT_MS: the budget of one verification call, its retry included (seed 002: 500 ms). */
  readonly timeoutMs: number;
  /** CUSTOMER_SERVICE_BREAKER_THRESHOLD: consecutive failed calls that open the breaker. */
  readonly breakerThreshold: number;
  /** CUSTOMER_SERVICE_BREAKER_HALF_OPEN_MS: how long the open breaker fails fast. */
  readonly breakerHalfOpenMs: number;
  /** MIN_CREDIT_SCORE: the lowest credit score that passes. */
  readonly minCreditScore: number;

  constructor(env: AppConfig) {
    this.mode = env.CUSTOMERS_MODE as CustomersConfig['mode'];
    this.serviceUrl = env.CUSTOMER_SERVICE_URL ?? null;
    this.apiKey = env.CUSTOMER_SERVICE_API_KEY ?? null;
    this.timeoutMs = env.CUSTOMER_SERVICE_TIMEOUT_MS;
    this.breakerThreshold = env.CUSTOMER_SERVICE_BREAKER_THRESHOLD;
    this.breakerHalfOpenMs = env.CUSTOMER_SERVICE_BREAKER_HALF_OPEN_MS;
    this.minCreditScore = env.MIN_CREDIT_SCORE;
  }
}
