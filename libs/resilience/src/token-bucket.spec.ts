import { describe, expect, it } from '@jest/globals';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('gives `burst` tokens at once, then one per 1/perSecond, booking waits in order', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    expect(bucket.reserve(0)).toEqual({ waitMs: 0 });
    expect(bucket.reserve(0)).toEqual({ waitMs: 0 });
    expect(bucket.reserve(0)).toEqual({ refusedMs: 100 });
    expect(bucket.reserve(500)).toEqual({ waitMs: 100 });
    const second = bucket.reserve(500);
    expect('waitMs' in second && second.waitMs).toBeCloseTo(200);
    now += 300; // the booked tokens were due at 100 and 200 ms: the next one is free at 300
    expect(bucket.reserve(0)).toEqual({ waitMs: 0 });
    expect(bucket.reserve(0)).toEqual({ refusedMs: expect.closeTo(100, 5) });
  });

  it('never holds more than burst, however long it idles', () => {
    let now = 0;
    const bucket = new TokenBucket(100, 3, () => now);
    now += 60_000;
    for (let i = 0; i < 3; i++) expect(bucket.reserve(0)).toEqual({ waitMs: 0 });
    expect('refusedMs' in bucket.reserve(0)).toBe(true);
  });

  it('takes back a token whose request was never sent', () => {
    const bucket = new TokenBucket(1, 1, () => 0);
    expect(bucket.reserve(0)).toEqual({ waitMs: 0 });
    bucket.release();
    expect(bucket.reserve(0)).toEqual({ waitMs: 0 });
  });
});
