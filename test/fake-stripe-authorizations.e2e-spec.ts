import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { startFakeStripe, type FakeStripe } from './support/fake-stripe';

/**
 * The fake Stripe server's SetupIntents, card authorisation options, increments and
 * lapses, driven through the real `stripe` SDK: the parameter validation the gateway's
 * requests meet (test/stripe-authorizations.e2e-spec.ts drives the gateway itself).
 */

const DAY = 86_400;

async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
}

describe('fake Stripe: SetupIntents and card authorisations through the SDK', () => {
  let nowMs = Date.now();
  let fake: FakeStripe;
  let stripe: Stripe;

  beforeAll(async () => {
    fake = await startFakeStripe({ now: () => nowMs });
    stripe = new Stripe('sk_test_fake', { ...fake.sdkConfig, maxNetworkRetries: 0 });
  });
  afterAll(async () => fake.stop());
  beforeEach(() => {
    fake.reset();
    nowMs = Date.now();
  });

  const NO_REDIRECTS = { automatic_payment_methods: { enabled: true, allow_redirects: 'never' as const } };
  const customerWith = async (card: string) => {
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach(card, { customer: customer.id });
    return { customer: customer.id, payment_method: pm.id };
  };
  const authorize = (params: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    stripe.paymentIntents.create({
      amount: 20000,
      currency: 'eur',
      capture_method: 'manual',
      payment_method: 'pm_card_visa',
      confirm: true,
      ...NO_REDIRECTS,
      expand: ['latest_charge'],
      ...params,
    });
  const cardOf = (pi: Stripe.PaymentIntent) => (pi.latest_charge as Stripe.Charge).payment_method_details!.card!;

  describe('payment_method_options[card]', () => {
    it('validates the authorisation requests as enums and echoes them on the intent', async () => {
      const bad = await rejection(
        authorize({
          payment_method_options: { card: { request_extended_authorization: 'sometimes' as 'if_available' } },
        }),
      );
      expect(bad).toMatchObject({
        type: 'StripeInvalidRequestError',
        statusCode: 400,
        param: 'payment_method_options[card][request_extended_authorization]',
      });
      expect(bad.message).toMatch(/must be one of if_available, or never/);
      const unknown = await rejection(
        authorize({ payment_method_options: { card: { request_everything: 'if_available' } as never } }),
      );
      expect(unknown).toMatchObject({ code: 'parameter_unknown', param: 'payment_method_options[card][request_everything]' });
      expect(fake.counters.created.paymentIntents).toBe(0);

      const pi = await authorize({
        payment_method_options: {
          card: { request_extended_authorization: 'if_available', request_incremental_authorization: 'never' },
          // Other payment method types' options are accepted (not simulated).
          sepa_debit: { setup_future_usage: 'none' },
        },
      });
      expect(pi.payment_method_options?.card).toMatchObject({
        request_extended_authorization: 'if_available',
        request_incremental_authorization: 'never',
      });
      expect(cardOf(pi)).toMatchObject({
        extended_authorization: { status: 'enabled' },
        incremental_authorization: { status: 'unavailable' },
      });
      expect(cardOf(pi).capture_before! - (pi.latest_charge as Stripe.Charge).created).toBe(30 * DAY);
    });

    it('an automatic-capture charge carries no authorisation facts', async () => {
      const pi = await authorize({ capture_method: 'automatic' });
      expect(pi.status).toBe('succeeded');
      expect(cardOf(pi).capture_before).toBeUndefined();
      expect(cardOf(pi).extended_authorization).toBeUndefined();
    });
  });

  describe('off_session', () => {
    it('exists only with confirm=true, and cannot set up future usage', async () => {
      const saved = await customerWith('pm_card_visa');
      const notConfirming = await rejection(
        stripe.paymentIntents.create({ amount: 1000, currency: 'eur', ...NO_REDIRECTS, ...saved, off_session: true }),
      );
      expect(notConfirming).toMatchObject({ statusCode: 400, param: 'off_session' });
      const setup = await rejection(
        authorize({ ...saved, off_session: true, setup_future_usage: 'off_session', expand: undefined }),
      );
      expect(setup).toMatchObject({ statusCode: 400, param: 'off_session' });
      expect(setup.message).toMatch(/cannot set up future usages when processing payments off-session/);
      const bad = await rejection(authorize({ ...saved, off_session: 'sometimes' as 'one_off' }));
      expect(bad).toMatchObject({ statusCode: 400, param: 'off_session' });

      const ok = await authorize({ ...saved, off_session: 'recurring' });
      expect(ok.status).toBe('requires_capture');
      expect(cardOf(ok).capture_before! - (ok.latest_charge as Stripe.Charge).created).toBe(4 * DAY + 18 * 3600);
    });

    it('authentication_required: 402 carrying the intent for pm_card_authenticationRequired (4000 0027 6000 3184); a Visa goes through', async () => {
      for (const card of ['pm_card_authenticationRequired', 'pm_card_visa']) {
        const saved = await customerWith(card);
        const attempt = authorize({ ...saved, off_session: true });
        if (card === 'pm_card_visa') {
          expect((await attempt).status).toBe('requires_capture');
          continue;
        }
        const error = await rejection(attempt);
        expect(error).toMatchObject({
          type: 'StripeCardError',
          statusCode: 402,
          code: 'authentication_required',
          decline_code: 'authentication_required',
        });
        expect(error.payment_intent).toMatchObject({ status: 'requires_payment_method' });
        expect(error.payment_intent?.client_secret).toBeTruthy();
      }
      expect(fake.events.map((e) => e.type)).toContain('payment_intent.payment_failed');
    });
  });

  describe('increment_authorization', () => {
    it('raises amount and amount_capturable of an eligible authorisation, and says so in an event', async () => {
      const pi = await authorize({ payment_method_options: { card: { request_incremental_authorization: 'if_available' } } });
      const raised = await stripe.paymentIntents.incrementAuthorization(pi.id, {
        amount: 26000,
        metadata: { fine: 'late' },
        expand: ['latest_charge'],
      });
      expect(raised).toMatchObject({ amount: 26000, amount_capturable: 26000, metadata: { fine: 'late' } });
      expect((raised.latest_charge as Stripe.Charge).amount).toBe(26000);
      expect(fake.events.at(-1)?.type).toBe('payment_intent.amount_capturable_updated');
    });

    it('refuses what Stripe refuses', async () => {
      const missing = await rejection(stripe.paymentIntents.incrementAuthorization('pi_missing', { amount: 5000 }));
      expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
      const noAmount = await rejection(stripe.paymentIntents.incrementAuthorization('pi_missing', {} as { amount: number }));
      expect(noAmount).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'amount' });

      const open = await stripe.paymentIntents.create({ amount: 20000, currency: 'eur', capture_method: 'manual' });
      const unconfirmed = await rejection(stripe.paymentIntents.incrementAuthorization(open.id, { amount: 30000 }));
      expect(unconfirmed).toMatchObject({ code: 'payment_intent_unexpected_state' });

      const plain = await authorize();
      const notEligible = await rejection(stripe.paymentIntents.incrementAuthorization(plain.id, { amount: 30000 }));
      expect(notEligible).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
      expect(notEligible.message).toMatch(/not eligible for incremental authorizations/);

      const pi = await authorize({ payment_method_options: { card: { request_incremental_authorization: 'if_available' } } });
      const notHigher = await rejection(stripe.paymentIntents.incrementAuthorization(pi.id, { amount: 20000 }));
      expect(notHigher).toMatchObject({ statusCode: 400, param: 'amount' });
      const tooLarge = await rejection(stripe.paymentIntents.incrementAuthorization(pi.id, { amount: 100_000_000 }));
      expect(tooLarge).toMatchObject({ code: 'amount_too_large' });

      // Ten attempts at most, declines included; a decline changes nothing.
      fake.declineIncrements(pi.id);
      for (let i = 1; i <= 10; i++) {
        const declined = await rejection(stripe.paymentIntents.incrementAuthorization(pi.id, { amount: 20000 + i }));
        expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'insufficient_funds' });
      }
      const eleventh = await rejection(stripe.paymentIntents.incrementAuthorization(pi.id, { amount: 30000 }));
      expect(eleventh.message).toMatch(/maximum of 10 incremental authorization attempts/);
      expect(await stripe.paymentIntents.retrieve(pi.id)).toMatchObject({ amount: 20000, amount_capturable: 20000 });
    });
  });

  describe('capture', () => {
    it('amount_to_capture up to amount_capturable; the rest is released', async () => {
      const pi = await authorize();
      const tooMuch = await rejection(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 20001 }));
      expect(tooMuch).toMatchObject({ code: 'amount_too_large', param: 'amount_to_capture' });
      const zero = await rejection(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 0 }));
      expect(zero).toMatchObject({ param: 'amount_to_capture' });
      const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 15000 });
      expect(captured).toMatchObject({ status: 'succeeded', amount_received: 15000, amount_capturable: 0 });
    });
  });

  describe('lapses', () => {
    it('past capture_before the intent is canceled (automatic) when next read, or by expireLapsedAuthorizations', async () => {
      const a = await authorize();
      const b = await authorize();
      nowMs += 7 * DAY * 1000;
      expect(await stripe.paymentIntents.retrieve(a.id)).toMatchObject({
        status: 'canceled',
        cancellation_reason: 'automatic',
        amount_capturable: 0,
      });
      expect(fake.expireLapsedAuthorizations()).toBe(1);
      expect(fake.state.paymentIntents.get(b.id)?.status).toBe('canceled');
      expect(fake.events.filter((e) => e.type === 'payment_intent.canceled')).toHaveLength(2);
    });
  });

  describe('SetupIntents', () => {
    it('create (usage off_session by default), retrieve, confirm with a card: the card is attached', async () => {
      const customer = await stripe.customers.create({});
      const si = await stripe.setupIntents.create({ customer: customer.id, ...NO_REDIRECTS, metadata: { a: 'b' } });
      expect(si).toMatchObject({
        object: 'setup_intent',
        status: 'requires_payment_method',
        usage: 'off_session',
        customer: customer.id,
        metadata: { a: 'b' },
      });
      expect(await stripe.setupIntents.retrieve(si.id)).toMatchObject({ id: si.id, client_secret: si.client_secret });
      const done = await stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa', expand: ['payment_method'] });
      expect(done.status).toBe('succeeded');
      expect((done.payment_method as Stripe.PaymentMethod).customer).toBe(customer.id);
      expect(done.latest_attempt).toMatch(/^setatt_/);
      expect(fake.events.at(-1)?.type).toBe('setup_intent.succeeded');

      const again = await rejection(stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' }));
      expect(again).toMatchObject({ code: 'setup_intent_unexpected_state' });
    });

    it('validates parameters as Stripe does', async () => {
      const usage = await rejection(stripe.setupIntents.create({ usage: 'forever' as 'off_session' }));
      expect(usage).toMatchObject({ statusCode: 400, param: 'usage' });
      const types = await rejection(
        stripe.setupIntents.create({ payment_method_types: ['card'] } as Stripe.SetupIntentCreateParams),
      );
      expect(types).toMatchObject({ code: 'payment_method_types_no_longer_supported' });
      const offSession = await rejection(
        stripe.setupIntents.create({ off_session: true } as unknown as Stripe.SetupIntentCreateParams),
      );
      expect(offSession).toMatchObject({ code: 'parameter_unknown', param: 'off_session' });
      const noCard = await rejection(stripe.setupIntents.create({ confirm: true }));
      expect(noCard).toMatchObject({ code: 'parameter_missing', param: 'payment_method' });
      const nobody = await rejection(stripe.setupIntents.create({ customer: 'cus_nobody' }));
      expect(nobody).toMatchObject({ code: 'resource_missing', param: 'customer' });
      const redirects = await rejection(stripe.setupIntents.create({ payment_method: 'pm_card_visa', confirm: true }));
      expect(redirects.message).toMatch(/return_url/);
      expect(await rejection(stripe.setupIntents.retrieve('seti_missing'))).toMatchObject({ statusCode: 404 });
      expect(fake.counters.created.setupIntents).toBe(1); // only the redirect case got as far as creating one
    });

    it('a declined card: 402 carrying the SetupIntent, back to requires_payment_method with last_setup_error', async () => {
      const customer = await stripe.customers.create({});
      const error = await rejection(
        stripe.setupIntents.create({
          customer: customer.id,
          payment_method: 'pm_card_chargeDeclined',
          confirm: true,
          ...NO_REDIRECTS,
        }),
      );
      expect(error).toMatchObject({
        type: 'StripeCardError',
        statusCode: 402,
        code: 'card_declined',
        decline_code: 'generic_decline',
      });
      expect(error.setup_intent).toMatchObject({
        status: 'requires_payment_method',
        last_setup_error: { code: 'card_declined' },
      });
      expect(fake.events.at(-1)?.type).toBe('setup_intent.setup_failed');
    });

    it('3-D Secure: requires_action, then completeSetupAction; a set-up 3155 card pays off-session, a 3184 card does not', async () => {
      const customer = await stripe.customers.create({});
      for (const [card, offSessionWorks] of [
        ['pm_card_authenticationRequiredOnSetup', true],
        ['pm_card_authenticationRequired', false],
      ] as const) {
        const si = await stripe.setupIntents.create({
          customer: customer.id,
          payment_method: card,
          confirm: true,
          ...NO_REDIRECTS,
        });
        expect(si).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
        expect(fake.completeSetupAction(si.id, 'success').status).toBe('succeeded');
        const pm = (await stripe.setupIntents.retrieve(si.id)).payment_method as string;
        const attempt = authorize({ customer: customer.id, payment_method: pm, off_session: true });
        if (offSessionWorks) expect((await attempt).status).toBe('requires_capture');
        else expect(await rejection(attempt)).toMatchObject({ code: 'authentication_required' });
      }
    });

    it('a failed challenge, and cancel', async () => {
      const customer = await stripe.customers.create({});
      const si = await stripe.setupIntents.create({
        customer: customer.id,
        payment_method: 'pm_card_threeDSecure2Required',
        confirm: true,
        return_url: 'https://app.example/setup-done',
      });
      expect(si.next_action?.type).toBe('redirect_to_url');
      expect(fake.completeSetupAction(si.id, 'failure')).toMatchObject({
        status: 'requires_payment_method',
        last_setup_error: { code: 'setup_intent_authentication_failure' },
      });
      const canceled = await stripe.setupIntents.cancel(si.id, { cancellation_reason: 'abandoned' });
      expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
      expect(await rejection(stripe.setupIntents.cancel(si.id))).toMatchObject({ code: 'setup_intent_unexpected_state' });
    });
  });
});
