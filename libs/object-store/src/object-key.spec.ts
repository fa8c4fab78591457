import { describe, expect, it } from '@jest/globals';
import { assertObjectKey, InvalidObjectKeyError, MAX_KEY_LENGTH } from './object-key';

describe('assertObjectKey', () => {
  it('accepts the keys the app writes: ids, dates, names with dots, dashes and underscores', () => {
    for (const key of [
      'rentals/7d0f5a52-1d7e-4c43-9a52-0f1c8e1b2a3c/photo-1.jpg',
      'exports/bookings/2026-12-01.ndjson.gz',
      'a',
      'A_b-c.d/e',
      `${'x'.repeat(200)}/y`,
      `${'k'.repeat(200)}/${'k'.repeat(200)}/${'k'.repeat(MAX_KEY_LENGTH - 402)}`,
    ]) {
      expect(() => assertObjectKey(key)).not.toThrow();
    }
  });

  it('refuses what could escape a directory or differ between disk and S3, saying why', () => {
    for (const [key, why] of [
      ['../x', '".." is not allowed'],
      ['a/..b', '".." is not allowed'],
      ['/etc/passwd', 'relative'],
      ['a//b', 'each "/"-separated segment'],
      ['a/', 'each "/"-separated segment'],
      ['./a', 'each "/"-separated segment'],
      ['a/.git', 'each "/"-separated segment'],
      ['a\\b', 'each "/"-separated segment'],
      ['a\0b', 'each "/"-separated segment'],
      ['a b', 'each "/"-separated segment'],
      ['é', 'each "/"-separated segment'],
      [`${'x'.repeat(201)}`, 'each "/"-separated segment'],
      [`${'k'.repeat(200)}/${'k'.repeat(200)}/${'k'.repeat(MAX_KEY_LENGTH - 401)}`, `longer than ${MAX_KEY_LENGTH}`],
      ['', 'non-empty'],
    ]) {
      expect(() => assertObjectKey(key)).toThrow(InvalidObjectKeyError);
      expect(() => assertObjectKey(key)).toThrow(why);
    }
  });

  it('never echoes a control character of the key in its message', () => {
    expect(() => assertObjectKey('a\0\r\nb')).toThrow(/"a\\u0000\\r\\nb"/);
  });
});
