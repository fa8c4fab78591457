import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Config } from '@jest/types';
import { AppError } from '@holdfast/errors';
import { createAppConfig } from '../src/config/app-config';
import { validateEnv } from '../src/config/env.schema';
import { PaymentMetrics } from '../src/payments/metrics.service';
import { PaymentGatewayError, WebhookSignatureError, type CreateIntentInput } from '../src/payments/payment-gateway';
import { PaymentsConfig } from '../src/payments/payments.config';
import { toAppError } from '../src/payments/payments.errors';
import { StripeGateway, type StripeGatewayOptions } from '../src/payments/stripe.gateway';
import { startFakeStripe, type FakeStripe } from './support/fake-stripe';

/**
 * StripeGateway through the real `stripe` SDK, over HTTP, against the fake Stripe server
 * (STRIPE_API_BASE points the SDK at it). No Nest app: the gateway is a plain class.
 */

const WEBHOOK_SECRET = 'whsec_stripe_gateway_spec';
const CREATE = 'POST /v1/payment_intents';
const RETRIEVE = 'GET /v1/payment_intents/:id';
const RETRIEVE_PATH = '/v1/payment_intents/:id';

function configFor(apiBase: string): PaymentsConfig {
  const env = validateEnv({
    NODE_ENV: 'test',
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_holdfast_gateway_spec',
    STRIPE_API_BASE: apiBase,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  });
  return new PaymentsConfig(createAppConfig(env, 'postgres://unused/holdfast_test', false));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** The call's PaymentGatewayError (fails the test if it threw anything else). */
async function gatewayError(promise: Promise<unknown>): Promise<PaymentGatewayError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(PaymentGatewayError);
  return error as PaymentGatewayError;
}

const intentInput = (overrides: Partial<CreateIntentInput> = {}): CreateIntentInput => {
  const paymentId = overrides.paymentId ?? randomUUID();
  return {
    paymentId,
    amount: 15000,
    currency: 'EUR',
    captureMethod: 'automatic',
    metadata: { paymentId, reservationId: randomUUID() },
    description: 'Kayak tour, 2 seats',
    ...overrides,
  };
};

