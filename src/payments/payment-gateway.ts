import type { IntentStatus, SetupIntentStatus } from './stripe-model';

/**
 * The payment provider, as payments sees it. Two adapters: `StripeGateway` (the real
 * Stripe API through the official SDK) and `SimulatedGateway` (in-process, Stripe's test
 * cards). Every mutating call takes an idempotency key derived from our own persistent
 * ids, never the clock.
 */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');

/** A PaymentIntent's and a SetupIntent's statuses: the lists are in stripe-model.ts. */
export type { IntentStatus, SetupIntentStatus };

/** The last failed attempt's error, e.g. `{ code: 'card_declined', declineCode: 'insufficient_funds' }`. */
export interface AttemptError {
  code: string | null;
  declineCode: string | null;
  message: string | null;
}

/** What we keep of a PaymentIntent. */
export interface IntentSnapshot {
  id: string;
  status: IntentStatus;
  amount: number;
  currency: string;
  amountReceived: number;
  amountCapturable: number;
  captureMethod: 'automatic' | 'manual';
  clientSecret: string | null;
  latestChargeId: string | null;
  paymentMethodId: string | null;
  lastError: AttemptError | null;
  /** e.g. `use_stripe_sdk` or `redirect_to_url` when status is requires_action. */
  nextActionType: string | null;
  metadata: Record<string, string>;
  /**
   * The latest charge's authorisation facts (a manual-capture card payment), read from
   * `latest_charge.payment_method_details.card`; null where the answer did not carry the
   * charge expanded (webhook events, declines) or the charge has no such field.
   * `captureBefore`: when the authorisation lapses (`capture_before`); after it the provider
   * cancels the intent and releases the money. Schedules run from it, never from a constant:
   * it depends on the card brand, on who initiated the payment and on extended authorisation.
   */
  captureBefore: Date | null;
  /** Whether an extended authorisation (up to ~30 days) was granted: `enabled` or `disabled`. */
  extendedAuthorization: 'enabled' | 'disabled' | null;
  /** Whether the authorisation can be incremented (`incrementAuthorization`): `available` or `unavailable`. */
  incrementalAuthorization: 'available' | 'unavailable' | null;
}

/**
 * What a manual-capture card authorisation asks of the card networks, where the account and
 * the card allow it (Stripe's `if_available`; the answer is in the snapshot's
 * `extendedAuthorization` / `incrementalAuthorization`).
 */
export interface AuthorizationRequests {
  /** `payment_method_options.card.request_extended_authorization: if_available` (car rental: up to 30 days). */
  requestExtended?: boolean;
  /** `payment_method_options.card.request_incremental_authorization: if_available` (fines added to the same authorisation). */
  requestIncremental?: boolean;
}

/**
 * An on-session intent (the user is in the app). With `captureMethod: 'manual'` the
 * authorisation requests apply; with automatic capture they are ignored.
 */
export interface CreateIntentInput extends AuthorizationRequests {
  /** Our payment row id: the idempotency key is `pi:{paymentId}`. */
  paymentId: string;
  amount: number;
  currency: string;
  captureMethod: 'automatic' | 'manual';
  customerId?: string;
  /** A saved card: confirm at once, off the user's device (server-side). */
  paymentMethodId?: string;
  /** Keep the card for later, off-session use (`setup_future_usage: off_session`; needs `customerId`). */
  setupFutureUsage?: boolean;
  metadata: Record<string, string>;
  description?: string;
}

/**
 * A merchant-initiated payment with a saved card while the customer is away (`off_session:
 * true`, `confirm: true`): the card must have been set up for off-session use.
 */
export interface OffSessionPaymentInput {
  /** Our payment row id: the idempotency key is `pi:{paymentId}`. */
  paymentId: string;
  amount: number;
  currency: string;
  customerId: string;
  paymentMethodId: string;
  metadata: Record<string, string>;
  description?: string;
}

/** Saving a card for off-session use (`usage: off_session`). */
export interface CreateSetupIntentInput {
  /** Our own persistent id for this setup: the idempotency key is `seti:{setupId}`. */
  setupId: string;
  customerId: string;
  /** A card the customer already has: confirmed at once, server-side (3-D Secure shows as requires_action). */
  paymentMethodId?: string;
  metadata: Record<string, string>;
}

/** What we keep of a SetupIntent. */
export interface SetupIntentSnapshot {
  id: string;
  status: SetupIntentStatus;
  /** For the app's `confirmSetup` (Stripe.js) while the status asks for the customer. */
  clientSecret: string | null;
  customerId: string | null;
  /** The card being set up; once `succeeded`, attached to the customer for off-session use. */
  paymentMethodId: string | null;
  usage: 'off_session' | 'on_session';
  lastError: AttemptError | null;
  nextActionType: string | null;
  metadata: Record<string, string>;
}

