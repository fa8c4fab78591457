import { type Clock, SystemClock } from '@holdfast/clock';
import Stripe from 'stripe';
import type { PaymentEventRelay } from './payment-event-relay';
import type { PaymentsConfig } from './payments.config';
import {
  type AuthorizationRequests,
  type CardSnapshot,
  type CreateIntentInput,
  type CreateSetupIntentInput,
  type IntentSnapshot,
  type OffSessionPaymentInput,
  type PaymentGateway,
  type ProviderEvent,
  type RefundSnapshot,
  type SetupIntentSnapshot,
} from './payment-gateway';
import { SimulatedEventOutbox } from './simulated-events';
import { SimulatedIdempotencyKeys } from './simulated-idempotency';
import { SimulatedIntents, type AuthorizationSupport } from './simulated-intents';
import { checkAmount, copy, invalidRequest, randomSuffix, resourceMissing, type RefundObject } from './simulated-objects';
import { SimulatedSetupIntents } from './simulated-setup-intents';
import { SimulatedWallet } from './simulated-wallet';
import { verifyStripeSignature, webhookSecrets } from './webhook-signature';

export interface SimulatedGatewayOptions {
  /** Waits between webhook delivery attempts; its length is the number of retries. Default 100, 500, 2000 ms. */
  retryDelaysMs?: readonly number[];
  /**
   * The app's clock (libs/clock): object times, `capture_before`, lapses of authorisations,
   * event times and webhook signatures follow it, so a test that moves it moves them.
   * Default: the system clock.
   */
  clock?: Clock;
  /** Whether the account grants extended authorisations that are asked for. Default true. */
  extendedAuthorization?: boolean;
  /** Whether the account grants incremental authorisations that are asked for. Default true. */
  incrementalAuthorization?: boolean;
}

const REFUND_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

/**
 * The `simulated` payment provider (the default for `npm start`): an in-process stand-in
 * for Stripe that keeps its objects in memory (a restart forgets them) and behaves as
 * Stripe's test mode does: Stripe's test PaymentMethod ids and card numbers, the
 * PaymentIntent state machine (simulated-intents.ts), declines as 402-like errors carrying
 * the intent, 3-D Secure, manual capture with `capture_before` and extended / incremental
 * authorisation, off-session payments (`authentication_required` for a card that needs
 * its holder), SetupIntents (simulated-setup-intents.ts), partial refunds, idempotency
 * keys, customers and saved cards.
 *
 * Every state change sends a Stripe-shaped event, signed with STRIPE_WEBHOOK_SECRET,
 * through `PaymentEventRelay` to our own webhook handler, after the call returns; so it
 * goes through the same verification and code path as a Stripe delivery.
 * `DevPaymentsController` stands in for Stripe.js (`confirmAsClient`, `authenticate`).
 */
export class SimulatedGateway implements PaymentGateway {
  readonly name = 'simulated' as const;

  private readonly wallet: SimulatedWallet;
  private readonly idempotency = new SimulatedIdempotencyKeys();
  private readonly outbox: SimulatedEventOutbox;
  private readonly intents: SimulatedIntents;
  private readonly setupIntents: SimulatedSetupIntents;
  private readonly clock: Clock;

  constructor(
    private readonly config: PaymentsConfig,
    relay: PaymentEventRelay,
    options: SimulatedGatewayOptions = {},
  ) {
    const delays = options.retryDelaysMs ?? [100, 500, 2000];
    const clock = (this.clock = options.clock ?? new SystemClock());
    // Signs with the first secret of the list, as Stripe signs with the endpoint's current one.
    const secret = webhookSecrets(config.webhookSecret)[0] ?? '';
    this.outbox = new SimulatedEventOutbox(relay, secret, Stripe.API_VERSION, delays, clock);
    this.wallet = new SimulatedWallet(clock);
    const support = { extended: options.extendedAuthorization ?? true, incremental: options.incrementalAuthorization ?? true };
    this.intents = new SimulatedIntents(this.wallet, this.outbox, clock, support);
    this.setupIntents = new SimulatedSetupIntents(this.wallet, this.outbox, this.idempotency, clock);
  }

