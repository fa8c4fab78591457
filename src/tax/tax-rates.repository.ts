import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { TaxLocation } from './tax.port';
import type { TaxProviderName } from './tax.types';

export interface CachedRate {
  rate: string;
  fetchedAt: Date;
}

/**
 * The `tax_rates` cache: one rate per provider and place (country, region, postal code),
 * replaced on every fresh answer. Read and written outside the caller's transaction: a
 * rate learnt is worth keeping whatever becomes of the caller's work.
 */
@Injectable()
export class TaxRatesRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async find(provider: TaxProviderName, at: TaxLocation): Promise<CachedRate | null> {
    const [row] = await this.txHost.outside(() =>
      this.txHost.rows<CachedRate>(
        `SELECT rate::text AS rate, fetched_at AS "fetchedAt" FROM tax_rates
          WHERE provider = $1 AND country = $2 AND region = $3 AND postal_code = $4`,
        [provider, at.country, at.region, at.postalCode],
      ),
    );
    return row ?? null;
  }

  async save(provider: TaxProviderName, at: TaxLocation, rate: string, fetchedAt: Date): Promise<void> {
    await this.txHost.outside(() =>
      this.txHost.rows(
        `INSERT INTO tax_rates (provider, country, region, postal_code, rate, fetched_at) VALUES ($1, $2, $3, $4, $5::numeric, $6)
           ON CONFLICT (provider, country, region, postal_code) DO UPDATE SET rate = EXCLUDED.rate, fetched_at = EXCLUDED.fetched_at`,
        [provider, at.country, at.region, at.postalCode, rate, fetchedAt],
      ),
    );
  }
}
