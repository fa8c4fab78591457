/** A shipping address (DESIGN.md section 11), as `ShippingAddressDto` validates it. */
export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  /** The state or province code where the country has them (US, CA, AU). */
  region?: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** A quoted rate the customer can choose, kept 15 minutes. Amounts in the currency's minor units. */
export interface ShippingRate {
  /** Hand it back to `ShippingService.takeRate` (or `PUT /v1/reservations/{id}/shipping`). */
  rateId: string;
  /** The carrier's configured name (`fedex`), or `flat-rate` for the fallback table. */
  carrier: string;
  service: string;
  amount: number;
  currency: string;
  estimatedDays: number;
}

/** The answer to a quote: rates cheapest first, and whether they are the flat-rate fallback. */
export interface ShippingQuote {
  rates: ShippingRate[];
  /** True when no carrier answered in time and the rates are the configured flat-rate table. */
  fallback: boolean;
  /** When these rates stop being accepted (`SHIPPING_RATE_EXPIRED`). */
  expiresAt: Date;
}

/** A rate as stored: what the reservation is charged and where the goods go. */
export interface StoredShippingRate extends ShippingRate {
  reservationId: string;
  fallback: boolean;
  address: ShippingAddress;
  weightGrams: number;
  quotedAt: Date;
  expiresAt: Date;
}

/** The carrier name the flat-rate fallback's rates carry. */
export const FLAT_RATE_CARRIER = 'flat-rate';
