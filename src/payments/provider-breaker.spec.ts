import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { equalJitterGenerator } from '@holdfast/database';
import { CircuitOpenError, ProviderBreaker, type BreakerState } from './provider-breaker';

/*
 * The breaker's behaviour, ported from the unit spec of the hand-written breaker it
 * replaced (libs/resilience), now on cockatiel 3.2.1. This file also shows that cockatiel
 * loads under jest's ESM mode. cockatiel reads `Date.now()`: only `Date` is faked.
 */

class Outage extends Error {}
class Declined extends Error {}

let clock = 0;
beforeEach(() => {
  clock = Date.parse('2026-11-02T10:00:00Z');
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout', 'setInterval'], now: clock });
});
afterEach(() => {
  jest.useRealTimers();
});

function setup(threshold = 3, resetTimeoutMs = 1_000) {
  const transitions: string[] = [];
  const breaker = new ProviderBreaker('dep', {
    failureThreshold: threshold,
    resetTimeoutMs,
    isFailure: (e) => e instanceof Outage,
    onStateChange: (from: BreakerState, to: BreakerState) => transitions.push(`${from}->${to}`),
  });
  let calls = 0;
  const fail = () =>
    breaker.execute(async () => {
      calls++;
      throw new Outage('down');
    });
  const ok = () =>
    breaker.execute(async () => {
      calls++;
      return 'ok';
    });
  return { breaker, fail, ok, transitions, advance: (ms: number) => jest.setSystemTime((clock += ms)), calls: () => calls };
}

describe('ProviderBreaker (cockatiel)', () => {
  it('opens after N consecutive failures and then fails fast without calling', async () => {
    const b = setup();
    for (let i = 0; i < 3; i++) await expect(b.fail()).rejects.toBeInstanceOf(Outage);
    expect(b.breaker.state).toBe('open');
    const calls = b.calls();
    await expect(b.ok()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(b.calls()).toBe(calls);
    expect(b.transitions).toEqual(['closed->open']);
  });

  it('a success or a non-failure error resets the count', async () => {
    const b = setup();
    await b.fail().catch(() => undefined);
    await b.fail().catch(() => undefined);
    await b.ok();
    await b.fail().catch(() => undefined);
    await expect(b.breaker.execute(() => Promise.reject(new Declined('no')))).rejects.toBeInstanceOf(Declined);
    await b.fail().catch(() => undefined);
    await b.fail().catch(() => undefined);
    expect(b.breaker.state).toBe('closed');
    await b.fail().catch(() => undefined);
    expect(b.breaker.state).toBe('open');
  });

  it('half-open lets exactly one trial through; its success closes, concurrent calls fail fast', async () => {
    const b = setup();
    for (let i = 0; i < 3; i++) await b.fail().catch(() => undefined);
    b.advance(999);
    expect(b.breaker.state).toBe('open');
    b.advance(1);
    expect(b.breaker.state).toBe('half_open');
    let release!: () => void;
    const trial = b.breaker.execute(() => new Promise<string>((resolve) => (release = () => resolve('trial'))));
    const calls = b.calls();
    await expect(b.ok()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(b.calls()).toBe(calls);
    release();
    await expect(trial).resolves.toBe('trial');
    expect(b.breaker.state).toBe('closed');
    expect(b.transitions).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('a trial that ends in a non-failure error closes it', async () => {
    const b = setup();
    for (let i = 0; i < 3; i++) await b.fail().catch(() => undefined);
    b.advance(1_000);
    await expect(b.breaker.execute(() => Promise.reject(new Declined('no')))).rejects.toBeInstanceOf(Declined);
    expect(b.breaker.state).toBe('closed');
  });

  it('a failed trial re-opens for a full timeout', async () => {
    const b = setup();
    for (let i = 0; i < 3; i++) await b.fail().catch(() => undefined);
    b.advance(1_000);
    await expect(b.fail()).rejects.toBeInstanceOf(Outage);
    expect(b.breaker.state).toBe('open');
    b.advance(999);
    expect(b.breaker.state).toBe('open');
    b.advance(1);
    await expect(b.ok()).resolves.toBe('ok');
    expect(b.breaker.state).toBe('closed');
  });

  it('a call that started before the breaker opened cannot close it by succeeding late', async () => {
    const b = setup(1);
    let release!: () => void;
    const slow = b.breaker.execute(() => new Promise<string>((resolve) => (release = () => resolve('late'))));
    await b.fail().catch(() => undefined);
    expect(b.breaker.state).toBe('open');
    release();
    await expect(slow).resolves.toBe('late');
    expect(b.breaker.state).toBe('open');
  });
});

describe('equalJitterGenerator', () => {
  const options = { initialDelay: 500, maxDelay: 5_000, exponent: 2, generator: equalJitterGenerator };
  const delays = (random: number, n: number) => {
    const spy = jest.spyOn(Math, 'random').mockReturnValue(random);
    try {
      const out: number[] = [];
      let state: number | undefined;
      for (let i = 0; i < n; i++) {
        const [delay, next] = equalJitterGenerator(state, options);
        out.push(delay);
        state = next;
      }
      return out;
    } finally {
      spy.mockRestore();
    }
  };

  it('doubles from 0.5 s to 5 s, each delay a point in [d/2, d] never below 0.5 s (the Stripe SDK curve)', () => {
    expect(delays(0, 3)).toEqual([500, 500, 1_000]);
    expect(delays(0.999999, 10).map(Math.round)).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000]);
  });
});
