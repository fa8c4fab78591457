/**
 * Exponential backoff with "equal jitter" before retry number `retry` (1-based): the
 * doubled delay `d = min(max, base * 2^(retry-1))`, then a random point in [d/2, d],
 * never below `base`. The same curve as the Stripe SDK's own retries, so every retry
 * around a Stripe call backs off alike; the jitter keeps many clients from retrying in step.
 */
export function backoffDelay(retry, baseDelayMs, maxDelayMs, random = Math.random) {
    const doubled = Math.min(baseDelayMs * 2 ** Math.max(0, retry - 1), maxDelayMs);
    return Math.max(baseDelayMs, doubled * 0.5 * (1 + random()));
}
const sleepFor = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Runs `fn` until it succeeds, `shouldRetry` says no, or `retries` more attempts have
 * failed; then throws the last error. Only safe around calls that are idempotent
 * (a read, or a write carrying an idempotency key).
 */
export async function retry(fn, options) {
    const sleep = options.sleep ?? sleepFor;
    for (let attempt = 1;; attempt++) {
        try {
            return await fn(attempt);
        }
        catch (error) {
            if (attempt > options.retries || !options.shouldRetry(error, attempt))
                throw error;
            await sleep(backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, options.random));
        }
    }
}
//# sourceMappingURL=retry.js.map