  /**
   * With `paymentMethodId`, confirms at once (a saved card, server-side, on-session: 3-D
   * Secure shows as requires_action). A manual-capture authorisation lasts 7 days
   * (`captureBefore`), 30 with an extended authorisation asked for and granted.
   */
  async createIntent(input: CreateIntentInput): Promise<IntentSnapshot> {
    const key = `pi:${input.paymentId}`;
    return this.idempotency.run(key, 'POST /v1/payment_intents', input, () => {
      const pi = this.openIntent(input, input.captureMethod, input.customerId ?? null, input.setupFutureUsage === true);
      if (input.paymentMethodId !== undefined) this.intents.confirm(pi, undefined, { offSession: false, idempotencyKey: key });
      return this.intents.snapshot(pi);
    });
  }

  async retrieveIntent(intentId: string): Promise<IntentSnapshot> {
    return this.intents.snapshot(this.intents.find(intentId));
  }

  async confirmIntent(intentId: string, paymentMethodId: string | undefined, idempotencyKey: string): Promise<IntentSnapshot> {
    return this.idempotency.run(idempotencyKey, `POST /v1/payment_intents/${intentId}/confirm`, { paymentMethodId }, () => {
      const pi = this.intents.find(intentId);
      this.intents.confirm(pi, paymentMethodId, { offSession: false, idempotencyKey });
      return this.intents.snapshot(pi);
    });
  }

  /**
   * What Stripe.js does with the client secret (`stripe.confirmPayment`): confirms with a
   * test PaymentMethod id, a test card number or a saved card of the intent's customer,
   * without an idempotency key, the customer in the app (so an intent an off-session
   * attempt left with `authentication_required` can be completed here). A decline throws
   * `PaymentGatewayError('card_declined')` carrying the failed intent.
   */
  async confirmAsClient(intentId: string, paymentMethod: string): Promise<IntentSnapshot> {
    const pi = this.intents.find(intentId);
    this.intents.confirm(pi, paymentMethod, { offSession: false, idempotencyKey: null });
    return this.intents.snapshot(pi);
  }

  /**
   * The customer's side of 3-D Secure. `success` completes the payment (or authorises it,
   * for manual capture); `failure` sends the intent back to requires_payment_method with
   * `payment_intent_authentication_failure` and throws, as Stripe.js reports it.
   */
  async authenticate(intentId: string, result: 'success' | 'failure'): Promise<IntentSnapshot> {
    const pi = this.intents.find(intentId);
    this.intents.authenticate(pi, result);
    return this.intents.snapshot(pi);
  }

  async cancelIntent(intentId: string, idempotencyKey: string): Promise<IntentSnapshot> {
    return this.idempotency.run(idempotencyKey, `POST /v1/payment_intents/${intentId}/cancel`, {}, () => {
      const pi = this.intents.find(intentId);
      this.intents.cancel(pi, idempotencyKey);
      return this.intents.snapshot(pi);
    });
  }

  /** Captures `amount` (default: all) of an authorisation; the rest is released, as with Stripe. */
  async captureIntent(intentId: string, amount: number | undefined, idempotencyKey: string): Promise<IntentSnapshot> {
    return this.idempotency.run(idempotencyKey, `POST /v1/payment_intents/${intentId}/capture`, { amount }, () => {
      const pi = this.intents.find(intentId);
      this.intents.capture(pi, amount, idempotencyKey);
      return this.intents.snapshot(pi);
    });
  }

  /**
   * A merchant-initiated authorisation (manual capture) on a saved card. It lasts as
   * Stripe's do (`authorizationWindowSeconds`: a Visa 4 days 18 hours, other brands 7
   * days, 30 with an extended authorisation), from the app's clock.
   */
  async authorizeOffSession(input: OffSessionPaymentInput & AuthorizationRequests): Promise<IntentSnapshot> {
    return this.offSession(input, 'manual');
  }

  /** A merchant-initiated charge (automatic capture) on a saved card. */
  async chargeOffSession(input: OffSessionPaymentInput): Promise<IntentSnapshot> {
    return this.offSession(input, 'automatic');
  }

  async incrementAuthorization(intentId: string, amount: number, idempotencyKey: string): Promise<IntentSnapshot> {
    const endpoint = `POST /v1/payment_intents/${intentId}/increment_authorization`;
    return this.idempotency.run(idempotencyKey, endpoint, { amount }, () => {
      const pi = this.intents.find(intentId);
      this.intents.increment(pi, amount, idempotencyKey);
      return this.intents.snapshot(pi);
    });
  }

  createSetupIntent(input: CreateSetupIntentInput): Promise<SetupIntentSnapshot> {
    return this.setupIntents.create(input);
  }

  retrieveSetupIntent(setupIntentId: string): Promise<SetupIntentSnapshot> {
    return this.setupIntents.retrieve(setupIntentId);
  }

