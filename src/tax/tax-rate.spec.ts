import { describe, expect, it } from '@jest/globals';
import { simulatedRate } from './simulated-tax.provider';
import { fallbackRate, normalizeRate, parseRateTable, taxOf } from './tax-rate';

describe('normalizeRate', () => {
  it('accepts decimal strings and numbers from 0 to 1, canonically', () => {
    expect(normalizeRate('0.0825')).toBe('0.0825');
    expect(normalizeRate('0.08250')).toBe('0.0825');
    expect(normalizeRate(' 00.19 ')).toBe('0.19');
    expect(normalizeRate('0')).toBe('0');
    expect(normalizeRate('1.000')).toBe('1');
    expect(normalizeRate(0.0725)).toBe('0.0725');
    expect(normalizeRate(0)).toBe('0');
    expect(normalizeRate(1)).toBe('1');
  });

  it('refuses what must never be charged: missing, negative, above 1, NaN, text, exponents, too many decimals', () => {
    for (const value of [
      undefined,
      null,
      '',
      '-0.05',
      -0.05,
      '1.25',
      1.0001,
      NaN,
      Infinity,
      'NaN',
      'abc',
      '1e-2',
      '0.12345678901',
      {},
      [0.1],
      true,
    ]) {
      expect({ value, rate: normalizeRate(value) }).toEqual({ value, rate: null });
    }
  });
});

describe('taxOf', () => {
  it('rounds half up in minor units, exactly', () => {
    expect(taxOf(1000, '0.0825')).toBe(83); // 82.5
    expect(taxOf(999, '0.1025')).toBe(102); // 102.3975
    expect(taxOf(10, '0.05')).toBe(1); // 0.5
    expect(taxOf(9, '0.05')).toBe(0); // 0.45
    expect(taxOf(0, '0.2')).toBe(0);
    expect(taxOf(99_999_999, '1')).toBe(99_999_999);
    expect(taxOf(99_999_999, '0.0000000001')).toBe(0); // 0.0099...
    // 0.1 + 0.2 style float traps do not exist here: 1005 x 0.07 = 70.35 -> 70.
    expect(taxOf(1005, '0.07')).toBe(70);
    expect(taxOf(1050, '0.07')).toBe(74); // 73.5 -> 74
  });

  it('refuses a negative or fractional subtotal and a rate that is not canonical', () => {
    expect(() => taxOf(-1, '0.1')).toThrow(RangeError);
    expect(() => taxOf(1.5, '0.1')).toThrow(RangeError);
    expect(() => taxOf(100, '0.10')).toThrow(RangeError);
    expect(() => taxOf(100, '-0.1')).toThrow(RangeError);
  });
});

describe('the fallback rate table', () => {
  it('parses TAX_FALLBACK_RATES and picks region, then country, then the default', () => {
    const table = parseRateTable('US=0.07, US-CA=0.0725,DE=0.19,*=0.20');
    expect(fallbackRate(table, 'US', 'CA')).toBe('0.0725');
    expect(fallbackRate(table, 'US', 'NY')).toBe('0.07');
    expect(fallbackRate(table, 'US', '')).toBe('0.07');
    expect(fallbackRate(table, 'DE', '')).toBe('0.19');
    expect(fallbackRate(table, 'JP', '')).toBe('0.2');
    expect(() => parseRateTable('US=0.07')).toThrow(/default/);
    expect(() => parseRateTable('US=2,*=0.1')).toThrow(/Invalid/);
  });
});

describe('simulatedRate', () => {
  it('is deterministic, valid, and follows country and region', () => {
    const at = { country: 'US', region: 'CA', postalCode: '90002' };
    expect(simulatedRate(at)).toBe(simulatedRate({ ...at }));
    expect(normalizeRate(simulatedRate(at))).toBe(simulatedRate(at));
    expect(Number(simulatedRate(at))).toBeGreaterThanOrEqual(0.0725);
    expect(simulatedRate({ country: 'DE', region: '', postalCode: '10115' })).toBe('0.19');
    expect(simulatedRate({ country: 'CA', region: 'QC', postalCode: 'H2X 1Y4' })).toBe('0.14975');
    expect(simulatedRate({ country: 'ZZ', region: '', postalCode: '1' })).toBe('0.1');
  });
});
