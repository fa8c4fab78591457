import { describe, expect, it } from '@jest/globals';
import { SystemClock, TestClock } from './clock';

describe('Clock', () => {
  it('the system clock reads Date.now()', () => {
    const before = Date.now();
    const now = new SystemClock().nowMs();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('a test clock starts on the system clock and moves forward and back by advance()', () => {
    const clock = new TestClock();
    expect(Math.abs(clock.nowMs() - Date.now())).toBeLessThan(1000);
    clock.advance(3_600_000);
    expect(clock.nowMs() - Date.now()).toBeGreaterThan(3_599_000);
    expect(clock.now().getTime() - Date.now()).toBeGreaterThan(3_599_000);
    expect(clock.nowSeconds()).toBe(Math.floor(clock.nowMs() / 1000));
    clock.advance(-3_600_000);
    expect(Math.abs(clock.nowMs() - Date.now())).toBeLessThan(1000);
  });

  it('set() makes now a given time, which then runs on; reset() goes back to the system clock', () => {
    const clock = new TestClock();
    const at = Date.UTC(2030, 0, 1, 12);
    clock.set(new Date(at));
    expect(clock.nowMs()).toBeGreaterThanOrEqual(at);
    expect(clock.nowMs() - at).toBeLessThan(1000);
    clock.set(at - 5000);
    expect(clock.nowMs() - (at - 5000)).toBeLessThan(1000);
    clock.reset();
    expect(Math.abs(clock.nowMs() - Date.now())).toBeLessThan(1000);
  });
});
