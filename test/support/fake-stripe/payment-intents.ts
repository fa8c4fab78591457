import {
  applyCardOptions,
  checkOffSession,
  expireAllLapsed,
  expireIfLapsed,
  incrementAuthorizationRoute,
  PAYMENT_METHOD_OPTIONS,
} from './authorizations';
import { initialMetadata, mergeMetadata } from './customers';
import { invalidRequest, resourceMissing, unexpectedIntentState } from './errors';
import { CANCELABLE_STATUSES as CANCELABLE, isIn } from '../../../src/payments/stripe-model';
import { CONFIRMABLE, confirmIntent } from './intent-lifecycle';
import { AUTOMATIC_PAYMENT_METHODS, applyMethodTypes, checkPaymentMethodTypes, SIMULATED_TYPES } from './method-types';
import { checkChargeAmount } from './money';
import type { PaymentIntentObject, PaymentMethodObject } from './objects';
import { checkUsableFor, resolvePaymentMethod } from './payment-methods';
import { LIST_PARAMS, newestFirst, paginate, type Route } from './router';
import { bool, EXPAND, has, int, METADATA, str, type Params, type Schema } from './schema';
import { clone, randomId, type FakeStripeStore } from './store';

/**
 * PaymentIntent endpoints and their parameters. The state machine (confirm, 3-D Secure,
 * declines) is in intent-lifecycle.ts, which payment methods an intent accepts in
 * method-types.ts, authorisation options, increments and lapses in authorizations.ts.
 */

const UPDATABLE = CONFIRMABLE;

const ANY = { type: 'any' } as const;

/** Accepted parameters Stripe has and the fake does not simulate (they are stored nowhere). */
const ACCEPTED_UNSIMULATED: Schema = {
  shipping: ANY,
  mandate_data: ANY,
  radar_options: ANY,
  application_fee_amount: ANY,
  on_behalf_of: ANY,
  transfer_data: ANY,
};

const CREATE_SCHEMA: Schema = {
  amount: { type: 'integer', required: true, min: 1 },
  currency: { type: 'currency', required: true },
  customer: { type: 'string' },
  payment_method: { type: 'string' },
  confirm: { type: 'boolean' },
  capture_method: { type: 'enum', values: ['automatic', 'automatic_async', 'manual'] },
  confirmation_method: { type: 'enum', values: ['automatic', 'manual'] },
  metadata: METADATA,
  description: { type: 'string', emptyable: true, maxLength: 1000 },
  setup_future_usage: { type: 'enum', values: ['off_session', 'on_session'] },
  off_session: { type: 'off_session' },
  payment_method_types: { type: 'array', of: { type: 'string' } },
  allowed_payment_method_types: { type: 'array', of: { type: 'string' } },
  excluded_payment_method_types: { type: 'array', of: { type: 'string' } },
  automatic_payment_methods: { type: 'hash', fields: AUTOMATIC_PAYMENT_METHODS },
  return_url: { type: 'string' },
  error_on_requires_action: { type: 'boolean' },
  receipt_email: { type: 'string', emptyable: true },
  statement_descriptor: { type: 'string', maxLength: 22 },
  statement_descriptor_suffix: { type: 'string', maxLength: 22 },
  transfer_group: { type: 'string' },
  use_stripe_sdk: { type: 'boolean' },
  payment_method_options: PAYMENT_METHOD_OPTIONS,
  expand: EXPAND,
  ...ACCEPTED_UNSIMULATED,
};

const UPDATE_SCHEMA: Schema = {
  amount: { type: 'integer', min: 1 },
  currency: { type: 'currency' },
  customer: { type: 'string' },
  payment_method: { type: 'string' },
  capture_method: { type: 'enum', values: ['automatic', 'automatic_async', 'manual'] },
  metadata: METADATA,
  description: { type: 'string', emptyable: true, maxLength: 1000 },
  setup_future_usage: { type: 'enum', values: ['off_session', 'on_session'], emptyable: true },
  payment_method_types: { type: 'array', of: { type: 'string' } },
  allowed_payment_method_types: { type: 'array', of: { type: 'string' } },
  excluded_payment_method_types: { type: 'array', of: { type: 'string' }, emptyable: true },
  receipt_email: { type: 'string', emptyable: true },
  statement_descriptor: { type: 'string', maxLength: 22, emptyable: true },
  statement_descriptor_suffix: { type: 'string', maxLength: 22, emptyable: true },
  transfer_group: { type: 'string' },
  payment_method_options: PAYMENT_METHOD_OPTIONS,
  expand: EXPAND,
  ...ACCEPTED_UNSIMULATED,
};

