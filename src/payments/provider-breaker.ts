import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  type CircuitBreakerPolicy,
} from 'cockatiel';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** Thrown, without calling the provider, while the breaker is open (or its one trial call is in flight). */
export class CircuitOpenError extends Error {
  constructor(readonly breaker: string) {
    super(`${breaker} is unavailable (circuit open)`);
    this.name = 'CircuitOpenError';
  }
}

export interface ProviderBreakerOptions {
  /** Consecutive failures (as `isFailure` judges them) that open the breaker. */
  failureThreshold: number;
  /** How long the breaker stays open before it lets one trial call through (half-open). */
  resetTimeoutMs: number;
  /** Which errors count against the provider; any other error proves it answered (a success). */
  isFailure: (error: unknown) => boolean;
  /** Told about every state change (for logs and metrics). */
  onStateChange?: (from: BreakerState, to: BreakerState) => void;
}

/** An error the breaker must not count, carried through cockatiel as a result. */
class Answered {
  constructor(readonly error: unknown) {}
}

/**
 * cockatiel's consecutive-failure circuit breaker, with the three behaviours our fault
 * table documents that cockatiel 3.2.1 does not have on its own (read in its
 * CircuitBreakerPolicy.js; docs/development.md, "Libraries we chose, and why"):
 *
 * - While the one half-open trial call is in flight, other calls fail fast
 *   (`CircuitOpenError`); cockatiel would make them wait for the trial, up to ~31 s of
 *   Stripe timeouts each.
 * - An error that is not a failure (a decline, an invalid request) counts as a success:
 *   it resets the count, and a trial that ends in one closes the breaker. cockatiel
 *   neither counts nor resets on an error its policy does not handle.
 * - `state` reads `half_open` once the reset timeout has passed, before any call:
 *   cockatiel moves to half-open only when the next call arrives.
 *
 * cockatiel reads `Date.now()` itself, so tests move time with jest's fake `Date`.
 */
export class ProviderBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;
  private reported: BreakerState = 'closed';

  constructor(
    readonly name: string,
    private readonly options: ProviderBreakerOptions,
  ) {
    this.policy = circuitBreaker(handleAll, {
      halfOpenAfter: options.resetTimeoutMs,
      breaker: new ConsecutiveBreaker(options.failureThreshold),
    });
    this.policy.onBreak(() => (this.openedAt = Date.now()));
    this.policy.onStateChange(() => this.report());
  }

  /** The state now (an open breaker whose timeout has passed reads as half-open). */
  get state(): BreakerState {
    const state = this.policy.state;
    if (state === CircuitState.HalfOpen) return 'half_open';
    if (state === CircuitState.Open) {
      return Date.now() - this.openedAt >= this.options.resetTimeoutMs ? 'half_open' : 'open';
    }
    return 'closed';
  }

  /** Runs `fn` through the breaker, or throws `CircuitOpenError` without running it. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    if (this.policy.state === CircuitState.HalfOpen) throw new CircuitOpenError(this.name);
    this.report(); // open -> half_open by time alone is reported when a call first sees it
    let result: T | Answered;
    try {
      result = await this.policy.execute(async () => {
        try {
          return await fn();
        } catch (error) {
          if (this.options.isFailure(error)) throw error;
          return new Answered(error);
        }
      });
    } catch (error) {
      this.report();
      if (error instanceof BrokenCircuitError) throw new CircuitOpenError(this.name);
      throw error;
    }
    this.report();
    if (result instanceof Answered) throw result.error;
    return result;
  }

  private report(): void {
    const now = this.state;
    if (now === this.reported) return;
    const from = this.reported;
    this.reported = now;
    this.options.onStateChange?.(from, now);
  }
}
