import Stripe from 'stripe';
import { intentFromStripeObject } from './intent-mapper';
import type { PaymentEventRelay } from './payment-event-relay';
import type { PaymentsConfig } from './payments.config';
import {
  PaymentGatewayError,
  type CardSnapshot,
  type CreateIntentInput,
  type IntentSnapshot,
  type PaymentGateway,
  type ProviderEvent,
  type RefundSnapshot,
} from './payment-gateway';
import { SimulatedEventOutbox } from './simulated-events';
import { SimulatedIdempotencyKeys } from './simulated-idempotency';
import {
  invalidRequest,
  newCharge,
  now,
  randomSuffix,
  resourceMissing,
  type ChargeObject,
  type PaymentIntentObject,
  type PaymentMethodObject,
  type RefundObject,
} from './simulated-objects';
import { SimulatedWallet } from './simulated-wallet';
import {
  AUTHENTICATION_FAILED,
  CANCELABLE_STATUSES,
  CONFIRMABLE_STATUSES,
  declinedOutcome,
  declineFailure,
  isIn,
  lastPaymentError,
  type PaymentFailure,
} from './stripe-model';
import { verifyStripeSignature, webhookSecrets } from './webhook-signature';

export interface SimulatedGatewayOptions {
  /** Waits between webhook delivery attempts; its length is the number of retries. Default 100, 500, 2000 ms. */
  retryDelaysMs?: readonly number[];
}

/** Stripe's minimum charges in minor units, for the currencies we are likely to see. */
const MIN_CHARGE: Readonly<Record<string, number>> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, jpy: 50 };
const MAX_AMOUNT = 99_999_999;
const REFUND_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

/**
 * The `simulated` payment provider (the default for `npm start`): an in-process stand-in
 * for Stripe that keeps its objects in memory (a restart forgets them) and behaves as
 * Stripe's test mode does: Stripe's test PaymentMethod ids and card numbers, the
 * PaymentIntent state machine, declines as 402-like errors carrying the intent, 3-D
 * Secure, manual capture, partial refunds, idempotency keys, customers and saved cards.
 *
 * Every state change sends a Stripe-shaped event, signed with STRIPE_WEBHOOK_SECRET,
 * through `PaymentEventRelay` to our own webhook handler, after the call returns; so it
 * goes through the same verification and code path as a Stripe delivery.
 * `DevPaymentsController` stands in for Stripe.js (`confirmAsClient`, `authenticate`).
 */
export class SimulatedGateway implements PaymentGateway {
  readonly name = 'simulated' as const;

  private readonly intents = new Map<string, PaymentIntentObject>();
  private readonly charges = new Map<string, ChargeObject>();
  private readonly wallet = new SimulatedWallet();
  private readonly idempotency = new SimulatedIdempotencyKeys();
  private readonly outbox: SimulatedEventOutbox;

  constructor(
    private readonly config: PaymentsConfig,
    relay: PaymentEventRelay,
    options: SimulatedGatewayOptions = {},
  ) {
    const delays = options.retryDelaysMs ?? [100, 500, 2000];
    // Signs with the first secret of the list, as Stripe signs with the endpoint's current one.
    this.outbox = new SimulatedEventOutbox(relay, webhookSecrets(config.webhookSecret)[0] ?? '', Stripe.API_VERSION, delays);
  }

  /** With `paymentMethodId`, confirms at once (a saved card, server-side, on-session: 3-D Secure shows as requires_action). */
  async createIntent(input: CreateIntentInput): Promise<IntentSnapshot> {
    const key = `pi:${input.paymentId}`;
    return this.idempotency.run(key, 'POST /v1/payment_intents', input, () => {
      const currency = input.currency.toLowerCase();
      checkAmount(input.amount, currency);
      const customer = input.customerId ?? null;
      if (customer !== null && !this.wallet.hasCustomer(customer)) throw resourceMissing('customer', customer);
      // A PaymentMethod that cannot be used refuses the whole request, as with Stripe.
      const pm = input.paymentMethodId !== undefined ? this.wallet.resolveForPayment(input.paymentMethodId, customer) : null;
      const id = `pi_sim_${randomSuffix()}`;
      const pi: PaymentIntentObject = {
        id,
        object: 'payment_intent',
        amount: input.amount,
        amount_capturable: 0,
        amount_received: 0,
        canceled_at: null,
        cancellation_reason: null,
        capture_method: input.captureMethod,
        client_secret: `${id}_secret_${randomSuffix(25)}`,
        confirmation_method: 'automatic',
        created: now(),
        currency,
        customer,
        description: input.description ?? null,
        last_payment_error: null,
        latest_charge: null,
        livemode: false,
        metadata: { ...input.metadata },
        next_action: null,
        payment_method: null,
        payment_method_types: ['card'],
        setup_future_usage: input.setupFutureUsage ? 'off_session' : null,
        status: 'requires_payment_method',
      };
      this.intents.set(id, pi);
      if (pm) this.confirm(pi, pm.id, key);
      return this.snapshot(pi);
    });
  }

