import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { AppError } from '@holdfast/errors';
import { isCurrencyCode } from '@holdfast/money';
import type { IntegrationPolicy } from '@holdfast/resilience';
import { FlagsService } from '../flags/flags.service';
import { FLAGS } from '../flags/flags.types';
import { IntegrationsService } from '../integrations/integrations.service';
import { HttpTaxProvider } from './http-tax.provider';
import { SimulatedTaxProvider } from './simulated-tax.provider';
import { fallbackRate, normalizeRate, parseRateTable, taxOf, type RateTable } from './tax-rate';
import { TaxRatesRepository } from './tax-rates.repository';
import { TaxConfig } from './tax.config';
import { TaxProviderError, type TaxLocation, type TaxProvider } from './tax.port';
import { TAX_PROVIDERS, type TaxAddress, type TaxProviderName, type TaxQuote } from './tax.types';

/** A cached rate is the provider's answer for 24 h (DESIGN.md section 11). */
export const TAX_CACHE_TTL_MS = 24 * 3_600_000;
/** Past 24 h and up to 7 days, a cached rate still beats the fallback table when the provider fails (estimated). */
export const TAX_STALE_MAX_MS = 7 * 24 * 3_600_000;
/** How long a lookup may queue for a rate-limit token before it falls back. */
const RATE_LIMIT_MAX_WAIT_MS = 500;

/** The integration (metrics label) each adapter runs under: separate breakers, so switching the flag switches them too. */
const INTEGRATION: Record<TaxProviderName, string> = { http: 'tax', simulated: 'tax_simulated' };

const COUNTRY = /^[A-Z]{2}$/;
const REGION = /^[A-Z0-9]{1,3}$/;
const POSTAL_CODE = /^[A-Z0-9][A-Z0-9 -]{0,14}$/;

/**
 * Sales tax / VAT for a delivery address (DESIGN.md section 11; docs/integrations.md).
 * Rates, not amounts, are cached 24 h in Postgres per provider and place, so a cached rate
 * prices any subtotal exactly. The provider (flag `tax.provider`) sits behind
 * libs/resilience's timeout, retry, circuit breaker and rate limiter; when it fails, a
 * cached rate up to 7 days old, else the TAX_FALLBACK_RATES table, prices the tax,
 * `estimated: true`: a sale is not lost to a tax outage.
 */
@Injectable()
export class TaxService {
  private readonly logger = new Logger(TaxService.name);
  private readonly providers: Record<TaxProviderName, { adapter: TaxProvider; policy: IntegrationPolicy }>;
  private readonly fallbackTable: RateTable;
  private readonly warned = new Set<string>();

