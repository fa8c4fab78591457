/** What happened to one call through an integration policy (the `outcome` label of the metrics). */
export const INTEGRATION_OUTCOMES = ['success', 'failure', 'timeout', 'breaker_open', 'rate_limited'] as const;
export type IntegrationOutcome = (typeof INTEGRATION_OUTCOMES)[number];

/** The circuit breaker's state; `half_open` once the open period has passed, before the trial call. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * An error of the policy itself (not of the call): the call timed out, or was never made
 * (breaker open, rate limit). `outcome` says which; `integration` names the policy.
 */
export abstract class IntegrationError extends Error {
  abstract readonly outcome: Exclude<IntegrationOutcome, 'success' | 'failure'>;

  constructor(
    readonly integration: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The call did not answer within the policy's timeout (its AbortSignal was aborted). */
export class IntegrationTimeoutError extends IntegrationError {
  readonly outcome = 'timeout' as const;

  constructor(integration: string, timeoutMs: number) {
    super(integration, `${integration} did not answer within ${timeoutMs} ms`);
  }
}

/** Refused without calling: the breaker is open (or its one half-open trial call is in flight). */
export class BreakerOpenError extends IntegrationError {
  readonly outcome = 'breaker_open' as const;

  constructor(integration: string) {
    super(integration, `${integration} is unavailable (circuit breaker open)`);
  }
}

/** Refused without calling: the client-side rate limit has no token free within the allowed wait. */
export class RateLimitedError extends IntegrationError {
  readonly outcome = 'rate_limited' as const;

  constructor(
    integration: string,
    /** How long until a token would be free. */
    readonly retryAfterMs: number,
  ) {
    super(integration, `${integration}: client-side rate limit reached (next request possible in ${Math.ceil(retryAfterMs)} ms)`);
  }
}
