import type { Clock } from '@holdfast/clock';
import { setupIntentFromStripeObject } from './intent-mapper';
import { PaymentGatewayError, type CreateSetupIntentInput, type SetupIntentSnapshot } from './payment-gateway';
import type { SimulatedEventOutbox } from './simulated-events';
import type { SimulatedIdempotencyKeys } from './simulated-idempotency';
import { copy, randomSuffix, resourceMissing, type PaymentMethodObject, type SetupIntentObject } from './simulated-objects';
import type { SimulatedWallet } from './simulated-wallet';
import { declineFailure, isIn, lastPaymentError, SETUP_CONFIRMABLE_STATUSES, type PaymentFailure } from './stripe-model';

/** Stripe's words for a failed 3-D Secure on a SetupIntent (`setup_intent_authentication_failure`). */
const SETUP_AUTHENTICATION_FAILED =
  'The latest attempt to set up the payment method has failed because authentication failed. Provide a new payment method to attempt to set it up again.';

/**
 * The simulated provider's SetupIntents (`usage: off_session`): a card that works is set
 * up at once and attached to the customer; a 3-D Secure card waits in requires_action for
 * the customer (`authenticate`, the dev routes' stand-in for Stripe.js); a declining card
 * fails with the SetupIntent back in requires_payment_method. A card set up here that
 * Stripe asks to authenticate only on setup (4000 0025 0000 3155) then pays off-session;
 * an always-3DS card (4000 0027 6000 3184) still fails off-session.
 */
export class SimulatedSetupIntents {
  private readonly setupIntents = new Map<string, SetupIntentObject>();

  constructor(
    private readonly wallet: SimulatedWallet,
    private readonly outbox: SimulatedEventOutbox,
    private readonly idempotency: SimulatedIdempotencyKeys,
    private readonly clock: Clock,
  ) {}

  /** Key `seti:{setupId}`; with `paymentMethodId`, confirmed at once (server-side, the customer in the app). */
  async create(input: CreateSetupIntentInput): Promise<SetupIntentSnapshot> {
    const key = `seti:${input.setupId}`;
    return this.idempotency.run(key, 'POST /v1/setup_intents', input, () => {
      if (!this.wallet.hasCustomer(input.customerId)) throw resourceMissing('customer', input.customerId);
      const pm =
        input.paymentMethodId !== undefined ? this.wallet.resolveForPayment(input.paymentMethodId, input.customerId) : null;
      const id = `seti_sim_${randomSuffix()}`;
      const si: SetupIntentObject = {
        id,
        object: 'setup_intent',
        cancellation_reason: null,
        client_secret: `${id}_secret_${randomSuffix(25)}`,
        created: this.clock.nowSeconds(),
        customer: input.customerId,
        description: null,
        last_setup_error: null,
        latest_attempt: null,
        livemode: false,
        metadata: { ...input.metadata },
        next_action: null,
        payment_method: pm?.id ?? null,
        payment_method_types: ['card'],
        status: pm ? 'requires_confirmation' : 'requires_payment_method',
        usage: 'off_session',
      };
      this.setupIntents.set(id, si);
      if (pm) this.confirm(si, undefined, key);
      return this.snapshot(si);
    });
  }

  async retrieve(setupIntentId: string): Promise<SetupIntentSnapshot> {
    return this.snapshot(this.find(setupIntentId));
  }

  /** What Stripe.js's `confirmSetup` does with the client secret: confirms with a test card or a saved card of the customer. */
  async confirmAsClient(setupIntentId: string, paymentMethod: string): Promise<SetupIntentSnapshot> {
    const si = this.find(setupIntentId);
    this.confirm(si, paymentMethod, null);
    return this.snapshot(si);
  }