  constructor(
    private readonly config: TaxConfig,
    private readonly repository: TaxRatesRepository,
    private readonly flags: FlagsService,
    private readonly integrations: IntegrationsService,
    private readonly clock: Clock,
  ) {
    this.fallbackTable = parseRateTable(config.fallbackRates);
    const policy = (name: TaxProviderName, dailyQuota?: number) =>
      integrations.register(
        { name: INTEGRATION[name], kind: 'tax', dailyQuota },
        {
          timeoutMs: config.timeoutMs,
          retries: config.retries,
          breaker: { threshold: config.breakerThreshold, halfOpenAfterMs: config.breakerHalfOpenMs },
          rateLimit: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst, maxWaitMs: RATE_LIMIT_MAX_WAIT_MS },
          isRetryable: (error) => !(error instanceof TaxProviderError) || error.retryable,
        },
      );
    this.providers = {
      http: { adapter: new HttpTaxProvider(config.apiUrl, config.apiKey), policy: policy('http', config.dailyQuota) },
      simulated: {
        adapter: new SimulatedTaxProvider(config.simulatedLatencyMs, config.simulatedFailurePercent),
        policy: policy('simulated'),
      },
    };
  }

  /**
   * The tax on `subtotalMinor` (minor units of `currency`) for goods delivered to `address`:
   * `taxCents` = subtotal x rate, rounded half up to the minor unit. Never throws for a
   * provider's failure: the answer is then `estimated` (source `cache` for a stale rate,
   * `fallback` for the table), and counted as fallback use.
   *
   * @throws AppError VALIDATION_FAILED for an address, amount or currency that is not valid.
   */
  async quote(address: TaxAddress, subtotalMinor: number, currency: string): Promise<TaxQuote> {
    const location = this.locate(address);
    if (!Number.isSafeInteger(subtotalMinor) || subtotalMinor < 0) {
      throw new AppError('VALIDATION_FAILED', 'The subtotal must be a non-negative integer in minor units');
    }
    if (!isCurrencyCode(currency)) throw new AppError('VALIDATION_FAILED', `Not a currency: ${currency}`);

    const chosen = await this.chooseProvider();
    const cacheOf = chosen ?? this.config.defaultProvider;
    const cached = await this.repository.find(cacheOf, location);
    const age = cached ? this.clock.nowMs() - cached.fetchedAt.getTime() : Infinity;
    if (cached && age < TAX_CACHE_TTL_MS) return this.priced(subtotalMinor, cached.rate, 'cache', false);

    if (chosen) {
      const { adapter, policy } = this.providers[chosen];
      let rate: string | null = null;
      try {
        rate = await policy.execute((signal) => adapter.rate(location, signal), { idempotent: true });
      } catch (error) {
        // Counted and remembered by the policy's observer (IntegrationsService); the sale goes on.
        this.logger.warn({ err: error, integration: INTEGRATION[chosen] }, 'Tax lookup failed; pricing tax with a fallback');
      }
      if (rate !== null) {
        await this.repository
          .save(chosen, location, rate, this.clock.now())
          .catch((error: unknown) => this.logger.warn({ err: error }, 'Could not cache a tax rate'));
        return this.priced(subtotalMinor, rate, 'provider', false);
      }
    }
    this.integrations.recordFallback(INTEGRATION[cacheOf]);
    if (cached && age < TAX_STALE_MAX_MS) return this.priced(subtotalMinor, cached.rate, 'cache', true);
    return this.priced(subtotalMinor, fallbackRate(this.fallbackTable, location.country, location.region), 'fallback', true);
  }

  /**
   * The adapter the `tax.provider` flag picks now: its variant (`http` | `simulated`), the
   * configured default when it has none, or null when the flag is off (no provider is
   * asked: cached rates, then the fallback table). Production never uses `simulated`.
   */
  private async chooseProvider(): Promise<TaxProviderName | null> {
    if (!(await this.flags.isEnabled(FLAGS.taxProvider, true))) return null;
    const variant = await this.flags.variant(FLAGS.taxProvider);
    let chosen: TaxProviderName = this.config.defaultProvider;
    if ((TAX_PROVIDERS as readonly string[]).includes(variant ?? '')) chosen = variant as TaxProviderName;
    else if (variant !== null) this.warnOnce(`variant:${variant}`, `Unknown tax.provider variant ${variant}; using ${chosen}`);
    if (chosen === 'simulated' && this.config.production) {
      this.warnOnce('production', 'tax.provider selects the simulated provider, refused with NODE_ENV=production; using http');
      chosen = 'http';
    }
    return chosen;
  }

  private priced(subtotalMinor: number, rate: string, source: TaxQuote['source'], estimated: boolean): TaxQuote {
    const canonical = normalizeRate(rate);
    if (canonical === null) throw new Error(`An invalid tax rate reached pricing: ${rate}`);
    return { taxCents: taxOf(subtotalMinor, canonical), rate: canonical, estimated, source };
  }

  private locate(address: TaxAddress): TaxLocation {
    const country = String(address.country ?? '')
      .trim()
      .toUpperCase();
    const region = String(address.region ?? '')
      .trim()
      .toUpperCase();
    const postalCode = String(address.postalCode ?? '')
      .trim()
      .toUpperCase()
      .replace(/\s+/g, ' ');
    const problems: { field: string; message: string }[] = [];
    if (!COUNTRY.test(country)) problems.push({ field: 'country', message: 'country must be an ISO 3166-1 alpha-2 code' });
    if (region !== '' && !REGION.test(region))
      problems.push({ field: 'region', message: 'region must be a state or province code' });
    if (!POSTAL_CODE.test(postalCode))
      problems.push({ field: 'postalCode', message: 'postalCode must be 1 to 15 letters, digits, spaces or dashes' });
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', 'The address cannot be taxed', problems);
    return { country, region, postalCode };
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(message);
  }
}
