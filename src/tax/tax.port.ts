import type { TaxProviderName } from './tax.types';

/** A normalised address key: country and region upper-case, region '' when none, postal code upper-case. */
export interface TaxLocation {
  country: string;
  region: string;
  postalCode: string;
}

/**
 * A source of combined sales-tax / VAT rates (DESIGN.md section 11). Adapters: the
 * TaxJar-style HTTP API (http-tax.provider.ts) and the simulated one. An adapter answers
 * a valid rate or throws (TaxProviderError, or the network's error); it never answers a
 * rate it did not check.
 */
export interface TaxProvider {
  readonly name: TaxProviderName;
  /** The combined rate for the location, a canonical decimal string from 0 to 1. */
  rate(location: TaxLocation, signal: AbortSignal): Promise<string>;
}

/**
 * A tax provider failed: unreachable, an error status, or an answer we refuse to charge
 * (malformed, missing, negative, above 1). Its message never holds the address or the key.
 */
export class TaxProviderError extends Error {
  constructor(
    message: string,
    /** Worth another attempt (network, 5xx, 429); a 4xx or an invalid answer is not. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'TaxProviderError';
  }
}
