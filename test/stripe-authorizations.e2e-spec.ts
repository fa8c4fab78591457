import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { TestClock } from '@holdfast/clock';
import Stripe from 'stripe';
import { createAppConfig } from '../src/config/app-config';
import { validateEnv } from '../src/config/env.schema';
import { PaymentMetrics } from '../src/payments/metrics.service';
import { PaymentGatewayError, type IntentSnapshot, type OffSessionPaymentInput } from '../src/payments/payment-gateway';
import { PaymentsConfig } from '../src/payments/payments.config';
import { StripeGateway } from '../src/payments/stripe.gateway';
import { startFakeStripe, type FakeStripe } from './support/fake-stripe';

/**
 * The calls of a vehicle rental's money schedule (DESIGN.md section 12: SetupIntents,
 * off-session authorisations and charges, extended and incremental authorisation, partial
 * capture, lapses at `capture_before`) through the real StripeGateway and the `stripe` SDK,
 * over HTTP, against the fake Stripe server and its parameter validation.
 */

const DAY = 86_400;
const VISA_MIT = 4 * DAY + 18 * 3600;
const EXPAND = { '0': 'latest_charge' };

function configFor(apiBase: string): PaymentsConfig {
  const env = validateEnv({
    NODE_ENV: 'test',
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_holdfast_authorizations_spec',
    STRIPE_API_BASE: apiBase,
    STRIPE_WEBHOOK_SECRET: 'whsec_authorizations_spec',
  });
  return new PaymentsConfig(createAppConfig(env, 'postgres://unused/holdfast_test', false));
}

/** The call's PaymentGatewayError (fails the test if it resolved or threw anything else). */
async function gatewayError(promise: Promise<unknown>): Promise<PaymentGatewayError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PaymentGatewayError);
  return error as PaymentGatewayError;
}

