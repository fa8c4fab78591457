/**
 * Fixed-window request counter, in memory. A key's window opens with its first request
 * and lasts `windowMs`; every request in it counts, refused ones too. A client can get up
 * to twice its limit across a window boundary: fine for abuse protection (it is not
 * billing), and the price of O(1) work per request. Ended windows are dropped in one
 * pass per window length, so memory holds only the keys seen in the last two windows.
 *
 * The state is per process: with N replicas behind a load balancer a client can get up
 * to N times the limit. Exact cluster-wide limits would need a shared store (Redis).
 */
export class FixedWindowRateLimiter {
    constructor(windowMs = 60_000, now = Date.now) {
        this.windowMs = windowMs;
        this.now = now;
        this.windows = new Map();
        this.nextPurge = this.now() + windowMs;
    }
    /** Counts one request for `key` and says whether it is within `limit`. */
    hit(key, limit) {
        const now = this.now();
        if (now >= this.nextPurge)
            this.purge(now);
        let window = this.windows.get(key);
        if (!window || now >= window.endsAt) {
            window = { count: 0, endsAt: now + this.windowMs };
            this.windows.set(key, window);
        }
        window.count++;
        const retryAfterSeconds = Math.max(1, Math.ceil((window.endsAt - now) / 1000));
        return { allowed: window.count <= limit, count: window.count, retryAfterSeconds };
    }
    /** How many keys are tracked (for tests and diagnostics). */
    get size() {
        return this.windows.size;
    }
    purge(now) {
        for (const [key, window] of this.windows)
            if (now >= window.endsAt)
                this.windows.delete(key);
        this.nextPurge = now + this.windowMs;
    }
}
//# sourceMappingURL=rate-limiter.js.map