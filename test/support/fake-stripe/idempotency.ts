import { StripeApiError } from './errors';
import { errorOutcome, type Outcome } from './faults';
import { clone } from './store';

/**
 * Stripe's idempotency layer for POSTs: per API key, a key remembers the endpoint, the
 * parameters and, once execution has begun, the response (errors included, 402s and 500s
 * too). The same key again replays it (`Idempotent-Replayed: true`); with another
 * endpoint or other parameters it is a 400 `idempotency_error`; while the first request
 * is still running it is a 409 `idempotency_key_in_use`. A request rejected before
 * execution (validation) releases its key.
 */

interface Entry {
  method: string;
  path: string;
  fingerprint: string;
  requestId: string;
  /** null while the first request is executing. */
  outcome: Outcome | null;
}

export interface Claim {
  /** Stores the response under the key (execution began). */
  save(outcome: Outcome): void;
  /** Forgets the key (the request never executed). */
  release(): void;
}

export type Lookup = { replay: Outcome } | { claim: Claim };

export class IdempotencyStore {
  private readonly byApiKey = new Map<string, Map<string, Entry>>();

  clear(): void {
    this.byApiKey.clear();
  }

  /** Either the response to send now (a replay or an idempotency error) or the key, claimed. */
  lookup(apiKey: string, key: string, request: { method: string; path: string; fingerprint: string; requestId: string }): Lookup {
    let keys = this.byApiKey.get(apiKey);
    if (!keys) this.byApiKey.set(apiKey, (keys = new Map()));
    const existing = keys.get(key);
    if (!existing) {
      const entry: Entry = { ...request, outcome: null };
      keys.set(key, entry);
      const owner = keys;
      return {
        claim: {
          save: (outcome) => (entry.outcome = clone(outcome)),
          release: () => owner.delete(key),
        },
      };
    }
    if (existing.outcome === null) {
      return {
        replay: errorOutcome(
          new StripeApiError(409, {
            type: 'idempotency_error',
            code: 'idempotency_key_in_use',
            message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
          }),
        ),
      };
    }
    if (existing.method !== request.method || existing.path !== request.path) {
      return {
        replay: errorOutcome(
          new StripeApiError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${existing.method} ${existing.path}' vs '${request.method} ${request.path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
          }),
        ),
      };
    }
    if (existing.fingerprint !== request.fingerprint) {
      return {
        replay: errorOutcome(
          new StripeApiError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          }),
        ),
      };
    }
    return {
      replay: {
        ...existing.outcome,
        headers: { ...existing.outcome.headers, 'Idempotent-Replayed': 'true', 'Original-Request': existing.requestId },
        replayed: true,
      },
    };
  }
}
