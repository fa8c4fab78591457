import { TokenBucket } from '@holdfast/resilience';
import { Logger } from '@nestjs/common';
import { handleWhen, retry, type RetryPolicy } from 'cockatiel';
import { equalJitterBackoff } from '@holdfast/database';
import Stripe from 'stripe';
import { ProviderBreaker, type BreakerState } from './provider-breaker';
import type { PaymentMetrics } from './metrics.service';
import type { PaymentsConfig } from './payments.config';
import { verifyStripeSignature, webhookSecrets } from './webhook-signature';
import {
  PaymentGatewayError,
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
import { cardAuthorizationOptions, EXPAND_LATEST_CHARGE, StripeAuthorizations } from './stripe-authorizations';
import { isUnretriedRateLimit, toGatewayError, toIntent } from './stripe-errors';

/**
 * The API version every request sends (`Stripe-Version`): the one this SDK release
 * (stripe 23.1.0) was generated for, written out so that an SDK upgrade that moves it
 * fails type-checking here and the version change is made on purpose.
 */
const API_VERSION = '2026-10-28.endive' satisfies Stripe.LatestApiVersion;

/** Gateway-local metric names (the port's metrics are in `METRIC`). */
const STRIPE_METRIC = {
  callSeconds: 'stripe_call_seconds',
  callErrors: 'stripe_call_errors_total',
  breakerTransitions: 'stripe_circuit_transitions_total',
  breakerRejections: 'stripe_circuit_rejections_total',
} as const;

/** Tuning knobs; production uses the defaults, tests shorten them. */
export interface StripeGatewayOptions {
  /** Per HTTP attempt (the SDK's `timeout`). Default 10 000 ms. */
  timeoutMs?: number;
  /** The SDK's `maxNetworkRetries`. Default 2. */
  maxNetworkRetries?: number;
  /** Extra attempts after a 429 the SDK would not retry. Default 2. */
  rateLimitRetries?: number;
  /** Consecutive processing failures that open the breaker. Default 5. */
  breakerFailureThreshold?: number;
  /** How long the breaker stays open before one trial call. Default 30 000 ms. */
  breakerResetTimeoutMs?: number;
  /** Client-side rate limit, calls per second and burst (per replica): Stripe allows 100/s in live mode. Default 100. */
  rateLimitPerSecond?: number;
  /** How long a call may wait for its turn before it fails as a processing error. Default 2 000 ms. */
  rateLimitMaxWaitMs?: number;
}

/**
 * `PaymentGateway` on the real Stripe API, through the official SDK.
 *
 * **Idempotency.** Every mutating call carries a key derived from our own persistent ids,
 * never from the clock: `pi:{paymentId}`, `seti:{setupId}`, `refund:{refundId}`,
 * `customer:{userId}`, `attach:{pm}:{customer}`, `detach:{pm}`, and the caller's key for
 * confirm, cancel, capture and increment. A retry (the SDK's, ours, or a whole request after a crash) therefore replays
 * Stripe's stored answer instead of acting twice. Setting the default card is a plain
 * overwrite (idempotent by nature): it gets the SDK's per-call key, as a derived key would
 * replay an old answer when a user switches A -> B -> A within Stripe's 24 h key window.
 *
 * **Timeouts and retries** (checked in stripe 23.1.0, `RequestSender._shouldRetry` and
 * `_getSleepTimeInMS`). Each HTTP attempt times out after `timeoutMs` (10 s). The SDK
 * retries up to `maxNetworkRetries` (2) times, with the same idempotency key, on:
 * connection errors and timeouts (no response), 409, every 5xx, and any response that
 * says `Stripe-Should-Retry: true` (Stripe sends it, e.g., for lock timeouts); never when
 * the response says `Stripe-Should-Retry: false`. It also retries an ECONNRESET/EPIPE once
 * even with retries off. Its backoff: `min(0.5 s * 2^(n-1), 5 s)`, jittered to a random
 * point in [d/2, d] and never below 0.5 s, so about 0.5 s then 0.5-1 s. It does NOT retry a
 * plain 429 (Stripe's maintainers call that deliberate), so this class retries a 429 that
 * carries no `Stripe-Should-Retry` header itself, `rateLimitRetries` (2) times on the same
 * curve (cockatiel's `retry` with `equalJitterBackoff`). Worst case for one call: 3 attempts x 10 s +
 * 1.5 s of sleeps.
 *
 * **Circuit breaker.** All calls share one consecutive-failure breaker
 * (cockatiel's, through `ProviderBreaker`). A call counts as a failure only when it ends, after every
 * retry, as kind `processing` (network, timeout, 5xx, 429, auth); a decline or an invalid
 * request proves Stripe answered and counts as a success. After
 * `breakerFailureThreshold` (5) failures in a row it opens: every call then fails at once
 * with `PaymentGatewayError('processing', ..., 'circuit_open')` (the API's
 * PAYMENT_PROCESSING_FAILED) without a request, so a Stripe outage cannot pile up
 * requests and connections. After `breakerResetTimeoutMs` (30 s) one trial call goes
 * through (half-open; concurrent calls still fail fast): success closes the breaker,
 * failure re-opens it for another 30 s. `breakerState()` exposes it for metrics.
 *
 * **Authorisations.** Every call answering a PaymentIntent expands `latest_charge`, so the
 * snapshot carries the authorisation's `capture_before` and whether extended and
 * incremental authorisation were granted. The off-session, SetupIntent and increment
 * calls live in `StripeAuthorizations` (stripe-authorizations.ts).
 *
 * **No card data.** Only ids (intents, payment methods, customers) travel through here;
 * card numbers go from the app to Stripe directly. Nothing here logs a request or
 * response body.
 */
export class StripeGateway implements PaymentGateway {
  readonly name = 'stripe' as const;
  private readonly logger = new Logger(StripeGateway.name);
  private readonly stripe: Stripe;
  private readonly breaker: ProviderBreaker;
  private readonly limiter: TokenBucket;
  private readonly limiterMaxWaitMs: number;
  private readonly rateLimitRetry: RetryPolicy;
  private readonly webhookSecrets: string[];
  private readonly authorizations: StripeAuthorizations;

  constructor(
    config: PaymentsConfig,
    private readonly metrics: PaymentMetrics,
    options: StripeGatewayOptions = {},
  ) {
    if (!config.stripeSecretKey) throw new Error('STRIPE_SECRET_KEY is required when PAYMENT_PROVIDER=stripe');
    this.webhookSecrets = webhookSecrets(config.webhookSecret);
    const perSecond = options.rateLimitPerSecond ?? 100;
    this.limiter = new TokenBucket(perSecond, perSecond);
    this.limiterMaxWaitMs = options.rateLimitMaxWaitMs ?? 2_000;
    this.rateLimitRetry = retry(handleWhen(isUnretriedRateLimit), {
      maxAttempts: options.rateLimitRetries ?? 2,
      backoff: equalJitterBackoff(500, 5_000),
    });
    this.stripe = new Stripe(config.stripeSecretKey, {
      apiVersion: API_VERSION,
      timeout: options.timeoutMs ?? 10_000,
      maxNetworkRetries: options.maxNetworkRetries ?? 2,
      appInfo: { name: 'holdfast' },
      ...apiBaseOptions(config.stripeApiBase),
    });
    this.breaker = new ProviderBreaker('Stripe', {
      failureThreshold: options.breakerFailureThreshold ?? 5,
      resetTimeoutMs: options.breakerResetTimeoutMs ?? 30_000,
      isFailure: (error) => error instanceof PaymentGatewayError && error.kind === 'processing',
      onStateChange: (from, to) => {
        this.metrics.increment(STRIPE_METRIC.breakerTransitions, { to });
        const message = `Stripe circuit breaker ${from} -> ${to}`;
        if (to === 'open') this.logger.error(message);
        else this.logger.warn(message);
      },
    });
    this.authorizations = new StripeAuthorizations(this.stripe, (operation, fn) => this.call(operation, fn));
  }

  /** The circuit breaker's state, for metrics and health: `closed`, `open` or `half_open`. */
  breakerState(): BreakerState {
    return this.breaker.state;
  }

  /**
   * Creates the attempt's PaymentIntent (key `pi:{paymentId}`) with automatic payment
   * methods that never redirect, so no `return_url` is ever needed. With a saved card it is
   * confirmed at once, server-side, while the user is in the app (on-session, so no
   * `off_session`): 3-D Secure then shows as `requires_action` with
   * `next_action.type = use_stripe_sdk`, which the app completes with the client secret.
   * `setup_future_usage: off_session` is sent only with a customer, the card being attached
   * to that customer once the payment succeeds. A manual-capture intent may ask for
   * extended and incremental authorisation (`payment_method_options.card`).
   *
   * @throws PaymentGatewayError `card_declined` (with the failed intent) when the saved
   *   card is declined, `invalid_request`, or `processing` (also `malformed_response`: an
   *   answer without an id or a client secret).
   */
  async createIntent(input: CreateIntentInput): Promise<IntentSnapshot> {
    const params: Stripe.PaymentIntentCreateParams = {
      amount: input.amount,
      currency: input.currency.toLowerCase(),
      capture_method: input.captureMethod === 'manual' ? 'manual' : 'automatic',
      // Not `payment_method_types`: API version 2026-10-28.endive removed it from
      // PaymentIntents. Payment methods come from the Dashboard (cards only, for Holdfast);
      // `allow_redirects: never` keeps out any that would send the user to a bank's site.
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      metadata: input.metadata,
      expand: EXPAND_LATEST_CHARGE,
    };
    if (input.description) params.description = input.description;
    if (input.customerId) params.customer = input.customerId;
    if (input.setupFutureUsage && input.customerId) params.setup_future_usage = 'off_session';
    const options = input.captureMethod === 'manual' ? cardAuthorizationOptions(input) : undefined;
    if (options) params.payment_method_options = options;
    if (input.paymentMethodId) {
      params.payment_method = input.paymentMethodId;
      params.confirm = true;
    }
    const pi = await this.call('create_intent', () =>
      this.stripe.paymentIntents.create(params, { idempotencyKey: `pi:${input.paymentId}` }),
    );
    const intent = toIntent(pi);
    // The app cannot pay without both; a body without them (a mock's fixture, a proxy
    // that trimmed it) is a processing failure, retried with the same key, never a 200.
    if (!intent.clientSecret) {
      throw new PaymentGatewayError(
        'processing',
        `Stripe answered intent ${intent.id} without a client_secret`,
        'malformed_response',
      );
    }
    return intent;
  }

  async retrieveIntent(intentId: string): Promise<IntentSnapshot> {
    return toIntent(
      await this.call('retrieve_intent', () => this.stripe.paymentIntents.retrieve(intentId, { expand: EXPAND_LATEST_CHARGE })),
    );
  }

  /** Confirms server-side, optionally with another card; `card_declined` carries the failed intent. */
  async confirmIntent(intentId: string, paymentMethodId: string | undefined, idempotencyKey: string): Promise<IntentSnapshot> {
    const params: Stripe.PaymentIntentConfirmParams = { expand: EXPAND_LATEST_CHARGE };
    if (paymentMethodId) params.payment_method = paymentMethodId;
    const pi = await this.call('confirm_intent', () => this.stripe.paymentIntents.confirm(intentId, params, { idempotencyKey }));
    return toIntent(pi);
  }

  /**
   * Cancels an open intent (or releases an authorisation). An intent that can no longer
   * be cancelled (it succeeded meanwhile) fails `invalid_request` with that intent attached.
   */
  async cancelIntent(intentId: string, idempotencyKey: string): Promise<IntentSnapshot> {
    const pi = await this.call('cancel_intent', () =>
      this.stripe.paymentIntents.cancel(intentId, { expand: EXPAND_LATEST_CHARGE }, { idempotencyKey }),
    );
    return toIntent(pi);
  }

  /**
   * Captures an authorisation (manual capture): all of it, or `amount` (`amount_to_capture`;
   * Stripe releases the rest). More than `amountCapturable` is `invalid_request`.
   */
  async captureIntent(intentId: string, amount: number | undefined, idempotencyKey: string): Promise<IntentSnapshot> {
    const params: Stripe.PaymentIntentCaptureParams = { expand: EXPAND_LATEST_CHARGE };
    if (amount !== undefined) params.amount_to_capture = amount;
    const pi = await this.call('capture_intent', () => this.stripe.paymentIntents.capture(intentId, params, { idempotencyKey }));
    return toIntent(pi);
  }

  authorizeOffSession(input: OffSessionPaymentInput & AuthorizationRequests): Promise<IntentSnapshot> {
    return this.authorizations.authorizeOffSession(input);
  }

  chargeOffSession(input: OffSessionPaymentInput): Promise<IntentSnapshot> {
    return this.authorizations.chargeOffSession(input);
  }

  incrementAuthorization(intentId: string, amount: number, idempotencyKey: string): Promise<IntentSnapshot> {
    return this.authorizations.incrementAuthorization(intentId, amount, idempotencyKey);
  }

  createSetupIntent(input: CreateSetupIntentInput): Promise<SetupIntentSnapshot> {
    return this.authorizations.createSetupIntent(input);
  }

  retrieveSetupIntent(setupIntentId: string): Promise<SetupIntentSnapshot> {
    return this.authorizations.retrieveSetupIntent(setupIntentId);
  }

  /**
   * Refunds (part of) an intent's charge, key `refund:{refundId}`. Stripe takes only
   * `duplicate`, `fraudulent` or `requested_by_customer` as `reason`; any other reason of
   * ours (e.g. `HOLD_EXPIRED`) travels in the metadata instead.
   *
   * @throws PaymentGatewayError `invalid_request` when the amount exceeds what is left.
   */
  async createRefund(input: { refundId: string; intentId: string; amount: number; reason?: string }): Promise<RefundSnapshot> {
    const params: Stripe.RefundCreateParams = {
      payment_intent: input.intentId,
      amount: input.amount,
      metadata: { refundId: input.refundId, ...(input.reason ? { reason: input.reason.slice(0, 500) } : {}) },
    };
    if (isStripeRefundReason(input.reason)) params.reason = input.reason;
    const refund = await this.call('create_refund', () =>
      this.stripe.refunds.create(params, { idempotencyKey: `refund:${input.refundId}` }),
    );
    return {
      id: refund.id,
      intentId: idOf(refund.payment_intent) ?? input.intentId,
      amount: refund.amount,
      status: REFUND_STATUSES.has(refund.status as RefundSnapshot['status'])
        ? (refund.status as RefundSnapshot['status'])
        : 'pending',
    };
  }

  /** One Stripe customer per user (key `customer:{userId}`; the caller stores the id). */
  async createCustomer(input: { userId: string; email?: string }): Promise<{ id: string }> {
    const params: Stripe.CustomerCreateParams = { metadata: { userId: input.userId } };
    if (input.email) params.email = input.email;
    const customer = await this.call('create_customer', () =>
      this.stripe.customers.create(params, { idempotencyKey: `customer:${input.userId}` }),
    );
    return { id: customer.id };
  }

  /** Attaches a card the app collected (a `pm_...` id) to the user's customer. */
  async attachPaymentMethod(paymentMethodId: string, customerId: string): Promise<CardSnapshot> {
    const pm = await this.call('attach_payment_method', () =>
      this.stripe.paymentMethods.attach(
        paymentMethodId,
        { customer: customerId },
        { idempotencyKey: `attach:${paymentMethodId}:${customerId}` },
      ),
    );
    if (!pm.card)
      throw new PaymentGatewayError(
        'invalid_request',
        `Payment method ${pm.id} is a ${pm.type}, not a card`,
        'payment_method_not_card',
      );
    return { id: pm.id, brand: pm.card.brand, last4: pm.card.last4, expMonth: pm.card.exp_month, expYear: pm.card.exp_year };
  }

  async detachPaymentMethod(paymentMethodId: string): Promise<void> {
    await this.call('detach_payment_method', () =>
      this.stripe.paymentMethods.detach(paymentMethodId, {}, { idempotencyKey: `detach:${paymentMethodId}` }),
    );
  }

  /** Sets (or, with null, clears) the customer's `invoice_settings.default_payment_method`. */
  async setDefaultPaymentMethod(customerId: string, paymentMethodId: string | null): Promise<void> {
    await this.call('set_default_payment_method', () =>
      this.stripe.customers.update(customerId, { invoice_settings: { default_payment_method: paymentMethodId ?? '' } }),
    );
  }

  /**
   * Verifies `Stripe-Signature` over the raw body with any of the STRIPE_WEBHOOK_SECRET
   * list (HMAC-SHA256, timestamp within 300 s either way), offline.
   *
   * @throws WebhookSignatureError when the header is missing, does not match, is stale or
   *   from the future, or the verified body is not an event.
   */
  verifyEvent(rawBody: Buffer, signatureHeader: string | undefined, nowMs?: number): ProviderEvent {
    return verifyStripeSignature(rawBody, signatureHeader, this.webhookSecrets, nowMs);
  }

  /**
   * One Stripe call through the breaker, with our 429 retries inside it (the SDK's own
   * retries are inside `fn`), its error mapped to `PaymentGatewayError`.
   */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    // Our side of Stripe's rate limit: we never send faster than it allows, so its 429s stay rare.
    const turn = this.limiter.reserve(this.limiterMaxWaitMs);
    if ('refusedMs' in turn) {
      this.metrics.increment(STRIPE_METRIC.callErrors, { operation, kind: 'processing' });
      throw new PaymentGatewayError('processing', 'Too many payment calls right now; retry shortly', 'client_rate_limited');
    }
    if (turn.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, turn.waitMs));
    try {
      return await this.breaker.execute(async () => {
        try {
          return await this.rateLimitRetry.execute(() => fn());
        } catch (error) {
          throw toGatewayError(error);
        }
      });
    } catch (error) {
      const mapped = toGatewayError(error);
      if (mapped.providerCode === 'circuit_open') this.metrics.increment(STRIPE_METRIC.breakerRejections, { operation });
      else this.metrics.increment(STRIPE_METRIC.callErrors, { operation, kind: mapped.kind });
      throw mapped;
    } finally {
      this.metrics.observe(STRIPE_METRIC.callSeconds, (performance.now() - started) / 1000, { operation });
    }
  }
}

/**
 * `STRIPE_API_BASE` (e.g. `http://127.0.0.1:12345`, the tests' fake Stripe) as the SDK's
 * host/port/protocol. The SDK always adds `/v1/...`, so a base with a path is refused.
 */
function apiBaseOptions(base: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!base) return {};
  const url = new URL(base);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`STRIPE_API_BASE must be http(s): ${base}`);
  if (url.pathname !== '/' && url.pathname !== '')
    throw new Error(`STRIPE_API_BASE must have no path (the SDK adds /v1): ${base}`);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

const STRIPE_REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

function isStripeRefundReason(reason: string | undefined): reason is (typeof STRIPE_REFUND_REASONS)[number] {
  return (STRIPE_REFUND_REASONS as readonly string[]).includes(reason ?? '');
}

const REFUND_STATUSES: ReadonlySet<RefundSnapshot['status']> = new Set([
  'pending',
  'succeeded',
  'failed',
  'canceled',
  'requires_action',
]);

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}