  async retrieveIntent(intentId: string): Promise<IntentSnapshot> {
    return this.snapshot(this.findIntent(intentId));
  }

  async confirmIntent(intentId: string, paymentMethodId: string | undefined, idempotencyKey: string): Promise<IntentSnapshot> {
    return this.idempotency.run(idempotencyKey, `POST /v1/payment_intents/${intentId}/confirm`, { paymentMethodId }, () => {
      const pi = this.findIntent(intentId);
      this.confirm(pi, paymentMethodId, idempotencyKey);
      return this.snapshot(pi);
    });
  }

  /**
   * What Stripe.js does with the client secret (`stripe.confirmPayment`): confirms with a
   * test PaymentMethod id, a test card number or a saved card of the intent's customer,
   * without an idempotency key. A decline throws `PaymentGatewayError('card_declined')`
   * carrying the failed intent.
   */
  async confirmAsClient(intentId: string, paymentMethod: string): Promise<IntentSnapshot> {
    const pi = this.findIntent(intentId);
    this.confirm(pi, paymentMethod, null);
    return this.snapshot(pi);
  }

  /**
   * The customer's side of 3-D Secure. `success` completes the payment (or authorises it,
   * for manual capture); `failure` sends the intent back to requires_payment_method with
   * `payment_intent_authentication_failure` and throws, as Stripe.js reports it.
   */
  async authenticate(intentId: string, result: 'success' | 'failure'): Promise<IntentSnapshot> {
    const pi = this.findIntent(intentId);
    if (pi.status !== 'requires_action') {
      throw this.unexpectedState(
        pi,
        `This PaymentIntent has a status of ${pi.status}; only a PaymentIntent with a status of requires_action can be authenticated.`,
      );
    }
    const pm = this.paymentMethodOf(pi);
    if (result === 'success') {
      this.succeed(pi, pm, null);
      return this.snapshot(pi);
    }
    const code = 'payment_intent_authentication_failure';
    this.fail(pi, pm, { type: 'invalid_request_error', code, message: AUTHENTICATION_FAILED }, null);
    throw new PaymentGatewayError('card_declined', AUTHENTICATION_FAILED, code, null, this.snapshot(pi));
  }

  async cancelIntent(intentId: string, idempotencyKey: string): Promise<IntentSnapshot> {
    return this.idempotency.run(idempotencyKey, `POST /v1/payment_intents/${intentId}/cancel`, {}, () => {
      const pi = this.findIntent(intentId);
      if (!isIn(pi.status, CANCELABLE_STATUSES)) {
        throw this.unexpectedState(
          pi,
          `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE_STATUSES.join(', ')}.`,
        );
      }
      if (pi.status === 'requires_capture' && pi.latest_charge) {
        // The authorisation is released: Stripe shows the uncaptured charge as refunded.
        const charge = this.charges.get(pi.latest_charge)!;
        charge.amount_refunded = charge.amount;
        charge.refunded = true;
      }
      pi.status = 'canceled';
      pi.canceled_at = now();
      pi.amount_capturable = 0;
      pi.next_action = null;
      this.outbox.publish('payment_intent.canceled', copy(pi), idempotencyKey);
      return this.snapshot(pi);
    });
  }

