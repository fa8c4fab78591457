import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors } from '@holdfast/errors';
import { ShippingAddressDto } from './shipping-address.dto';

const US = {
  name: 'Ann Example',
  line1: '1600 Amphitheatre Parkway',
  city: 'Mountain View',
  region: 'CA',
  postalCode: '94043',
  country: 'US',
};
const GB = { name: 'Ann Example', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' };
const DE = { name: 'Ann Example', line1: 'Invalidenstraße 1', city: 'Berlin', postalCode: '10115', country: 'DE' };
const CA = { name: 'Ann Example', line1: '24 Sussex Drive', city: 'Ottawa', region: 'ON', postalCode: 'K1M 1M4', country: 'CA' };

/** The address as the validation pipe would transform it, and the fields it finds wrong. */
function check(input: Record<string, unknown>): { dto: ShippingAddressDto; fields: string[]; messages: string[] } {
  const dto = plainToInstance(ShippingAddressDto, input);
  const details = flattenValidationErrors(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }));
  return { dto, fields: [...new Set(details.map((d) => d.field))], messages: details.map((d) => d.message) };
}

describe('ShippingAddressDto', () => {
  it('accepts well-formed addresses of the US, GB, DE and CA, normalising case and spaces', () => {
    for (const address of [US, GB, DE, CA]) expect([address.country, check(address).fields]).toEqual([address.country, []]);
    const { dto, fields } = check({ ...GB, postalCode: '  sw1a   2aa ', country: 'gb', name: '  Ann  ' });
    expect(fields).toEqual([]);
    expect(dto).toMatchObject({ postalCode: 'SW1A 2AA', country: 'GB', name: 'Ann' });
    expect(check({ ...US, region: 'ca', postalCode: '94043-1351' }).fields).toEqual([]);
    expect(check({ ...CA, postalCode: 'k1m1m4' }).dto.postalCode).toBe('K1M1M4');
  });

  it('refuses a country that is not ISO 3166-1 alpha-2', () => {
    for (const country of ['XX', 'USA', 'U1', '', 'ZZ', 42, null]) {
      expect([country, check({ ...DE, country }).fields]).toEqual([country, ['country']]);
    }
  });

  it.each([
    ['US', US, ['9404', '940431', 'ABCDE', '94043-12', '94043 1351']],
    ['GB', GB, ['SW1A', 'SW1A 2A', '12345', 'QW1A 2AA', 'SW1A 2CA', 'SW1A-2AA']],
    ['DE', DE, ['1011', '101155', '00123', 'D-10115', 'ABCDE']],
    ['CA', CA, ['K1M', 'K1M 1M', 'D1M 1M4', 'K1M 1D4', '12345', 'K1M-1M4']],
  ])('refuses postal codes that are not of %s', (_country, address, codes) => {
    for (const postalCode of codes) {
      const { fields, messages } = check({ ...address, postalCode });
      expect([postalCode, fields]).toEqual([postalCode, ['postalCode']]);
      expect(messages.join()).toContain(`not a postal code of ${address.country}`);
    }
  });

  it('checks postal codes of other countries by their format where one is known, by their shape elsewhere', () => {
    expect(check({ ...DE, country: 'FR', postalCode: '75008' }).fields).toEqual([]);
    expect(check({ ...DE, country: 'NL', postalCode: '1012 AB' }).fields).toEqual([]);
    expect(check({ ...DE, country: 'NL', postalCode: '1012 SA' }).fields).toEqual(['postalCode']);
    expect(check({ ...DE, country: 'BR', postalCode: '01310-100' }).fields).toEqual([]); // validator.js's table
    expect(check({ ...DE, country: 'BR', postalCode: '0131' }).fields).toEqual(['postalCode']);
    expect(check({ ...DE, country: 'GH', postalCode: 'GA-107' }).fields).toEqual([]); // no table: the shape
    expect(check({ ...DE, country: 'GH', postalCode: '#1' }).fields).toEqual(['postalCode']);
  });

  it('requires a region of the country for the US, CA and AU, and leaves it optional elsewhere', () => {
    expect(check({ ...US, region: undefined }).fields).toEqual(['region']);
    expect(check({ ...US, region: 'ZZ' }).fields).toEqual(['region']);
    expect(check({ ...US, region: 'ON' }).fields).toEqual(['region']); // a province, not a state
    expect(check({ ...CA, region: 'CA' }).fields).toEqual(['region']);
    expect(check({ ...CA, region: 'QC', postalCode: 'H2Y 1C6' }).fields).toEqual([]);
    expect(check({ ...DE, country: 'AU', postalCode: '2000' }).fields).toEqual(['region']);
    expect(check({ ...DE, country: 'AU', postalCode: '2000', region: 'NSW' }).fields).toEqual([]);
    expect(check({ ...DE, region: 'Berlin' }).fields).toEqual([]);
    expect(check(DE).dto.region).toBeUndefined();
  });

  it('refuses NUL bytes, control characters, bidi overrides and lone surrogates in every text field', () => {
    for (const field of ['name', 'line1', 'line2', 'city']) {
      for (const bad of ['Ann\u0000', 'Ann\nExample', 'Ann\u001b[31m', 'Ann\u202eelpmaxE', 'Ann\ud800']) {
        expect([field, bad, check({ ...DE, [field]: bad }).fields]).toEqual([field, bad, [field]]);
      }
    }
    expect(check({ ...DE, region: 'Be\u0000rlin' }).fields).toEqual(['region']);
    expect(check({ ...DE, postalCode: '10115\u0000' }).fields).toContain('postalCode');
    expect(check({ ...DE, name: 'Zoë 👩‍🚀 Ñoño', city: 'Zürich' }).fields).toEqual([]);
  });

  it('bounds every field and refuses blank required ones and unknown fields', () => {
    expect(check({ ...DE, name: 'x'.repeat(101) }).fields).toEqual(['name']);
    expect(check({ ...DE, name: 'x'.repeat(100) }).fields).toEqual([]);
    expect(check({ ...DE, line1: 'x'.repeat(101) }).fields).toEqual(['line1']);
    expect(check({ ...DE, line2: 'x'.repeat(101) }).fields).toEqual(['line2']);
    expect(check({ ...DE, city: 'x'.repeat(65) }).fields).toEqual(['city']);
    expect(check({ ...DE, region: 'x'.repeat(65) }).fields).toEqual(['region']);
    expect(check({ ...DE, postalCode: '1'.repeat(17) }).fields).toContain('postalCode');
    expect(check({ ...DE, name: '   ' }).fields).toEqual(['name']);
    expect(check({ ...DE, line1: undefined }).fields).toEqual(['line1']);
    expect(check({ ...DE, name: 42 }).fields).toEqual(['name']);
    expect(check({ ...DE, phone: '+49 30 1234' }).fields).toEqual(['phone']);
  });
});
