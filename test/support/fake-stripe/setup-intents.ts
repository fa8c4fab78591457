import {
  declineFailure,
  failureFields,
  isIn,
  lastPaymentError,
  SETUP_CONFIRMABLE_STATUSES,
  type PaymentFailure,
} from '../../../src/payments/stripe-model';
import { initialMetadata } from './customers';
import { invalidRequest, resourceMissing, StripeApiError, unexpectedSetupState } from './errors';
import { REDIRECT_NEEDS_RETURN_URL } from './intent-lifecycle';
import { AUTOMATIC_PAYMENT_METHODS, applyMethodTypes, checkPaymentMethodTypes, SIMULATED_TYPES } from './method-types';
import type { PaymentMethodObject, SetupIntentObject } from './objects';
import { checkUsableFor, resolvePaymentMethod } from './payment-methods';
import type { Route } from './router';
import { bool, EXPAND, has, hash, METADATA, str, type Params, type Schema } from './schema';
import { clone, randomId, type EventCause, type FakeStripeStore } from './store';

/**
 * SetupIntents: saving a card for later (`usage: off_session` by default), with the test
 * cards' outcomes:
 *
 *   requires_payment_method --(payment_method)--> requires_confirmation --(confirm)-->
 *     succeeded                 (the card is attached to the SetupIntent's customer)
 *     requires_action --(completeSetupAction)--> succeeded | requires_payment_method
 *     requires_payment_method + last_setup_error  (decline: HTTP 402 carrying the SetupIntent)
 *   any open state --(cancel)--> canceled
 *
 * A card set up this way (e.g. 4000 0025 0000 3155) then pays off-session without
 * authentication; an always-3DS card (4000 0027 6000 3184) still fails off-session with
 * `authentication_required`.
 */

const ANY = { type: 'any' } as const;

/** `payment_method_options` on a SetupIntent: the card's validated, the other types' accepted. */
const SETUP_PAYMENT_METHOD_OPTIONS = {
  type: 'hash',
  fields: {
    card: {
      type: 'hash',
      fields: {
        mandate_options: ANY,
        moto: { type: 'boolean' },
        network: ANY,
        request_three_d_secure: { type: 'enum', values: ['any', 'automatic', 'challenge'] },
        three_d_secure: ANY,
      },
    },
  },
  others: ANY,
} as const;

const CREATE_SCHEMA: Schema = {
  allowed_payment_method_types: { type: 'array', of: { type: 'string' } },
  attach_to_self: { type: 'boolean' },
  automatic_payment_methods: { type: 'hash', fields: AUTOMATIC_PAYMENT_METHODS },
  confirm: { type: 'boolean' },
  customer: { type: 'string' },
  description: { type: 'string', emptyable: true, maxLength: 1000 },
  excluded_payment_method_types: { type: 'array', of: { type: 'string' } },
  expand: EXPAND,
  flow_directions: { type: 'array', of: { type: 'enum', values: ['inbound', 'outbound'] } },
  mandate_data: ANY,
  metadata: METADATA,
  on_behalf_of: ANY,
  payment_method: { type: 'string' },
  payment_method_configuration: { type: 'string' },
  payment_method_options: SETUP_PAYMENT_METHOD_OPTIONS,
  payment_method_types: { type: 'array', of: { type: 'string' } },
  return_url: { type: 'string' },
  single_use: ANY,
  usage: { type: 'enum', values: ['off_session', 'on_session'] },
  use_stripe_sdk: { type: 'boolean' },
};

const CONFIRM_SCHEMA: Schema = {
  allowed_payment_method_types: { type: 'array', of: { type: 'string' } },
  client_secret: { type: 'string' },
  expand: EXPAND,
  mandate_data: ANY,
  payment_method: { type: 'string' },
  payment_method_options: SETUP_PAYMENT_METHOD_OPTIONS,
  return_url: { type: 'string' },
  use_stripe_sdk: { type: 'boolean' },
};

const EXPANDABLE = ['customer', 'payment_method'] as const;

/** Stripe's words for a failed 3-D Secure on a SetupIntent (`setup_intent_authentication_failure`). */
const SETUP_AUTHENTICATION_FAILED =
  'The latest attempt to set up the payment method has failed because authentication failed. Provide a new payment method to attempt to set it up again.';

function findSetupIntent(store: FakeStripeStore, id: string): SetupIntentObject {
  const si = store.setupIntents.get(id);
  if (!si) throw resourceMissing('setup_intent', id, 'intent');
  return si;
}

