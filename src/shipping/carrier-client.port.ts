import type { ShippingAddress } from './shipping.types';

/** Where a parcel leaves from; only what rating needs. */
export interface ShipFrom {
  country: string;
  postalCode: string;
}

/** What a carrier is asked to rate. */
export interface CarrierQuoteRequest {
  from?: ShipFrom;
  to: ShippingAddress;
  weightGrams: number;
  /** The currency the rates must be in (ISO 4217); a carrier answering in another one has failed. */
  currency: string;
}

/** One service a carrier offers for the parcel. `amountCents` is in the currency's minor units. */
export interface CarrierRate {
  carrier: string;
  service: string;
  amountCents: number;
  currency: string;
  estimatedDays: number;
}

/**
 * One carrier (DESIGN.md section 11's carriers port): the HTTP adapter speaks our one JSON
 * contract to a configured base URL, the simulated one invents rates in process.
 *
 * `quote` resolves with the carrier's rates (validated: an adapter never returns an amount,
 * currency or field it did not check) or rejects; it stops work and rejects when `signal`
 * aborts (the per-call timeout), so a slow carrier holds nothing after its time is up.
 */
export interface CarrierClient {
  /** The configured name: in rates, logs and the flag `shipping.carrier.<name>`. */
  readonly name: string;
  /** false: configured off (SHIPPING_CARRIERS `|disabled`); never asked, whatever its flag. */
  readonly enabled: boolean;
  quote(request: CarrierQuoteRequest, signal: AbortSignal): Promise<CarrierRate[]>;
}

/** DI token: every configured carrier, enabled or not, in configuration order. */
export const CARRIER_CLIENTS = Symbol('CARRIER_CLIENTS');

/** A carrier's answer that breaks the contract (bad status, body, amount, currency): counted as a failure. */
export class CarrierResponseError extends Error {
  constructor(
    readonly carrier: string,
    message: string,
  ) {
    super(`${carrier}: ${message}`);
    this.name = 'CarrierResponseError';
  }
}
