import type { EventObject, PaymentIntentObject, SetupIntentObject } from './objects';
import type { RawObject } from './form';
import type { AuthorizationSupport, CreatedCounters, FakeStripeStore } from './store';
import type { WebhookDelivery } from './webhooks';

/** The public shape of the fake: its options, faults, request log, counters and handle. */

/** The API version the fake reports when a request names none (stripe-node 23.1.0's pinned version). */
export const DEFAULT_API_VERSION = '2026-10-28.endive';

export interface FakeStripeOptions {
  /** Loopback by default. */
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Accepted secret keys. Default: any `sk_test_...`, `sk_live_...`, `rk_test_...` or `rk_live_...`. */
  apiKeys?: string[];
  /** Where events are POSTed (also `setWebhookTarget`). */
  webhookUrl?: string;
  webhookSecret?: string;
  /** POST every event to the webhook target as it happens. Default false: tests call `deliver`. */
  autoDeliver?: boolean;
  /** With `autoDeliver`, wait this long before each delivery (default 0: it may beat the API response). */
  webhookDelayMs?: number;
  /** Milliseconds since the epoch; drives every `created`. Default `Date.now`. */
  now?: () => number;
  /** Reported in events and responses when the request sends no `Stripe-Version`. */
  apiVersion?: string;
  /**
   * Whether the account grants extended authorisations when a manual-capture card payment
   * requests them (`payment_method_options[card][request_extended_authorization]=if_available`;
   * on Stripe an IC+ feature per merchant category). Default true.
   */
  extendedAuthorization?: boolean;
  /** Likewise for incremental authorisations. Default true. */
  incrementalAuthorization?: boolean;
}

/** Which requests a fault applies to. Every field given must match. */
export interface FaultMatch {
  /** An exact path (`/v1/payment_intents/pi_123/confirm`), a route template (`/v1/payment_intents/:id/confirm`), or a RegExp on the path. */
  path?: string | RegExp;
  method?: string;
  /** Only requests carrying this `Idempotency-Key`. */
  idempotencyKey?: string;
  /** How many matching requests it applies to (default 1). */
  times?: number;
}

/**
 * An HTTP status instead of the real response. Without `afterEffect` the request never
 * reaches the API (nothing happens, nothing is stored under its idempotency key): a load
 * balancer's 500/503 or a rate limiter's 429. With `afterEffect`, the request is executed
 * (and its result stored under its key) and only the response is replaced.
 */
export interface StatusFault extends FaultMatch {
  kind: 'status';
  status: number;
  /** For 429: `rate_limit` (default; stripe-node does not retry it) or `lock_timeout` (Stripe asks for a retry). */
  code?: 'rate_limit' | 'lock_timeout';
  /** Replaces the default `{ error: {...} }` body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Sends `Stripe-Should-Retry: true|false`, the header stripe-node obeys over the status code. */
  shouldRetry?: boolean;
  afterEffect?: boolean;
}

/**
 * A slow Stripe. Without `afterEffect` the request is received (its idempotency key is
 * in use, so a concurrent retry with it gets 409 `idempotency_key_in_use`) and executed
 * only after `delayMs`. With `afterEffect` it is executed at once and the response is
 * held for `delayMs`: a client that times out sees nothing, yet the effect happened.
 * Either way, a response due on a connection the client has closed goes nowhere.
 * `drop` closes the connection instead of answering, once the delay is over.
 */
export interface TimeoutFault extends FaultMatch {
  kind: 'timeout';
  delayMs: number;
  afterEffect?: boolean;
  drop?: boolean;
}

/** The connection is reset (ECONNRESET at the client): before the request runs, or after it with `afterEffect`. */
export interface ResetFault extends FaultMatch {
  kind: 'reset';
  afterEffect?: boolean;
}

/**
 * A 2xx that is not quite Stripe's, as a Stripe-compatible mock (stripe-mock) answers:
 * the request is executed (its real answer is stored under its idempotency key), and
 * only this response's JSON body is altered, top-level fields only. Examples:
 * `{ set: { metadata: { order_id: '6735' } } }` (fixture metadata, not ours),
 * `{ set: { id: 'pi_fixture' } }` (one canned id for every object),
 * `{ omit: ['id', 'client_secret'] }` (a body without them). Error responses pass untouched.
 */
export interface ResponseFault extends FaultMatch {
  kind: 'response';
  /** Top-level fields replaced (or added) in the body. */
  set?: Record<string, unknown>;
  /** Top-level fields removed from the body. */
  omit?: string[];
}

export type Fault = StatusFault | TimeoutFault | ResetFault | ResponseFault;

/** A fault once injected: how often it still applies, and how often it has. */
export interface Injection {
  readonly fault: Fault;
  remaining: number;
  hits: number;
}