  /** Stripe.js's `confirmSetup` with the client secret (see `confirmAsClient`). */
  confirmSetupAsClient(setupIntentId: string, paymentMethod: string): Promise<SetupIntentSnapshot> {
    return this.setupIntents.confirmAsClient(setupIntentId, paymentMethod);
  }

  /** The customer's side of 3-D Secure for a SetupIntent in requires_action. */
  authenticateSetup(setupIntentId: string, result: 'success' | 'failure'): Promise<SetupIntentSnapshot> {
    return this.setupIntents.authenticate(setupIntentId, result);
  }

  /** A refund of part or all of what is left of the captured amount; more than that is refused. */
  async createRefund(input: { refundId: string; intentId: string; amount: number; reason?: string }): Promise<RefundSnapshot> {
    const key = `refund:${input.refundId}`;
    return this.idempotency.run(key, 'POST /v1/refunds', input, () => {
      const pi = this.intents.find(input.intentId);
      const charge = this.intents.charge(pi.latest_charge);
      if (pi.status !== 'succeeded' || !charge) {
        throw this.intents.unexpectedState(
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
        created: this.clock.nowSeconds(),
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

  /** What the account grants authorisations confirmed from now on (tests; the options set the start). */
  setAuthorizationSupport(support: Partial<AuthorizationSupport>): void {
    Object.assign(this.intents.support, support);
  }

  /** The card declines every later incremental authorisation of this intent (tests). */
  declineIncrements(intentId: string): void {
    this.intents.declineIncrements(intentId);
  }

  /**
   * The next `times` off-session confirmations with this saved card decline for want of
   * funds (`insufficient_funds`), then it works again: a fine charge that fails and whose
   * retry goes through (tests).
   */
  declineOffSession(paymentMethodId: string, times: number): void {
    this.intents.declineOffSession(paymentMethodId, times);
  }

  /**
   * Cancels now every authorisation past its `capture_before`, as Stripe does on its own
   * (`payment_intent.canceled`, `cancellation_reason: automatic`); otherwise a lapsed one
   * is cancelled when it is next read or acted on. Returns how many.
   */
  expireLapsedAuthorizations(): number {
    return this.intents.expireLapsed();
  }

  /** A PaymentIntent as Stripe's API would return it (a copy). */
  paymentIntentObject(intentId: string): Record<string, unknown> {
    return copy(this.intents.find(intentId));
  }

  /** A Charge as Stripe's API would return it (a copy). */
  chargeObject(chargeId: string): Record<string, unknown> {
    const charge = this.intents.charge(chargeId);
    if (!charge) throw resourceMissing('charge', chargeId);
    return copy(charge);
  }

  /** Key `pi:{paymentId}`: created and confirmed off-session in one call, as `confirm: true, off_session: true`. */
  private async offSession(
    input: OffSessionPaymentInput & AuthorizationRequests,
    captureMethod: 'manual' | 'automatic',
  ): Promise<IntentSnapshot> {
    const key = `pi:${input.paymentId}`;
    return this.idempotency.run(key, 'POST /v1/payment_intents', { ...input, captureMethod, offSession: true }, () => {
      const pi = this.openIntent({ ...input, captureMethod }, captureMethod, input.customerId, false);
      this.intents.confirm(pi, undefined, { offSession: true, idempotencyKey: key });
      return this.intents.snapshot(pi);
    });
  }

  /**
   * Checks a new intent's parameters as Stripe does before anything exists (amount,
   * currency, customer, a usable card: one that cannot be used refuses the whole request),
   * then opens it with the card set, ready to confirm.
   */
  private openIntent(
    input: Omit<CreateIntentInput, 'setupFutureUsage' | 'customerId'>,
    captureMethod: 'manual' | 'automatic',
    customer: string | null,
    setupFutureUsage: boolean,
  ) {
    const currency = input.currency.toLowerCase();
    checkAmount(input.amount, currency);
    if (customer !== null && !this.wallet.hasCustomer(customer)) throw resourceMissing('customer', customer);
    const pm = input.paymentMethodId !== undefined ? this.wallet.resolveForPayment(input.paymentMethodId, customer) : null;
    const pi = this.intents.open({
      amount: input.amount,
      currency,
      captureMethod,
      customer,
      description: input.description ?? null,
      metadata: input.metadata,
      setupFutureUsage,
      requestExtended: input.requestExtended,
      requestIncremental: input.requestIncremental,
    });
    if (pm) pi.payment_method = pm.id;
    return pi;
  }
}
