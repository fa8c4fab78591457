import { ExponentialBackoff, type GeneratorFn } from 'cockatiel';

/**
 * Exponential backoff with "equal jitter", as a cockatiel generator: before retry n the
 * doubled delay `d = min(max, initial * 2^(n-1))`, then a random point in [d/2, d], never
 * below `initial`. The Stripe SDK's own curve (0.5 s, then 0.5-1 s, ... up to 5 s), so
 * every retry around a Stripe call, and the database connector's, backs off alike.
 * cockatiel's `halfJitterGenerator` is the same curve without the floor.
 */
export const equalJitterGenerator: GeneratorFn<number> = (attempts = 0, options) => {
  const doubled = Math.min(options.maxDelay, options.initialDelay * 2 ** attempts);
  return [Math.max(options.initialDelay, doubled * 0.5 * (1 + Math.random())), attempts + 1];
};

/** That curve from `initialDelayMs` (0.5 s) doubling up to `maxDelayMs` (5 s). */
export const equalJitterBackoff = (initialDelayMs = 500, maxDelayMs = 5_000) =>
  new ExponentialBackoff({ initialDelay: initialDelayMs, maxDelay: maxDelayMs, generator: equalJitterGenerator });