  /** The customer's side of 3-D Secure: `success` sets the card up, `failure` sends the SetupIntent back and throws. */
  async authenticate(setupIntentId: string, result: 'success' | 'failure'): Promise<SetupIntentSnapshot> {
    const si = this.find(setupIntentId);
    if (si.status !== 'requires_action') {
      throw this.unexpectedState(
        si,
        `This SetupIntent has a status of ${si.status}; only a SetupIntent with a status of requires_action can be authenticated.`,
      );
    }
    const pm = this.paymentMethodOf(si);
    if (result === 'success') {
      this.succeed(si, pm, null);
      return this.snapshot(si);
    }
    const code = 'setup_intent_authentication_failure';
    this.fail(si, pm, { type: 'invalid_request_error', code, message: SETUP_AUTHENTICATION_FAILED }, null);
    throw new PaymentGatewayError('card_declined', SETUP_AUTHENTICATION_FAILED, code, null, null, this.snapshot(si));
  }

  private confirm(si: SetupIntentObject, paymentMethod: string | undefined, key: string | null): void {
    if (!isIn(si.status, SETUP_CONFIRMABLE_STATUSES)) {
      throw this.unexpectedState(
        si,
        `You cannot confirm this SetupIntent because it has a status of ${si.status}. Only a SetupIntent with one of the following statuses may be confirmed: ${SETUP_CONFIRMABLE_STATUSES.join(', ')}.`,
      );
    }
    if (paymentMethod !== undefined) si.payment_method = this.wallet.resolveForPayment(paymentMethod, si.customer).id;
    if (si.payment_method === null) {
      throw this.unexpectedState(si, "You cannot confirm this SetupIntent because it's missing a payment method.");
    }
    const pm = this.paymentMethodOf(si);
    si.latest_attempt = `setatt_sim_${randomSuffix()}`;
    const outcome = this.wallet.outcomeOf(pm);
    if (outcome.kind === 'success') {
      this.succeed(si, pm, key);
      return;
    }
    if (outcome.kind === 'authenticate') {
      si.status = 'requires_action';
      si.last_setup_error = null;
      si.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: {
          type: 'three_d_secure_redirect',
          stripe_js: `/v1/dev/payments/setup-intents/${si.id}/authenticate`,
          source: `src_sim_${randomSuffix()}`,
        },
      };
      this.outbox.publish('setup_intent.requires_action', copy(si), key);
      return;
    }
    const { chargeId: _none, ...failure } = declineFailure(outcome, '');
    this.fail(si, pm, failure, key);
    throw new PaymentGatewayError(
      outcome.code === 'processing_error' ? 'processing' : 'card_declined',
      outcome.message,
      outcome.code,
      outcome.declineCode,
      null,
      this.snapshot(si),
    );
  }

  private succeed(si: SetupIntentObject, pm: PaymentMethodObject, key: string | null): void {
    si.status = 'succeeded';
    si.last_setup_error = null;
    si.next_action = null;
    // Set up for off-session use: the card is now the customer's.
    this.wallet.used(pm, { customer: si.customer, setup_future_usage: si.usage });
    this.outbox.publish('setup_intent.succeeded', copy(si), key);
  }

  private fail(si: SetupIntentObject, pm: PaymentMethodObject, failure: PaymentFailure, key: string | null): void {
    si.status = 'requires_payment_method';
    si.payment_method = null;
    si.next_action = null;
    si.last_setup_error = lastPaymentError(failure, pm);
    this.outbox.publish('setup_intent.setup_failed', copy(si), key);
  }

  private find(setupIntentId: string): SetupIntentObject {
    const si = this.setupIntents.get(setupIntentId);
    if (!si) throw resourceMissing('setup_intent', setupIntentId);
    return si;
  }

  private paymentMethodOf(si: SetupIntentObject): PaymentMethodObject {
    const pm = si.payment_method ? this.wallet.get(si.payment_method) : undefined;
    if (!pm) throw new Error(`simulated provider: ${si.id} has no payment method`);
    return pm;
  }

  private unexpectedState(si: SetupIntentObject, message: string): PaymentGatewayError {
    return new PaymentGatewayError('invalid_request', message, 'setup_intent_unexpected_state', null, null, this.snapshot(si));
  }

  private snapshot(si: SetupIntentObject): SetupIntentSnapshot {
    return setupIntentFromStripeObject(si);
  }
}
