import { describe, expect, it } from '@jest/globals';
import { validateSync } from 'class-validator';
import { IsCurrencyCode, formatMinor, isCurrencyCode, minorUnitDigits } from './currency';

class Priced {
  @IsCurrencyCode()
  currency!: unknown;
}

const errorsFor = (currency: unknown): string[] =>
  validateSync(Object.assign(new Priced(), { currency })).flatMap((e) => Object.values(e.constraints ?? {}));

describe('currencies (ICU data built into Node)', () => {
  it('knows the codes in circulation', () => {
    for (const code of ['EUR', 'USD', 'GBP', 'JPY', 'KWD', 'BHD', 'CHF', 'SEK']) expect(isCurrencyCode(code)).toBe(true);
  });

  it('refuses made-up, test, withdrawn and lower-case codes, and non-strings', () => {
    for (const code of ['ZZZ', 'XTS', 'XXX', 'DEM', 'FRF', 'eur', 'EURO', 'EU', '', null, 978])
      expect(isCurrencyCode(code)).toBe(false);
  });

  it('gives the minor unit of each currency', () => {
    expect(minorUnitDigits('EUR')).toBe(2);
    expect(minorUnitDigits('USD')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('KRW')).toBe(0);
    expect(minorUnitDigits('BHD')).toBe(3);
    expect(minorUnitDigits('KWD')).toBe(3);
    expect(() => minorUnitDigits('ZZZ')).toThrow(RangeError);
  });

  it('writes minor units as exact major-unit decimals', () => {
    expect(formatMinor(1050, 'EUR')).toBe('10.50');
    expect(formatMinor(5, 'EUR')).toBe('0.05');
    expect(formatMinor(-5, 'EUR')).toBe('-0.05');
    expect(formatMinor(1050, 'JPY')).toBe('1050');
    expect(formatMinor(1050, 'KWD')).toBe('1.050');
    expect(formatMinor(0, 'BHD')).toBe('0.000');
    expect(formatMinor(99_999_999, 'USD')).toBe('999999.99');
    expect(() => formatMinor(1.5, 'EUR')).toThrow(RangeError);
  });

  it('IsCurrencyCode validates a DTO property', () => {
    expect(errorsFor('EUR')).toEqual([]);
    expect(errorsFor('ZZZ')).toEqual([expect.stringContaining('ISO 4217')]);
    expect(errorsFor(undefined)).toHaveLength(1);
  });
});
