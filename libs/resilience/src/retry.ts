export interface RetryOptions {
  /** Attempts after the first (0: no retry). */
  retries: number;
  /** The first delay; each later one doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Whether this error (from attempt `attempt`, 1-based) is worth another attempt. */
  shouldRetry: (error: unknown, attempt: number) => boolean;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests: a number in [0, 1). */
  random?: () => number;
}

/**
 * Exponential backoff with "equal jitter" before retry number `retry` (1-based): the
 * doubled delay `d = min(max, base * 2^(retry-1))`, then a random point in [d/2, d],
 * never below `base`. The same curve as the Stripe SDK's own retries, so every retry
 * around a Stripe call backs off alike; the jitter keeps many clients from retrying in step.
 */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const doubled = Math.min(baseDelayMs * 2 ** Math.max(0, retry - 1), maxDelayMs);
  return Math.max(baseDelayMs, doubled * 0.5 * (1 + random()));
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it succeeds, `shouldRetry` says no, or `retries` more attempts have
 * failed; then throws the last error. Only safe around calls that are idempotent
 * (a read, or a write carrying an idempotency key).
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? sleepFor;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt > options.retries || !options.shouldRetry(error, attempt)) throw error;
      await sleep(backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, options.random));
    }
  }
}
