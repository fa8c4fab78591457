export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures (as `isFailure` judges them) that open the breaker. */
  failureThreshold: number;
  /** How long the breaker stays open before it lets one trial call through (half-open). */
  resetTimeoutMs: number;
  /**
   * Which errors count against the dependency. An error it rejects (a card decline, an
   * invalid request) proves the dependency answered, so it counts as a success.
   * Default: every error counts.
   */
  isFailure?: (error: unknown) => boolean;
  /** Milliseconds since the epoch; injectable so tests need not wait. Default `Date.now`. */
  now?: () => number;
  /** Told about every state change (for logs and metrics). */
  onStateChange?: (from: BreakerState, to: BreakerState) => void;
}

/** Thrown, without calling the dependency, while the breaker is open. */
export class CircuitOpenError extends Error {
  constructor(
    /** The breaker's name (the dependency it guards). */
    readonly breaker: string,
    /** How long until a trial call is allowed (0 while a trial is in flight). */
    readonly retryAfterMs: number,
  ) {
    super(`${breaker} is unavailable (circuit open); retry in ${Math.ceil(retryAfterMs / 1000)} s`);
    this.name = 'CircuitOpenError';
  }
}

/**
 * A consecutive-failure circuit breaker. Closed: calls pass; `failureThreshold` failures
 * in a row open it. Open: every call fails at once with `CircuitOpenError`, so an outage
 * costs callers nothing and the dependency gets no pile-up. After `resetTimeoutMs` it is
 * half-open: ONE trial call passes (the others still fail fast); its success closes the
 * breaker, its failure opens it for another `resetTimeoutMs`.
 *
 * It has no timers: the open -> half-open move happens when the state is next read, so
 * an idle process holds nothing and tests drive it with `now`.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  /** Bumped on each state change, so a call that started in an older state cannot close the breaker. */
  private epoch = 0;
  private readonly now: () => number;
  private readonly isFailure: (error: unknown) => boolean;

  constructor(
    readonly name: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new Error('failureThreshold must be a positive integer');
    }
    if (!(options.resetTimeoutMs >= 0)) throw new Error('resetTimeoutMs must be >= 0');
    this.now = options.now ?? Date.now;
    this.isFailure = options.isFailure ?? (() => true);
  }

  /** The state now (an open breaker whose timeout has passed reads as half-open). */
  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.resetTimeoutMs) this.move('half_open');
    return this.current;
  }

  /** Consecutive failures counted so far (0 after any success). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Runs `fn` through the breaker, or throws `CircuitOpenError` without running it. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open') {
      throw new CircuitOpenError(this.name, Math.max(0, this.openedAt + this.options.resetTimeoutMs - this.now()));
    }
    const trial = state === 'half_open';
    if (trial) {
      if (this.trialInFlight) throw new CircuitOpenError(this.name, 0);
      this.trialInFlight = true;
    }
    const epoch = this.epoch;
    try {
      const result = await fn();
      this.onSuccess(trial, epoch);
      return result;
    } catch (error) {
      if (this.isFailure(error)) this.onFailure(trial);
      else this.onSuccess(trial, epoch);
      throw error;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private onSuccess(trial: boolean, epoch: number): void {
    if (trial) {
      this.failures = 0;
      this.move('closed');
    } else if (this.current === 'closed' && epoch === this.epoch) {
      this.failures = 0;
    }
    // A call that started before the breaker opened and answered late proves little:
    // the breaker stays open until its own trial call succeeds.
  }

  private onFailure(trial: boolean): void {
    if (trial) {
      this.open();
      return;
    }
    if (this.current !== 'closed') return;
    this.failures++;
    if (this.failures >= this.options.failureThreshold) this.open();
  }

  private open(): void {
    this.openedAt = this.now();
    this.move('open');
  }

  private move(to: BreakerState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.epoch++;
    if (to === 'closed') this.failures = 0;
    this.options.onStateChange?.(from, to);
  }
}