export interface RefundSnapshot {
  id: string;
  intentId: string;
  amount: number;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled' | 'requires_action';
}

export interface CardSnapshot {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** A verified provider event. */
export interface ProviderEvent {
  id: string;
  type: string;
  created: number;
  /**
   * The event's `data.object` (a PaymentIntent, a Charge, a Refund...), untouched: only
   * the signature vouches for it, so it may be anything JSON can hold (null included).
   */
  object: unknown;
}

export interface PaymentGateway {
  readonly name: 'stripe' | 'simulated';
  createIntent(input: CreateIntentInput): Promise<IntentSnapshot>;
  retrieveIntent(intentId: string): Promise<IntentSnapshot>;
  /** Key `confirm:{paymentId}:{n}`, so a retry of the same step is one confirmation. */
  confirmIntent(intentId: string, paymentMethodId: string | undefined, idempotencyKey: string): Promise<IntentSnapshot>;
  /** Cancels an open intent, or releases an authorisation whole. */
  cancelIntent(intentId: string, idempotencyKey: string): Promise<IntentSnapshot>;
  /**
   * Captures an authorisation: all of it (`amount` undefined) or `amount` (`amount_to_capture`,
   * at most `amountCapturable`); the provider releases the rest. One capture per intent.
   */
  captureIntent(intentId: string, amount: number | undefined, idempotencyKey: string): Promise<IntentSnapshot>;
  /**
   * Authorises `amount` off-session on a saved card (manual capture), key `pi:{paymentId}`.
   * A card that needs its holder fails `card_declined` with `authenticationRequired` true and
   * the intent (requires_payment_method, with its client secret) for the app to complete.
   */
  authorizeOffSession(input: OffSessionPaymentInput & AuthorizationRequests): Promise<IntentSnapshot>;
  /** Charges `amount` off-session on a saved card (automatic capture: fines), key `pi:{paymentId}`; failures as `authorizeOffSession`. */
  chargeOffSession(input: OffSessionPaymentInput): Promise<IntentSnapshot>;
  /**
   * Raises an authorisation (status requires_capture, incremental authorisation `available`)
   * to `amount`, the new TOTAL, greater than the current amount. A refusal by the card is
   * `card_declined` and leaves the authorisation as it was; an intent that cannot be
   * incremented is `invalid_request`.
   */
  incrementAuthorization(intentId: string, amount: number, idempotencyKey: string): Promise<IntentSnapshot>;
  /** A SetupIntent with `usage: off_session`, key `seti:{setupId}`; a declined card fails `card_declined` with the SetupIntent. */
  createSetupIntent(input: CreateSetupIntentInput): Promise<SetupIntentSnapshot>;
  retrieveSetupIntent(setupIntentId: string): Promise<SetupIntentSnapshot>;
  /** Key `refund:{refundId}`. */
  createRefund(input: { refundId: string; intentId: string; amount: number; reason?: string }): Promise<RefundSnapshot>;
  createCustomer(input: { userId: string; email?: string }): Promise<{ id: string }>;
  attachPaymentMethod(paymentMethodId: string, customerId: string): Promise<CardSnapshot>;
  detachPaymentMethod(paymentMethodId: string): Promise<void>;
  setDefaultPaymentMethod(customerId: string, paymentMethodId: string | null): Promise<void>;
  /**
   * Verifies a webhook delivery: signature and timestamp tolerance over the RAW body,
   * the tolerance measured from `nowMs` (the app's clock; the system clock when omitted).
   * Throws `WebhookSignatureError` when it does not verify.
   */
  verifyEvent(rawBody: Buffer, signatureHeader: string | undefined, nowMs?: number): ProviderEvent;
}

/** The provider said no, or could not be reached; `kind` decides our error code. */
export class PaymentGatewayError extends Error {
  constructor(
    readonly kind: 'card_declined' | 'processing' | 'invalid_request',
    message: string,
    readonly providerCode: string | null = null,
    readonly declineCode: string | null = null,
    /** The intent after a declined confirmation, when the provider returned it. */
    readonly intent: IntentSnapshot | null = null,
    /** The SetupIntent after a declined setup, when the provider returned it. */
    readonly setupIntent: SetupIntentSnapshot | null = null,
  ) {
    super(message);
    this.name = 'PaymentGatewayError';
  }

  /**
   * The card needs its holder (3-D Secure) for this payment: an off-session attempt the app
   * can complete on-session with `intent.clientSecret` (Stripe's `authentication_required`).
   */
  get authenticationRequired(): boolean {
    return this.providerCode === 'authentication_required' || this.declineCode === 'authentication_required';
  }
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}
