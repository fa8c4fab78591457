import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  handleWhen,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import {
  BreakerOpenError,
  IntegrationTimeoutError,
  RateLimitedError,
  type BreakerState,
  type IntegrationOutcome,
} from './errors';
import { TokenBucket } from './token-bucket';

export interface IntegrationPolicyOptions {
  /** The integration's name (`tax`, `ims`): the errors and the observer's events carry it. */
  name: string;
  /** Per attempt: the call's AbortSignal is aborted and the attempt fails with IntegrationTimeoutError. */
  timeoutMs: number;
  /** Extra attempts after a failure, made only for calls marked `{ idempotent: true }`. Default 0. */
  retries?: number;
  /** Exponential backoff between attempts (cockatiel's, with decorrelated jitter). Defaults 100 ms and 2 s. */
  backoff?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Consecutive failed calls that open the breaker, and how long it stays open before one trial call (half-open). */
  breaker: { threshold: number; halfOpenAfterMs: number };
  /**
   * Client-side token bucket, so we never cause the provider's 429: `perSecond` requests,
   * `burst` at once; a request waits up to `maxWaitMs` (default 0: fail fast) for a token,
   * else fails with RateLimitedError without being sent. Every attempt, retries included, takes a token.
   */
  rateLimit?: { perSecond: number; burst: number; maxWaitMs?: number };
  /**
   * Which errors count against the provider (breaker, `failure` outcome, retries). Any other
   * error proves the provider answered: it counts as a success and is rethrown. Default: all.
   */
  isFailure?: (error: unknown) => boolean;
  /** Among failures, which are worth another attempt (for idempotent calls). Default: all failures. */
  isRetryable?: (error: unknown) => boolean;
  /** The rate limiter's clock (ms). Default Date.now. The breaker reads Date.now itself (cockatiel). */
  now?: () => number;
}

/** One call's outcome, once it is over. */
export interface IntegrationOutcomeEvent {
  integration: string;
  outcome: IntegrationOutcome;
  /** Wall time of the whole call, queueing for a rate-limit token and retries included. */
  durationMs: number;
  /** Requests actually sent to the provider (0 when refused by the breaker or the rate limit). */
  attempts: number;
  /** The error the caller receives (not for `success`). */
  error?: unknown;
}

export interface BreakerStateEvent {
  integration: string;
  from: BreakerState;
  to: BreakerState;
}

/** Told about every call's outcome and every breaker state change (metrics, admin views). Must not throw. */
export interface IntegrationObserver {
  outcome(event: IntegrationOutcomeEvent): void;
  breakerStateChanged(event: BreakerStateEvent): void;
}

export interface CallOptions {
  /** The call may be repeated safely (a read, or a write with an idempotency key): failures are retried. */
  idempotent?: boolean;
}

/** Timeout, retries, circuit breaker and rate limit around calls to one external service. */
export interface IntegrationPolicy {
  readonly name: string;
  /** The breaker now (an open breaker whose open period has passed reads `half_open`). */
  readonly breakerState: BreakerState;
  /**
   * Runs `fn` (given an AbortSignal aborted at the timeout) under the policy; resolves with
   * its result or rejects with its error, IntegrationTimeoutError, BreakerOpenError or RateLimitedError.
   */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, options?: CallOptions): Promise<T>;
}

/** An error the breaker must not count (the provider answered), carried through cockatiel as a result. */
class Answered {
  constructor(readonly error: unknown) {}
}

/** A retry could not get a rate-limit token: the call ends with the previous attempt's error. */
class RetryNotSent {
  constructor(readonly error: unknown) {}
}

const noopObserver: IntegrationObserver = { outcome: () => undefined, breakerStateChanged: () => undefined };

/**
 * Builds the policy every outbound integration goes through (docs/integrations.md):
 *
 *     breaker check -> rate-limit token -> circuit breaker( retry( token -> timeout( fn(signal) ) ) )
 *
 * - The breaker counts calls (not attempts): `threshold` consecutive failed calls open it;
 *   after `halfOpenAfterMs` one trial call goes through while others still fail fast
 *   (cockatiel would make them wait for the trial); a successful trial closes it.
 * - Retries only for `{ idempotent: true }` calls, with exponential backoff, each attempt
 *   taking a rate-limit token; a retry that cannot get one is not made.
 * - A call refused by the open breaker takes no rate-limit token.
 */
export function createIntegrationPolicy(
  options: IntegrationPolicyOptions,
  observer: IntegrationObserver = noopObserver,
): IntegrationPolicy {
  return new CockatielIntegrationPolicy(options, observer);
}

class CockatielIntegrationPolicy implements IntegrationPolicy {
  readonly name: string;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly timeout: TimeoutPolicy;
  private readonly retry: RetryPolicy | null;
  private readonly bucket: TokenBucket | null;
  private readonly maxWaitMs: number;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly isRetryable: (error: unknown) => boolean;
  private openedAt = 0;
  private reported: BreakerState = 'closed';

