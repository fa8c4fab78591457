import { randomBytes } from 'node:crypto';
import { PaymentGatewayError, type CardSnapshot, type IntentSnapshot } from './payment-gateway';
import {
  approvedOutcome,
  type AuthorizationFacts,
  type ChargeOutcome,
  type IntentStatus,
  type LastPaymentError as StripeLastPaymentError,
  type SetupIntentStatus,
} from './stripe-model';

/*
 * The objects the simulated provider keeps, shaped as Stripe's v1 API returns them (the
 * fields a client reads), and the helpers that build them and its errors.
 */

export type Metadata = Record<string, string>;

export type LastPaymentError = StripeLastPaymentError<PaymentMethodObject>;

/** A PaymentIntent, shaped as Stripe's v1 API returns it (the fields a client reads). */
export interface PaymentIntentObject {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: 'automatic' | 'manual';
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  last_payment_error: LastPaymentError | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Metadata;
  next_action: {
    type: 'use_stripe_sdk';
    use_stripe_sdk: { type: 'three_d_secure_redirect'; stripe_js: string; source: string };
  } | null;
  payment_method: string | null;
  /** What a manual-capture confirmation asks of the card (absent: not asked). */
  payment_method_options: {
    card: {
      request_three_d_secure: 'automatic';
      request_extended_authorization?: 'if_available';
      request_incremental_authorization?: 'if_available';
    };
  };
  payment_method_types: string[];
  setup_future_usage: 'off_session' | null;
  status: IntentStatus;
}

/** A SetupIntent, shaped as Stripe's v1 API returns it (the fields a client reads). */
export interface SetupIntentObject {
  id: string;
  object: 'setup_intent';
  cancellation_reason: string | null;
  client_secret: string;
  created: number;
  customer: string | null;
  description: string | null;
  last_setup_error: LastPaymentError | null;
  latest_attempt: string | null;
  livemode: false;
  metadata: Metadata;
  next_action: PaymentIntentObject['next_action'];
  payment_method: string | null;
  payment_method_types: string[];
  status: SetupIntentStatus;
  usage: 'off_session';
}

export interface CardDetails {
  brand: string;
  country: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
  funding: string;
  last4: string;
}

export interface PaymentMethodObject {
  id: string;
  object: 'payment_method';
  card: CardDetails;
  created: number;
  customer: string | null;
  livemode: false;
  metadata: Metadata;
  type: 'card';
}

export interface RefundObject {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  created: number;
  currency: string;
  metadata: Metadata;
  payment_intent: string;
  reason: 'duplicate' | 'fraudulent' | 'requested_by_customer' | null;
  status: 'succeeded';
}

export interface ChargeObject {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Metadata;
  outcome: ChargeOutcome;
  paid: boolean;
  payment_intent: string;
  payment_method: string;
  /** A manual-capture authorisation's card also carries `capture_before`, `extended_authorization` and `incremental_authorization`. */
  payment_method_details: { type: 'card'; card: CardDetails & Partial<AuthorizationFacts> };
  refunded: boolean;
  refunds: { object: 'list'; data: RefundObject[]; has_more: false; total_count: number; url: string };
  status: 'succeeded' | 'failed';
}

export interface CustomerObject {
  id: string;
  object: 'customer';
  created: number;
  email: string | null;
  invoice_settings: { default_payment_method: string | null };
  livemode: false;
  metadata: Metadata;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 24 random letters and digits, the look of Stripe's ids and secrets. */
export function randomSuffix(length = 24): string {
  let out = '';
  for (const byte of randomBytes(length)) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** Stripe's 400 `invalid_request_error`. */
export function invalidRequest(
  message: string,
  code: string | null = null,
  intent: IntentSnapshot | null = null,
): PaymentGatewayError {
  return new PaymentGatewayError('invalid_request', message, code, null, intent);
}

/** Stripe's answer for an id that names nothing. */
export function resourceMissing(what: string, id: string): PaymentGatewayError {
  return invalidRequest(`No such ${what}: '${id}'`, 'resource_missing');
}

/** A charge of the intent's whole amount on the card, made at `created` (Unix seconds): captured now, or only authorised (manual capture). */
export function newCharge(pi: PaymentIntentObject, pm: PaymentMethodObject, captured: boolean, created: number): ChargeObject {
  const id = `ch_sim_${randomSuffix()}`;
  return {
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: captured ? pi.amount : 0,
    amount_refunded: 0,
    captured,
    created,
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
    payment_method_details: { type: 'card', card: { ...pm.card } },
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/charges/${id}/refunds` },
    status: 'succeeded',
  };
}

export function cardSnapshot(pm: PaymentMethodObject): CardSnapshot {
  return { id: pm.id, brand: pm.card.brand, last4: pm.card.last4, expMonth: pm.card.exp_month, expYear: pm.card.exp_year };
}

/** Stripe's minimum charges in minor units, for the currencies we are likely to see. */
const MIN_CHARGE: Readonly<Record<string, number>> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, jpy: 50 };
const MAX_AMOUNT = 99_999_999;

/** Stripe's checks of a PaymentIntent amount (create, increment). */
export function checkAmount(amount: number, currency: string): void {
  if (!/^[a-z]{3}$/.test(currency)) throw invalidRequest(`Invalid currency: ${currency}.`, 'parameter_invalid_string');
  if (!Number.isInteger(amount) || amount <= 0)
    throw invalidRequest('Invalid positive integer: amount', 'parameter_invalid_integer');
  const min = MIN_CHARGE[currency];
  if (min !== undefined && amount < min)
    throw invalidRequest(`Amount must be at least ${min} ${currency} minor units`, 'amount_too_small');
  if (amount > MAX_AMOUNT)
    throw invalidRequest(`Amount must be no more than ${MAX_AMOUNT} ${currency} minor units`, 'amount_too_large');
}

/** An event's object (or an API answer): a copy, as it is at this moment. */
export function copy(value: PaymentIntentObject | SetupIntentObject | ChargeObject): Record<string, unknown> {
  return structuredClone(value) as unknown as Record<string, unknown>;
}
