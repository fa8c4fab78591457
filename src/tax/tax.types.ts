/** Where goods are delivered, as tax needs it (DESIGN.md section 11's address, reduced). */
export interface TaxAddress {
  /** ISO 3166-1 alpha-2, e.g. `US`. */
  country: string;
  /** State or province code where the country has them, e.g. `CA`. */
  region?: string | null;
  postalCode: string;
}

/** Where a tax answer came from. */
export type TaxSource = 'provider' | 'cache' | 'fallback';

/** A priced tax (`TaxService.quote`). */
export interface TaxQuote {
  /** Tax in the currency's minor units: subtotal x rate, rounded half up. */
  taxCents: number;
  /** The rate applied, as an exact decimal string (`"0.0825"`). */
  rate: string;
  /**
   * True when the rate is not the provider's current one for the address: the fallback
   * table, or a cached rate past its 24 h (the provider failing). Totals show `taxEstimated`.
   */
  estimated: boolean;
  source: TaxSource;
}

/** The `tax.provider` flag's variants: which adapter prices tax. */
export const TAX_PROVIDERS = ['http', 'simulated'] as const;
export type TaxProviderName = (typeof TAX_PROVIDERS)[number];