  constructor(
    private readonly options: IntegrationPolicyOptions,
    private readonly observer: IntegrationObserver,
  ) {
    this.name = options.name;
    const { threshold, halfOpenAfterMs } = options.breaker;
    if (!(options.timeoutMs > 0) || !(threshold >= 1) || !(halfOpenAfterMs > 0)) {
      throw new RangeError(`${options.name}: timeoutMs, breaker.threshold and breaker.halfOpenAfterMs must be positive`);
    }
    this.isFailure = options.isFailure ?? (() => true);
    this.isRetryable = options.isRetryable ?? (() => true);
    this.breaker = circuitBreaker(handleAll, { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(threshold) });
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.breaker.onStateChange(() => this.report());
    // abortOnReturn false: the signal is aborted by the timeout only, so an aborted signal means a timeout.
    this.timeout = timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    const retries = options.retries ?? 0;
    this.retry =
      retries > 0
        ? retry(
            handleWhen((error) => !(error instanceof RetryNotSent) && this.isRetryable(error)),
            {
              maxAttempts: retries,
              backoff: new ExponentialBackoff({
                initialDelay: options.backoff?.initialDelayMs ?? 100,
                maxDelay: options.backoff?.maxDelayMs ?? 2000,
              }),
            },
          )
        : null;
    this.bucket = options.rateLimit
      ? new TokenBucket(options.rateLimit.perSecond, options.rateLimit.burst, options.now ?? Date.now)
      : null;
    this.maxWaitMs = options.rateLimit?.maxWaitMs ?? 0;
  }

  get breakerState(): BreakerState {
    const state = this.breaker.state;
    if (state === CircuitState.HalfOpen) return 'half_open';
    if (state === CircuitState.Open || state === CircuitState.Isolated) {
      return Date.now() - this.openedAt >= this.options.breaker.halfOpenAfterMs ? 'half_open' : 'open';
    }
    return 'closed';
  }

  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, options: CallOptions = {}): Promise<T> {
    const started = performance.now();
    let attempts = 0;
    const done = (outcome: IntegrationOutcome, error?: unknown) =>
      this.emit(() =>
        this.observer.outcome({
          integration: this.name,
          outcome,
          durationMs: performance.now() - started,
          attempts,
          ...(error === undefined ? {} : { error }),
        }),
      );

    this.report(); // open -> half_open by time alone is reported when a call first sees it
    // Fail fast, before taking a token: open, or the one half-open trial already in flight.
    if (this.trialInFlight() || this.breakerState === 'open') {
      const error = new BreakerOpenError(this.name);
      done('breaker_open', error);
      throw error;
    }
    try {
      await this.takeToken();
    } catch (error) {
      done('rate_limited', error);
      throw error;
    }

    // The wait for a token may have let another call start the half-open trial: do not queue behind it.
    if (this.trialInFlight()) {
      this.bucket?.release();
      const error = new BreakerOpenError(this.name);
      done('breaker_open', error);
      throw error;
    }

    let first = true;
    let lastError: unknown;
    const attempt = async (): Promise<T | Answered> => {
      if (!first) {
        try {
          await this.takeToken();
        } catch {
          throw new RetryNotSent(lastError);
        }
      }
      first = false;
      attempts++;
      let timedOut: AbortSignal | undefined;
      try {
        return await this.timeout.execute(({ signal }) => fn((timedOut = signal)));
      } catch (error) {
        // The call may reject on the abort (as fetch does) before cockatiel does: the signal tells.
        const mapped =
          error instanceof TaskCancelledError || timedOut?.aborted
            ? new IntegrationTimeoutError(this.name, this.options.timeoutMs)
            : error;
        if (!this.isFailure(mapped)) return new Answered(mapped);
        lastError = mapped;
        throw mapped;
      }
    };

    let result: T | Answered;
    try {
      result = await this.breaker.execute(async () => {
        try {
          return options.idempotent && this.retry ? await this.retry.execute(attempt) : await attempt();
        } catch (error) {
          throw error instanceof RetryNotSent ? error.error : error;
        }
      });
    } catch (error) {
      this.report();
      if (error instanceof BrokenCircuitError) {
        // Opened (or a trial started) while this call waited for its token: the token was not used.
        this.bucket?.release();
        const refused = new BreakerOpenError(this.name);
        done('breaker_open', refused);
        throw refused;
      }
      done(error instanceof IntegrationTimeoutError ? 'timeout' : 'failure', error);
      throw error;
    }
    this.report();
    if (result instanceof Answered) {
      done('success', result.error);
      throw result.error;
    }
    done('success');
    return result;
  }

  /** cockatiel's half-open state: its one trial call is running. */
  private trialInFlight(): boolean {
    return this.breaker.state === CircuitState.HalfOpen;
  }

  /** Takes a rate-limit token, waiting for one up to `maxWaitMs`; RateLimitedError when it would wait longer. */
  private async takeToken(): Promise<void> {
    if (!this.bucket) return;
    const booked = this.bucket.reserve(this.maxWaitMs);
    if ('refusedMs' in booked) throw new RateLimitedError(this.name, booked.refusedMs);
    if (booked.waitMs > 0) await sleep(booked.waitMs);
  }

  private report(): void {
    const now = this.breakerState;
    if (now === this.reported) return;
    const from = this.reported;
    this.reported = now;
    this.emit(() => this.observer.breakerStateChanged({ integration: this.name, from, to: now }));
  }

  private emit(event: () => void): void {
    try {
      event();
    } catch {
      // An observer's bug must not change the call's result.
    }
  }
}
