/** Thrown, without calling the dependency, while the breaker is open. */
export class CircuitOpenError extends Error {
    constructor(
    /** The breaker's name (the dependency it guards). */
    breaker, 
    /** How long until a trial call is allowed (0 while a trial is in flight). */
    retryAfterMs) {
        super(`${breaker} is unavailable (circuit open); retry in ${Math.ceil(retryAfterMs / 1000)} s`);
        this.breaker = breaker;
        this.retryAfterMs = retryAfterMs;
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
    constructor(name, options) {
        this.name = name;
        this.options = options;
        this.current = 'closed';
        this.failures = 0;
        this.openedAt = 0;
        this.trialInFlight = false;
        /** Bumped on each state change, so a call that started in an older state cannot close the breaker. */
        this.epoch = 0;
        if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
            throw new Error('failureThreshold must be a positive integer');
        }
        if (!(options.resetTimeoutMs >= 0))
            throw new Error('resetTimeoutMs must be >= 0');
        this.now = options.now ?? Date.now;
        this.isFailure = options.isFailure ?? (() => true);
    }
    /** The state now (an open breaker whose timeout has passed reads as half-open). */
    get state() {
        if (this.current === 'open' && this.now() - this.openedAt >= this.options.resetTimeoutMs)
            this.move('half_open');
        return this.current;
    }
    /** Consecutive failures counted so far (0 after any success). */
    get consecutiveFailures() {
        return this.failures;
    }
    /** Runs `fn` through the breaker, or throws `CircuitOpenError` without running it. */
    async execute(fn) {
        const state = this.state;
        if (state === 'open') {
            throw new CircuitOpenError(this.name, Math.max(0, this.openedAt + this.options.resetTimeoutMs - this.now()));
        }
        const trial = state === 'half_open';
        if (trial) {
            if (this.trialInFlight)
                throw new CircuitOpenError(this.name, 0);
            this.trialInFlight = true;
        }
        const epoch = this.epoch;
        try {
            const result = await fn();
            this.onSuccess(trial, epoch);
            return result;
        }
        catch (error) {
            if (this.isFailure(error))
                this.onFailure(trial);
            else
                this.onSuccess(trial, epoch);
            throw error;
        }
        finally {
            if (trial)
                this.trialInFlight = false;
        }
    }
    onSuccess(trial, epoch) {
        if (trial) {
            this.failures = 0;
            this.move('closed');
        }
        else if (this.current === 'closed' && epoch === this.epoch) {
            this.failures = 0;
        }
        // A call that started before the breaker opened and answered late proves little:
        // the breaker stays open until its own trial call succeeds.
    }
    onFailure(trial) {
        if (trial) {
            this.open();
            return;
        }
        if (this.current !== 'closed')
            return;
        this.failures++;
        if (this.failures >= this.options.failureThreshold)
            this.open();
    }
    open() {
        this.openedAt = this.now();
        this.move('open');
    }
    move(to) {
        const from = this.current;
        if (from === to)
            return;
        this.current = to;
        this.epoch++;
        if (to === 'closed')
            this.failures = 0;
        this.options.onStateChange?.(from, to);
    }
}
//# sourceMappingURL=circuit-breaker.js.map