describe('StripeGateway against the fake Stripe server', () => {
  let fake: FakeStripe;
  let config: PaymentsConfig;
  let gateway: StripeGateway;
  const metrics = new PaymentMetrics();
  const make = (options: StripeGatewayOptions = {}) => new StripeGateway(config, metrics, options);

  beforeAll(async () => {
    fake = await startFakeStripe();
    config = configFor(fake.url);
    gateway = make();
  });
  afterAll(async () => fake.stop());
  beforeEach(() => fake.reset());

  describe('PaymentIntents', () => {
    it('creates an intent the fake accepts: key pi:{paymentId}, pinned API version, ids and amounts only', async () => {
      const input = intentInput();
      const intent = await gateway.createIntent(input);

      expect(intent).toMatchObject({
        status: 'requires_payment_method',
        amount: 15000,
        amountReceived: 0,
        amountCapturable: 0,
        captureMethod: 'automatic',
        latestChargeId: null,
        paymentMethodId: null,
        lastError: null,
        nextActionType: null,
        metadata: input.metadata,
      });
      // Case aside (the shared intent mapper decides it), it is the currency we asked for.
      expect(intent.currency.toUpperCase()).toBe('EUR');
      expect(intent.id).toMatch(/^pi_/);
      expect(intent.clientSecret).toMatch(new RegExp(`^${intent.id}_secret_`));

      const [request] = fake.requests;
      expect(request).toMatchObject({ method: 'POST', template: '/v1/payment_intents', status: 200 });
      expect(request.idempotencyKey).toBe(`pi:${input.paymentId}`);
      expect(request.stripeVersion).toBe('2026-10-28.endive');
      expect(request.params).toEqual({
        amount: '15000',
        currency: 'eur',
        capture_method: 'automatic',
        automatic_payment_methods: { enabled: 'true', allow_redirects: 'never' },
        metadata: input.metadata,
        description: 'Kayak tour, 2 seats',
        // The charge carries the authorisation's capture_before (stripe-authorizations.ts).
        expand: { '0': 'latest_charge' },
      });
    });

    it('confirms with a card that works: succeeded, with its charge and a real payment method id', async () => {
      const created = await gateway.createIntent(intentInput());
      const intent = await gateway.confirmIntent(created.id, 'pm_card_visa', `confirm:${created.id}:1`);

      expect(intent).toMatchObject({ id: created.id, status: 'succeeded', amountReceived: 15000, lastError: null });
      expect(intent.latestChargeId).toMatch(/^ch_/);
      expect(intent.paymentMethodId).toMatch(/^pm_/);
      expect(intent.paymentMethodId).not.toBe('pm_card_visa');
      expect(fake.requests.at(-1)?.idempotencyKey).toBe(`confirm:${created.id}:1`);
    });

    it.each([
      ['pm_card_chargeDeclined', 'generic_decline', 'Your card was declined'],
      ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds', 'Your card has insufficient funds'],
    ])('%s: card_declined with the decline code and the failed intent', async (pm, declineCode, userMessage) => {
      const created = await gateway.createIntent(intentInput());
      const error = await gatewayError(gateway.confirmIntent(created.id, pm, `confirm:${created.id}:1`));

      expect(error).toMatchObject({ kind: 'card_declined', providerCode: 'card_declined', declineCode });
      expect(error.intent).toMatchObject({
        id: created.id,
        status: 'requires_payment_method',
        lastError: { code: 'card_declined', declineCode },
      });
      const appError = toAppError(error);
      expect(appError).toBeInstanceOf(AppError);
      expect(appError).toMatchObject({ code: 'PAYMENT_CARD_DECLINED', message: userMessage });
      // A decline proves Stripe answered: it never counts against the breaker.
      expect(gateway.breakerState()).toBe('closed');
    });

    it('3-D Secure: requires_action with use_stripe_sdk, then succeeded once the user authenticates', async () => {
      const created = await gateway.createIntent(intentInput());
      const intent = await gateway.confirmIntent(created.id, 'pm_card_threeDSecure2Required', `confirm:${created.id}:1`);
      expect(intent).toMatchObject({ status: 'requires_action', nextActionType: 'use_stripe_sdk', amountReceived: 0 });

      fake.completeAction(created.id, 'success');
      expect(await gateway.retrieveIntent(created.id)).toMatchObject({
        status: 'succeeded',
        nextActionType: null,
        amountReceived: 15000,
      });
    });

    it('retrieves, and maps a missing intent to invalid_request', async () => {
      const created = await gateway.createIntent(intentInput());
      expect(await gateway.retrieveIntent(created.id)).toEqual(created);

      const error = await gatewayError(gateway.retrieveIntent('pi_doesnotexist'));
      expect(error).toMatchObject({ kind: 'invalid_request', providerCode: 'resource_missing', intent: null });
      expect(toAppError(error).code).toBe('PAYMENT_PROCESSING_FAILED');
    });

    it('cancels; cancelling again is invalid_request carrying the canceled intent', async () => {
      const created = await gateway.createIntent(intentInput());
      const canceled = await gateway.cancelIntent(created.id, `cancel:${created.id}`);
      expect(canceled).toMatchObject({ id: created.id, status: 'canceled' });

      // Same key: Stripe replays the stored answer.
      expect(await gateway.cancelIntent(created.id, `cancel:${created.id}`)).toMatchObject({ status: 'canceled' });
      expect(fake.counters.replayed).toBe(1);

      const error = await gatewayError(gateway.cancelIntent(created.id, `cancel:${created.id}:again`));
      expect(error).toMatchObject({ kind: 'invalid_request', providerCode: 'payment_intent_unexpected_state' });
      expect(error.intent).toMatchObject({ id: created.id, status: 'canceled' });
    });

    it('manual capture: authorised (requires_capture), then part of it captured', async () => {
      const created = await gateway.createIntent(intentInput({ captureMethod: 'manual', amount: 20000 }));
      expect(created.captureMethod).toBe('manual');
      const authorised = await gateway.confirmIntent(created.id, 'pm_card_visa', `confirm:${created.id}:1`);
      expect(authorised).toMatchObject({ status: 'requires_capture', amountCapturable: 20000, amountReceived: 0 });

      const captured = await gateway.captureIntent(created.id, 12500, `capture:${created.id}`);
      expect(captured).toMatchObject({ status: 'succeeded', amountReceived: 12500, amountCapturable: 0 });
      expect(fake.requests.at(-1)?.params).toEqual({ amount_to_capture: '12500', expand: { '0': 'latest_charge' } });
    });
  });

  describe('saved cards', () => {
    it('customers are one per user (customer:{userId}); attach, default, clear and detach', async () => {
      const userId = randomUUID();
      const customer = await gateway.createCustomer({ userId, email: 'ada@example.com' });
      expect(await gateway.createCustomer({ userId, email: 'ada@example.com' })).toEqual(customer);
      expect(fake.counters.created.customers).toBe(1);
      expect(fake.state.customers.get(customer.id)?.metadata).toEqual({ userId });

      const card = await gateway.attachPaymentMethod('pm_card_visa', customer.id);
      expect(card).toMatchObject({ brand: 'visa', last4: '4242', expMonth: 12 });
      expect(card.id).toMatch(/^pm_/);
      expect(fake.state.paymentMethods.get(card.id)?.customer).toBe(customer.id);

      await gateway.setDefaultPaymentMethod(customer.id, card.id);
      expect(fake.state.customers.get(customer.id)?.invoice_settings.default_payment_method).toBe(card.id);
      await gateway.setDefaultPaymentMethod(customer.id, null);
      expect(fake.state.customers.get(customer.id)?.invoice_settings.default_payment_method).toBeNull();

      await gateway.detachPaymentMethod(card.id);
      expect(fake.state.paymentMethods.get(card.id)?.customer).toBeNull();
    });

    it('a saved card is confirmed at creation; one needing 3-D Secure shows requires_action', async () => {
      const customer = await gateway.createCustomer({ userId: randomUUID() });
      const visa = await gateway.attachPaymentMethod('pm_card_visa', customer.id);
      const paid = await gateway.createIntent(intentInput({ customerId: customer.id, paymentMethodId: visa.id }));
      expect(paid).toMatchObject({ status: 'succeeded', paymentMethodId: visa.id, amountReceived: 15000 });
      expect(fake.requests.at(-1)?.params).toMatchObject({ confirm: 'true', customer: customer.id, payment_method: visa.id });

      const threeDs = await gateway.attachPaymentMethod('pm_card_authenticationRequiredOnSetup', customer.id);
      const pending = await gateway.createIntent(intentInput({ customerId: customer.id, paymentMethodId: threeDs.id }));
      expect(pending).toMatchObject({ status: 'requires_action', nextActionType: 'use_stripe_sdk' });
    });

    it('a declined saved card fails card_declined at creation, with the failed intent', async () => {
      const customer = await gateway.createCustomer({ userId: randomUUID() });
      const card = await gateway.attachPaymentMethod('pm_card_chargeDeclinedInsufficientFunds', customer.id);
      const input = intentInput({ customerId: customer.id, paymentMethodId: card.id });
      const error = await gatewayError(gateway.createIntent(input));
      expect(error).toMatchObject({ kind: 'card_declined', declineCode: 'insufficient_funds' });
      expect(error.intent).toMatchObject({ status: 'requires_payment_method', metadata: input.metadata });
    });

    it('setupFutureUsage with a customer keeps the card on that customer once paid', async () => {
      const customer = await gateway.createCustomer({ userId: randomUUID() });
      const created = await gateway.createIntent(intentInput({ customerId: customer.id, setupFutureUsage: true }));
      expect(fake.requests.at(-1)?.params).toMatchObject({ setup_future_usage: 'off_session', customer: customer.id });
      const paid = await gateway.confirmIntent(created.id, 'pm_card_visa', `confirm:${created.id}:1`);
      expect(fake.state.paymentMethods.get(paid.paymentMethodId!)?.customer).toBe(customer.id);
    });
  });

  describe('refunds', () => {
    async function paidIntent(amount = 15000): Promise<string> {
      const created = await gateway.createIntent(intentInput({ amount }));
      return (await gateway.confirmIntent(created.id, 'pm_card_visa', `confirm:${created.id}:1`)).id;
    }

    it('partial, then the rest; one more cent is invalid_request', async () => {
      const intentId = await paidIntent();
      const first = await gateway.createRefund({
        refundId: randomUUID(),
        intentId,
        amount: 5000,
        reason: 'requested_by_customer',
      });
      expect(first).toMatchObject({ intentId, amount: 5000, status: 'succeeded' });
      expect(first.id).toMatch(/^re_/);
      const rest = await gateway.createRefund({ refundId: randomUUID(), intentId, amount: 10000 });
      expect(rest).toMatchObject({ amount: 10000, status: 'succeeded' });

      const error = await gatewayError(gateway.createRefund({ refundId: randomUUID(), intentId, amount: 1 }));
      expect(error.kind).toBe('invalid_request');
      expect(toAppError(error).code).toBe('PAYMENT_PROCESSING_FAILED');
      expect(fake.counters.created.refunds).toBe(2);
    });

    it('more than was paid is invalid_request', async () => {
      const intentId = await paidIntent(3000);
      const error = await gatewayError(gateway.createRefund({ refundId: randomUUID(), intentId, amount: 3001 }));
      expect(error.kind).toBe('invalid_request');
      expect(fake.counters.created.refunds).toBe(0);
    });

    it('key refund:{refundId}: the same refund sent twice is one refund; our own reasons go in metadata', async () => {
      const intentId = await paidIntent();
      const input = { refundId: randomUUID(), intentId, amount: 15000, reason: 'HOLD_EXPIRED' };
      const first = await gateway.createRefund(input);
      expect(await gateway.createRefund(input)).toEqual(first);
      expect(fake.counters.created.refunds).toBe(1);
      expect(fake.requests.at(-1)).toMatchObject({ idempotencyKey: `refund:${input.refundId}`, replayed: true });
      expect(fake.requests.at(-1)?.params).not.toHaveProperty('reason');
      expect(fake.state.refunds.get(first.id)?.metadata).toEqual({ refundId: input.refundId, reason: 'HOLD_EXPIRED' });
    });
  });

  describe('idempotency and retries', () => {
    it('two createIntent calls for one payment make ONE intent at Stripe', async () => {
      const input = intentInput();
      const [a, b] = [await gateway.createIntent(input), await gateway.createIntent(input)];
      expect(b.id).toBe(a.id);
      expect(fake.counters.created.paymentIntents).toBe(1);
      expect(fake.requestCount(CREATE)).toBe(2);
      expect(fake.counters.replayed).toBe(1);
    });

    it('a 500 after Stripe acted is retried by the SDK with the same key: one intent', async () => {
      fake.inject({ kind: 'status', status: 500, method: 'POST', path: '/v1/payment_intents', afterEffect: true });
      const input = intentInput();
      const intent = await gateway.createIntent(input);

      expect(fake.requestCount(CREATE)).toBe(2);
      expect(fake.counters.created.paymentIntents).toBe(1);
      expect(fake.requests.map((r) => [r.status, r.idempotencyKey, r.replayed])).toEqual([
        [500, `pi:${input.paymentId}`, false],
        [200, `pi:${input.paymentId}`, true],
      ]);
      expect(fake.state.paymentIntents.has(intent.id)).toBe(true);
    });

    it('a timeout after Stripe acted is retried with the same key: one intent', async () => {
      const impatient = make({ timeoutMs: 300 });
      fake.inject({ kind: 'timeout', delayMs: 2_000, afterEffect: true, method: 'POST', path: '/v1/payment_intents' });
      const input = intentInput();
      const intent = await impatient.createIntent(input);

      expect(intent.status).toBe('requires_payment_method');
      expect(fake.requestCount(CREATE)).toBe(2);
      expect(fake.counters.created.paymentIntents).toBe(1);
      expect(fake.requests[1]).toMatchObject({ idempotencyKey: `pi:${input.paymentId}`, replayed: true, status: 200 });
    });

    it('a plain 429 (which the SDK does not retry) is retried by the gateway', async () => {
      fake.inject({ kind: 'status', status: 429, method: 'POST', path: '/v1/payment_intents', times: 2 });
      const intent = await gateway.createIntent(intentInput());
      expect(intent.id).toMatch(/^pi_/);
      expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200]);
      expect(fake.counters.created.paymentIntents).toBe(1);
    });

    it('a 429 lock_timeout (Stripe-Should-Retry: true) is retried by the SDK', async () => {
      fake.inject({ kind: 'status', status: 429, code: 'lock_timeout', method: 'GET', path: RETRIEVE_PATH });
      const created = await gateway.createIntent(intentInput());
      expect((await gateway.retrieveIntent(created.id)).id).toBe(created.id);
      expect(fake.requestCount(RETRIEVE)).toBe(2);
    });

    it('retries are bounded: a 429 that persists ends as processing (PAYMENT_PROCESSING_FAILED)', async () => {
      fake.inject({ kind: 'status', status: 429, method: 'POST', path: '/v1/payment_intents', times: 10 });
      const error = await gatewayError(gateway.createIntent(intentInput()));
      expect(error).toMatchObject({ kind: 'processing', providerCode: 'rate_limit' });
      expect(toAppError(error).code).toBe('PAYMENT_PROCESSING_FAILED');
      expect(fake.requestCount(CREATE)).toBe(3);
      expect(fake.counters.created.paymentIntents).toBe(0);
    });

    it('an unreachable Stripe is processing', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const nowhere = new StripeGateway(configFor(`http://127.0.0.1:${port}`), metrics, { maxNetworkRetries: 0 });
      const error = await gatewayError(nowhere.retrieveIntent('pi_any'));
      expect(error.kind).toBe('processing');
      expect(toAppError(error).code).toBe('PAYMENT_PROCESSING_FAILED');
    });
  });

  describe('client-side rate limit', () => {
    it('never sends faster than its rate: over-eager calls wait their turn, then fail fast as a processing error', async () => {
      const limited = make({ rateLimitPerSecond: 4, rateLimitMaxWaitMs: 600 });
      const intent = await gateway.createIntent(intentInput());
      const before = fake.requests.length;
      const started = Date.now();
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => limited.retrieveIntent(intent.id)));
      const sent = results.filter((r) => r.status === 'fulfilled').length;
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as PaymentGatewayError] : []));
      // A burst of 4, then one every 250 ms within the 600 ms a call may wait: 6 go, 4 are refused at once.
      expect(sent).toBe(6);
      expect(refused.map((e) => [e.kind, e.providerCode])).toEqual(Array(4).fill(['processing', 'client_rate_limited']));
      expect(fake.requests.length - before).toBe(6);
      expect(Date.now() - started).toBeGreaterThanOrEqual(450); // the 6th waited for its token
    });
  });

  describe('circuit breaker', () => {
    /** Every API jest can fake except `Date`. */
    const FAKEABLE_BUT_DATE = [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ] satisfies Config.FakeableAPI[];

    let clock: number;
    let guarded: StripeGateway;
    /** Moves the clock the breaker (cockatiel: `Date.now()`) reads; timers and I/O stay real. */
    const advance = (ms: number) => jest.setSystemTime((clock += ms));

    beforeEach(() => {
      clock = Date.parse('2026-11-02T10:00:00Z');
      jest.useFakeTimers({ doNotFake: FAKEABLE_BUT_DATE, now: clock });
      // No SDK retries here, so each call is one request and the counts are exact.
      guarded = make({
        maxNetworkRetries: 0,
        rateLimitRetries: 0,
        breakerFailureThreshold: 3,
        breakerResetTimeoutMs: 30_000,
      });
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    async function failWith500s(intentId: string, times: number): Promise<void> {
      fake.inject({ kind: 'status', status: 500, method: 'GET', path: RETRIEVE_PATH, times });
      for (let i = 0; i < times; i++) expect((await gatewayError(guarded.retrieveIntent(intentId))).kind).toBe('processing');
    }

    it('opens after repeated 500s, then fails fast WITHOUT reaching Stripe', async () => {
      const { id } = await guarded.createIntent(intentInput());
      await failWith500s(id, 2);
      expect(guarded.breakerState()).toBe('closed');
      await failWith500s(id, 1);
      expect(guarded.breakerState()).toBe('open');

      const before = fake.requests.length;
      const error = await gatewayError(guarded.retrieveIntent(id));
      expect(error).toMatchObject({ kind: 'processing', providerCode: 'circuit_open' });
      expect(toAppError(error).code).toBe('PAYMENT_PROCESSING_FAILED');
      expect((await gatewayError(guarded.createIntent(intentInput()))).providerCode).toBe('circuit_open');
      expect(fake.requests.length).toBe(before);
      expect(metrics.snapshot().counters).toMatchObject({ 'stripe_circuit_transitions_total{to="open"}': expect.any(Number) });
    });

    it('half-opens after the delay: a successful trial call closes it', async () => {
      const { id } = await guarded.createIntent(intentInput());
      await failWith500s(id, 3);
      advance(29_999);
      expect(guarded.breakerState()).toBe('open');
      advance(1);
      expect(guarded.breakerState()).toBe('half_open');

      const before = fake.requests.length;
      expect((await guarded.retrieveIntent(id)).id).toBe(id);
      expect(fake.requests.length).toBe(before + 1);
      expect(guarded.breakerState()).toBe('closed');
    });

    it('a failed trial call opens it again for another full delay', async () => {
      const { id } = await guarded.createIntent(intentInput());
      await failWith500s(id, 3);
      advance(30_000);
      await failWith500s(id, 1);
      expect(guarded.breakerState()).toBe('open');

      const before = fake.requests.length;
      expect((await gatewayError(guarded.retrieveIntent(id))).providerCode).toBe('circuit_open');
      expect(fake.requests.length).toBe(before);
      advance(30_000);
      expect((await guarded.retrieveIntent(id)).id).toBe(id);
      expect(guarded.breakerState()).toBe('closed');
    });

    it('declines and invalid requests never open it; a success resets the count', async () => {
      const { id } = await guarded.createIntent(intentInput());
      for (let i = 0; i < 4; i++) {
        const created = await guarded.createIntent(intentInput());
        await gatewayError(guarded.confirmIntent(created.id, 'pm_card_chargeDeclined', `confirm:${created.id}:1`));
        await gatewayError(guarded.retrieveIntent(`pi_missing_${i}`));
      }
      expect(guarded.breakerState()).toBe('closed');

      await failWith500s(id, 2);
      await guarded.retrieveIntent(id);
      await failWith500s(id, 2);
      expect(guarded.breakerState()).toBe('closed');
    });
  });

  describe('verifyEvent', () => {
    const now = () => Math.floor(Date.now() / 1000);

    function signed(timestamp = now(), secret = WEBHOOK_SECRET) {
      const event = fake.buildEvent('payment_intent.succeeded', { id: 'pi_123', object: 'payment_intent', status: 'succeeded' });
      const payload = JSON.stringify(event, null, 2);
      return { event, payload, header: fake.signPayload(payload, secret, timestamp) };
    }

    it('accepts a good signature over the raw body', () => {
      const { event, payload, header } = signed();
      expect(gateway.verifyEvent(Buffer.from(payload), header)).toEqual({
        id: event.id,
        type: 'payment_intent.succeeded',
        created: event.created,
        object: { id: 'pi_123', object: 'payment_intent', status: 'succeeded' },
      });
    });

    it.each([
      ['another secret', () => signed(now(), 'whsec_someone_else')],
      ['a stale timestamp (10 minutes old)', () => signed(now() - 600)],
    ])('refuses %s', (_label, build) => {
      const { payload, header } = build();
      expect(() => gateway.verifyEvent(Buffer.from(payload), header)).toThrow(WebhookSignatureError);
    });

    it('refuses a tampered body and a missing header', () => {
      const { payload, header } = signed();
      const tampered = payload.replace('"succeeded"', '"canceled"');
      expect(() => gateway.verifyEvent(Buffer.from(tampered), header)).toThrow(WebhookSignatureError);
      expect(() => gateway.verifyEvent(Buffer.from(payload), undefined)).toThrow(WebhookSignatureError);
    });
  });

  it('refuses a STRIPE_API_BASE with a path (the SDK always adds /v1)', () => {
    expect(() => new StripeGateway(configFor(`${fake.url}/stripe`), metrics)).toThrow(/no path/);
  });
});
