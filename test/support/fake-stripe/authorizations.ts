import {
  authorizationFacts,
  failureFields,
  MAX_INCREMENTAL_AUTHORIZATIONS,
  type AuthorizationFacts,
  type PaymentFailure,
} from '../../../src/payments/stripe-model';
import { mergeMetadata } from './customers';
import { invalidRequest, resourceMissing, StripeApiError, unexpectedIntentState } from './errors';
import { checkChargeAmount } from './money';
import type { PaymentIntentObject, PaymentMethodObject } from './objects';
import type { Route } from './router';
import { EXPAND, has, hash, int, METADATA, str, type Params, type Schema } from './schema';
import { clone, type EventCause, type FakeStripeStore } from './store';

/**
 * Card authorisations (manual capture) beyond the basics: what a confirmation asks for
 * (`payment_method_options[card][request_extended_authorization|request_incremental_authorization]`),
 * what the charge then says (`payment_method_details.card.capture_before`,
 * `extended_authorization.status`, `incremental_authorization.status`), incrementing an
 * authorisation, and its lapse at `capture_before` (Stripe then cancels the intent).
 */

const ANY = { type: 'any' } as const;
const IF_AVAILABLE = { type: 'enum', values: ['if_available', 'never'] } as const;

/** `payment_method_options[card]` on a PaymentIntent (create, update, confirm), as stripe-node 23 types it. */
const CARD_OPTIONS: Schema = {
  cvc_token: { type: 'string' },
  installments: ANY,
  mandate_options: ANY,
  moto: { type: 'boolean' },
  network: {
    type: 'enum',
    values: [
      'amex',
      'cartes_bancaires',
      'diners',
      'discover',
      'eftpos_au',
      'girocard',
      'interac',
      'jcb',
      'link',
      'mastercard',
      'unionpay',
      'unknown',
      'visa',
    ],
  },
  request_extended_authorization: IF_AVAILABLE,
  request_incremental_authorization: IF_AVAILABLE,
  request_multicapture: IF_AVAILABLE,
  request_overcapture: IF_AVAILABLE,
  request_three_d_secure: { type: 'enum', values: ['any', 'automatic', 'challenge'] },
  require_cvc_recollection: { type: 'boolean' },
  setup_future_usage: { type: 'enum', values: ['none', 'off_session', 'on_session'], emptyable: true },
  statement_descriptor_suffix_kana: { type: 'string', emptyable: true },
  statement_descriptor_suffix_kanji: { type: 'string', emptyable: true },
  stored_credential_usage: ANY,
  three_d_secure: ANY,
};

/** `payment_method_options`: the card's validated; the other payment method types' accepted, not simulated. */
export const PAYMENT_METHOD_OPTIONS = {
  type: 'hash',
  fields: { card: { type: 'hash', fields: CARD_OPTIONS, emptyable: true } },
  others: ANY,
} as const;

/** Keeps what the request asks of the card on the intent, as Stripe shows it in `payment_method_options.card`. */
export function applyCardOptions(pi: PaymentIntentObject, params: Params): void {
  const card = hash(hash(params, 'payment_method_options') ?? {}, 'card');
  if (!card) return;
  const options = pi.payment_method_options.card;
  for (const key of ['request_extended_authorization', 'request_incremental_authorization'] as const) {
    const value = str(card, key);
    if (value !== undefined) options[key] = value;
  }
  const threeDSecure = str(card, 'request_three_d_secure');
  if (threeDSecure !== undefined) options.request_three_d_secure = threeDSecure;
}

/**
 * `off_session` exists only with `confirm=true` on create ("ONLY WHEN CONFIRM=TRUE" in
 * Stripe's reference); an off-session confirmation cannot also set up future usage.
 */
export function checkOffSession(params: Params, confirming: boolean): void {
  if (!has(params, 'off_session')) return;
  if (!confirming) {
    throw invalidRequest('The parameter `off_session` can only be used when `confirm` is set to `true`.', {
      param: 'off_session',
    });
  }
}

/** See `checkOffSession`: Stripe's words when an off-session confirmation meets `setup_future_usage`. */
export function checkOffSessionSetup(pi: PaymentIntentObject, offSession: boolean | string | undefined): void {
  if (offSession === undefined || offSession === false || pi.setup_future_usage === null) return;
  throw invalidRequest(
    'You cannot confirm with the `off_session` parameter when `setup_future_usage` is also set on the PaymentIntent because you cannot set up future usages when processing payments off-session',
    { param: 'off_session' },
  );
}

/** The authorisation facts of a new manual-capture charge on `pm` (see `authorizationFacts` in stripe-model.ts). */
export function chargeAuthorization(
  store: FakeStripeStore,
  pi: PaymentIntentObject,
  pm: PaymentMethodObject,
  offSession: boolean,
): Partial<AuthorizationFacts> {
  if (pi.capture_method !== 'manual') return {};
  const options = pi.payment_method_options.card;
  return authorizationFacts(
    pm.card.brand,
    {
      offSession,
      extended: options.request_extended_authorization === 'if_available',
      incremental: options.request_incremental_authorization === 'if_available',
    },
    store.authorizationSupport,
    store.now(),
  );
}

