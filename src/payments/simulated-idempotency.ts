import { PaymentGatewayError } from './payment-gateway';
import { invalidRequest } from './simulated-objects';

interface Remembered {
  fingerprint: string;
  result?: unknown;
  error?: PaymentGatewayError;
}

const MAX_IDEMPOTENCY_KEYS = 100_000;

/**
 * Stripe's idempotency: the first request with a key runs and its answer is kept (a
 * decline included); a retry with the same key and parameters gets that same answer
 * without running again; the same key with other parameters (or on another endpoint)
 * is an error. As with Stripe, a request refused before it could run (bad parameters,
 * no such object, a step the status does not allow) keeps nothing.
 */
export class SimulatedIdempotencyKeys {
  private readonly keys = new Map<string, Remembered>();

  run<T>(key: string, endpoint: string, params: unknown, run: () => T): T {
    const fingerprint = `${endpoint} ${JSON.stringify(params)}`;
    const seen = this.keys.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw invalidRequest(
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          'idempotency_error',
        );
      }
      if (seen.error) throw seen.error;
      return structuredClone(seen.result) as T;
    }
    try {
      const result = run();
      this.remember(key, { fingerprint, result: structuredClone(result) });
      return result;
    } catch (error) {
      if (error instanceof PaymentGatewayError && error.kind !== 'invalid_request') this.remember(key, { fingerprint, error });
      throw error;
    }
  }

  /** Stripe forgets keys after 24 hours; a long-running dev server forgets its oldest past a bound. */
  private remember(key: string, entry: Remembered): void {
    this.keys.set(key, entry);
    if (this.keys.size > MAX_IDEMPOTENCY_KEYS) this.keys.delete(this.keys.keys().next().value!);
  }
}
