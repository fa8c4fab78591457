import {
  AUTHENTICATION_FAILED,
  AUTHENTICATION_REQUIRED,
  approvedOutcome,
  CONFIRMABLE_STATUSES,
  declinedOutcome,
  declineFailure,
  failureFields,
  isIn,
  lastPaymentError,
  type PaymentFailure,
} from '../../../src/payments/stripe-model';
import { chargeAuthorization, checkOffSessionSetup } from './authorizations';
import { StripeApiError, unexpectedIntentState } from './errors';
import type { ChargeObject, PaymentIntentObject, PaymentMethodObject } from './objects';
import { checkUsableFor, resolvePaymentMethod } from './payment-methods';
import { clone, type EventCause, type FakeStripeStore } from './store';

/**
 * PaymentIntents and their state machine:
 *
 *   requires_payment_method --(payment_method)--> requires_confirmation --(confirm)-->
 *     succeeded                                  (automatic capture, card succeeds)
 *     requires_capture --(capture)--> succeeded  (manual capture)
 *     requires_action --(completeAction)--> succeeded | requires_capture | requires_payment_method
 *     requires_payment_method + last_payment_error  (decline: HTTP 402)
 *   any of the open states --(cancel)--> canceled
 */

export const CONFIRMABLE = CONFIRMABLE_STATUSES;

export const REDIRECT_NEEDS_RETURN_URL =
  "This PaymentIntent is configured to accept payment methods enabled in your Dashboard. Because some of these payment methods might redirect your customer off of your page, you must provide a `return_url`. If you don't want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.";

/** A charge of the intent's amount; a manual-capture one that went through carries its authorisation facts. */
function createCharge(
  store: FakeStripeStore,
  pi: PaymentIntentObject,
  pm: PaymentMethodObject,
  captured: boolean,
  authorization: { offSession: boolean } | null = null,
): ChargeObject {
  const { display_brand: _d, generated_from: _g, wallet: _w, ...card } = pm.card;
  const charge: ChargeObject = {
    id: store.newId('ch'),
    object: 'charge',
    amount: pi.amount,
    amount_captured: captured ? pi.amount : 0,
    amount_refunded: 0,
    balance_transaction: captured ? store.newId('txn') : null,
    billing_details: clone(pm.billing_details),
    captured,
    created: store.now(),
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: { ...pi.metadata },
    outcome: approvedOutcome(),
    paid: true,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: {
      type: 'card',
      card: { ...card, ...(authorization ? chargeAuthorization(store, pi, pm, authorization.offSession) : {}) },
    },
    receipt_email: pi.receipt_email,
    refunded: false,
    status: 'succeeded',
  };
  store.charges.set(charge.id, charge);
  store.created.charges++;
  return charge;
}

function paymentMethodOf(store: FakeStripeStore, pi: PaymentIntentObject): PaymentMethodObject {
  const pm = pi.payment_method ? store.paymentMethods.get(pi.payment_method) : undefined;
  if (!pm) throw new Error(`fake Stripe: ${pi.id} has no payment method`);
  return pm;
}

/** The card worked: charge it (or authorise it, for manual capture) and move the intent on. */
function succeed(
  store: FakeStripeStore,
  pi: PaymentIntentObject,
  pm: PaymentMethodObject,
  offSession: boolean,
  cause: EventCause,
): void {
  const manual = pi.capture_method === 'manual';
  const charge = createCharge(store, pi, pm, !manual, { offSession });
  pi.latest_charge = charge.id;
  pi.last_payment_error = null;
  pi.next_action = null;
  // Stripe attaches the card when asked to keep it; otherwise a customer-less card is spent.
  const side = store.paymentMethodSide.get(pm.id);
  if (pi.setup_future_usage !== null && pi.customer !== null && pm.customer === null) pm.customer = pi.customer;
  else if (pm.customer === null && side) side.consumed = true;
  if (manual) {
    pi.status = 'requires_capture';
    pi.amount_capturable = pi.amount;
    store.emit('payment_intent.amount_capturable_updated', pi, cause);
  } else {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    store.emit('payment_intent.succeeded', pi, cause);
  }
}

/** A failed attempt: the intent goes back to requires_payment_method with `last_payment_error`. */
function fail(
  store: FakeStripeStore,
  pi: PaymentIntentObject,
  pm: PaymentMethodObject,
  failure: PaymentFailure,
  cause: EventCause,
): void {
  pi.status = 'requires_payment_method';
  pi.payment_method = null;
  pi.next_action = null;
  if (failure.chargeId) pi.latest_charge = failure.chargeId;
  pi.last_payment_error = lastPaymentError(failure, pm);
  store.emit('payment_intent.payment_failed', pi, cause);
}

/** Stripe's 402 for a failed confirmation: the error carries the updated intent. */
function cardError(pi: PaymentIntentObject, pm: PaymentMethodObject, failure: PaymentFailure): StripeApiError {
  return new StripeApiError(402, {
    type: 'card_error',
    ...failureFields(failure),
    payment_intent: clone(pi),
    payment_method: clone(pm),
    request_log_url: null,
  });
}

