/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. `reserve()` takes a token now
 * or books the next free one and says how long to wait for it (the bucket goes below zero
 * to remember who is queued, so waiters are served in order and never faster than the
 * rate); it refuses when that wait would exceed `maxWaitMs`. Time comes from `now`, so a
 * test can drive it without sleeping.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new RangeError('A rate limit needs perSecond > 0 and burst >= 1');
    this.tokens = burst;
    this.refilledAt = now();
  }

  /**
   * Books one request: `{ waitMs }` (0: go now) with the token taken, or `{ refusedMs }`
   * (how long until a token would be free) with nothing taken, when the wait would exceed `maxWaitMs`.
   */
  reserve(maxWaitMs: number): { waitMs: number } | { refusedMs: number } {
    this.refill();
    const waitMs = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.perSecond) * 1000;
    if (waitMs > maxWaitMs) return { refusedMs: waitMs };
    this.tokens -= 1;
    return { waitMs };
  }

  /** Gives back a booked token whose request was never sent (its wait was cancelled). */
  release(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.refilledAt = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.perSecond);
  }
}
