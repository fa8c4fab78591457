import type { IntentStatus } from './stripe-model';

/**
 * The payment provider, as payments sees it. Two adapters: `StripeGateway` (the real
 * Stripe API through the official SDK) and `SimulatedGateway` (in-process, Stripe's test
 * cards). Every mutating call takes an idempotency key derived from our own persistent
 * ids, never the clock.
 */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');

/** A PaymentIntent's status: the list is in stripe-model.ts. */
export type { IntentStatus };

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
  /** The last failed attempt's error, e.g. `{ code: 'card_declined', declineCode: 'insufficient_funds' }`. */
  lastError: { code: string | null; declineCode: string | null; message: string | null } | null;
  /** e.g. `use_stripe_sdk` or `redirect_to_url` when status is requires_action. */
  nextActionType: string | null;
  metadata: Record<string, string>;
}

export interface CreateIntentInput {
  /** Our payment row id: the idempotency key is `pi:{paymentId}`. */
  paymentId: string;
  amount: number;
  currency: string;
  captureMethod: 'automatic' | 'manual';
  customerId?: string;
  /** A saved card: confirm at once, off the user's device (server-side). */
  paymentMethodId?: string;
  /** Keep the card for later (with a customer). */
  setupFutureUsage?: boolean;
  metadata: Record<string, string>;
  description?: string;
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
  cancelIntent(intentId: string, idempotencyKey: string): Promise<IntentSnapshot>;
  captureIntent(intentId: string, amount: number | undefined, idempotencyKey: string): Promise<IntentSnapshot>;
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
  ) {
    super(message);
    this.name = 'PaymentGatewayError';
  }
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}
