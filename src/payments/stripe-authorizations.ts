import type Stripe from 'stripe';
import {
  PaymentGatewayError,
  type AuthorizationRequests,
  type CreateSetupIntentInput,
  type IntentSnapshot,
  type OffSessionPaymentInput,
  type SetupIntentSnapshot,
} from './payment-gateway';
import { toIntent, toSetupIntent } from './stripe-errors';

/** `StripeGateway`'s one door to Stripe: the breaker, the rate limit, the retries and the error mapping. */
export type StripeCall = <T>(operation: string, fn: () => Promise<T>) => Promise<T>;

/**
 * Every call that answers a PaymentIntent expands its `latest_charge`: the charge carries
 * the authorisation's `capture_before` and whether extended / incremental authorisation
 * was granted (`payment_method_details.card`), which the snapshot reports.
 */
export const EXPAND_LATEST_CHARGE = ['latest_charge'];

/**
 * `payment_method_options.card` asking for extended and incremental authorisation
 * (`if_available`: Stripe grants what the card, the network and the account allow, and
 * says so on the charge), or undefined when nothing is asked.
 */
export function cardAuthorizationOptions(
  requests: AuthorizationRequests,
): Stripe.PaymentIntentCreateParams.PaymentMethodOptions | undefined {
  const card: Stripe.PaymentIntentCreateParams.PaymentMethodOptions.Card = {};
  if (requests.requestExtended) card.request_extended_authorization = 'if_available';
  if (requests.requestIncremental) card.request_incremental_authorization = 'if_available';
  return Object.keys(card).length > 0 ? { card } : undefined;
}

/**
 * The money calls of a vehicle rental's schedule on the Stripe API: saving a card for
 * off-session use (SetupIntents), authorising and charging it while the customer is away,
 * and raising an authorisation. Part of `StripeGateway` (which delegates here), with its
 * idempotency keys (`pi:{paymentId}`, `seti:{setupId}`, the caller's for increments),
 * timeouts, retries and breaker.
 */
export class StripeAuthorizations {
  constructor(
    private readonly stripe: Stripe,
    private readonly call: StripeCall,
  ) {}

  /** See `PaymentGateway.authorizeOffSession`. */
  authorizeOffSession(input: OffSessionPaymentInput & AuthorizationRequests): Promise<IntentSnapshot> {
    return this.offSession(input, 'manual', input);
  }

  /** See `PaymentGateway.chargeOffSession`. */
  chargeOffSession(input: OffSessionPaymentInput): Promise<IntentSnapshot> {
    return this.offSession(input, 'automatic', {});
  }

  /**
   * A merchant-initiated PaymentIntent, created and confirmed in one call (`confirm: true`,
   * `off_session: true`) on the customer's saved card. Stripe answers a card that needs its
   * holder with a 402 `authentication_required` carrying the intent
   * (requires_payment_method, client secret included): it comes back as a
   * `PaymentGatewayError` (`card_declined`, `authenticationRequired`) with that intent.
   */
  private async offSession(
    input: OffSessionPaymentInput,
    captureMethod: 'manual' | 'automatic',
    requests: AuthorizationRequests,
  ): Promise<IntentSnapshot> {
    const params: Stripe.PaymentIntentCreateParams = {
      amount: input.amount,
      currency: input.currency.toLowerCase(),
      customer: input.customerId,
      payment_method: input.paymentMethodId,
      capture_method: captureMethod,
      confirm: true,
      off_session: true,
      // As createIntent: no redirect-based methods, so a server-side confirmation needs no return_url.
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      metadata: input.metadata,
      expand: EXPAND_LATEST_CHARGE,
    };
    if (input.description) params.description = input.description;
    const options = captureMethod === 'manual' ? cardAuthorizationOptions(requests) : undefined;
    if (options) params.payment_method_options = options;
    const operation = captureMethod === 'manual' ? 'authorize_off_session' : 'charge_off_session';
    const pi = await this.call(operation, () =>
      this.stripe.paymentIntents.create(params, { idempotencyKey: `pi:${input.paymentId}` }),
    );
    return toIntent(pi);
  }

  /** See `PaymentGateway.incrementAuthorization`. */
  async incrementAuthorization(intentId: string, amount: number, idempotencyKey: string): Promise<IntentSnapshot> {
    const pi = await this.call('increment_authorization', () =>
      this.stripe.paymentIntents.incrementAuthorization(intentId, { amount, expand: EXPAND_LATEST_CHARGE }, { idempotencyKey }),
    );
    return toIntent(pi);
  }

  /**
   * A SetupIntent saving a card for off-session use (key `seti:{setupId}`), never
   * redirecting. With `paymentMethodId` it is confirmed at once, server-side: a card
   * that works `succeeded` (attached to the customer), one that needs 3-D Secure
   * `requires_action` (the app calls `confirmSetup`/`handleNextAction` with the client
   * secret), a declined one fails `card_declined` carrying the SetupIntent.
   *
   * @throws PaymentGatewayError `processing` `malformed_response` for an answer without a client secret.
   */
  async createSetupIntent(input: CreateSetupIntentInput): Promise<SetupIntentSnapshot> {
    const params: Stripe.SetupIntentCreateParams = {
      customer: input.customerId,
      usage: 'off_session',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      metadata: input.metadata,
    };
    if (input.paymentMethodId) {
      params.payment_method = input.paymentMethodId;
      params.confirm = true;
    }
    const si = await this.call('create_setup_intent', () =>
      this.stripe.setupIntents.create(params, { idempotencyKey: `seti:${input.setupId}` }),
    );
    const setupIntent = toSetupIntent(si);
    if (!setupIntent.clientSecret) {
      throw new PaymentGatewayError(
        'processing',
        `Stripe answered SetupIntent ${setupIntent.id} without a client_secret`,
        'malformed_response',
      );
    }
    return setupIntent;
  }

  async retrieveSetupIntent(setupIntentId: string): Promise<SetupIntentSnapshot> {
    return toSetupIntent(await this.call('retrieve_setup_intent', () => this.stripe.setupIntents.retrieve(setupIntentId)));
  }
}
