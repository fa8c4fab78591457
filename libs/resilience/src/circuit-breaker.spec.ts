import { describe, expect, it } from '@jest/globals';
import { CircuitBreaker, CircuitOpenError, type BreakerState } from './circuit-breaker';
import { backoffDelay, retry } from './retry';

class Outage extends Error {}
class Declined extends Error {}

function setup(threshold = 3, resetTimeoutMs = 1_000) {
  let clock = 0;
  const transitions: string[] = [];
  const breaker = new CircuitBreaker('dep', {
    failureThreshold: threshold,
    resetTimeoutMs,
    isFailure: (e) => e instanceof Outage,
    now: () => clock,
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
  return { breaker, fail, ok, transitions, advance: (ms: number) => (clock += ms), calls: () => calls };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures and then fails fast without calling', async () => {
    const b = setup();
    for (let i = 0; i < 3; i++) await expect(b.fail()).rejects.toBeInstanceOf(Outage);
    expect(b.breaker.state).toBe('open');
    const calls = b.calls();
    const error = await b.ok().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).retryAfterMs).toBe(1_000);
    expect(b.calls()).toBe(calls);
    expect(b.transitions).toEqual(['closed->open']);
  });

  it('a success or a non-failure error resets the count', async () => {
    const b = setup();
    await b.fail().catch(() => undefined);
    await b.fail().catch(() => undefined);
    await b.ok();
    await b.fail().catch(() => undefined);
    await b.breaker.execute(() => Promise.reject(new Declined('no'))).catch(() => undefined);
    await b.fail().catch(() => undefined);
    await b.fail().catch(() => undefined);
    expect(b.breaker.state).toBe('closed');
    expect(b.breaker.consecutiveFailures).toBe(2);
  });

  it('half-open lets exactly one trial through; its success closes, concurrent calls fail fast', async () => {
    const b = setup();
    for (let i = 0; i < 3; i++) await b.fail().catch(() => undefined);
    b.advance(1_000);
    expect(b.breaker.state).toBe('half_open');
    let release!: () => void;
    const trial = b.breaker.execute(() => new Promise<string>((resolve) => (release = () => resolve('trial'))));
    await expect(b.ok()).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(trial).resolves.toBe('trial');
    expect(b.breaker.state).toBe('closed');
    expect(b.transitions).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
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

describe('retry and backoffDelay', () => {
  it('backs off exponentially with jitter in [d/2, d], never below the base, capped', () => {
    expect(backoffDelay(1, 500, 5_000, () => 0)).toBe(500);
    expect(backoffDelay(2, 500, 5_000, () => 0)).toBe(500);
    expect(backoffDelay(2, 500, 5_000, () => 0.999999)).toBeCloseTo(1_000, 0);
    expect(backoffDelay(3, 500, 5_000, () => 0)).toBe(1_000);
    expect(backoffDelay(10, 500, 5_000, () => 0.999999)).toBeCloseTo(5_000, 0);
  });

  it('retries only what shouldRetry allows, at most `retries` times', async () => {
    const sleeps: number[] = [];
    let attempts = 0;
    const run = (shouldRetry: (e: unknown) => boolean) =>
      retry(
        async () => {
          attempts++;
          throw new Outage(`attempt ${attempts}`);
        },
        {
          retries: 2,
          baseDelayMs: 100,
          maxDelayMs: 1_000,
          shouldRetry,
          sleep: async (ms) => void sleeps.push(ms),
          random: () => 0,
        },
      );
    await expect(run(() => true)).rejects.toThrow('attempt 3');
    expect(sleeps).toEqual([100, 100]);
    attempts = 0;
    await expect(run(() => false)).rejects.toThrow('attempt 1');
  });
});
