import { setTimeout as sleep } from 'node:timers/promises';
import { normalizeRate } from './tax-rate';
import { TaxProviderError, type TaxLocation, type TaxProvider } from './tax.port';

/** US state base rates (2026, rounded): the simulated provider's, not advice. */
const US_STATES: Record<string, number> = {
  CA: 0.0725,
  NY: 0.04,
  TX: 0.0625,
  WA: 0.065,
  FL: 0.06,
  IL: 0.0625,
  MA: 0.0625,
  CO: 0.029,
  OR: 0,
  MT: 0,
  DE: 0,
  NH: 0,
};
/** Canadian GST/HST/PST by province. */
const CA_PROVINCES: Record<string, number> = { ON: 0.13, QC: 0.14975, BC: 0.12, AB: 0.05, NS: 0.15, MB: 0.12 };
/** VAT standard rates. */
const COUNTRIES: Record<string, number> = {
  DE: 0.19,
  FR: 0.2,
  GB: 0.2,
  NL: 0.21,
  IT: 0.22,
  ES: 0.21,
  IE: 0.23,
  AT: 0.2,
  BE: 0.21,
  SE: 0.25,
  DK: 0.25,
  CH: 0.081,
  AU: 0.1,
  JP: 0.1,
};

/**
 * Deterministic, made-up rates, so development and demos need no tax account: a country's
 * VAT, a Canadian province's, or a US state's base rate plus a local rate of up to 2.75 %
 * derived from the postal code (same code, same rate). Answers after `latencyMs` and
 * fails `failurePercent` % of lookups (TAX_SIMULATED_*), for chaos drills. Never used with
 * NODE_ENV=production.
 */
export class SimulatedTaxProvider implements TaxProvider {
  readonly name = 'simulated' as const;

  constructor(
    private readonly latencyMs: number,
    private readonly failurePercent: number,
    private readonly random: () => number = Math.random,
  ) {}

  async rate(location: TaxLocation, signal: AbortSignal): Promise<string> {
    if (this.latencyMs > 0) await sleep(this.latencyMs, undefined, { signal });
    if (this.failurePercent > 0 && this.random() * 100 < this.failurePercent) {
      throw new TaxProviderError('the simulated tax provider failed (TAX_SIMULATED_FAILURE_PERCENT)', true);
    }
    return simulatedRate(location);
  }
}

/** The simulated provider's rate for a location (exported for tests). */
export function simulatedRate({ country, region, postalCode }: TaxLocation): string {
  let rate: number;
  if (country === 'US') {
    const local = [...postalCode].reduce((sum, ch) => (sum * 31 + ch.charCodeAt(0)) % 1_000_003, 7) % 12; // 0..11
    rate = (US_STATES[region] ?? 0.05) + local * 0.0025;
  } else if (country === 'CA') {
    rate = CA_PROVINCES[region] ?? 0.05;
  } else {
    rate = COUNTRIES[country] ?? 0.1;
  }
  return normalizeRate(Number(rate.toFixed(6)))!;
}
