/**
 * Stripe's v1 error envelope, `{ error: { type, code?, decline_code?, param?, message, doc_url? ... } }`,
 * and the handful of errors the fake raises, worded as Stripe words them.
 */

import { docUrl } from '../../../src/payments/stripe-model';

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  advice_code?: string;
  [extra: string]: unknown;
}

/** Thrown by the fake's handlers; the server renders it as `status` + `{ error }`. */
export class StripeApiError extends Error {
  readonly error: StripeErrorBody;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    error: StripeErrorBody,
    headers: Record<string, string> = {},
  ) {
    super(error.message);
    this.name = 'StripeApiError';
    this.error = error.code && !error.doc_url ? { ...error, doc_url: docUrl(error.code) } : { ...error };
    this.headers = headers;
  }
}

export function invalidRequest(message: string, extra: { code?: string; param?: string; status?: number } = {}): StripeApiError {
  const { status = 400, ...rest } = extra;
  return new StripeApiError(status, { type: 'invalid_request_error', message, ...rest });
}

/**
 * An id that names nothing. In the path it is a 404 (`No such payment_intent: 'pi_x'`);
 * as a parameter of another call it is a 400 with that parameter named, as Stripe does.
 */
export function resourceMissing(what: string, id: string, param: string, status: 404 | 400 = 404): StripeApiError {
  return invalidRequest(`No such ${what}: '${id}'`, { code: 'resource_missing', param, status });
}

export function unexpectedIntentState(message: string, paymentIntent: unknown): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message,
    payment_intent: paymentIntent,
  });
}

export function unexpectedSetupState(message: string, setupIntent: unknown): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'setup_intent_unexpected_state',
    message,
    setup_intent: setupIntent,
  });
}