export interface ConfirmOptions {
  paymentMethod?: string;
  returnUrl?: string;
  offSession?: boolean | string;
  errorOnRequiresAction?: boolean;
}

export function confirmIntent(store: FakeStripeStore, pi: PaymentIntentObject, options: ConfirmOptions, cause: EventCause): void {
  if (pi.status === 'succeeded') {
    throw unexpectedIntentState(
      'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.',
      clone(pi),
    );
  }
  if (!isIn(pi.status, CONFIRMABLE)) {
    throw unexpectedIntentState(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
      clone(pi),
    );
  }
  if (options.paymentMethod !== undefined) {
    const pm = resolvePaymentMethod(store, options.paymentMethod, 'payment_method');
    checkUsableFor(store, pm, pi.customer, 'payment_method');
    pi.payment_method = pm.id;
  }
  checkOffSessionSetup(pi, options.offSession);
  if (pi.payment_method === null) {
    throw unexpectedIntentState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method or ConfirmationToken.",
      clone(pi),
    );
  }
  if (options.returnUrl !== undefined) store.returnUrls.set(pi.id, options.returnUrl);
  const returnUrl = store.returnUrls.get(pi.id);
  const apm = pi.automatic_payment_methods;
  if (apm?.enabled && apm.allow_redirects !== 'never' && returnUrl === undefined) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      message: REDIRECT_NEEDS_RETURN_URL,
      payment_intent: clone(pi),
    });
  }
  if (!pi.payment_method_types.includes('card')) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'payment_intent_incompatible_payment_method',
      message: `The PaymentMethod provided (card) is not allowed for this PaymentIntent. The allowed types are: ${pi.payment_method_types.join(', ') || 'none'}.`,
      param: 'payment_method',
      payment_intent: clone(pi),
    });
  }
  const pm = paymentMethodOf(store, pi);
  const card = store.paymentMethodSide.get(pm.id)?.card;
  const outcome = card?.outcome ?? { kind: 'success' };
  const offSession = options.offSession !== undefined && options.offSession !== false;

  if (outcome.kind === 'success') {
    succeed(store, pi, pm, offSession, cause);
    return;
  }
  if (outcome.kind === 'decline') {
    const charge = createCharge(store, pi, pm, false);
    Object.assign(charge, {
      amount_captured: 0,
      paid: false,
      status: 'failed',
      failure_code: outcome.code,
      failure_message: outcome.message,
      outcome: declinedOutcome(outcome),
    } satisfies Partial<ChargeObject>);
    const failure = declineFailure(outcome, charge.id);
    fail(store, pi, pm, failure, cause);
    throw cardError(pi, pm, failure);
  }
  // 3-D Secure.
  const setUp = outcome.when === 'onSetup' && offSession && pm.customer !== null && pm.customer === pi.customer;
  if (setUp) {
    succeed(store, pi, pm, offSession, cause);
    return;
  }
  if (offSession || options.errorOnRequiresAction) {
    // The 402 carries the intent (requires_payment_method, with its client secret), so the
    // app can bring the customer back to confirm it on-session.
    fail(store, pi, pm, AUTHENTICATION_REQUIRED, cause);
    throw cardError(pi, pm, AUTHENTICATION_REQUIRED);
  }
  pi.status = 'requires_action';
  pi.next_action =
    returnUrl !== undefined
      ? {
          type: 'redirect_to_url',
          redirect_to_url: { url: `${store.baseUrl()}/3ds/${pi.id}/authenticate`, return_url: returnUrl },
        }
      : {
          type: 'use_stripe_sdk',
          use_stripe_sdk: {
            type: 'three_d_secure_redirect',
            stripe_js: `${store.baseUrl()}/3ds/${pi.id}`,
            source: store.newId('src'),
          },
        };
  store.emit('payment_intent.requires_action', pi, cause);
}

/**
 * The customer's side of 3-D Secure (what Stripe.js does in the browser): `success`
 * completes the payment, `failure` leaves the intent in requires_payment_method with
 * `payment_intent_authentication_failure`. Events carry no request, like Stripe's.
 */
export function completeAction(store: FakeStripeStore, id: string, result: 'success' | 'failure'): PaymentIntentObject {
  const pi = store.paymentIntents.get(id);
  if (!pi) throw new Error(`fake Stripe: no PaymentIntent ${id}`);
  if (pi.status !== 'requires_action') throw new Error(`fake Stripe: ${id} is ${pi.status}, not requires_action`);
  const pm = paymentMethodOf(store, pi);
  const cause: EventCause = { requestId: null, idempotencyKey: null };
  if (result === 'success') {
    succeed(store, pi, pm, false, cause);
  } else {
    fail(
      store,
      pi,
      pm,
      {
        type: 'invalid_request_error',
        code: 'payment_intent_authentication_failure',
        message: AUTHENTICATION_FAILED,
      },
      cause,
    );
  }
  return clone(pi);
}
