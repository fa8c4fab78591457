import { describe, expect, it } from '@jest/globals';
import { FixedWindowRateLimiter } from './rate-limiter';

function limiterAt(start: number) {
  const clock = { now: start };
  return { clock, limiter: new FixedWindowRateLimiter(60_000, () => clock.now) };
}

describe('FixedWindowRateLimiter', () => {
  it('allows up to the limit in a window, then refuses with the seconds left in the window', () => {
    const { clock, limiter } = limiterAt(1_000_000);
    expect([1, 2, 3].map(() => limiter.hit('user:a', 3).allowed)).toEqual([true, true, true]);
    clock.now += 35_400;
    expect(limiter.hit('user:a', 3)).toEqual({ allowed: false, count: 4, retryAfterSeconds: 25 });
  });

  it('counts each key on its own, each in its own window', () => {
    const { clock, limiter } = limiterAt(1_000_000);
    limiter.hit('user:a', 1);
    expect(limiter.hit('user:a', 1).allowed).toBe(false);
    clock.now += 30_000;
    expect(limiter.hit('user:b', 1)).toEqual({ allowed: true, count: 1, retryAfterSeconds: 60 });
    expect(limiter.hit('ip:127.0.0.1', 1).allowed).toBe(true);
    expect(limiter.hit('user:a', 1)).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
  });

  it('starts a key afresh when its window ends, and never says to retry in under a second', () => {
    const { clock, limiter } = limiterAt(1_000_000);
    limiter.hit('user:a', 1);
    clock.now += 59_999;
    expect(limiter.hit('user:a', 1)).toEqual({ allowed: false, count: 2, retryAfterSeconds: 1 });
    clock.now += 1;
    expect(limiter.hit('user:a', 1)).toEqual({ allowed: true, count: 1, retryAfterSeconds: 60 });
  });

  it('forgets keys whose window ended, so memory holds only recent callers', () => {
    const { clock, limiter } = limiterAt(1_000_000);
    for (let i = 0; i < 100; i++) limiter.hit(`ip:10.0.0.${i}`, 10);
    expect(limiter.size).toBe(100);
    clock.now += 60_000;
    limiter.hit('user:a', 10);
    expect(limiter.size).toBe(1);
  });
});
