/** What one counted request learnt about its key's window. */
export interface RateLimitHit {
  /** False once the key has used up its limit in the current window. */
  allowed: boolean;
  /** Requests counted for the key in this window, this one included. */
  count: number;
  /** Whole seconds until the key's window ends (at least 1): the `Retry-After` to send. */
  retryAfterSeconds: number;
}

interface Window {
  count: number;
  endsAt: number;
}

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
  private readonly windows = new Map<string, Window>();
  private nextPurge: number;

  constructor(
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.nextPurge = this.now() + windowMs;
  }

  /** Counts one request for `key` and says whether it is within `limit`. */
  hit(key: string, limit: number): RateLimitHit {
    const now = this.now();
    if (now >= this.nextPurge) this.purge(now);
    let window = this.windows.get(key);
    if (!window || now >= window.endsAt) {
      window = { count: 0, endsAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    const retryAfterSeconds = Math.max(1, Math.ceil((window.endsAt - now) / 1000));
    return { allowed: window.count <= limit, count: window.count, retryAfterSeconds };
  }

  /** Whether one more request for `key` would be within `limit`; counts nothing. */
  hasRoom(key: string, limit: number): boolean {
    const window = this.windows.get(key);
    return !window || this.now() >= window.endsAt || window.count < limit;
  }

  /** How many keys are tracked (for tests and diagnostics). */
  get size(): number {
    return this.windows.size;
  }

  private purge(now: number): void {
    for (const [key, window] of this.windows) if (now >= window.endsAt) this.windows.delete(key);
    this.nextPurge = now + this.windowMs;
  }
}
