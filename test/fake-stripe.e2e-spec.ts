import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { startFakeStripe, type FakeStripe } from './support/fake-stripe';

/**
 * The fake Stripe server, driven through the real `stripe` SDK over HTTP: what it
 * reproduces of Stripe is what the payments code will meet, so each case asserts the
 * shape the SDK hands back (status, ids, error classes and codes), not the fake's
 * internals, except where the point is "how many objects exist".
 */

const SECRET = 'whsec_fake_stripe_spec';

/** A card payment confirmed server-side (no redirect-based methods, so no return_url needed). */
const CARD: Stripe.PaymentIntentCreateParams = { amount: 15000, currency: 'eur', allowed_payment_method_types: ['card'] };

async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
}

interface Received {
  body: string;
  headers: IncomingHttpHeaders;
}

/** A webhook endpoint that keeps the raw bodies it receives and answers `status()`. */
async function startReceiver(
  status: () => number = () => 200,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(status(), { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/webhooks/stripe`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('fake Stripe server through the stripe SDK', () => {
  let fake: FakeStripe;
  let stripe: Stripe;

  beforeAll(async () => {
    fake = await startFakeStripe();
    stripe = new Stripe('sk_test_fake', { ...fake.sdkConfig, maxNetworkRetries: 0 });
  });
  afterAll(async () => fake.stop());
  beforeEach(() => fake.reset());

  const types = (): string[] => fake.events.map((e) => e.type);

  describe('PaymentIntents with the test cards', () => {
    it('pm_card_visa: create-and-confirm succeeds with a charge, a fresh pm id and a client secret', async () => {
      const pi = await stripe.paymentIntents.create({
        ...CARD,
        payment_method: 'pm_card_visa',
        confirm: true,
        metadata: { reservationId: 'res-1', paymentId: 'pay-1' },
        description: 'Kayak tour',
      });

      expect(pi).toMatchObject({
        object: 'payment_intent',
        status: 'succeeded',
        amount: 15000,
        amount_received: 15000,
        amount_capturable: 0,
        currency: 'eur',
        capture_method: 'automatic_async',
        metadata: { reservationId: 'res-1', paymentId: 'pay-1' },
        last_payment_error: null,
        next_action: null,
      });
      expect(pi.id).toMatch(/^pi_[0-9A-Za-z]{24}$/);
      expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_[0-9A-Za-z]+$`));
      // Like Stripe, the test id becomes a real-looking PaymentMethod.
      expect(pi.payment_method).toMatch(/^pm_/);
      expect(pi.payment_method).not.toBe('pm_card_visa');

      const charge = await stripe.charges.retrieve(pi.latest_charge as string);
      expect(charge).toMatchObject({
        status: 'succeeded',
        captured: true,
        amount_captured: 15000,
        payment_intent: pi.id,
        paid: true,
      });
      expect(charge.payment_method_details?.card).toMatchObject({ brand: 'visa', last4: '4242' });
      expect(types()).toEqual(['payment_intent.succeeded']);
      expect(fake.counters.created.paymentIntents).toBe(1);
    });

    it('pm_card_mastercard: create, then confirm with the card, expanding latest_charge', async () => {
      const created = await stripe.paymentIntents.create(CARD);
      expect(created.status).toBe('requires_payment_method');

      const pi = await stripe.paymentIntents.confirm(created.id, {
        payment_method: 'pm_card_mastercard',
        expand: ['latest_charge'],
      });
      expect(pi.status).toBe('succeeded');
      const charge = pi.latest_charge as Stripe.Charge;
      expect(charge.object).toBe('charge');
      expect(charge.amount_captured).toBe(15000);

      const pm = await stripe.paymentMethods.retrieve(pi.payment_method as string);
      expect(pm.card).toMatchObject({ brand: 'mastercard', last4: '4444' });
      expect(fake.requestCount('POST /v1/payment_intents/:id/confirm')).toBe(1);
    });

    it.each([
      ['pm_card_chargeDeclined', 'generic_decline', 'Your card was declined.'],
      ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds', 'Your card has insufficient funds.'],
    ])('%s: HTTP 402 card_error, the intent back in requires_payment_method', async (pm, declineCode, message) => {
      const error = await rejection(stripe.paymentIntents.create({ ...CARD, payment_method: pm, confirm: true }));

      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error).toMatchObject({
        statusCode: 402,
        type: 'StripeCardError',
        code: 'card_declined',
        decline_code: declineCode,
        message,
      });
      expect(error.doc_url).toBe('https://stripe.com/docs/error-codes/card-declined');
      const intent = error.payment_intent as Stripe.PaymentIntent;
      expect(intent.status).toBe('requires_payment_method');
      expect(intent.payment_method).toBeNull();
      expect(intent.last_payment_error).toMatchObject({ code: 'card_declined', decline_code: declineCode });

      // The intent exists and says the same when read back; the failed charge is its latest.
      const stored = await stripe.paymentIntents.retrieve(intent.id);
      expect(stored.last_payment_error?.decline_code).toBe(declineCode);
      const charge = await stripe.charges.retrieve(stored.latest_charge as string);
      expect(charge).toMatchObject({ status: 'failed', paid: false, failure_code: 'card_declined' });
      expect(types()).toEqual(['payment_intent.payment_failed']);
    });

    it('a decline is stored under its idempotency key: the same key replays the 402, a new key can succeed', async () => {
      const pi = await stripe.paymentIntents.create(CARD);
      const declined = await rejection(
        stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }, { idempotencyKey: 'confirm:p1:1' }),
      );
      const replayed = await rejection(
        stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }, { idempotencyKey: 'confirm:p1:1' }),
      );
      expect(replayed).toMatchObject({ statusCode: 402, decline_code: 'generic_decline', charge: declined.charge });
      expect(replayed.headers?.['idempotent-replayed']).toBe('true');
      expect(fake.counters.created.charges).toBe(1);

      const retried = await stripe.paymentIntents.confirm(
        pi.id,
        { payment_method: 'pm_card_visa' },
        { idempotencyKey: 'confirm:p1:2' },
      );
      expect(retried.status).toBe('succeeded');
    });

    it('3-D Secure: requires_action with use_stripe_sdk, then completeAction(success) succeeds', async () => {
      const pi = await stripe.paymentIntents.create({ ...CARD, payment_method: 'pm_card_threeDSecure2Required', confirm: true });
      expect(pi.status).toBe('requires_action');
      expect(pi.next_action?.type).toBe('use_stripe_sdk');

      fake.completeAction(pi.id, 'success');
      const after = await stripe.paymentIntents.retrieve(pi.id);
      expect(after).toMatchObject({ status: 'succeeded', amount_received: 15000, next_action: null });
      expect(types()).toEqual(['payment_intent.requires_action', 'payment_intent.succeeded']);
      // The helper is not an API request: its event names none.
      expect(fake.events[1].request).toEqual({ id: null, idempotency_key: null });
    });

    it('3-D Secure: with a return_url the next action is a redirect; a failed challenge can be retried with another card', async () => {
      const pi = await stripe.paymentIntents.create({
        amount: 15000,
        currency: 'eur',
        payment_method: 'pm_card_authenticationRequiredOnSetup',
        confirm: true,
        return_url: 'https://app.example/return',
      });
      expect(pi.next_action?.type).toBe('redirect_to_url');
      expect(pi.next_action?.redirect_to_url?.return_url).toBe('https://app.example/return');

      const failed = fake.completeAction(pi.id, 'failure');
      expect(failed.status).toBe('requires_payment_method');
      expect(failed.last_payment_error?.code).toBe('payment_intent_authentication_failure');

      const retried = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
      expect(retried.status).toBe('succeeded');
      expect(types()).toEqual(['payment_intent.requires_action', 'payment_intent.payment_failed', 'payment_intent.succeeded']);
    });

    it('off-session: a 3155 card saved to the customer succeeds, an always-3DS card fails with authentication_required', async () => {
      const customer = await stripe.customers.create({ email: 'guest@example.com' });
      const saved = await stripe.paymentMethods.attach('pm_card_authenticationRequiredOnSetup', { customer: customer.id });
      const ok = await stripe.paymentIntents.create({
        ...CARD,
        customer: customer.id,
        payment_method: saved.id,
        confirm: true,
        off_session: true,
      });
      expect(ok.status).toBe('succeeded');

      const always = await stripe.paymentMethods.attach('pm_card_threeDSecure2Required', { customer: customer.id });
      const error = await rejection(
        stripe.paymentIntents.create({
          ...CARD,
          customer: customer.id,
          payment_method: always.id,
          confirm: true,
          off_session: true,
        }),
      );
      expect(error).toMatchObject({ statusCode: 402, code: 'authentication_required' });
      expect((error.payment_intent as Stripe.PaymentIntent).status).toBe('requires_payment_method');
    });

    it('manual capture: requires_capture, a partial capture, and no second capture', async () => {
      const pi = await stripe.paymentIntents.create({
        ...CARD,
        capture_method: 'manual',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      expect(pi).toMatchObject({ status: 'requires_capture', amount_capturable: 15000, amount_received: 0 });
      const uncaptured = await stripe.charges.retrieve(pi.latest_charge as string);
      expect(uncaptured.captured).toBe(false);

      const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 12000 });
      expect(captured).toMatchObject({ status: 'succeeded', amount_received: 12000, amount_capturable: 0 });
      expect((await stripe.charges.retrieve(pi.latest_charge as string)).amount_captured).toBe(12000);

      const again = await rejection(stripe.paymentIntents.capture(pi.id));
      expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(again).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
      expect(again.message).toContain('has a status of succeeded');
      expect(types()).toEqual(['payment_intent.amount_capturable_updated', 'payment_intent.succeeded']);
    });

    it('cancel, and the transitions Stripe refuses', async () => {
      const open = await stripe.paymentIntents.create(CARD);
      const canceled = await stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'abandoned' });
      expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
      expect(canceled.canceled_at).toEqual(expect.any(Number));

      const confirmCanceled = await rejection(stripe.paymentIntents.confirm(open.id, { payment_method: 'pm_card_visa' }));
      expect(confirmCanceled).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });

      const paid = await stripe.paymentIntents.create({ ...CARD, payment_method: 'pm_card_visa', confirm: true });
      const captureAutomatic = await rejection(stripe.paymentIntents.capture(paid.id));
      expect(captureAutomatic).toMatchObject({ code: 'payment_intent_unexpected_state' });
      const cancelPaid = await rejection(stripe.paymentIntents.cancel(paid.id));
      expect(cancelPaid).toMatchObject({ code: 'payment_intent_unexpected_state' });
      expect((cancelPaid.payment_intent as Stripe.PaymentIntent).status).toBe('succeeded');

      const held = await stripe.paymentIntents.create({
        ...CARD,
        capture_method: 'manual',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const released = await stripe.paymentIntents.cancel(held.id);
      expect(released).toMatchObject({ status: 'canceled', amount_capturable: 0 });
      expect(types().filter((t) => t === 'payment_intent.canceled')).toHaveLength(2);
    });

    it('updates metadata and amount while open, refuses the amount once succeeded', async () => {
      const pi = await stripe.paymentIntents.create({ ...CARD, metadata: { a: '1', b: '2' } });
      const updated = await stripe.paymentIntents.update(pi.id, { amount: 20000, metadata: { a: '', c: '3' } });
      expect(updated).toMatchObject({ amount: 20000, metadata: { b: '2', c: '3' } });

      await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
      const refused = await rejection(stripe.paymentIntents.update(pi.id, { amount: 100 }));
      expect(refused).toMatchObject({ code: 'payment_intent_unexpected_state' });
      const noted = await stripe.paymentIntents.update(pi.id, { metadata: { note: 'late' } });
      expect(noted.metadata).toEqual({ b: '2', c: '3', note: 'late' });
    });

    it('automatic payment methods without a return_url cannot be confirmed server-side (as on Stripe)', async () => {
      const error = await rejection(
        stripe.paymentIntents.create({ amount: 15000, currency: 'eur', payment_method: 'pm_card_visa', confirm: true }),
      );
      expect(error).toMatchObject({ statusCode: 400 });
      expect(error.message).toContain('you must provide a `return_url`');
      // Execution had begun: the intent exists, as on Stripe (the error carries it).
      expect((error.payment_intent as Stripe.PaymentIntent).status).toBe('requires_confirmation');
      const ok = await stripe.paymentIntents.create({
        amount: 15000,
        currency: 'eur',
        payment_method: 'pm_card_visa',
        confirm: true,
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      });
      expect(ok.status).toBe('succeeded');
      expect(ok.payment_method_types).toEqual(['card']);
    });

    it('payment_method_types is refused on the SDK 23 API version, accepted on an older one', async () => {
      const old = {
        amount: 15000,
        currency: 'eur',
        payment_method_types: ['card'],
      } as unknown as Stripe.PaymentIntentCreateParams;
      const refused = await rejection(stripe.paymentIntents.create(old));
      expect(refused).toMatchObject({
        statusCode: 400,
        code: 'payment_method_types_no_longer_supported',
        param: 'payment_method_types',
      });
      expect(fake.requests[0].stripeVersion).toBe('2026-10-28.endive');

      const accepted = await stripe.paymentIntents.create(old, { apiVersion: '2025-09-30.clover' });
      expect(accepted).toMatchObject({ payment_method_types: ['card'], automatic_payment_methods: null });

      const allowed = await stripe.paymentIntents.create({ ...CARD, allowed_payment_method_types: ['card', 'klarna'] });
      expect(allowed).toMatchObject({
        allowed_payment_method_types: ['card', 'klarna'],
        payment_method_types: ['card'],
        automatic_payment_methods: null,
      });
      const both = await rejection(stripe.paymentIntents.create({ ...CARD, automatic_payment_methods: { enabled: true } }));
      expect(both).toMatchObject({ code: 'parameters_exclusive' });
    });

    it('lists intents newest first, with expand on data', async () => {
      const a = await stripe.paymentIntents.create({ ...CARD, payment_method: 'pm_card_visa', confirm: true });
      const b = await stripe.paymentIntents.create(CARD);
      const list = await stripe.paymentIntents.list({ limit: 2, expand: ['data.latest_charge'] });
      expect(list.data.map((pi) => pi.id)).toEqual([b.id, a.id]);
      expect((list.data[1].latest_charge as Stripe.Charge).amount_captured).toBe(15000);
      expect(list.data[0].latest_charge).toBeNull();
      const bad = await rejection(stripe.paymentIntents.retrieve(a.id, { expand: ['review'] }));
      expect(bad).toMatchObject({ statusCode: 400, message: 'This property cannot be expanded (review).' });
    });
  });

  describe('refunds', () => {
    it('partial, then the rest, then nothing left; too large is refused', async () => {
      const pi = await stripe.paymentIntents.create({ ...CARD, payment_method: 'pm_card_visa', confirm: true });

      const partial = await stripe.refunds.create({
        payment_intent: pi.id,
        amount: 5000,
        reason: 'requested_by_customer',
        metadata: { refundId: 'r1' },
      });
      expect(partial).toMatchObject({
        object: 'refund',
        amount: 5000,
        status: 'succeeded',
        payment_intent: pi.id,
        charge: pi.latest_charge,
        metadata: { refundId: 'r1' },
      });
      expect(partial.id).toMatch(/^re_/);

      const tooLarge = await rejection(stripe.refunds.create({ payment_intent: pi.id, amount: 20000 }));
      expect(tooLarge).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(tooLarge).toMatchObject({ statusCode: 400, param: 'amount' });
      expect(tooLarge.message).toBe('Refund amount (€200.00) is greater than unrefunded amount on charge (€100.00)');

      const rest = await stripe.refunds.create({ payment_intent: pi.id });
      expect(rest.amount).toBe(10000);
      const charge = await stripe.charges.retrieve(pi.latest_charge as string);
      expect(charge).toMatchObject({ amount_refunded: 15000, refunded: true });

      const none = await rejection(stripe.refunds.create({ charge: charge.id }));
      expect(none).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });

      expect((await stripe.refunds.retrieve(partial.id)).amount).toBe(5000);
      const list = await stripe.refunds.list({ payment_intent: pi.id });
      expect(list.object).toBe('list');
      expect(list.data.map((r) => r.id)).toEqual([rest.id, partial.id]);
      expect(fake.counters.created.refunds).toBe(2);

      const refunded = fake.events.filter((e) => e.type === 'charge.refunded');
      expect(refunded.map((e) => (e.data.object as { amount_refunded: number }).amount_refunded)).toEqual([5000, 15000]);
      expect(refunded[1].data.previous_attributes).toEqual({ amount_refunded: 5000, refunded: false });
    });

    it('refuses an intent that has not succeeded', async () => {
      const pi = await stripe.paymentIntents.create(CARD);
      const error = await rejection(stripe.refunds.create({ payment_intent: pi.id }));
      expect(error).toMatchObject({ statusCode: 400 });
      expect(error.message).toContain('does not have a successful charge to refund');
    });
  });

  describe('customers and saved cards', () => {
    it('attach (new pm id), list, default, detach', async () => {
      const customer = await stripe.customers.create({ email: 'ana@example.com', name: 'Ana', metadata: { userId: 'u1' } });
      expect(customer).toMatchObject({ object: 'customer', email: 'ana@example.com', name: 'Ana', metadata: { userId: 'u1' } });
      expect(customer.id).toMatch(/^cus_/);

      const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
      expect(visa.id).toMatch(/^pm_/);
      expect(visa.id).not.toBe('pm_card_visa');
      expect(visa).toMatchObject({ customer: customer.id, type: 'card', card: { brand: 'visa', last4: '4242', exp_month: 12 } });
      const mastercard = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });

      const listed = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
      expect(listed.data.map((pm) => pm.id)).toEqual([mastercard.id, visa.id]);
      const viaCustomer = await stripe.customers.listPaymentMethods(customer.id, { limit: 1 });
      expect(viaCustomer.data.map((pm) => pm.id)).toEqual([mastercard.id]);
      expect(viaCustomer.has_more).toBe(true);

      await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: visa.id } });
      const withDefault = await stripe.customers.retrieve(customer.id, { expand: ['invoice_settings.default_payment_method'] });
      expect(((withDefault as Stripe.Customer).invoice_settings.default_payment_method as Stripe.PaymentMethod).card?.last4).toBe(
        '4242',
      );

      const detached = await stripe.paymentMethods.detach(visa.id);
      expect(detached.customer).toBeNull();
      const after = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
      expect(after.invoice_settings.default_payment_method).toBeNull();
      expect((await stripe.paymentMethods.list({ customer: customer.id })).data.map((pm) => pm.id)).toEqual([mastercard.id]);

      // A detached card may not be used again, as on Stripe.
      const reuse = await rejection(stripe.paymentMethods.attach(visa.id, { customer: customer.id }));
      expect(reuse).toMatchObject({ statusCode: 400 });
      const notAttached = await rejection(
        stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: visa.id } }),
      );
      expect(notAttached).toMatchObject({ statusCode: 400, param: 'invoice_settings[default_payment_method]' });
    });

    it('a saved card pays for its customer only; setup_future_usage saves the card used', async () => {
      const ana = await stripe.customers.create({ email: 'ana@example.com' });
      const ben = await stripe.customers.create({ email: 'ben@example.com' });
      const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: ana.id });

      const foreign = await rejection(
        stripe.paymentIntents.create({ ...CARD, customer: ben.id, payment_method: card.id, confirm: true }),
      );
      expect(foreign).toMatchObject({ statusCode: 400, param: 'payment_method' });

      const saving = await stripe.paymentIntents.create({
        ...CARD,
        customer: ben.id,
        payment_method: 'pm_card_mastercard',
        setup_future_usage: 'off_session',
        confirm: true,
      });
      const saved = await stripe.paymentMethods.retrieve(saving.payment_method as string);
      expect(saved.customer).toBe(ben.id);
    });

    it('unknown ids are resource_missing: 404 in the path, 400 as a parameter', async () => {
      const missing = await rejection(stripe.customers.retrieve('cus_nope'));
      expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such customer: 'cus_nope'" });
      const missingPi = await rejection(stripe.paymentIntents.retrieve('pi_nope'));
      expect(missingPi).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'intent' });
      const asParam = await rejection(stripe.paymentIntents.create({ ...CARD, customer: 'cus_nope' }));
      expect(asParam).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    });
  });

  describe('idempotency', () => {
    it('the same key and parameters replay the stored response; different parameters are an idempotency_error', async () => {
      const first = await stripe.paymentIntents.create({ ...CARD, metadata: { paymentId: 'p1' } }, { idempotencyKey: 'pi:p1' });
      const second = await stripe.paymentIntents.create({ ...CARD, metadata: { paymentId: 'p1' } }, { idempotencyKey: 'pi:p1' });
      expect(second.id).toBe(first.id);
      expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
      expect(fake.counters.created.paymentIntents).toBe(1);
      expect(fake.counters.replayed).toBe(1);

      const conflict = await rejection(stripe.paymentIntents.create({ ...CARD, amount: 999 }, { idempotencyKey: 'pi:p1' }));
      expect(conflict).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
      expect(conflict).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
      expect(conflict.message).toContain("Try using a key other than 'pi:p1'");
      expect(fake.counters.created.paymentIntents).toBe(1);

      // Keys are per API key.
      const other = new Stripe('sk_test_other', { ...fake.sdkConfig, maxNetworkRetries: 0 });
      const third = await other.paymentIntents.create({ ...CARD, metadata: { paymentId: 'p1' } }, { idempotencyKey: 'pi:p1' });
      expect(third.id).not.toBe(first.id);
    });

    it('a request rejected by validation is not stored: the key can then be used', async () => {
      const bad = await rejection(
        stripe.paymentIntents.create({ amount: 100, currency: 'eur', bogus: 1 } as Stripe.PaymentIntentCreateParams, {
          idempotencyKey: 'k1',
        }),
      );
      expect(bad).toMatchObject({ statusCode: 400, code: 'parameter_unknown' });
      const good = await stripe.paymentIntents.create(CARD, { idempotencyKey: 'k1' });
      expect(good.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('validation and authentication', () => {
    it('rejects an unknown parameter', async () => {
      const error = await rejection(
        stripe.paymentIntents.create({ amount: 100, currency: 'eur', bogus: 1 } as Stripe.PaymentIntentCreateParams),
      );
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({
        statusCode: 400,
        rawType: 'invalid_request_error',
        code: 'parameter_unknown',
        param: 'bogus',
        message: 'Received unknown parameter: bogus',
      });
      const nested = await rejection(
        stripe.paymentIntents.create({
          ...CARD,
          automatic_payment_methods: { enabled: true, nope: 1 },
        } as unknown as Stripe.PaymentIntentCreateParams),
      );
      expect(nested).toMatchObject({ code: 'parameter_unknown', param: 'automatic_payment_methods[nope]' });
      expect(fake.counters.created.paymentIntents).toBe(0);
    });

    it('missing, malformed and out-of-range parameters', async () => {
      const missing = await rejection(stripe.paymentIntents.create({ currency: 'eur' } as Stripe.PaymentIntentCreateParams));
      expect(missing).toMatchObject({ code: 'parameter_missing', param: 'amount', message: 'Missing required param: amount.' });
      const notInteger = await rejection(
        stripe.paymentIntents.create({ amount: '12.5', currency: 'eur' } as unknown as Stripe.PaymentIntentCreateParams),
      );
      expect(notInteger).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount' });
      const zero = await rejection(stripe.paymentIntents.create({ amount: 0, currency: 'eur' }));
      expect(zero).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount' });
      const small = await rejection(stripe.paymentIntents.create({ amount: 10, currency: 'eur' }));
      expect(small).toMatchObject({ code: 'amount_too_small', param: 'amount', message: 'Amount must be at least €0.50 eur' });
      const currency = await rejection(stripe.paymentIntents.create({ amount: 1000, currency: 'euro' }));
      expect(currency).toMatchObject({ statusCode: 400, param: 'currency' });
      const empty = await rejection(
        stripe.paymentIntents.create({
          amount: 1000,
          currency: 'eur',
          capture_method: '',
        } as unknown as Stripe.PaymentIntentCreateParams),
      );
      expect(empty).toMatchObject({ code: 'parameter_invalid_empty', param: 'capture_method' });
      const badEnum = await rejection(
        stripe.paymentIntents.create({ ...CARD, capture_method: 'later' } as unknown as Stripe.PaymentIntentCreateParams),
      );
      expect(badEnum).toMatchObject({ param: 'capture_method' });
      const upper = await stripe.paymentIntents.create({ amount: 1000, currency: 'EUR' });
      expect(upper.currency).toBe('eur');
    });

    it('refuses a missing or malformed API key with 401', async () => {
      const wrong = new Stripe('not_a_key', { ...fake.sdkConfig, maxNetworkRetries: 0 });
      const error = await rejection(wrong.paymentIntents.create(CARD));
      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(error).toMatchObject({ statusCode: 401 });
      expect(error.message).toContain('Invalid API Key provided');
      expect(fake.counters.created.paymentIntents).toBe(0);
    });
  });

  describe('faults', () => {
    it('a 500 before the API, then the SDK retry (same auto key): one intent', async () => {
      const retrying = new Stripe('sk_test_fake', { ...fake.sdkConfig, maxNetworkRetries: 2 });
      const injection = fake.inject({ path: '/v1/payment_intents', method: 'POST', kind: 'status', status: 500 });

      const pi = await retrying.paymentIntents.create({ ...CARD, payment_method: 'pm_card_visa', confirm: true });
      expect(pi.status).toBe('succeeded');
      expect(injection.hits).toBe(1);
      expect(fake.requestCount('POST /v1/payment_intents')).toBe(2);
      expect(fake.counters.created.paymentIntents).toBe(1);
      const [failed, ok] = fake.requests;
      expect(failed).toMatchObject({ status: 500, fault: 'status' });
      expect(ok.status).toBe(200);
      expect(failed.idempotencyKey).toMatch(/^stripe-node-retry-/);
      expect(ok.idempotencyKey).toBe(failed.idempotencyKey);
    });

    it('a 503 after the effect: the SDK retry replays the stored result', async () => {
      const retrying = new Stripe('sk_test_fake', { ...fake.sdkConfig, maxNetworkRetries: 1 });
      fake.inject({ path: '/v1/refunds', kind: 'status', status: 503, afterEffect: true });
      const pi = await retrying.paymentIntents.create({ ...CARD, payment_method: 'pm_card_visa', confirm: true });

      const refund = await retrying.refunds.create({ payment_intent: pi.id, amount: 1000 });
      expect(refund.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(fake.counters.created.refunds).toBe(1);
    });

    it('a 429 rate limit is not retried by the SDK and creates nothing', async () => {
      const retrying = new Stripe('sk_test_fake', { ...fake.sdkConfig, maxNetworkRetries: 2 });
      fake.inject({ path: '/v1/payment_intents/:id/capture', kind: 'status', status: 429, times: 5 });
      const pi = await retrying.paymentIntents.create({
        ...CARD,
        capture_method: 'manual',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const error = await rejection(retrying.paymentIntents.capture(pi.id));
      expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect(error).toMatchObject({ statusCode: 429, code: 'rate_limit' });
      expect(fake.requestCount('POST /v1/payment_intents/:id/capture')).toBe(1);
      expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_capture');
    });

    it('a 429 lock_timeout carries Stripe-Should-Retry: true, so the SDK retries it', async () => {
      const retrying = new Stripe('sk_test_fake', { ...fake.sdkConfig, maxNetworkRetries: 1 });
      fake.inject({ path: '/v1/customers', kind: 'status', status: 429, code: 'lock_timeout' });
      const customer = await retrying.customers.create({ email: 'c@example.com' });
      expect(customer.email).toBe('c@example.com');
      expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
    });

    it('a timeout after the effect, then a retry with the same Idempotency-Key: one intent', async () => {
      const impatient = new Stripe('sk_test_fake', { ...fake.sdkConfig, maxNetworkRetries: 0, timeout: 300 });
      fake.inject({ path: '/v1/payment_intents', method: 'POST', kind: 'timeout', delayMs: 1500, afterEffect: true });

      const timedOut = await rejection(
        impatient.paymentIntents.create(
          { ...CARD, payment_method: 'pm_card_visa', confirm: true },
          { idempotencyKey: 'pi:pay-42' },
        ),
      );
      expect(timedOut).toBeInstanceOf(Stripe.errors.StripeConnectionError);
      expect(timedOut.message).toContain('timeout');
      // The client saw nothing, yet Stripe charged.
      expect(fake.counters.created.paymentIntents).toBe(1);
      const [created] = [...fake.state.paymentIntents.values()];
      expect(created.status).toBe('succeeded');

      const retried = await impatient.paymentIntents.create(
        { ...CARD, payment_method: 'pm_card_visa', confirm: true },
        { idempotencyKey: 'pi:pay-42' },
      );
      expect(retried.id).toBe(created.id);
      expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(fake.counters.created.paymentIntents).toBe(1);
      expect(fake.counters.created.charges).toBe(1);
    });

    it('a slow Stripe holds the key: a concurrent request with it gets 409 idempotency_key_in_use', async () => {
      fake.inject({ path: '/v1/customers', kind: 'timeout', delayMs: 300 });
      const slow = stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'cus:u1' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const concurrent = await rejection(stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'cus:u1' }));
      expect(concurrent).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use' });
      const customer = await slow;
      expect(customer.email).toBe('a@example.com');
      expect(fake.counters.created.customers).toBe(1);
    });

    it('a connection reset before the effect: the SDK retries it once even with retries off, and one customer exists', async () => {
      fake.inject({ path: '/v1/customers', kind: 'reset' });
      const customer = await stripe.customers.create({ email: 'b@example.com' });
      expect(customer.id).toMatch(/^cus_/);
      expect(fake.requests.map((r) => r.status)).toEqual([null, 200]);
      expect(fake.counters.created.customers).toBe(1);
    });
  });

  describe('webhooks', () => {
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    beforeAll(async () => {
      receiver = await startReceiver();
    });
    afterAll(async () => receiver.close());
    beforeEach(() => {
      receiver.received.length = 0;
      fake.setWebhookTarget(receiver.url, SECRET);
    });

    it('delivers signed events that stripe.webhooks.constructEvent verifies, in the order the test chooses', async () => {
      const pi = await stripe.paymentIntents.create({
        ...CARD,
        capture_method: 'manual',
        payment_method: 'pm_card_visa',
        confirm: true,
        metadata: { paymentId: 'p9' },
      });
      await stripe.paymentIntents.capture(pi.id);
      await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
      expect(receiver.received).toHaveLength(0); // nothing until the test says so
      expect(fake.pendingEvents().map((e) => e.type)).toEqual([
        'payment_intent.amount_capturable_updated',
        'payment_intent.succeeded',
        'charge.refunded',
      ]);

      // Out of order, and the refund twice.
      const [capturable, succeeded, refunded] = fake.events;
      await fake.deliver(refunded.id);
      await fake.deliver(succeeded.id);
      await fake.deliver(refunded.id);
      const rest = await fake.deliverAll();
      expect(rest.map((d) => d.eventId)).toEqual([capturable.id]);
      expect(fake.pendingEvents()).toHaveLength(0);

      const verified = receiver.received.map((r) =>
        stripe.webhooks.constructEvent(r.body, r.headers['stripe-signature'] as string, SECRET),
      );
      expect(verified.map((e) => e.type)).toEqual([
        'charge.refunded',
        'payment_intent.succeeded',
        'charge.refunded',
        'payment_intent.amount_capturable_updated',
      ]);
      expect(verified[0].id).toBe(verified[2].id);
      const intent = verified[1].data.object as Stripe.PaymentIntent;
      expect(intent).toMatchObject({ id: pi.id, status: 'succeeded', metadata: { paymentId: 'p9' } });
      expect(verified[1].request?.idempotency_key).toMatch(/^stripe-node-retry-/);
      expect(receiver.received[0].headers['user-agent']).toContain('Stripe/1.0');
      expect(fake.deliveries.every((d) => d.status === 200)).toBe(true);
    });

    it('a wrong secret, a tampered body or a stale timestamp do not verify', async () => {
      const pi = await stripe.paymentIntents.create({ ...CARD, payment_method: 'pm_card_visa', confirm: true });
      const event = fake.events[0];
      expect(event.data.object).toMatchObject({ id: pi.id });

      await fake.deliver(event.id, { secret: 'whsec_wrong' });
      await fake.deliver(event.id, { payload: JSON.stringify({ ...event, type: 'payment_intent.canceled' }) });
      await fake.deliver(event.id, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
      for (const r of receiver.received) {
        expect(() => stripe.webhooks.constructEvent(r.body, r.headers['stripe-signature'] as string, SECRET)).toThrow(
          Stripe.errors.StripeSignatureVerificationError,
        );
      }
      expect(receiver.received).toHaveLength(3);
    });

    it('buildEvent + signPayload sign exactly as generateTestHeaderString does', async () => {
      const event = fake.buildEvent('payment_intent.succeeded', {
        id: 'pi_handmade',
        object: 'payment_intent',
        status: 'succeeded',
      });
      const payload = JSON.stringify(event);
      const timestamp = Math.floor(Date.now() / 1000);
      expect(fake.signPayload(payload, SECRET, timestamp)).toBe(
        stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp }),
      );

      await fake.deliver(event);
      const [received] = receiver.received;
      expect(stripe.webhooks.constructEvent(received.body, received.headers['stripe-signature'] as string, SECRET).id).toBe(
        event.id,
      );
      expect(fake.events).toHaveLength(0); // hand-made events are not stored
    });

    it('autoDeliver posts each event as it happens; a failing endpoint leaves it pending', async () => {
      let status = 500;
      const flaky = await startReceiver(() => status);
      const auto = await startFakeStripe({ autoDeliver: true, webhookUrl: flaky.url, webhookSecret: SECRET });
      try {
        const client = new Stripe('sk_test_fake', { ...auto.sdkConfig, maxNetworkRetries: 0 });
        await client.paymentIntents.create({ ...CARD, payment_method: 'pm_card_visa', confirm: true });
        // Delivery is asynchronous: wait for it (up to a second).
        for (let i = 0; i < 100 && auto.deliveries.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        expect(auto.deliveries.map((d) => d.status)).toEqual([500]);
        expect(auto.pendingEvents()).toHaveLength(1);

        status = 200;
        const retried = await auto.deliverAll();
        expect(retried.map((d) => d.status)).toEqual([200]);
        expect(flaky.received.map((r) => JSON.parse(r.body).id)).toEqual([auto.events[0].id, auto.events[0].id]);
      } finally {
        await auto.stop();
        await flaky.close();
      }
    });
  });
});