/** The card checked out: attached to the SetupIntent's customer (a customer-less one may be attached later). */
function succeed(store: FakeStripeStore, si: SetupIntentObject, pm: PaymentMethodObject, cause: EventCause): void {
  si.status = 'succeeded';
  si.last_setup_error = null;
  si.next_action = null;
  if (si.customer !== null && pm.customer === null) pm.customer = si.customer;
  store.emit('setup_intent.succeeded', si, cause);
}

function fail(
  store: FakeStripeStore,
  si: SetupIntentObject,
  pm: PaymentMethodObject,
  failure: PaymentFailure,
  cause: EventCause,
): void {
  si.status = 'requires_payment_method';
  si.payment_method = null;
  si.next_action = null;
  si.last_setup_error = lastPaymentError(failure, clone(pm));
  store.emit('setup_intent.setup_failed', si, cause);
}

/** Confirms: the card's outcome decides (see the file's TSDoc). */
function confirmSetup(
  store: FakeStripeStore,
  si: SetupIntentObject,
  options: { paymentMethod?: string; returnUrl?: string },
  cause: EventCause,
): void {
  if (si.status === 'succeeded') {
    throw unexpectedSetupState(
      'You cannot confirm this SetupIntent because it has already succeeded after being previously confirmed.',
      clone(si),
    );
  }
  if (!isIn(si.status, SETUP_CONFIRMABLE_STATUSES)) {
    throw unexpectedSetupState(
      `You cannot confirm this SetupIntent because it has a status of ${si.status}. Only a SetupIntent with one of the following statuses may be confirmed: ${SETUP_CONFIRMABLE_STATUSES.join(', ')}.`,
      clone(si),
    );
  }
  if (options.paymentMethod !== undefined) {
    const pm = resolvePaymentMethod(store, options.paymentMethod, 'payment_method');
    checkUsableFor(store, pm, si.customer, 'payment_method');
    si.payment_method = pm.id;
  }
  const pm = si.payment_method ? store.paymentMethods.get(si.payment_method) : undefined;
  if (!pm) {
    throw unexpectedSetupState(
      "You cannot confirm this SetupIntent because it's missing a payment method. Update the SetupIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
      clone(si),
    );
  }
  if (options.returnUrl !== undefined) store.returnUrls.set(si.id, options.returnUrl);
  const returnUrl = store.returnUrls.get(si.id);
  const apm = si.automatic_payment_methods;
  if (apm?.enabled && apm.allow_redirects !== 'never' && returnUrl === undefined) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      message: REDIRECT_NEEDS_RETURN_URL,
      setup_intent: clone(si),
    });
  }
  si.latest_attempt = `setatt_${randomId(24)}`;
  const outcome = store.paymentMethodSide.get(pm.id)?.card.outcome ?? { kind: 'success' };
  if (outcome.kind === 'success') {
    succeed(store, si, pm, cause);
    return;
  }
  if (outcome.kind === 'decline') {
    const { chargeId: _none, ...failure } = declineFailure(outcome, '');
    fail(store, si, pm, failure, cause);
    throw new StripeApiError(402, {
      type: 'card_error',
      ...failureFields(failure),
      setup_intent: clone(si),
      payment_method: clone(pm),
      request_log_url: null,
    });
  }
  si.status = 'requires_action';
  si.next_action =
    returnUrl !== undefined
      ? {
          type: 'redirect_to_url',
          redirect_to_url: { url: `${store.baseUrl()}/3ds/${si.id}/authenticate`, return_url: returnUrl },
        }
      : {
          type: 'use_stripe_sdk',
          use_stripe_sdk: {
            type: 'three_d_secure_redirect',
            stripe_js: `${store.baseUrl()}/3ds/${si.id}`,
            source: store.newId('src'),
          },
        };
  store.emit('setup_intent.requires_action', si, cause);
}

/** The customer's side of 3-D Secure for a SetupIntent in requires_action (what Stripe.js does). */
export function completeSetupAction(store: FakeStripeStore, id: string, result: 'success' | 'failure'): SetupIntentObject {
  const si = store.setupIntents.get(id);
  if (!si) throw new Error(`fake Stripe: no SetupIntent ${id}`);
  if (si.status !== 'requires_action') throw new Error(`fake Stripe: ${id} is ${si.status}, not requires_action`);
  const pm = store.paymentMethods.get(si.payment_method ?? '');
  if (!pm) throw new Error(`fake Stripe: ${id} has no payment method`);
  const cause: EventCause = { requestId: null, idempotencyKey: null };
  if (result === 'success') succeed(store, si, pm, cause);
  else
    fail(
      store,
      si,
      pm,
      { type: 'invalid_request_error', code: 'setup_intent_authentication_failure', message: SETUP_AUTHENTICATION_FAILED },
      cause,
    );
  return clone(si);
}

