import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { BreakerOpenError, IntegrationTimeoutError, RateLimitedError } from './errors';
import {
  createIntegrationPolicy,
  type BreakerStateEvent,
  type IntegrationObserver,
  type IntegrationOutcomeEvent,
  type IntegrationPolicyOptions,
} from './integration-policy';

/** Records what the policy reports. */
function recorder(): IntegrationObserver & { outcomes: IntegrationOutcomeEvent[]; states: BreakerStateEvent[] } {
  const outcomes: IntegrationOutcomeEvent[] = [];
  const states: BreakerStateEvent[] = [];
  return { outcomes, states, outcome: (e) => outcomes.push(e), breakerStateChanged: (e) => states.push(e) };
}

const base: IntegrationPolicyOptions = { name: 'test', timeoutMs: 1000, breaker: { threshold: 3, halfOpenAfterMs: 60_000 } };
const boom = () => Promise.reject(new Error('boom'));

/** Waits until the signal aborts, then rejects as fetch does. */
const hang = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));

describe('createIntegrationPolicy', () => {
  it('passes the result through and reports a success with its duration and one attempt', async () => {
    const seen = recorder();
    const policy = createIntegrationPolicy(base, seen);
    await expect(policy.execute(async () => 42)).resolves.toBe(42);
    expect(seen.outcomes).toEqual([{ integration: 'test', outcome: 'success', durationMs: expect.any(Number), attempts: 1 }]);
    expect(seen.outcomes[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('aborts the call at the timeout and fails it with IntegrationTimeoutError', async () => {
    const seen = recorder();
    const policy = createIntegrationPolicy({ ...base, timeoutMs: 20 }, seen);
    let signal: AbortSignal | undefined;
    const error = await policy
      .execute((s) => {
        signal = s;
        return hang(s);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationTimeoutError);
    expect(error).toMatchObject({ integration: 'test', outcome: 'timeout' });
    expect(signal?.aborted).toBe(true);
    expect(seen.outcomes.map((e) => e.outcome)).toEqual(['timeout']);
  });

  it('retries with backoff only a call marked idempotent', async () => {
    const options = { ...base, retries: 2, backoff: { initialDelayMs: 1, maxDelayMs: 5 } };
    const flaky = () => {
      let calls = 0;
      const fn = async () => {
        calls++;
        if (calls < 3) throw new Error(`failure ${calls}`);
        return 'ok';
      };
      return { fn, calls: () => calls };
    };

    const seen = recorder();
    const safe = flaky();
    await expect(createIntegrationPolicy(options, seen).execute(safe.fn, { idempotent: true })).resolves.toBe('ok');
    expect(safe.calls()).toBe(3);
    expect(seen.outcomes).toEqual([expect.objectContaining({ outcome: 'success', attempts: 3 })]);

    const unsafe = flaky();
    await expect(createIntegrationPolicy(options).execute(unsafe.fn)).rejects.toThrow('failure 1');
    expect(unsafe.calls()).toBe(1);
  });

  it('does not retry what isRetryable refuses', async () => {
    let calls = 0;
    const policy = createIntegrationPolicy({ ...base, retries: 3, isRetryable: (e) => (e as Error).message !== 'final' });
    await expect(
      policy.execute(
        async () => {
          calls++;
          throw new Error('final');
        },
        { idempotent: true },
      ),
    ).rejects.toThrow('final');
    expect(calls).toBe(1);
  });

  it('counts an error isFailure rejects as an answer: rethrown, reported as success, never opening the breaker', async () => {
    const seen = recorder();
    const notFound = new Error('not found');
    const policy = createIntegrationPolicy(
      { ...base, breaker: { threshold: 1, halfOpenAfterMs: 60_000 }, isFailure: (e) => e !== notFound },
      seen,
    );
    for (let i = 0; i < 3; i++) await expect(policy.execute(() => Promise.reject(notFound))).rejects.toBe(notFound);
    expect(policy.breakerState).toBe('closed');
    expect(seen.outcomes.map((e) => e.outcome)).toEqual(['success', 'success', 'success']);
  });

  it('opens the breaker after `threshold` consecutive failures, then fails fast without calling', async () => {
    const seen = recorder();
    const policy = createIntegrationPolicy(base, seen);
    await expect(policy.execute(boom)).rejects.toThrow('boom');
    await expect(policy.execute(async () => 'ok')).resolves.toBe('ok'); // a success resets the count
    for (let i = 0; i < 3; i++) await expect(policy.execute(boom)).rejects.toThrow('boom');
    expect(policy.breakerState).toBe('open');
    let called = false;
    const refused = await policy
      .execute(async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BreakerOpenError);
    expect(called).toBe(false);
    expect(seen.states).toEqual([{ integration: 'test', from: 'closed', to: 'open' }]);
    expect(seen.outcomes.map((e) => e.outcome)).toEqual(['failure', 'success', 'failure', 'failure', 'failure', 'breaker_open']);
    expect(seen.outcomes.at(-1)!.attempts).toBe(0);
  });

  it('goes half-open after halfOpenAfterMs: one trial call, others fail fast meanwhile; a successful trial closes it', async () => {
    const seen = recorder();
    const policy = createIntegrationPolicy({ ...base, breaker: { threshold: 1, halfOpenAfterMs: 40 } }, seen);
    await expect(policy.execute(boom)).rejects.toThrow('boom');
    expect(policy.breakerState).toBe('open');
    await sleep(60);
    expect(policy.breakerState).toBe('half_open');

    let release!: () => void;
    const trial = policy.execute(() => new Promise<string>((resolve) => (release = () => resolve('recovered'))));
    await sleep(5);
    await expect(policy.execute(async () => 'queued')).rejects.toBeInstanceOf(BreakerOpenError);
    release();
    await expect(trial).resolves.toBe('recovered');
    expect(policy.breakerState).toBe('closed');
    await expect(policy.execute(async () => 'normal')).resolves.toBe('normal');
    expect(seen.states.map((s) => `${s.from}->${s.to}`)).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('re-opens the breaker when the half-open trial fails', async () => {
    const seen = recorder();
    const policy = createIntegrationPolicy({ ...base, breaker: { threshold: 1, halfOpenAfterMs: 30 } }, seen);
    await expect(policy.execute(boom)).rejects.toThrow('boom');
    await sleep(45);
    await expect(policy.execute(boom)).rejects.toThrow('boom');
    expect(policy.breakerState).toBe('open');
    await expect(policy.execute(async () => 'x')).rejects.toBeInstanceOf(BreakerOpenError);
    expect(seen.states.map((s) => `${s.from}->${s.to}`)).toEqual(['closed->open', 'open->half_open', 'half_open->open']);
  });

  it('counts a timeout as a failure for the breaker', async () => {
    const policy = createIntegrationPolicy({ ...base, timeoutMs: 10, breaker: { threshold: 2, halfOpenAfterMs: 60_000 } });
    for (let i = 0; i < 2; i++) await expect(policy.execute(hang)).rejects.toBeInstanceOf(IntegrationTimeoutError);
    expect(policy.breakerState).toBe('open');
  });

  it('fails fast with RateLimitedError, without calling, when no token is free (fake clock)', async () => {
    let now = 1_000_000;
    const seen = recorder();
    const policy = createIntegrationPolicy({ ...base, rateLimit: { perSecond: 2, burst: 2 }, now: () => now }, seen);
    let calls = 0;
    const call = () => policy.execute(async () => ++calls);
    await call();
    await call();
    const refused = await call().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterMs).toBeCloseTo(500);
    expect(calls).toBe(2);
    now += 500; // one token back
    await call();
    await expect(call()).rejects.toBeInstanceOf(RateLimitedError);
    expect(calls).toBe(3);
    expect(seen.outcomes.map((e) => e.outcome)).toEqual(['success', 'success', 'rate_limited', 'success', 'rate_limited']);
    expect(policy.breakerState).toBe('closed'); // our own limit says nothing about the provider
  });

  it('queues a call for a token up to maxWaitMs, in order, never faster than the rate', async () => {
    const policy = createIntegrationPolicy({ ...base, rateLimit: { perSecond: 50, burst: 1, maxWaitMs: 1000 } });
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, () =>
        policy.execute(async () => {
          started.push(performance.now());
        }),
      ),
    );
    expect(started).toHaveLength(4);
    // 50/s with a burst of 1: one start every 20 ms at the most (a timer may fire a millisecond early).
    for (let i = 1; i < started.length; i++) expect(started[i] - started[0]).toBeGreaterThanOrEqual(i * 20 - 2);
  });

  it('does not make a retry that cannot get a token: the call fails with the attempt that was made', async () => {
    const now = 0;
    let calls = 0;
    const policy = createIntegrationPolicy({
      ...base,
      retries: 2,
      backoff: { initialDelayMs: 1, maxDelayMs: 1 },
      rateLimit: { perSecond: 1, burst: 1 },
      now: () => now,
    });
    await expect(
      policy.execute(
        async () => {
          calls++;
          throw new Error('first attempt');
        },
        { idempotent: true },
      ),
    ).rejects.toThrow('first attempt');
    expect(calls).toBe(1);
  });

  it('takes no token for a call the open breaker refuses', async () => {
    const now = 0; // the bucket never refills: two tokens in all
    const policy = createIntegrationPolicy({
      ...base,
      breaker: { threshold: 1, halfOpenAfterMs: 30 },
      rateLimit: { perSecond: 1, burst: 2 },
      now: () => now,
    });
    await expect(policy.execute(boom)).rejects.toThrow('boom'); // the first token
    for (let i = 0; i < 5; i++) await expect(policy.execute(boom)).rejects.toBeInstanceOf(BreakerOpenError);
    await sleep(45);
    await expect(policy.execute(async () => 'trial')).resolves.toBe('trial'); // the second token
    await expect(policy.execute(async () => 'more')).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('keeps the call result when the observer throws', async () => {
    const policy = createIntegrationPolicy(base, {
      outcome: () => {
        throw new Error('observer bug');
      },
      breakerStateChanged: () => undefined,
    });
    await expect(policy.execute(async () => 'fine')).resolves.toBe('fine');
  });

  it('refuses nonsense options', () => {
    expect(() => createIntegrationPolicy({ ...base, timeoutMs: 0 })).toThrow(RangeError);
    expect(() => createIntegrationPolicy({ ...base, rateLimit: { perSecond: 0, burst: 1 } })).toThrow(RangeError);
  });
});