/** One request the fake received. */
export interface RequestRecord {
  /** The `Request-Id` the fake answered with. */
  id: string;
  method: string;
  path: string;
  /** The route template (`/v1/payment_intents/:id`), or null for an unknown URL. */
  template: string | null;
  query: RawObject;
  /** The form body as parsed (strings, bracket levels as objects). */
  params: RawObject;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  apiKey: string | null;
  /** The status sent; null while pending, or when the connection was reset or dropped. */
  status: number | null;
  /** Answered from the idempotency store. */
  replayed: boolean;
  fault: Fault['kind'] | null;
  at: number;
}

export interface FakeStripeCounters {
  /** Requests per `METHOD /route/template`, e.g. `counters.requests['POST /v1/payment_intents']`. */
  requests: Record<string, number>;
  /** Objects actually created (replays, rejected and faulted-before-effect requests create none). */
  created: CreatedCounters;
  /** Responses served from the idempotency store. */
  replayed: number;
  /** Requests a fault applied to. */
  faults: number;
}

/** The fake's account, live (mutate only to seed unusual states). */
export interface FakeStripeState {
  paymentIntents: Map<string, PaymentIntentObject>;
  setupIntents: Map<string, SetupIntentObject>;
  customers: FakeStripeStore['customers'];
  paymentMethods: FakeStripeStore['paymentMethods'];
  charges: FakeStripeStore['charges'];
  refunds: FakeStripeStore['refunds'];
  events: readonly EventObject[];
}

export interface DeliverOptions {
  /** Sign with this secret instead of the target's (e.g. a wrong one). */
  secret?: string;
  /** Signature timestamp, unix seconds (e.g. a stale one). */
  timestamp?: number;
  /** Send this `Stripe-Signature` verbatim. */
  signature?: string;
  /** Send this body instead of the event's, still signed over the event's own body: a tampered delivery. */
  payload?: string;
  /** Another endpoint than the target. */
  url?: string;
}

export interface FakeStripe {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Spread into `new Stripe(key, { ...fake.sdkConfig, maxNetworkRetries })`. */
  readonly sdkConfig: { host: string; port: number; protocol: 'http' };
  readonly state: FakeStripeState;
  readonly counters: FakeStripeCounters;
  readonly requests: readonly RequestRecord[];
  /** Every event, oldest first (the same array as `state.events`). */
  readonly events: readonly EventObject[];
  /** Every webhook POST, oldest first. */
  readonly deliveries: readonly WebhookDelivery[];
  /** Requests so far for `'POST /v1/payment_intents'` (method and route template). */
  requestCount(key: string): number;
  inject(fault: Fault): Injection;
  clearFaults(): void;
  /** Where (and with which secret) events go; `null` forgets the target. */
  setWebhookTarget(url: string | null, secret?: string): void;
  /** POSTs one event (stored or hand-made with `buildEvent`), signed; resolves with the endpoint's answer. */
  deliver(event: string | EventObject, options?: DeliverOptions): Promise<WebhookDelivery>;
  /** Delivers, in order and one at a time, every stored event that has no 2xx delivery yet. */
  deliverAll(options?: DeliverOptions): Promise<WebhookDelivery[]>;
  /** Stored events without a 2xx delivery yet. */
  pendingEvents(): EventObject[];
  /** A new event around `object` (not stored), for hand-made deliveries. */
  buildEvent(
    type: string,
    object: Record<string, unknown>,
    options?: { previousAttributes?: Record<string, unknown> },
  ): EventObject;
  /** `t=...,v1=...` for `payload`, as Stripe signs. */
  signPayload(payload: string, secret: string, timestamp?: number): string;
  /** The customer's side of 3-D Secure for an intent in requires_action. */
  completeAction(paymentIntentId: string, result: 'success' | 'failure'): PaymentIntentObject;
  /** The same for a SetupIntent in requires_action. */
  completeSetupAction(setupIntentId: string, result: 'success' | 'failure'): SetupIntentObject;
  /** What the account grants from now on (until `reset`, which restores the options'). */
  setAuthorizationSupport(support: Partial<AuthorizationSupport>): void;
  /** The card declines every later incremental authorisation of this PaymentIntent (402 `card_declined`, nothing changes). */
  declineIncrements(paymentIntentId: string): void;
  /**
   * Cancels now every authorisation past its `capture_before` (as Stripe does on its own;
   * the fake otherwise does it when the intent is next read or acted on). Returns how many.
   */
  expireLapsedAuthorizations(): number;
  /** Forgets every object, event, request, idempotency key and fault; keeps the port and webhook target. */
  reset(): void;
  stop(): Promise<void>;
}
