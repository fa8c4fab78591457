import type { StripeApiError, StripeErrorBody } from './errors';
import type { Fault, ResponseFault, StatusFault } from './types';

/** A response about to be sent (or stored under an idempotency key). */
export interface Outcome {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  replayed?: boolean;
}

export function errorOutcome(error: StripeApiError): Outcome {
  return { status: error.status, body: { error: error.error }, headers: { ...error.headers } };
}

export function defaultFaultBody(fault: StatusFault): { error: StripeErrorBody } {
  if (fault.status === 429 && fault.code === 'lock_timeout') {
    return {
      error: {
        type: 'invalid_request_error',
        code: 'lock_timeout',
        doc_url: 'https://stripe.com/docs/error-codes/lock-timeout',
        message:
          'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate.',
      },
    };
  }
  if (fault.status === 429) {
    return {
      error: {
        type: 'invalid_request_error',
        code: 'rate_limit',
        doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
        message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
      },
    };
  }
  if (fault.status >= 500) {
    return { error: { type: 'api_error', message: 'An unknown error occurred' } };
  }
  return { error: { type: 'invalid_request_error', message: `Injected ${fault.status} response` } };
}

export function faultMatches(fault: Fault, method: string, path: string, template: string | null, key: string | null): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== method) return false;
  if (fault.idempotencyKey !== undefined && fault.idempotencyKey !== key) return false;
  if (fault.path === undefined) return true;
  if (fault.path instanceof RegExp) return fault.path.test(path);
  return fault.path === path || fault.path === template;
}

export function injectedOutcome(fault: StatusFault): Outcome {
  const headers: Record<string, string> = { ...fault.headers };
  const shouldRetry = fault.shouldRetry ?? (fault.status === 429 && fault.code === 'lock_timeout' ? true : undefined);
  if (shouldRetry !== undefined) headers['Stripe-Should-Retry'] = String(shouldRetry);
  return { status: fault.status, body: fault.body ?? defaultFaultBody(fault), headers };
}

/** A `response` fault's version of a real outcome: the 2xx JSON object with fields replaced or removed. */
export function alteredOutcome(outcome: Outcome, fault: ResponseFault): Outcome {
  const body = outcome.body;
  if (outcome.status < 200 || outcome.status >= 300 || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return outcome;
  }
  const altered: Record<string, unknown> = { ...(body as Record<string, unknown>), ...structuredClone(fault.set ?? {}) };
  for (const field of fault.omit ?? []) delete altered[field];
  return { ...outcome, body: altered };
}
