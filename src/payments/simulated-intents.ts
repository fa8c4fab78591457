import type { Clock } from '@holdfast/clock';
import { intentFromStripeObject } from './intent-mapper';
import { PaymentGatewayError, type AuthorizationRequests, type IntentSnapshot } from './payment-gateway';
import type { SimulatedEventOutbox } from './simulated-events';
import {
  checkAmount,
  copy,
  invalidRequest,
  newCharge,
  randomSuffix,
  resourceMissing,
  type ChargeObject,
  type PaymentIntentObject,
  type PaymentMethodObject,
} from './simulated-objects';
import type { SimulatedWallet } from './simulated-wallet';
import {
  AUTHENTICATION_FAILED,
  AUTHENTICATION_REQUIRED,
  authorizationFacts,
  CANCELABLE_STATUSES,
  CONFIRMABLE_STATUSES,
  declinedOutcome,
  declineFailure,
  isIn,
  lastPaymentError,
  MAX_INCREMENTAL_AUTHORIZATIONS,
  type CardOutcome,
  type PaymentFailure,
  testCardById,
} from './stripe-model';

/** Stripe's insufficient-funds test card's decline (4000 0000 0000 9995): what a card short of funds answers. */
const INSUFFICIENT_FUNDS: CardOutcome = testCardById('pm_card_chargeDeclinedInsufficientFunds')!.outcome;

/** What the simulated account grants a manual-capture card authorisation that asks for it. */
export interface AuthorizationSupport {
  extended: boolean;
  incremental: boolean;
}

/** A new PaymentIntent's fields (validated by the caller). */
export interface NewIntent extends AuthorizationRequests {
  amount: number;
  /** Lower case, as Stripe keeps it. */
  currency: string;
  captureMethod: 'automatic' | 'manual';
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  setupFutureUsage: boolean;
}

/** Who confirms: the customer in the app (on-session), or the merchant while they are away (off-session). */
export interface ConfirmContext {
  offSession: boolean;
  /** The request's key, carried by the events it causes (null for Stripe.js-like calls). */
  idempotencyKey: string | null;
}

/**
 * The simulated provider's PaymentIntents and Charges, and their state machine, as
 * Stripe's test mode runs it:
 *
 *   requires_payment_method --(confirm with a card)-->
 *     succeeded                          (automatic capture, the card works)
 *     requires_capture --(capture)--> succeeded, --(cancel | capture_before passes)--> canceled
 *     requires_action --(authenticate)--> succeeded | requires_capture | requires_payment_method
 *     requires_payment_method + last_payment_error   (a decline; off-session, a card that
 *                                                      needs its holder: authentication_required)
 *
 * Every change sends its Stripe event through the outbox. Times (`created`,
 * `capture_before`, lapses) come from the app's clock. `SimulatedGateway` wraps these in
 * the port's calls (idempotency keys, parameters).
 */
export class SimulatedIntents {
  private readonly intents = new Map<string, PaymentIntentObject>();
  private readonly charges = new Map<string, ChargeObject>();
  private readonly incrementAttempts = new Map<string, number>();
  private readonly incrementDeclines = new Set<string>();
  /** Per PaymentMethod: how many more off-session confirmations decline for want of funds (tests). */
  private readonly offSessionDeclines = new Map<string, number>();

  constructor(
    private readonly wallet: SimulatedWallet,
    private readonly outbox: SimulatedEventOutbox,
    private readonly clock: Clock,
    /** Live: a test may change it (`SimulatedGateway.setAuthorizationSupport`). */
    readonly support: AuthorizationSupport,
  ) {}

