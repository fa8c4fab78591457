import { describe, expect, it } from '@jest/globals';
import { ReturnFieldsReader, type ReturnTextField } from './return-fields';
import { detectImageType } from './return-upload';

const ftyp = (brand: string, size = 24) => {
  const box = Buffer.alloc(size);
  box.writeUInt32BE(size, 0);
  box.write(`ftyp${brand}`, 4, 'latin1');
  return box;
};

describe('detectImageType', () => {
  it('knows JPEG, PNG and the HEIC family by their first bytes', () => {
    expect(detectImageType(Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe('image/jpeg');
    expect(detectImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))).toBe('image/png');
    for (const brand of ['heic', 'heix', 'hevc', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']) {
      expect(detectImageType(ftyp(brand))).toBe('image/heic');
    }
  });

  it('refuses everything else, near misses included', () => {
    for (const head of [
      Buffer.from('GIF89a\0\0\0\0\0\0'),
      Buffer.from('RIFF\0\0\0\0WEBP'), // WebP
      Buffer.from('%PDF-1.7\n%\xe2\xe3'),
      Buffer.from([0xff, 0xd8, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // not FF D8 FF
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x00, 0, 0, 0, 0]), // PNG with a bad last byte
      ftyp('isom'), // MP4
      ftyp('avif'), // AVIF is not HEIC
      ftyp('qt  '),
      ftyp('heic', 8), // a box too small to be an ftyp
      ftyp('heic', 22), // not a whole number of brands
      ftyp('heic').subarray(0, 11), // too short to tell
      Buffer.alloc(0),
    ]) {
      expect(detectImageType(head)).toBeNull();
    }
  });
});

describe('ReturnFieldsReader', () => {
  const read = (field: ReturnTextField, value: string) => new ReturnFieldsReader(2000).add(field, value);

  it.each([
    ['odometerKm', '0'],
    ['odometerKm', '2000000'],
    ['energyLevelPercent', '0'],
    ['energyLevelPercent', '100'],
    ['energyLevelPercent', '57.25'],
    ['latitude', '-90'],
    ['latitude', '52.3791234567'],
    ['longitude', '180'],
    ['longitude', '-179.9'],
    ['notes', 'é'.repeat(2000)],
    ['notes', 'two\nlines'],
  ] as [ReturnTextField, string][])('accepts %s = %j', (field, value) => {
    expect(read(field, value)).toBeNull();
  });

  it.each([
    ['odometerKm', ''],
    ['odometerKm', '2000001'],
    ['odometerKm', '+5'],
    ['odometerKm', '5 '],
    ['odometerKm', 'Infinity'],
    ['energyLevelPercent', '100.01'],
    ['energyLevelPercent', '-0'],
    ['energyLevelPercent', '5.123'],
    ['energyLevelPercent', '.5'],
    ['latitude', '-90.0000001'],
    ['latitude', 'NaN'],
    ['longitude', '180.5'],
    ['longitude', '1,5'],
    ['notes', 'é'.repeat(2001)],
    ['notes', 'a\u0000b'],
  ] as [ReturnTextField, string][])('refuses %s = %j', (field, value) => {
    expect(read(field, value)).toMatch(new RegExp(`^${field} `));
  });

  it('parses numbers, nulls a blank note, refuses a field twice, and lists what is missing', () => {
    const reader = new ReturnFieldsReader(2000);
    expect(reader.add('odometerKm', '120')).toBeNull();
    expect(reader.add('odometerKm', '121')).toBe('odometerKm is sent twice');
    expect(reader.add('notes', '   ')).toBeNull();
    expect(reader.missing().map((d) => d.field)).toEqual(['energyLevelPercent', 'latitude', 'longitude']);
    for (const [field, value] of [
      ['energyLevelPercent', '50'],
      ['latitude', '1.5'],
      ['longitude', '-2'],
    ] as const) {
      reader.add(field, value);
    }
    expect(reader.missing()).toEqual([]);
    expect(reader.fields()).toEqual({ odometerKm: 120, energyLevelPercent: 50, latitude: 1.5, longitude: -2, notes: null });
    expect(ReturnFieldsReader.isField('notes')).toBe(true);
    expect(ReturnFieldsReader.isField('__proto__')).toBe(false);
  });
});