function newSetupIntent(store: FakeStripeStore, params: Params, customer: string | null, pm: PaymentMethodObject | null) {
  const id = store.newId('seti');
  const si: SetupIntentObject = {
    id,
    object: 'setup_intent',
    allowed_payment_method_types: null,
    application: null,
    automatic_payment_methods: { enabled: true },
    cancellation_reason: null,
    client_secret: `${id}_secret_${randomId(25)}`,
    created: store.now(),
    customer,
    description: str(params, 'description') ?? null,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: initialMetadata(params.metadata),
    next_action: null,
    on_behalf_of: null,
    payment_method: pm?.id ?? null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: [...SIMULATED_TYPES],
    single_use_mandate: null,
    status: pm ? 'requires_confirmation' : 'requires_payment_method',
    usage: (str(params, 'usage') as SetupIntentObject['usage'] | undefined) ?? 'off_session',
  };
  applyMethodTypes(si, params);
  return si;
}

export const setupIntentRoutes: Route[] = [
  {
    method: 'POST',
    template: '/v1/setup_intents',
    schema: CREATE_SCHEMA,
    expandable: EXPANDABLE,
    check: (params, apiVersion) => {
      checkPaymentMethodTypes(params, apiVersion);
      if (bool(params, 'confirm') && !has(params, 'payment_method')) {
        throw invalidRequest('Missing required param: payment_method.', { code: 'parameter_missing', param: 'payment_method' });
      }
    },
    handle: ({ store, params, cause }) => {
      const customer = str(params, 'customer') ?? null;
      if (customer !== null && !store.customers.has(customer)) throw resourceMissing('customer', customer, 'customer', 400);
      let pm: PaymentMethodObject | null = null;
      const pmId = str(params, 'payment_method');
      if (pmId !== undefined) {
        pm = resolvePaymentMethod(store, pmId, 'payment_method');
        checkUsableFor(store, pm, customer, 'payment_method');
      }
      const si = newSetupIntent(store, params, customer, pm);
      const card = hash(hash(params, 'payment_method_options') ?? {}, 'card');
      const request = card ? str(card, 'request_three_d_secure') : undefined;
      if (request !== undefined) si.payment_method_options.card.request_three_d_secure = request;
      store.setupIntents.set(si.id, si);
      store.created.setupIntents++;
      const returnUrl = str(params, 'return_url');
      if (returnUrl !== undefined) store.returnUrls.set(si.id, returnUrl);
      if (bool(params, 'confirm')) confirmSetup(store, si, {}, cause);
      return clone(si);
    },
  },
  {
    method: 'GET',
    template: '/v1/setup_intents/:id',
    schema: { client_secret: { type: 'string' }, expand: EXPAND },
    expandable: EXPANDABLE,
    handle: ({ store, path }) => clone(findSetupIntent(store, path.id)),
  },
  {
    method: 'POST',
    template: '/v1/setup_intents/:id/confirm',
    schema: CONFIRM_SCHEMA,
    expandable: EXPANDABLE,
    handle: ({ store, params, path, cause }) => {
      const si = findSetupIntent(store, path.id);
      if (isIn(si.status, SETUP_CONFIRMABLE_STATUSES)) applyMethodTypes(si, params);
      confirmSetup(store, si, { paymentMethod: str(params, 'payment_method'), returnUrl: str(params, 'return_url') }, cause);
      return clone(si);
    },
  },
  {
    method: 'POST',
    template: '/v1/setup_intents/:id/cancel',
    schema: {
      cancellation_reason: { type: 'enum', values: ['abandoned', 'duplicate', 'requested_by_customer'] },
      expand: EXPAND,
    },
    expandable: EXPANDABLE,
    handle: ({ store, params, path, cause }) => {
      const si = findSetupIntent(store, path.id);
      if (!isIn(si.status, SETUP_CONFIRMABLE_STATUSES)) {
        throw unexpectedSetupState(
          `You cannot cancel this SetupIntent because it has a status of ${si.status}. Only a SetupIntent with one of the following statuses may be canceled: ${SETUP_CONFIRMABLE_STATUSES.join(', ')}.`,
          clone(si),
        );
      }
      si.status = 'canceled';
      si.cancellation_reason = str(params, 'cancellation_reason') ?? null;
      si.next_action = null;
      store.emit('setup_intent.canceled', si, cause);
      return clone(si);
    },
  },
];