  open(input: NewIntent): PaymentIntentObject {
    const id = `pi_sim_${randomSuffix()}`;
    const card: PaymentIntentObject['payment_method_options']['card'] = { request_three_d_secure: 'automatic' };
    if (input.captureMethod === 'manual' && input.requestExtended) card.request_extended_authorization = 'if_available';
    if (input.captureMethod === 'manual' && input.requestIncremental) card.request_incremental_authorization = 'if_available';
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
      created: this.clock.nowSeconds(),
      currency: input.currency,
      customer: input.customer,
      description: input.description,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: { ...input.metadata },
      next_action: null,
      payment_method: null,
      payment_method_options: { card },
      payment_method_types: ['card'],
      setup_future_usage: input.setupFutureUsage ? 'off_session' : null,
      status: 'requires_payment_method',
    };
    this.intents.set(id, pi);
    return pi;
  }

  /** The intent; an authorisation past its `capture_before` has lapsed by now (as Stripe cancels it). */
  find(intentId: string): PaymentIntentObject {
    const pi = this.intents.get(intentId);
    if (!pi) throw resourceMissing('payment_intent', intentId);
    this.expireIfLapsed(pi);
    return pi;
  }

  charge(chargeId: string | null): ChargeObject | undefined {
    return chargeId ? this.charges.get(chargeId) : undefined;
  }

  /**
   * The confirmation step: a card that works succeeds (or is authorised, for manual
   * capture); a declining one sends the intent back to requires_payment_method and throws
   * like Stripe's 402; a 3-D Secure one waits in requires_action for `authenticate`, or,
   * off-session, fails with `authentication_required` (unless it is a card that only asks
   * on setup and was set up for this customer).
   */
  confirm(pi: PaymentIntentObject, paymentMethod: string | undefined, context: ConfirmContext): void {
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
    const outcome = context.offSession && this.takeOffSessionDecline(pm.id) ? INSUFFICIENT_FUNDS : this.wallet.outcomeOf(pm);
    const key = context.idempotencyKey;
    if (outcome.kind === 'success') {
      this.succeed(pi, pm, context);
      return;
    }
    if (outcome.kind === 'authenticate') {
      const setUp = outcome.when === 'onSetup' && context.offSession && pm.customer !== null && pm.customer === pi.customer;
      if (setUp) {
        this.succeed(pi, pm, context);
        return;
      }
      if (context.offSession) {
        // The error carries the intent (requires_payment_method, client secret included), so
        // the app can bring the customer back to confirm it on-session.
        this.fail(pi, pm, AUTHENTICATION_REQUIRED, key);
        const { code, declineCode, message } = AUTHENTICATION_REQUIRED;
        throw new PaymentGatewayError('card_declined', message, code, declineCode ?? null, this.snapshot(pi));
      }
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
      this.outbox.publish('payment_intent.requires_action', copy(pi), key);
      return;
    }
    const charge: ChargeObject = {
      ...newCharge(pi, pm, false, this.clock.nowSeconds()),
      paid: false,
      status: 'failed',
      failure_code: outcome.code,
      failure_message: outcome.message,
      outcome: declinedOutcome(outcome),
    };
    this.charges.set(charge.id, charge);
    const { code, declineCode, message } = outcome;
    this.fail(pi, pm, declineFailure(outcome, charge.id), key);
    // Stripe answers a card_error with 402; a processing error is the bank's, not the card holder's.
    throw new PaymentGatewayError(
      code === 'processing_error' ? 'processing' : 'card_declined',
      message,
      code,
      declineCode,
      this.snapshot(pi),
    );
  }

  /**
   * The customer's side of 3-D Secure. `success` completes the payment (or authorises it,
   * for manual capture: on-session); `failure` sends the intent back to
   * requires_payment_method with `payment_intent_authentication_failure` and throws.
   */
  authenticate(pi: PaymentIntentObject, result: 'success' | 'failure'): void {
    if (pi.status !== 'requires_action') {
      throw this.unexpectedState(
        pi,
        `This PaymentIntent has a status of ${pi.status}; only a PaymentIntent with a status of requires_action can be authenticated.`,
      );
    }
    const pm = this.paymentMethodOf(pi);
    if (result === 'success') {
      this.succeed(pi, pm, { offSession: false, idempotencyKey: null });
      return;
    }
    const code = 'payment_intent_authentication_failure';
    this.fail(pi, pm, { type: 'invalid_request_error', code, message: AUTHENTICATION_FAILED }, null);
    throw new PaymentGatewayError('card_declined', AUTHENTICATION_FAILED, code, null, this.snapshot(pi));
  }

  cancel(pi: PaymentIntentObject, idempotencyKey: string | null, reason: string | null = null): void {
    if (!isIn(pi.status, CANCELABLE_STATUSES)) {
      throw this.unexpectedState(
        pi,
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE_STATUSES.join(', ')}.`,
      );
    }
    const charge = this.charge(pi.latest_charge);
    if (pi.status === 'requires_capture' && charge) {
      // The authorisation is released: Stripe shows the uncaptured charge as refunded.
      charge.amount_refunded = charge.amount;
      charge.refunded = true;
    }
    pi.status = 'canceled';
    pi.canceled_at = this.clock.nowSeconds();
    pi.cancellation_reason = reason;
    pi.amount_capturable = 0;
    pi.next_action = null;
    this.outbox.publish('payment_intent.canceled', copy(pi), idempotencyKey);
  }

  /** Captures `amount` (default: all) of an authorisation; the rest is released, as with Stripe. */
  capture(pi: PaymentIntentObject, amount: number | undefined, idempotencyKey: string): void {
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
  }

  /**
   * Raises an authorisation to `amount` (the new total), as Stripe's
   * `increment_authorization`: status requires_capture, incremental authorisation
   * `available` on the charge, fewer than 10 attempts, an amount above the current one. A
   * decline (`declineIncrements`) changes nothing; the authorisation stays as it was.
   */
  increment(pi: PaymentIntentObject, amount: number, idempotencyKey: string): void {
    if (pi.status !== 'requires_capture') {
      throw this.unexpectedState(
        pi,
        `This PaymentIntent's amount could not be incremented because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be incremented: requires_capture.`,
      );
    }
    const charge = this.charges.get(pi.latest_charge!)!;
    if (charge.payment_method_details.card.incremental_authorization?.status !== 'available') {
      throw invalidRequest('This PaymentIntent is not eligible for incremental authorizations.', null, this.snapshot(pi));
    }
    const attempts = this.incrementAttempts.get(pi.id) ?? 0;
    if (attempts >= MAX_INCREMENTAL_AUTHORIZATIONS) {
      throw invalidRequest(
        `This PaymentIntent has reached the maximum of ${MAX_INCREMENTAL_AUTHORIZATIONS} incremental authorization attempts.`,
      );
    }
    if (!Number.isInteger(amount) || amount <= pi.amount) {
      throw invalidRequest(
        `The amount to increment the authorization to (${amount}) must be greater than the currently authorized amount (${pi.amount}).`,
        'parameter_invalid_integer',
      );
    }
    checkAmount(amount, pi.currency);
    this.incrementAttempts.set(pi.id, attempts + 1);
    if (this.incrementDeclines.has(pi.id)) {
      throw new PaymentGatewayError(
        'card_declined',
        'Your card has insufficient funds.',
        'card_declined',
        'insufficient_funds',
        this.snapshot(pi),
      );
    }
    pi.amount = amount;
    pi.amount_capturable = amount;
    charge.amount = amount;
    this.outbox.publish('payment_intent.amount_capturable_updated', copy(pi), idempotencyKey);
  }

  /** The card declines every later increment of this intent (tests). */
  declineIncrements(intentId: string): void {
    this.incrementDeclines.add(intentId);
  }

  /**
   * The next `times` off-session confirmations with this PaymentMethod decline as Stripe's
   * insufficient-funds card does (tests: a card whose funds come back later, so a retry
   * may go through; Stripe's test cards always answer the same).
   */
  declineOffSession(paymentMethodId: string, times: number): void {
    this.offSessionDeclines.set(paymentMethodId, times);
  }

  /** Cancels every authorisation past its `capture_before` now; how many. */
  expireLapsed(): number {
    let expired = 0;
    for (const pi of this.intents.values()) if (this.expireIfLapsed(pi)) expired++;
    return expired;
  }

  /** The intent as the port sees it, its latest charge expanded (as the Stripe adapter asks for it). */
  snapshot(pi: PaymentIntentObject): IntentSnapshot {
    return intentFromStripeObject({ ...pi, latest_charge: this.charge(pi.latest_charge) ?? pi.latest_charge });
  }

  unexpectedState(pi: PaymentIntentObject, message: string): PaymentGatewayError {
    return invalidRequest(message, 'payment_intent_unexpected_state', this.snapshot(pi));
  }

  private takeOffSessionDecline(paymentMethodId: string): boolean {
    const left = this.offSessionDeclines.get(paymentMethodId) ?? 0;
    if (left <= 0) return false;
    this.offSessionDeclines.set(paymentMethodId, left - 1);
    return true;
  }

  /** `cancellation_reason: automatic`, as Stripe cancels an authorisation nobody captured in time. */
  private expireIfLapsed(pi: PaymentIntentObject): boolean {
    if (pi.status !== 'requires_capture') return false;
    const before = this.charge(pi.latest_charge)?.payment_method_details.card.capture_before;
    if (before === undefined || this.clock.nowSeconds() < before) return false;
    this.cancel(pi, null, 'automatic');
    return true;
  }

  private succeed(pi: PaymentIntentObject, pm: PaymentMethodObject, context: ConfirmContext): void {
    const manual = pi.capture_method === 'manual';
    const charge = newCharge(pi, pm, !manual, this.clock.nowSeconds());
    if (manual) {
      const options = pi.payment_method_options.card;
      Object.assign(
        charge.payment_method_details.card,
        authorizationFacts(
          pm.card.brand,
          {
            offSession: context.offSession,
            extended: options.request_extended_authorization === 'if_available',
            incremental: options.request_incremental_authorization === 'if_available',
          },
          this.support,
          this.clock.nowSeconds(),
        ),
      );
    }
    this.charges.set(charge.id, charge);
    pi.latest_charge = charge.id;
    pi.last_payment_error = null;
    pi.next_action = null;
    this.wallet.used(pm, pi);
    if (manual) {
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
      this.outbox.publish('payment_intent.amount_capturable_updated', copy(pi), context.idempotencyKey);
    } else {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      this.outbox.publish('payment_intent.succeeded', copy(pi), context.idempotencyKey);
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
}