const CONFIRM_SCHEMA: Schema = {
  payment_method: { type: 'string' },
  return_url: { type: 'string' },
  off_session: { type: 'off_session' },
  error_on_requires_action: { type: 'boolean' },
  setup_future_usage: { type: 'enum', values: ['off_session', 'on_session'], emptyable: true },
  capture_method: { type: 'enum', values: ['automatic', 'automatic_async', 'manual'] },
  receipt_email: { type: 'string', emptyable: true },
  payment_method_types: { type: 'array', of: { type: 'string' } },
  allowed_payment_method_types: { type: 'array', of: { type: 'string' } },
  excluded_payment_method_types: { type: 'array', of: { type: 'string' }, emptyable: true },
  use_stripe_sdk: { type: 'boolean' },
  client_secret: { type: 'string' },
  expand: EXPAND,
  shipping: ANY,
  payment_method_options: PAYMENT_METHOD_OPTIONS,
  mandate_data: ANY,
  radar_options: ANY,
};

const EXPANDABLE = ['latest_charge', 'payment_method', 'customer'] as const;

/** The intent in the path; an authorisation past its `capture_before` has lapsed by now (see authorizations.ts). */
function findIntent(store: FakeStripeStore, id: string): PaymentIntentObject {
  const pi = store.paymentIntents.get(id);
  if (!pi) throw resourceMissing('payment_intent', id, 'intent');
  expireIfLapsed(store, pi);
  return pi;
}

function updateField(pi: PaymentIntentObject, params: Params, field: string): boolean {
  if (!has(params, field)) return false;
  if (!isIn(pi.status, UPDATABLE)) {
    throw unexpectedIntentState(
      `This PaymentIntent's ${field} could not be updated because it has a status of ${pi.status}. You may only update the ${field} of a PaymentIntent with one of the following statuses: ${UPDATABLE.join(', ')}.`,
      clone(pi),
    );
  }
  return true;
}

