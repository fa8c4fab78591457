import { isISO31661Alpha2, isPostalCode as validatorJsPostalCode } from 'class-validator';

/*
 * Countries, regions and postal codes of a shipping address. Everything that knows a
 * country's format is behind three functions (`isCountryCode`, `regionsOf`,
 * `isValidPostalCode`), so a maintained library can replace the tables without touching
 * the DTO. Today: ISO 3166-1 alpha-2 from validator.js (through class-validator, already
 * a dependency), our own table for the countries we ship to most, validator.js's
 * `isPostalCode` table (about 70 countries) for the others, and a loose shape check for
 * the rest (some countries have no postal codes at all).
 */

/** True for an upper-case ISO 3166-1 alpha-2 code in the standard's list (`US`, `DE`), false for `XX`, `us`, `USA`. */
export function isCountryCode(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Z]{2}$/.test(value) && isISO31661Alpha2(value);
}

/** US states, the District of Columbia, the inhabited territories and the armed forces' codes (USPS). */
const US_REGIONS = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA', 'ME',
  'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK', 'OR', 'PA',
  'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'DC',
  'AS', 'GU', 'MP', 'PR', 'VI', 'AA', 'AE', 'AP',
]; // prettier-ignore

/** Canadian provinces and territories (Canada Post). */
const CA_REGIONS = ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'];

/** Australian states and territories. */
const AU_REGIONS = ['ACT', 'NSW', 'NT', 'QLD', 'SA', 'TAS', 'VIC', 'WA'];

/** Countries whose addresses need a region (state, province), with the codes their post uses. */
const REGIONS: Readonly<Record<string, readonly string[]>> = { US: US_REGIONS, CA: CA_REGIONS, AU: AU_REGIONS };

/** The region codes a country's addresses must carry, or null when it has none we require. */
export function regionsOf(country: string): readonly string[] | null {
  return REGIONS[country] ?? null;
}

/**
 * Postal codes of the countries we ship to most, stricter than validator.js where it is
 * loose (its GB pattern accepts a bare outward code such as `SW1A`, which no parcel reaches).
 * Matched after `normalizePostalCode` (upper case, single spaces).
 */
const POSTAL_CODES: Readonly<Record<string, RegExp>> = {
  US: /^\d{5}(?:-\d{4})?$/,
  CA: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/,
  GB: /^(?:GIR ?0AA|(?:[A-PR-UWYZ]\d\d?|[A-PR-UWYZ][A-HK-Y]\d\d?|[A-PR-UWYZ]\d[A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRVWXY]) ?\d[ABD-HJLNP-UW-Z]{2})$/,
  DE: /^(?!00)\d{5}$/,
  FR: /^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$/,
  NL: /^[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}$/,
  BE: /^[1-9]\d{3}$/,
  LU: /^(?:L-)?\d{4}$/,
  AT: /^[1-9]\d{3}$/,
  CH: /^[1-9]\d{3}$/,
  IT: /^\d{5}$/,
  ES: /^(?:0[1-9]|[1-4]\d|5[0-2])\d{3}$/,
  PT: /^\d{4}-\d{3}$/,
  IE: /^(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}$/,
  DK: /^\d{4}$/,
  SE: /^[1-9]\d{2} ?\d{2}$/,
  NO: /^\d{4}$/,
  FI: /^\d{5}$/,
  PL: /^\d{2}-\d{3}$/,
  AU: /^\d{4}$/,
  NZ: /^\d{4}$/,
  JP: /^\d{3}-?\d{4}$/,
};

/** What any postal code looks like, for countries no table knows: letters, digits, spaces and hyphens. */
const ANY_POSTAL_CODE = /^[A-Z0-9](?:[A-Z0-9 -]{0,8}[A-Z0-9])?$/;

/** A postal code as it is compared and stored: trimmed, upper case, runs of spaces made one. */
export function normalizePostalCode(value: string): string {
  return value.trim().toUpperCase().replace(/\s+/g, ' ');
}

/**
 * Whether `postalCode` (normalised) is a postal code of `country` (an ISO alpha-2 code):
 * our table first, then validator.js's, then the loose shape.
 */
export function isValidPostalCode(country: string, postalCode: string): boolean {
  const code = normalizePostalCode(postalCode);
  const own = POSTAL_CODES[country];
  if (own) return own.test(code);
  if (!ANY_POSTAL_CODE.test(code)) return false;
  try {
    return validatorJsPostalCode(code, country as Parameters<typeof validatorJsPostalCode>[1]);
  } catch {
    return true; // validator.js knows no format for this country: the shape check above is all we have
  }
}