/**
 * An authorisation past its `capture_before` lapses: Stripe cancels the intent
 * (`cancellation_reason: automatic`), releases the money and sends
 * `payment_intent.canceled`. The fake does it when the intent is next looked at.
 */
export function expireIfLapsed(store: FakeStripeStore, pi: PaymentIntentObject): void {
  if (pi.status !== 'requires_capture' || !pi.latest_charge) return;
  const charge = store.charges.get(pi.latest_charge);
  const before = charge?.payment_method_details.card.capture_before;
  if (!charge || before === undefined || store.now() < before) return;
  charge.amount_refunded = charge.amount;
  charge.refunded = true;
  pi.status = 'canceled';
  pi.canceled_at = before;
  pi.cancellation_reason = 'automatic';
  pi.amount_capturable = 0;
  store.emit('payment_intent.canceled', pi, { requestId: null, idempotencyKey: null });
}

/** Every lapsed authorisation, now (`FakeStripe.expireLapsedAuthorizations`). */
export function expireAllLapsed(store: FakeStripeStore): number {
  let expired = 0;
  for (const pi of store.paymentIntents.values()) {
    const before = pi.status;
    expireIfLapsed(store, pi);
    if (before !== pi.status) expired++;
  }
  return expired;
}

const INCREMENT_DECLINED: PaymentFailure = {
  type: 'card_error',
  code: 'card_declined',
  declineCode: 'insufficient_funds',
  message: 'Your card has insufficient funds.',
};

/** `POST /v1/payment_intents/:id/increment_authorization`. */
export const incrementAuthorizationRoute: Route = {
  method: 'POST',
  template: '/v1/payment_intents/:id/increment_authorization',
  schema: {
    amount: { type: 'integer', required: true, min: 1 },
    amount_details: ANY,
    application_fee_amount: ANY,
    description: { type: 'string', emptyable: true, maxLength: 1000 },
    expand: EXPAND,
    hooks: ANY,
    metadata: METADATA,
    payment_details: ANY,
    statement_descriptor: { type: 'string', maxLength: 22 },
    transfer_data: ANY,
  },
  expandable: ['latest_charge', 'payment_method', 'customer'],
  handle: ({ store, params, path, cause }) => {
    const pi = store.paymentIntents.get(path.id);
    if (!pi) throw resourceMissing('payment_intent', path.id, 'intent');
    expireIfLapsed(store, pi);
    increment(store, pi, int(params, 'amount')!, params, cause);
    return clone(pi);
  },
};

/**
 * Raises an authorisation to `amount` (the new total). Eligible: status requires_capture,
 * the charge's incremental authorisation `available`, fewer than 10 attempts so far, and
 * an amount above the current one. A decline (402) changes nothing on the intent or the
 * charge, which stay capturable for what was authorised before.
 */
function increment(store: FakeStripeStore, pi: PaymentIntentObject, amount: number, params: Params, cause: EventCause): void {
  if (pi.status !== 'requires_capture') {
    throw unexpectedIntentState(
      `This PaymentIntent's amount could not be incremented because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be incremented: requires_capture.`,
      clone(pi),
    );
  }
  const charge = store.charges.get(pi.latest_charge!)!;
  if (charge.payment_method_details.card.incremental_authorization?.status !== 'available') {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      message:
        'This PaymentIntent is not eligible for incremental authorizations: request it with `payment_method_options[card][request_incremental_authorization]=if_available` when confirming, for a card and an account that support it.',
      payment_intent: clone(pi),
    });
  }
  const attempts = store.incrementAttempts.get(pi.id) ?? 0;
  if (attempts >= MAX_INCREMENTAL_AUTHORIZATIONS) {
    throw invalidRequest(
      `This PaymentIntent has reached the maximum of ${MAX_INCREMENTAL_AUTHORIZATIONS} incremental authorization attempts.`,
    );
  }
  if (amount <= pi.amount) {
    throw invalidRequest(
      `The amount to increment the authorization to (${amount}) must be greater than the currently authorized amount (${pi.amount}).`,
      { param: 'amount' },
    );
  }
  checkChargeAmount(amount, pi.currency);
  store.incrementAttempts.set(pi.id, attempts + 1);
  if (store.incrementDeclines.has(pi.id)) {
    throw new StripeApiError(402, {
      type: 'card_error',
      ...failureFields(INCREMENT_DECLINED),
      charge: charge.id,
      payment_intent: clone(pi),
      request_log_url: null,
    });
  }
  pi.amount = amount;
  pi.amount_capturable = amount;
  charge.amount = amount;
  if (has(params, 'description')) pi.description = str(params, 'description') ?? null;
  pi.metadata = mergeMetadata(pi.metadata, params.metadata);
  store.emit('payment_intent.amount_capturable_updated', pi, cause);
}