export const paymentIntentRoutes: Route[] = [
  {
    method: 'POST',
    template: '/v1/payment_intents',
    schema: CREATE_SCHEMA,
    expandable: EXPANDABLE,
    check: (params, apiVersion) => {
      checkPaymentMethodTypes(params, apiVersion);
      checkChargeAmount(int(params, 'amount')!, str(params, 'currency')!);
      if (bool(params, 'confirm') && !has(params, 'payment_method')) {
        throw invalidRequest('Missing required param: payment_method.', { code: 'parameter_missing', param: 'payment_method' });
      }
      checkOffSession(params, bool(params, 'confirm') === true);
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
      const id = store.newId('pi');
      const pi: PaymentIntentObject = {
        id,
        object: 'payment_intent',
        allowed_payment_method_types: null,
        amount: int(params, 'amount')!,
        amount_capturable: 0,
        amount_received: 0,
        application: null,
        application_fee_amount: null,
        // Recent API versions use dynamic payment methods unless told otherwise (applyMethodTypes below).
        automatic_payment_methods: { enabled: true },
        canceled_at: null,
        cancellation_reason: null,
        // Since API version 2024-06-20 the default is automatic_async.
        capture_method: (str(params, 'capture_method') as PaymentIntentObject['capture_method'] | undefined) ?? 'automatic_async',
        client_secret: `${id}_secret_${randomId(25)}`,
        confirmation_method: (str(params, 'confirmation_method') as 'automatic' | 'manual' | undefined) ?? 'automatic',
        created: store.now(),
        currency: str(params, 'currency')!,
        customer,
        description: str(params, 'description') ?? null,
        excluded_payment_method_types: null,
        last_payment_error: null,
        latest_charge: null,
        livemode: false,
        metadata: initialMetadata(params.metadata),
        next_action: null,
        on_behalf_of: null,
        payment_method: pm?.id ?? null,
        payment_method_configuration_details: null,
        payment_method_options: {
          card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
        },
        payment_method_types: [...SIMULATED_TYPES],
        processing: null,
        receipt_email: str(params, 'receipt_email') ?? null,
        review: null,
        setup_future_usage: (str(params, 'setup_future_usage') as 'off_session' | 'on_session' | undefined) ?? null,
        shipping: params.shipping ?? null,
        source: null,
        statement_descriptor: str(params, 'statement_descriptor') ?? null,
        statement_descriptor_suffix: str(params, 'statement_descriptor_suffix') ?? null,
        status: pm ? 'requires_confirmation' : 'requires_payment_method',
        transfer_data: null,
        transfer_group: str(params, 'transfer_group') ?? null,
      };
      applyMethodTypes(pi, params);
      applyCardOptions(pi, params);
      store.paymentIntents.set(id, pi);
      store.created.paymentIntents++;
      const returnUrl = str(params, 'return_url');
      if (returnUrl !== undefined) store.returnUrls.set(id, returnUrl);
      if (bool(params, 'confirm')) {
        const offSession = params.off_session;
        confirmIntent(
          store,
          pi,
          {
            offSession: typeof offSession === 'boolean' || typeof offSession === 'string' ? offSession : undefined,
            errorOnRequiresAction: bool(params, 'error_on_requires_action'),
          },
          cause,
        );
      }
      return clone(pi);
    },
  },
  {
    method: 'GET',
    template: '/v1/payment_intents/:id',
    schema: { client_secret: { type: 'string' }, expand: EXPAND },
    expandable: EXPANDABLE,
    handle: ({ store, path }) => clone(findIntent(store, path.id)),
  },
  {
    method: 'POST',
    template: '/v1/payment_intents/:id',
    schema: UPDATE_SCHEMA,
    expandable: EXPANDABLE,
    check: checkPaymentMethodTypes,
    handle: ({ store, params, path }) => {
      const pi = findIntent(store, path.id);
      const currency = str(params, 'currency') ?? pi.currency;
      if (updateField(pi, params, 'amount') || updateField(pi, params, 'currency')) {
        const amount = int(params, 'amount') ?? pi.amount;
        checkChargeAmount(amount, currency);
        pi.amount = amount;
        pi.currency = currency;
      }
      if (updateField(pi, params, 'customer')) {
        const customer = str(params, 'customer')!;
        if (!store.customers.has(customer)) throw resourceMissing('customer', customer, 'customer', 400);
        pi.customer = customer;
      }
      if (updateField(pi, params, 'payment_method')) {
        const pm = resolvePaymentMethod(store, str(params, 'payment_method')!, 'payment_method');
        checkUsableFor(store, pm, pi.customer, 'payment_method');
        pi.payment_method = pm.id;
        pi.next_action = null;
        pi.status = 'requires_confirmation';
      }
      if (updateField(pi, params, 'capture_method')) {
        pi.capture_method = str(params, 'capture_method') as PaymentIntentObject['capture_method'];
      }
      if (updateField(pi, params, 'setup_future_usage')) {
        pi.setup_future_usage = (params.setup_future_usage as 'off_session' | 'on_session' | null) ?? null;
      }
      if (
        updateField(pi, params, 'payment_method_types') ||
        updateField(pi, params, 'allowed_payment_method_types') ||
        updateField(pi, params, 'excluded_payment_method_types')
      ) {
        applyMethodTypes(pi, params);
      }
      if (updateField(pi, params, 'payment_method_options')) applyCardOptions(pi, params);
      if (has(params, 'description')) pi.description = str(params, 'description') ?? null;
      if (has(params, 'receipt_email')) pi.receipt_email = str(params, 'receipt_email') ?? null;
      if (has(params, 'statement_descriptor')) pi.statement_descriptor = str(params, 'statement_descriptor') ?? null;
      if (has(params, 'statement_descriptor_suffix'))
        pi.statement_descriptor_suffix = str(params, 'statement_descriptor_suffix') ?? null;
      if (has(params, 'transfer_group')) pi.transfer_group = str(params, 'transfer_group') ?? null;
      if (has(params, 'shipping')) pi.shipping = params.shipping ?? null;
      pi.metadata = mergeMetadata(pi.metadata, params.metadata);
      return clone(pi);
    },
  },
  {
    method: 'POST',
    template: '/v1/payment_intents/:id/confirm',
    schema: CONFIRM_SCHEMA,
    expandable: EXPANDABLE,
    check: checkPaymentMethodTypes,
    handle: ({ store, params, path, cause }) => {
      const pi = findIntent(store, path.id);
      if (isIn(pi.status, CONFIRMABLE)) {
        if (has(params, 'setup_future_usage')) {
          pi.setup_future_usage = (params.setup_future_usage as 'off_session' | 'on_session' | null) ?? null;
        }
        if (has(params, 'capture_method'))
          pi.capture_method = str(params, 'capture_method') as PaymentIntentObject['capture_method'];
        if (has(params, 'receipt_email')) pi.receipt_email = str(params, 'receipt_email') ?? null;
        applyMethodTypes(pi, params);
        applyCardOptions(pi, params);
      }
      const offSession = params.off_session;
      confirmIntent(
        store,
        pi,
        {
          paymentMethod: str(params, 'payment_method'),
          returnUrl: str(params, 'return_url'),
          offSession: typeof offSession === 'boolean' || typeof offSession === 'string' ? offSession : undefined,
          errorOnRequiresAction: bool(params, 'error_on_requires_action'),
        },
        cause,
      );
      return clone(pi);
    },
  },
  {
    method: 'POST',
    template: '/v1/payment_intents/:id/capture',
    schema: {
      amount_to_capture: { type: 'integer', min: 1 },
      metadata: METADATA,
      final_capture: { type: 'boolean' },
      statement_descriptor: { type: 'string', maxLength: 22 },
      statement_descriptor_suffix: { type: 'string', maxLength: 22 },
      application_fee_amount: ANY,
      transfer_data: ANY,
      expand: EXPAND,
    },
    expandable: EXPANDABLE,
    handle: ({ store, params, path, cause }) => {
      const pi = findIntent(store, path.id);
      if (pi.status !== 'requires_capture') {
        throw unexpectedIntentState(
          `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
          clone(pi),
        );
      }
      const amount = int(params, 'amount_to_capture') ?? pi.amount_capturable;
      if (amount > pi.amount_capturable) {
        throw invalidRequest(
          `The amount to capture (${amount}) must be less than or equal to the amount capturable (${pi.amount_capturable}).`,
          { code: 'amount_too_large', param: 'amount_to_capture' },
        );
      }
      const charge = store.charges.get(pi.latest_charge!)!;
      charge.captured = true;
      charge.amount_captured = amount;
      charge.balance_transaction = store.newId('txn');
      pi.amount_received = amount;
      pi.amount_capturable = 0;
      pi.status = 'succeeded';
      pi.metadata = mergeMetadata(pi.metadata, params.metadata);
      store.emit('payment_intent.succeeded', pi, cause);
      return clone(pi);
    },
  },
  {
    method: 'POST',
    template: '/v1/payment_intents/:id/cancel',
    schema: {
      cancellation_reason: { type: 'enum', values: ['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer'] },
      expand: EXPAND,
    },
    expandable: EXPANDABLE,
    handle: ({ store, params, path, cause }) => {
      const pi = findIntent(store, path.id);
      if (!isIn(pi.status, CANCELABLE)) {
        throw unexpectedIntentState(
          `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
          clone(pi),
        );
      }
      if (pi.status === 'requires_capture' && pi.latest_charge) {
        // The authorisation is released: Stripe shows the uncaptured charge as refunded.
        const charge = store.charges.get(pi.latest_charge);
        if (charge) {
          charge.amount_refunded = charge.amount;
          charge.refunded = true;
        }
      }
      pi.status = 'canceled';
      pi.canceled_at = store.now();
      pi.cancellation_reason = str(params, 'cancellation_reason') ?? null;
      pi.amount_capturable = 0;
      pi.next_action = null;
      store.emit('payment_intent.canceled', pi, cause);
      return clone(pi);
    },
  },
  {
    method: 'GET',
    template: '/v1/payment_intents',
    schema: { ...LIST_PARAMS, customer: { type: 'string' }, created: ANY },
    list: true,
    expandable: EXPANDABLE,
    handle: ({ store, params }) => {
      expireAllLapsed(store);
      const customer = str(params, 'customer');
      const items = newestFirst(store.paymentIntents.values()).filter((pi) => customer === undefined || pi.customer === customer);
      return paginate(items, params, '/v1/payment_intents');
    },
  },
  incrementAuthorizationRoute,
];
