import type { AppConfig } from '../config/app-config';
import {
  type CarrierEndpoint,
  type FlatRateOption,
  parseCarrierEndpoints,
  parseCarrierKeys,
  parseFlatRates,
} from '../config/shipping-env';

/** An HTTP carrier as configured: where it answers, with which key, and whether it is asked at all. */
export interface HttpCarrierSettings extends CarrierEndpoint {
  /** Sent as `Authorization: Bearer <apiKey>`; never logged. Null only for a disabled carrier without one. */
  apiKey: string | null;
}

/** What the shipping module reads from the validated environment (src/config/config-slices.ts provides it). */
export class ShippingConfig {
  /** SHIPPING_PROVIDER: `simulated` (three in-process carriers, the development default) or `http`. */
  readonly provider: 'simulated' | 'http';
  /** SHIPPING_CARRIERS with SHIPPING_CARRIER_API_KEY: the HTTP carriers (empty with the simulated provider). */
  readonly carriers: readonly HttpCarrierSettings[];
  /** SHIPPING_FLAT_RATES: the options offered when no carrier answers in time. */
  readonly flatRates: readonly FlatRateOption[];
  /** SHIPPING_QUOTE_TIMEOUT_MS: how long each carrier may take to answer. */
  readonly quoteTimeoutMs: number;
  /** SHIPPING_SIMULATED_LATENCY_MS: the simulated carriers' typical answer time. */
  readonly simulatedLatencyMs: number;
  /** SHIPPING_SIMULATED_FAILURE_RATE: the share of simulated calls that fail (0 to 1). */
  readonly simulatedFailureRate: number;

  constructor(env: AppConfig) {
    this.provider = env.SHIPPING_PROVIDER as ShippingConfig['provider'];
    const keys = parseCarrierKeys(env.SHIPPING_CARRIER_API_KEY ?? '');
    this.carriers =
      this.provider === 'http'
        ? parseCarrierEndpoints(env.SHIPPING_CARRIERS ?? '').map((c) => Object.freeze({ ...c, apiKey: keys.get(c.name) ?? null }))
        : [];
    this.flatRates = parseFlatRates(env.SHIPPING_FLAT_RATES);
    this.quoteTimeoutMs = env.SHIPPING_QUOTE_TIMEOUT_MS;
    this.simulatedLatencyMs = env.SHIPPING_SIMULATED_LATENCY_MS;
    this.simulatedFailureRate = env.SHIPPING_SIMULATED_FAILURE_RATE;
  }
}
