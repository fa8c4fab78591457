/*
 * Rates as exact decimal strings and tax as integer minor units: no floating point
 * touches an amount.
 */

const MAX_DECIMALS = 10;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * A provider's rate as a canonical decimal string (`"0.0825"`, `"0"`, `"1"`), or null when
 * it is not a rate we may charge: missing, not a number (NaN, Infinity, `"abc"`, an
 * exponent), negative, above 1, or more than 10 decimals.
 */
export function normalizeRate(value: unknown): string | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value > 1) return null;
    text = value.toFixed(MAX_DECIMALS);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return null;
  }
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const [, whole, fraction = ''] = match;
  if (fraction.length > MAX_DECIMALS) return null;
  const trimmedFraction = fraction.replace(/0+$/, '');
  const trimmedWhole = whole.replace(/^0+(?=\d)/, '');
  if (trimmedWhole !== '0' && !(trimmedWhole === '1' && trimmedFraction === '')) return null; // above 1
  return trimmedFraction === '' ? trimmedWhole : `${trimmedWhole}.${trimmedFraction}`;
}

/**
 * Tax on `subtotalMinor` (an amount in a currency's minor units) at `rate`, in the same
 * minor units, rounded half up: `taxOf(1000, '0.0825')` is 83 (82.5 -> 83).
 *
 * @throws RangeError for a subtotal that is not a non-negative safe integer or a rate that is not canonical.
 */
export function taxOf(subtotalMinor: number, rate: string): number {
  if (!Number.isSafeInteger(subtotalMinor) || subtotalMinor < 0) {
    throw new RangeError(`A subtotal in minor units must be a non-negative safe integer, got ${subtotalMinor}`);
  }
  if (normalizeRate(rate) !== rate) throw new RangeError(`Not a canonical rate: ${rate}`);
  const [whole, fraction = ''] = rate.split('.');
  const numerator = BigInt(whole + fraction);
  const denominator = 10n ** BigInt(fraction.length);
  return Number((BigInt(subtotalMinor) * numerator * 2n + denominator) / (2n * denominator));
}

/** TAX_FALLBACK_RATES parsed: `US` -> `0.07`, `US-CA` -> `0.0725`, `*` -> the default. */
export type RateTable = ReadonlyMap<string, string>;

/** Parses TAX_FALLBACK_RATES (validated at boot by env.schema.ts). */
export function parseRateTable(text: string): RateTable {
  const table = new Map<string, string>();
  for (const entry of text.split(',')) {
    const [key, value] = entry.trim().split('=');
    const rate = normalizeRate(value);
    if (!key || rate === null) throw new Error(`Invalid TAX_FALLBACK_RATES entry: ${entry}`);
    table.set(key.trim().toUpperCase(), rate);
  }
  if (!table.has('*')) throw new Error('TAX_FALLBACK_RATES needs a default *=rate');
  return table;
}

/** The fallback rate for a place: its region's entry, else its country's, else the default. */
export function fallbackRate(table: RateTable, country: string, region: string): string {
  return (region ? table.get(`${country}-${region}`) : undefined) ?? table.get(country) ?? table.get('*')!;
}