  /** Captures `amount` (default: all) of an authorisation; the rest is released, as with Stripe. */
  async captureIntent(intentId: string, amount: number | undefined, idempotencyKey: string): Promise<IntentSnapshot> {
    return this.idempotency.run(idempotencyKey, `POST /v1/payment_intents/${intentId}/capture`, { amount }, () => {
      const pi = this.findIntent(intentId);
      if (pi.status !== 'requires_capture') {
        throw this.unexpectedState(
          pi,
          `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        );
      }
      const toCapture = amount ?? pi.amount_capturable;
      if (!Number.isInteger(toCapture) || toCapture <= 0) {
        throw invalidRequest('Invalid positive integer: amount_to_capture', 'parameter_invalid_integer');
      }
      if (toCapture > pi.amount_capturable) {
        throw invalidRequest(
          `The amount to capture (${toCapture}) must be less than or equal to the amount capturable (${pi.amount_capturable}).`,
          'amount_too_large',
        );
      }
      const charge = this.charges.get(pi.latest_charge!)!;
      charge.captured = true;
      charge.amount_captured = toCapture;
      pi.amount_received = toCapture;
      pi.amount_capturable = 0;
      pi.status = 'succeeded';
      this.outbox.publish('payment_intent.succeeded', copy(pi), idempotencyKey);
      return this.snapshot(pi);
    });
  }

  /** A refund of part or all of what is left of the captured amount; more than that is refused. */
  async createRefund(input: { refundId: string; intentId: string; amount: number; reason?: string }): Promise<RefundSnapshot> {
    const key = `refund:${input.refundId}`;
    return this.idempotency.run(key, 'POST /v1/refunds', input, () => {
      const pi = this.findIntent(input.intentId);
      const charge = pi.latest_charge ? this.charges.get(pi.latest_charge) : undefined;
      if (pi.status !== 'succeeded' || !charge) {
        throw this.unexpectedState(
          pi,
          `This PaymentIntent has a status of ${pi.status}; only a succeeded PaymentIntent can be refunded (cancel it to release an authorisation).`,
        );
      }
      const remaining = charge.amount_captured - charge.amount_refunded;
      if (remaining <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
      if (!Number.isInteger(input.amount) || input.amount <= 0) {
        throw invalidRequest('Invalid positive integer: amount', 'parameter_invalid_integer');
      }
      if (input.amount > remaining) {
        throw invalidRequest(
          `Refund amount (${input.amount}) is greater than unrefunded amount on charge (${remaining})`,
          'amount_too_large',
        );
      }
      const refund: RefundObject = {
        id: `re_sim_${randomSuffix()}`,
        object: 'refund',
        amount: input.amount,
        charge: charge.id,
        created: now(),
        currency: pi.currency,
        // Stripe's `reason` takes three values; ours (e.g. HOLD_EXPIRED) is kept in metadata.
        metadata: { refundId: input.refundId, ...(input.reason ? { reason: input.reason } : {}) },
        payment_intent: pi.id,
        reason: input.reason && REFUND_REASONS.has(input.reason) ? (input.reason as RefundObject['reason']) : null,
        status: 'succeeded',
      };
      charge.amount_refunded += input.amount;
      charge.refunded = charge.amount_refunded >= charge.amount_captured;
      charge.refunds.data.unshift(refund);
      charge.refunds.total_count++;
      this.outbox.publish('charge.refunded', copy(charge), key);
      return { id: refund.id, intentId: pi.id, amount: refund.amount, status: refund.status };
    });
  }

  async createCustomer(input: { userId: string; email?: string }): Promise<{ id: string }> {
    return this.wallet.createCustomer(input);
  }

  /** A test id or card number first becomes a new `pm_sim_` PaymentMethod, as Stripe does with `pm_card_visa`. */
  async attachPaymentMethod(paymentMethodId: string, customerId: string): Promise<CardSnapshot> {
    return this.wallet.attach(paymentMethodId, customerId);
  }

  /** Stripe refuses to use a detached PaymentMethod again. */
  async detachPaymentMethod(paymentMethodId: string): Promise<void> {
    this.wallet.detach(paymentMethodId);
  }

  async setDefaultPaymentMethod(customerId: string, paymentMethodId: string | null): Promise<void> {
    this.wallet.setDefault(customerId, paymentMethodId);
  }

  /** The same verifier as the Stripe adapter (any secret of the list, 300 s either way). */
  verifyEvent(rawBody: Buffer, signatureHeader: string | undefined, nowMs?: number): ProviderEvent {
    return verifyStripeSignature(rawBody, signatureHeader, webhookSecrets(this.config.webhookSecret), nowMs);
  }

  /** Resolves once every event sent so far (and any sent meanwhile) has been delivered or given up. For tests. */
  flushEvents(): Promise<void> {
    return this.outbox.flush();
  }

  /** A PaymentIntent as Stripe's API would return it (a copy). */
  paymentIntentObject(intentId: string): Record<string, unknown> {
    return copy(this.findIntent(intentId));
  }

  /** A Charge as Stripe's API would return it (a copy). */
  chargeObject(chargeId: string): Record<string, unknown> {
    const charge = this.charges.get(chargeId);
    if (!charge) throw resourceMissing('charge', chargeId);
    return copy(charge);
  }

  /**
   * The confirmation step of the state machine: a card that works succeeds (or is
   * authorised, for manual capture); a declining one sends the intent back to
   * requires_payment_method and throws like Stripe's 402; a 3-D Secure one waits in
   * requires_action for `authenticate`.
   */
  private confirm(pi: PaymentIntentObject, paymentMethod: string | undefined, idempotencyKey: string | null): void {
    if (pi.status === 'succeeded') {
      throw this.unexpectedState(
        pi,
        'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.',
      );
    }
    if (!isIn(pi.status, CONFIRMABLE_STATUSES)) {
      throw this.unexpectedState(
        pi,
        `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE_STATUSES.join(', ')}.`,
      );
    }
    if (paymentMethod !== undefined) pi.payment_method = this.wallet.resolveForPayment(paymentMethod, pi.customer).id;
    if (pi.payment_method === null) {
      throw this.unexpectedState(
        pi,
        "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
      );
    }
    const pm = this.paymentMethodOf(pi);
    const outcome = this.wallet.outcomeOf(pm);
    if (outcome.kind === 'success') {
      this.succeed(pi, pm, idempotencyKey);
      return;
    }
    if (outcome.kind === 'authenticate') {
      pi.status = 'requires_action';
      pi.last_payment_error = null;
      pi.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: {
          type: 'three_d_secure_redirect',
          stripe_js: `/v1/dev/payments/${pi.id}/authenticate`,
          source: `src_sim_${randomSuffix()}`,
        },
      };
      this.outbox.publish('payment_intent.requires_action', copy(pi), idempotencyKey);
      return;
    }
    const charge: ChargeObject = {
      ...newCharge(pi, pm, false),
      paid: false,
      status: 'failed',
      failure_code: outcome.code,
      failure_message: outcome.message,
      outcome: declinedOutcome(outcome),
    };
    this.charges.set(charge.id, charge);
    const { code, declineCode, message } = outcome;
    this.fail(pi, pm, declineFailure(outcome, charge.id), idempotencyKey);
    // Stripe answers a card_error with 402; a processing error is the bank's, not the card holder's.
    throw new PaymentGatewayError(
      code === 'processing_error' ? 'processing' : 'card_declined',
      message,
      code,
      declineCode,
      this.snapshot(pi),
    );
  }

  private succeed(pi: PaymentIntentObject, pm: PaymentMethodObject, idempotencyKey: string | null): void {
    const manual = pi.capture_method === 'manual';
    const charge = newCharge(pi, pm, !manual);
    this.charges.set(charge.id, charge);
    pi.latest_charge = charge.id;
    pi.last_payment_error = null;
    pi.next_action = null;
    this.wallet.used(pm, pi);
    if (manual) {
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
      this.outbox.publish('payment_intent.amount_capturable_updated', copy(pi), idempotencyKey);
    } else {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      this.outbox.publish('payment_intent.succeeded', copy(pi), idempotencyKey);
    }
  }

  /** A failed attempt: back to requires_payment_method with `last_payment_error`, as Stripe does. */
  private fail(pi: PaymentIntentObject, pm: PaymentMethodObject, failure: PaymentFailure, idempotencyKey: string | null): void {
    pi.status = 'requires_payment_method';
    pi.payment_method = null;
    pi.next_action = null;
    if (failure.chargeId) pi.latest_charge = failure.chargeId;
    pi.last_payment_error = lastPaymentError(failure, pm);
    this.outbox.publish('payment_intent.payment_failed', copy(pi), idempotencyKey);
  }

  private paymentMethodOf(pi: PaymentIntentObject): PaymentMethodObject {
    const pm = pi.payment_method ? this.wallet.get(pi.payment_method) : undefined;
    if (!pm) throw new Error(`simulated provider: ${pi.id} has no payment method`);
    return pm;
  }

  private findIntent(intentId: string): PaymentIntentObject {
    const pi = this.intents.get(intentId);
    if (!pi) throw resourceMissing('payment_intent', intentId);
    return pi;
  }

  private unexpectedState(pi: PaymentIntentObject, message: string): PaymentGatewayError {
    return invalidRequest(message, 'payment_intent_unexpected_state', this.snapshot(pi));
  }

  private snapshot(pi: PaymentIntentObject): IntentSnapshot {
    return intentFromStripeObject(pi);
  }
}

function checkAmount(amount: number, currency: string): void {
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
function copy(value: PaymentIntentObject | ChargeObject): Record<string, unknown> {
  return structuredClone(value) as unknown as Record<string, unknown>;
}
