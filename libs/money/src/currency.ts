import { type ValidationOptions, registerDecorator } from 'class-validator';

/*
 * Currencies and their minor units, from the ICU data built into Node (maintained with
 * ICU and CLDR, updated with Node itself), not from a hand-kept list. Every amount in
 * Holdfast is an integer in the currency's minor unit: cents for EUR (2 digits), whole
 * yen for JPY (0), fils for KWD and BHD (3). That is also what Stripe takes ("the
 * smallest currency unit"), so amounts go to the provider unchanged.
 */

/**
 * The largest amount one payment may take, in minor units of any currency: Stripe's
 * limit ("up to eight digits": 999,999.99 EUR, 99,999,999 JPY). Prices and the total of
 * one hold stay within it, so every amount we store also fits the 32-bit integer
 * columns that hold money, and sums of them (refunds of one payment) fit a bigint.
 */
export const MAX_AMOUNT_MINOR = 99_999_999;

/** Every ISO 4217 code in circulation that ICU knows (about 160; not XXX, XTS or withdrawn ones). */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

const digitsCache = new Map<string, number>();

/** True for an upper-case ISO 4217 code in circulation (`EUR`, `JPY`), false for `ZZZ`, `eur` or `XTS`. */
export function isCurrencyCode(code: unknown): code is string {
  return typeof code === 'string' && /^[A-Z]{3}$/.test(code) && CURRENCIES.has(code);
}

/**
 * How many decimal digits the currency's minor unit has: 2 for EUR and USD, 0 for JPY
 * and KRW, 3 for BHD, KWD and TND.
 *
 * @throws RangeError for a code that is not a currency in circulation.
 */
export function minorUnitDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  if (!isCurrencyCode(currency)) throw new RangeError(`Not an ISO 4217 currency code: ${currency}`);
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  digitsCache.set(currency, digits);
  return digits;
}

/**
 * An amount in minor units as a decimal string in major units, exact (no floating
 * point): `formatMinor(1050, 'EUR')` is `"10.50"`, `formatMinor(1050, 'JPY')` is
 * `"1050"`, `formatMinor(1050, 'KWD')` is `"1.050"`, `formatMinor(-5, 'EUR')` is `"-0.05"`.
 */
export function formatMinor(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`An amount in minor units must be a safe integer, got ${amount}`);
  const digits = minorUnitDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const text = String(Math.abs(amount)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** class-validator: the property is an ISO 4217 code in circulation (see `isCurrencyCode`). */
export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isCurrencyCode',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be an upper-case ISO 4217 currency code in circulation (EUR, USD, JPY...)`,
        ...options,
      },
      validator: { validate: (value: unknown) => isCurrencyCode(value) },
    });
  };
}
