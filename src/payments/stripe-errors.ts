import Stripe from 'stripe';
import { intentFromStripeObject, setupIntentFromStripeObject } from './intent-mapper';
import { PaymentGatewayError, type IntentSnapshot, type SetupIntentSnapshot } from './payment-gateway';
import { CircuitOpenError } from './provider-breaker';

/*
 * What the Stripe SDK hands back, in the port's terms: answers (PaymentIntents,
 * SetupIntents) as snapshots, and its errors as `PaymentGatewayError`. Used by
 * `StripeGateway` and `StripeAuthorizations`.
 */

/**
 * An answer the SDK accepted as a PaymentIntent, mapped; one that is not one (no id, an
 * unknown status, another object) is a processing failure, like any other bad answer.
 */
export function toIntent(pi: Stripe.PaymentIntent): IntentSnapshot {
  try {
    return intentFromStripeObject(pi);
  } catch (error) {
    throw malformed('a PaymentIntent', error);
  }
}

/** The same for a SetupIntent. */
export function toSetupIntent(si: Stripe.SetupIntent): SetupIntentSnapshot {
  try {
    return setupIntentFromStripeObject(si);
  } catch (error) {
    throw malformed('a SetupIntent', error);
  }
}

function malformed(what: string, error: unknown): PaymentGatewayError {
  return new PaymentGatewayError(
    'processing',
    `Stripe answered something that is not ${what} (${error instanceof Error ? error.message : String(error)})`,
    'malformed_response',
  );
}

/** A 429 the SDK gave up on at once because Stripe did not ask for a retry (see `StripeGateway`'s TSDoc). */
export function isUnretriedRateLimit(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeError && error.statusCode === 429 && error.headers?.['stripe-should-retry'] === undefined
  );
}

/**
 * Stripe's errors as ours: a card error (any decline code, insufficient funds included,
 * also `authentication_required` off-session) is `card_declined`; an invalid request
 * (400/404, wrong state, amount too large) or an idempotency-key mismatch is
 * `invalid_request`; everything else (connection, timeout, 5xx, 429, authentication,
 * permission, an open breaker) is `processing`. When Stripe returns the PaymentIntent or
 * the SetupIntent with the error (a declined confirmation, an intent in the wrong state)
 * it comes along.
 */
export function toGatewayError(error: unknown): PaymentGatewayError {
  if (error instanceof PaymentGatewayError) return error;
  if (error instanceof CircuitOpenError) {
    return new PaymentGatewayError(
      'processing',
      `Stripe calls are suspended after repeated failures: ${error.message}`,
      'circuit_open',
    );
  }
  if (error instanceof Stripe.errors.StripeError) {
    const intent = intentOf(error);
    const setupIntent = setupIntentOf(error);
    const code = error.code ?? null;
    if (error.type === 'StripeCardError' || code === 'card_declined') {
      return new PaymentGatewayError(
        'card_declined',
        error.message,
        code ?? 'card_declined',
        error.decline_code || null,
        intent,
        setupIntent,
      );
    }
    if (error.type === 'StripeInvalidRequestError' || error.type === 'StripeIdempotencyError') {
      return new PaymentGatewayError('invalid_request', error.message, code ?? error.rawType ?? null, null, intent, setupIntent);
    }
    const status = error.statusCode ? ` (HTTP ${error.statusCode})` : '';
    return new PaymentGatewayError(
      'processing',
      `${error.type}${status}: ${error.message}`,
      code ?? error.rawType ?? error.type,
      null,
      intent,
      setupIntent,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PaymentGatewayError('processing', `Stripe call failed: ${message}`, 'unexpected');
}

/** The PaymentIntent a Stripe error carries (`error.payment_intent`, i.e. `raw.payment_intent`), mapped. */
function intentOf(error: Stripe.errors.StripeError): IntentSnapshot | null {
  const raw = error.payment_intent ?? (error.raw as { payment_intent?: unknown } | undefined)?.payment_intent;
  if (!raw || typeof raw !== 'object') return null;
  try {
    return intentFromStripeObject(raw);
  } catch {
    return null;
  }
}

/** The SetupIntent a Stripe error carries (`error.setup_intent`), mapped. */
function setupIntentOf(error: Stripe.errors.StripeError): SetupIntentSnapshot | null {
  const raw = error.setup_intent ?? (error.raw as { setup_intent?: unknown } | undefined)?.setup_intent;
  if (!raw || typeof raw !== 'object') return null;
  try {
    return setupIntentFromStripeObject(raw);
  } catch {
    return null;
  }
}