describe('StripeGateway: the rental money calls against the fake Stripe server', () => {
  const clock = new TestClock();
  let fake: FakeStripe;
  let gateway: StripeGateway;
  let stripe: Stripe;

  beforeAll(async () => {
    fake = await startFakeStripe({ now: () => clock.nowMs() });
    gateway = new StripeGateway(configFor(fake.url), new PaymentMetrics(), { maxNetworkRetries: 0 });
    stripe = new Stripe('sk_test_app_side', { ...fake.sdkConfig, maxNetworkRetries: 0 });
  });
  afterAll(async () => fake.stop());
  beforeEach(() => {
    fake.reset();
    clock.reset();
  });

  const lastRequest = () => fake.requests.at(-1)!;
  /** Seconds from the charge's creation to the intent's capture_before. */
  const windowOf = (intent: IntentSnapshot): number => {
    const charge = fake.state.charges.get(intent.latestChargeId!)!;
    return intent.captureBefore!.getTime() / 1000 - charge.created;
  };
  /** A customer with `card` (a test id) saved to it, as a SetupIntent or a saved card leaves it. */
  const customerWithCard = async (card: string): Promise<{ customerId: string; paymentMethodId: string }> => {
    const { id: customerId } = await gateway.createCustomer({ userId: randomUUID() });
    const { id: paymentMethodId } = await gateway.attachPaymentMethod(card, customerId);
    return { customerId, paymentMethodId };
  };
  const offSession = (
    saved: { customerId: string; paymentMethodId: string },
    overrides: Partial<OffSessionPaymentInput> = {},
  ) => {
    const paymentId = randomUUID();
    return {
      paymentId,
      amount: 48000,
      currency: 'EUR',
      ...saved,
      metadata: { paymentId, purpose: 'booking' },
      ...overrides,
    };
  };

  describe('on-session authorisation that saves the card', () => {
    it('sends setup_future_usage=off_session and the card requests; the charge reports 30 days, extended and incremental', async () => {
      const { id: customerId } = await gateway.createCustomer({ userId: randomUUID() });
      const paymentId = randomUUID();
      const created = await gateway.createIntent({
        paymentId,
        amount: 48000,
        currency: 'EUR',
        captureMethod: 'manual',
        customerId,
        paymentMethodId: 'pm_card_visa',
        setupFutureUsage: true,
        requestExtended: true,
        requestIncremental: true,
        metadata: { paymentId },
      });

      expect(lastRequest().params).toMatchObject({
        capture_method: 'manual',
        customer: customerId,
        setup_future_usage: 'off_session',
        confirm: 'true',
        payment_method_options: {
          card: { request_extended_authorization: 'if_available', request_incremental_authorization: 'if_available' },
        },
        expand: EXPAND,
      });
      expect(lastRequest().params).not.toHaveProperty('off_session');
      expect(created).toMatchObject({
        status: 'requires_capture',
        amountCapturable: 48000,
        extendedAuthorization: 'enabled',
        incrementalAuthorization: 'available',
      });
      expect(windowOf(created)).toBe(30 * DAY);
      // The card is now the customer's, for the off-session payments to come.
      expect(fake.state.paymentMethods.get(created.paymentMethodId!)?.customer).toBe(customerId);
      // A read answers the same facts (latest_charge expanded there too).
      expect(await gateway.retrieveIntent(created.id)).toMatchObject({
        captureBefore: created.captureBefore,
        extendedAuthorization: 'enabled',
        incrementalAuthorization: 'available',
      });
    });

    it('without the requests: a 7-day online authorisation, neither extended nor incremental; automatic capture sends no card options', async () => {
      const manual = await gateway.createIntent({
        paymentId: randomUUID(),
        amount: 20000,
        currency: 'EUR',
        captureMethod: 'manual',
        paymentMethodId: 'pm_card_visa',
        metadata: {},
      });
      expect(lastRequest().params).not.toHaveProperty('payment_method_options');
      expect(manual).toMatchObject({ extendedAuthorization: 'disabled', incrementalAuthorization: 'unavailable' });
      expect(windowOf(manual)).toBe(7 * DAY);

      const automatic = await gateway.createIntent({
        paymentId: randomUUID(),
        amount: 20000,
        currency: 'EUR',
        captureMethod: 'automatic',
        paymentMethodId: 'pm_card_visa',
        requestExtended: true,
        requestIncremental: true,
        metadata: {},
      });
      expect(lastRequest().params).not.toHaveProperty('payment_method_options');
      expect(automatic).toMatchObject({
        status: 'succeeded',
        captureBefore: null,
        extendedAuthorization: null,
        incrementalAuthorization: null,
      });
    });

    it('an account without extended authorisation says disabled, and the online window stays 7 days', async () => {
      fake.setAuthorizationSupport({ extended: false });
      const created = await gateway.createIntent({
        paymentId: randomUUID(),
        amount: 20000,
        currency: 'EUR',
        captureMethod: 'manual',
        paymentMethodId: 'pm_card_mastercard',
        requestExtended: true,
        requestIncremental: true,
        metadata: {},
      });
      expect(created).toMatchObject({ extendedAuthorization: 'disabled', incrementalAuthorization: 'available' });
      expect(windowOf(created)).toBe(7 * DAY);
    });
  });

  describe('SetupIntents', () => {
    it('without a card: requires_payment_method with a client secret, usage off_session, key seti:{setupId}; the app confirms it', async () => {
      const { id: customerId } = await gateway.createCustomer({ userId: randomUUID() });
      const setupId = randomUUID();
      const input = { setupId, customerId, metadata: { reservationId: 'res-1', setupId } };
      const setup = await gateway.createSetupIntent(input);

      expect(setup).toMatchObject({
        status: 'requires_payment_method',
        customerId,
        paymentMethodId: null,
        usage: 'off_session',
        lastError: null,
        metadata: input.metadata,
      });
      expect(setup.id).toMatch(/^seti_/);
      expect(setup.clientSecret).toMatch(new RegExp(`^${setup.id}_secret_`));
      expect(lastRequest()).toMatchObject({ template: '/v1/setup_intents', idempotencyKey: `seti:${setupId}` });
      expect(lastRequest().params).toEqual({
        customer: customerId,
        usage: 'off_session',
        automatic_payment_methods: { enabled: 'true', allow_redirects: 'never' },
        metadata: input.metadata,
      });
      // A retry (same key) is the same SetupIntent.
      expect((await gateway.createSetupIntent(input)).id).toBe(setup.id);
      expect(fake.counters.created.setupIntents).toBe(1);

      // The app's confirmSetup (Stripe.js confirms with the client secret; a secret-key confirm stands in), then our read.
      await stripe.setupIntents.confirm(setup.id, { payment_method: 'pm_card_mastercard' });
      const done = await gateway.retrieveSetupIntent(setup.id);
      expect(done).toMatchObject({ status: 'succeeded', customerId });
      expect(fake.state.paymentMethods.get(done.paymentMethodId!)?.customer).toBe(customerId);
    });

    it('with a card: confirmed server-side; a 3-D Secure card waits for the app, then pays off-session without it', async () => {
      const { id: customerId } = await gateway.createCustomer({ userId: randomUUID() });
      const setup = await gateway.createSetupIntent({
        setupId: randomUUID(),
        customerId,
        paymentMethodId: 'pm_card_authenticationRequiredOnSetup',
        metadata: {},
      });
      expect(lastRequest().params).toMatchObject({ confirm: 'true', payment_method: 'pm_card_authenticationRequiredOnSetup' });
      expect(setup).toMatchObject({ status: 'requires_action', nextActionType: 'use_stripe_sdk' });
      expect(setup.clientSecret).toBeTruthy();

      fake.completeSetupAction(setup.id, 'success');
      const done = await gateway.retrieveSetupIntent(setup.id);
      expect(done.status).toBe('succeeded');

      const authorised = await gateway.authorizeOffSession(
        offSession({ customerId, paymentMethodId: done.paymentMethodId! }, { amount: 30000 }),
      );
      expect(authorised).toMatchObject({ status: 'requires_capture', amountCapturable: 30000 });
    });

    it('a declined card fails card_declined carrying the SetupIntent; a stranger customer is invalid_request', async () => {
      const { id: customerId } = await gateway.createCustomer({ userId: randomUUID() });
      const error = await gatewayError(
        gateway.createSetupIntent({
          setupId: randomUUID(),
          customerId,
          paymentMethodId: 'pm_card_chargeDeclined',
          metadata: {},
        }),
      );
      expect(error).toMatchObject({ kind: 'card_declined', providerCode: 'card_declined', declineCode: 'generic_decline' });
      expect(error.intent).toBeNull();
      expect(error.setupIntent).toMatchObject({
        status: 'requires_payment_method',
        lastError: { code: 'card_declined', declineCode: 'generic_decline' },
      });
      expect(error.setupIntent?.clientSecret).toBeTruthy();

      const unknown = await gatewayError(
        gateway.createSetupIntent({ setupId: randomUUID(), customerId: 'cus_nobody', metadata: {} }),
      );
      expect(unknown).toMatchObject({ kind: 'invalid_request', providerCode: 'resource_missing' });
      const missing = await gatewayError(gateway.retrieveSetupIntent('seti_nothing'));
      expect(missing).toMatchObject({ kind: 'invalid_request', providerCode: 'resource_missing' });
    });
  });

  describe('off-session authorisations', () => {
    it('confirm + off_session + manual capture, key pi:{paymentId}; a Visa lasts 4 days 18 hours, a Mastercard 7 days', async () => {
      const visa = await customerWithCard('pm_card_visa');
      const input = { ...offSession(visa), description: 'Van, 3 days' };
      const authorised = await gateway.authorizeOffSession(input);

      expect(lastRequest()).toMatchObject({ template: '/v1/payment_intents', idempotencyKey: `pi:${input.paymentId}` });
      expect(lastRequest().params).toEqual({
        amount: '48000',
        currency: 'eur',
        customer: visa.customerId,
        payment_method: visa.paymentMethodId,
        capture_method: 'manual',
        confirm: 'true',
        off_session: 'true',
        automatic_payment_methods: { enabled: 'true', allow_redirects: 'never' },
        metadata: input.metadata,
        description: 'Van, 3 days',
        expand: EXPAND,
      });
      expect(authorised).toMatchObject({
        status: 'requires_capture',
        captureMethod: 'manual',
        amount: 48000,
        amountCapturable: 48000,
        paymentMethodId: visa.paymentMethodId,
        extendedAuthorization: 'disabled',
        incrementalAuthorization: 'unavailable',
      });
      expect(windowOf(authorised)).toBe(VISA_MIT);
      // A retry after a timeout is the same authorisation, not a second one.
      expect((await gateway.authorizeOffSession(input)).id).toBe(authorised.id);
      expect(fake.counters.created.paymentIntents).toBe(1);

      const mastercard = await gateway.authorizeOffSession(offSession(await customerWithCard('pm_card_mastercard')));
      expect(windowOf(mastercard)).toBe(7 * DAY);
    });

    it('extended and incremental on request: 30 days; with the account refusing them, the merchant-initiated window', async () => {
      const saved = await customerWithCard('pm_card_visa');
      const extended = await gateway.authorizeOffSession({
        ...offSession(saved),
        requestExtended: true,
        requestIncremental: true,
      });
      expect(lastRequest().params).toMatchObject({
        payment_method_options: {
          card: { request_extended_authorization: 'if_available', request_incremental_authorization: 'if_available' },
        },
      });
      expect(extended).toMatchObject({ extendedAuthorization: 'enabled', incrementalAuthorization: 'available' });
      expect(windowOf(extended)).toBe(30 * DAY);

      fake.setAuthorizationSupport({ extended: false, incremental: false });
      const refused = await gateway.authorizeOffSession({
        ...offSession(saved),
        requestExtended: true,
        requestIncremental: true,
      });
      expect(refused).toMatchObject({ extendedAuthorization: 'disabled', incrementalAuthorization: 'unavailable' });
      expect(windowOf(refused)).toBe(VISA_MIT);
    });

    it('a card that needs its holder: card_declined, authenticationRequired, the intent with its client secret; the app completes it', async () => {
      const saved = await customerWithCard('pm_card_authenticationRequired');
      const error = await gatewayError(gateway.authorizeOffSession(offSession(saved)));
      expect(error).toMatchObject({
        kind: 'card_declined',
        providerCode: 'authentication_required',
        declineCode: 'authentication_required',
        authenticationRequired: true,
      });
      expect(error.intent).toMatchObject({
        status: 'requires_payment_method',
        captureMethod: 'manual',
        lastError: { code: 'authentication_required' },
      });
      const { id, clientSecret } = error.intent!;
      expect(clientSecret).toMatch(new RegExp(`^${id}_secret_`));

      // The app, with the customer back: confirmPayment (Stripe.js, with the client secret), then 3-D Secure.
      const onSession = await stripe.paymentIntents.confirm(id, { payment_method: saved.paymentMethodId });
      expect(onSession.status).toBe('requires_action');
      fake.completeAction(id, 'success');
      const completed = await gateway.retrieveIntent(id);
      expect(completed).toMatchObject({ status: 'requires_capture', amountCapturable: 48000 });
      // Now a customer-initiated authorisation: the online window.
      expect(windowOf(completed)).toBe(7 * DAY);
    });

    it('a declined saved card: card_declined with the decline code and the failed intent', async () => {
      const saved = await customerWithCard('pm_card_chargeDeclinedInsufficientFunds');
      const error = await gatewayError(gateway.authorizeOffSession(offSession(saved)));
      expect(error).toMatchObject({ kind: 'card_declined', declineCode: 'insufficient_funds', authenticationRequired: false });
      expect(error.intent?.status).toBe('requires_payment_method');
    });

    it('someone else’s card is invalid_request, and nothing is created', async () => {
      const mine = await customerWithCard('pm_card_visa');
      const theirs = await customerWithCard('pm_card_visa');
      const error = await gatewayError(
        gateway.authorizeOffSession(offSession({ customerId: mine.customerId, paymentMethodId: theirs.paymentMethodId })),
      );
      expect(error.kind).toBe('invalid_request');
      expect(fake.counters.created.paymentIntents).toBe(0);
    });
  });

  describe('off-session charges (fines)', () => {
    it('automatic capture, confirm + off_session, no card options: succeeded at once', async () => {
      const saved = await customerWithCard('pm_card_visa');
      const input = offSession(saved, { amount: 3500, metadata: { purpose: 'fine' } });
      const charged = await gateway.chargeOffSession(input);
      expect(lastRequest().params).toMatchObject({ capture_method: 'automatic', confirm: 'true', off_session: 'true' });
      expect(lastRequest().params).not.toHaveProperty('payment_method_options');
      expect(lastRequest().idempotencyKey).toBe(`pi:${input.paymentId}`);
      expect(charged).toMatchObject({
        status: 'succeeded',
        amountReceived: 3500,
        captureMethod: 'automatic',
        captureBefore: null,
      });
    });

    it('fails as an authorisation does: authentication_required with the client secret', async () => {
      const saved = await customerWithCard('pm_card_authenticationRequired');
      const error = await gatewayError(gateway.chargeOffSession(offSession(saved, { amount: 3500 })));
      expect(error.authenticationRequired).toBe(true);
      expect(error.intent?.clientSecret).toBeTruthy();
      expect(error.intent?.captureMethod).toBe('automatic');
    });
  });

  describe('incremental authorisation and capture', () => {
    const incremental = async (): Promise<IntentSnapshot> =>
      gateway.authorizeOffSession({ ...offSession(await customerWithCard('pm_card_visa')), requestIncremental: true });

    it('raises the authorisation to the new total (the caller’s key), then captures part of it; the rest is released', async () => {
      const authorised = await incremental();
      const raised = await gateway.incrementAuthorization(authorised.id, 53500, `increment:${authorised.id}:1`);
      expect(lastRequest()).toMatchObject({
        template: '/v1/payment_intents/:id/increment_authorization',
        idempotencyKey: `increment:${authorised.id}:1`,
        params: { amount: '53500', expand: EXPAND },
      });
      expect(raised).toMatchObject({ status: 'requires_capture', amount: 53500, amountCapturable: 53500 });
      expect(raised.captureBefore).toEqual(authorised.captureBefore);
      // A retry with the same key replays; it does not raise twice.
      expect(await gateway.incrementAuthorization(authorised.id, 53500, `increment:${authorised.id}:1`)).toMatchObject({
        amount: 53500,
      });
      expect(fake.events.filter((e) => e.type === 'payment_intent.amount_capturable_updated')).toHaveLength(2);

      const tooMuch = await gatewayError(gateway.captureIntent(authorised.id, 53501, `capture:${authorised.id}:x`));
      expect(tooMuch).toMatchObject({ kind: 'invalid_request', providerCode: 'amount_too_large' });

      const captured = await gateway.captureIntent(authorised.id, 51000, `capture:${authorised.id}`);
      expect(lastRequest().params).toEqual({ amount_to_capture: '51000', expand: EXPAND });
      expect(captured).toMatchObject({ status: 'succeeded', amountReceived: 51000, amountCapturable: 0 });
    });

    it('refusals: not above the current amount, not requested, not authorised any more, declined by the card', async () => {
      const authorised = await incremental();
      const same = await gatewayError(gateway.incrementAuthorization(authorised.id, 48000, `increment:${authorised.id}:same`));
      expect(same.kind).toBe('invalid_request');

      const plain = await gateway.authorizeOffSession(offSession(await customerWithCard('pm_card_visa')));
      const notAsked = await gatewayError(gateway.incrementAuthorization(plain.id, 60000, `increment:${plain.id}:1`));
      expect(notAsked.kind).toBe('invalid_request');
      expect(notAsked.intent?.incrementalAuthorization).toBeNull(); // an error's intent carries no expanded charge

      fake.declineIncrements(authorised.id);
      const declined = await gatewayError(gateway.incrementAuthorization(authorised.id, 60000, `increment:${authorised.id}:2`));
      expect(declined).toMatchObject({ kind: 'card_declined', declineCode: 'insufficient_funds' });
      // Nothing changed: still capturable for what was authorised.
      expect(await gateway.retrieveIntent(authorised.id)).toMatchObject({ amount: 48000, amountCapturable: 48000 });

      await gateway.captureIntent(authorised.id, undefined, `capture:${authorised.id}`);
      expect(lastRequest().params).toEqual({ expand: EXPAND });
      const captured = await gatewayError(gateway.incrementAuthorization(authorised.id, 60000, `increment:${authorised.id}:3`));
      expect(captured).toMatchObject({ kind: 'invalid_request', providerCode: 'payment_intent_unexpected_state' });
    });

    it('cancel releases an authorisation whole', async () => {
      const authorised = await incremental();
      const released = await gateway.cancelIntent(authorised.id, `cancel:${authorised.id}`);
      expect(released).toMatchObject({ status: 'canceled', amountCapturable: 0 });
      expect(fake.state.charges.get(authorised.latestChargeId!)).toMatchObject({ refunded: true, amount_refunded: 48000 });
    });
  });

  describe('capture_before', () => {
    it('follows the provider clock, and past it the authorisation has lapsed: canceled, nothing to capture', async () => {
      clock.advance(3 * DAY * 1000);
      const authorised = await gateway.authorizeOffSession(offSession(await customerWithCard('pm_card_visa')));
      expect(Math.abs(authorised.captureBefore!.getTime() - (clock.nowMs() + VISA_MIT * 1000))).toBeLessThan(2000);

      clock.advance((VISA_MIT + 60) * 1000);
      const lapsed = await gateway.retrieveIntent(authorised.id);
      expect(lapsed).toMatchObject({ status: 'canceled', amountCapturable: 0 });
      expect(fake.state.paymentIntents.get(authorised.id)?.cancellation_reason).toBe('automatic');
      expect(fake.events.at(-1)?.type).toBe('payment_intent.canceled');
      const late = await gatewayError(gateway.captureIntent(authorised.id, undefined, `capture:${authorised.id}`));
      expect(late).toMatchObject({ kind: 'invalid_request', providerCode: 'payment_intent_unexpected_state' });
    });
  });
});
