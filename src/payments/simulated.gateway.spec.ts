import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import Stripe from 'stripe';
import { createAppConfig } from '../config/app-config';
import { validateEnv } from '../config/env.schema';
import { intentFromStripeObject } from './intent-mapper';
import { PaymentEventRelay } from './payment-event-relay';
import { PaymentGatewayError, WebhookSignatureError, type CreateIntentInput, type ProviderEvent } from './payment-gateway';
import { PaymentsConfig } from './payments.config';
import { SimulatedGateway, type SimulatedGatewayOptions } from './simulated.gateway';

const SECRET = 'whsec_simulated_gateway_test_secret';
const config = new PaymentsConfig(
  createAppConfig(validateEnv({ NODE_ENV: 'test', STRIPE_WEBHOOK_SECRET: SECRET }), 'postgres://unused', false),
);

/** A gateway whose events go to a handler that verifies each one, as the webhook endpoint does. */
function simulated(options: SimulatedGatewayOptions = { retryDelaysMs: [5, 5, 5] }) {
  const relay = new PaymentEventRelay();
  const gateway = new SimulatedGateway(config, relay, options);
  const events: ProviderEvent[] = [];
  const deliveries: { raw: Buffer; header: string }[] = [];
  relay.register(async (raw, header) => {
    deliveries.push({ raw, header });
    events.push(gateway.verifyEvent(raw, header));
  });
  const types = () => events.map((e) => e.type);
  return { gateway, relay, events, deliveries, types };
}

let paymentCounter = 0;
const intentInput = (overrides: Partial<CreateIntentInput> = {}): CreateIntentInput => ({
  paymentId: `pay-${++paymentCounter}`,
  amount: 5000,
  currency: 'eur',
  captureMethod: 'automatic',
  metadata: { paymentId: `pay-${paymentCounter}`, reservationId: 'res-1' },
  ...overrides,
});

/** The rejection of `promise`, which must be a PaymentGatewayError. */
async function gatewayError(promise: Promise<unknown>): Promise<PaymentGatewayError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PaymentGatewayError);
  return error as PaymentGatewayError;
}

const SUCCEEDS = [
  'pm_card_visa',
  '4242424242424242',
  '4242 4242 4242 4242',
  'pm_card_mastercard',
  '5555555555554444',
  'pm_card_amex',
];
const DECLINES: [string, string, string][] = [
  ['pm_card_chargeDeclined', 'generic_decline', 'Your card was declined.'],
  ['4000000000000002', 'generic_decline', 'Your card was declined.'],
  ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds', 'Your card has insufficient funds.'],
  ['4000000000009995', 'insufficient_funds', 'Your card has insufficient funds.'],
  ['4000-0000-0000-9995', 'insufficient_funds', 'Your card has insufficient funds.'],
];
const NEEDS_3DS = [
  'pm_card_threeDSecure2Required',
  'pm_card_authenticationRequiredOnSetup',
  '4000002500003155',
  '4000000000003220',
];

describe('SimulatedGateway (the simulated provider, in process)', () => {
  beforeAll(() => Logger.overrideLogger(false)); // failed deliveries are logged on purpose below

  describe('test cards and test PaymentMethod ids', () => {
    it.each(SUCCEEDS)('%s succeeds, with a charge for the whole amount', async (card) => {
      const { gateway } = simulated();
      const created = await gateway.createIntent(intentInput());
      expect(created).toMatchObject({ status: 'requires_payment_method', amountReceived: 0, latestChargeId: null });
      expect(created.id).toMatch(/^pi_sim_[A-Za-z0-9]{24}$/);
      expect(created.clientSecret).toMatch(new RegExp(`^${created.id}_secret_[A-Za-z0-9]+$`));

      const paid = await gateway.confirmIntent(created.id, card, `confirm:${created.id}`);
      expect(paid).toMatchObject({
        id: created.id,
        status: 'succeeded',
        amountReceived: 5000,
        amountCapturable: 0,
        lastError: null,
      });
      expect(paid.paymentMethodId).toMatch(/^pm_sim_/);
      expect(paid.latestChargeId).toMatch(/^ch_sim_/);
      expect(gateway.chargeObject(paid.latestChargeId!)).toMatchObject({
        amount: 5000,
        amount_captured: 5000,
        captured: true,
        paid: true,
        status: 'succeeded',
        payment_intent: created.id,
      });
      expect(await gateway.retrieveIntent(created.id)).toEqual(paid);
    });

    it.each(DECLINES)(
      '%s is declined (%s) like Stripe’s 402, leaving the intent payable again',
      async (card, declineCode, message) => {
        const { gateway } = simulated();
        const created = await gateway.createIntent(intentInput());
        const error = await gatewayError(gateway.confirmIntent(created.id, card, `confirm:${created.id}`));
        expect(error).toMatchObject({ kind: 'card_declined', providerCode: 'card_declined', declineCode, message });
        expect(error.intent).toMatchObject({
          id: created.id,
          status: 'requires_payment_method',
          paymentMethodId: null,
          lastError: { code: 'card_declined', declineCode, message },
        });
        const failedCharge = gateway.chargeObject(error.intent!.latestChargeId!);
        expect(failedCharge).toMatchObject({ status: 'failed', paid: false, amount_captured: 0, failure_code: 'card_declined' });
        expect(await gateway.retrieveIntent(created.id)).toEqual(error.intent);

        // A new attempt on the same intent with a good card works.
        const retried = await gateway.confirmIntent(created.id, 'pm_card_visa', `confirm:${created.id}:2`);
        expect(retried).toMatchObject({ status: 'succeeded', lastError: null, amountReceived: 5000 });
      },
    );

    it.each(NEEDS_3DS)('%s needs 3-D Secure: requires_action with use_stripe_sdk', async (card) => {
      const { gateway } = simulated();
      const created = await gateway.createIntent(intentInput());
      const intent = await gateway.confirmAsClient(created.id, card);
      expect(intent).toMatchObject({
        status: 'requires_action',
        nextActionType: 'use_stripe_sdk',
        amountReceived: 0,
        latestChargeId: null,
      });
      expect(intent.paymentMethodId).toMatch(/^pm_sim_/);
    });

    it('a valid number that is not a test card is declined as Stripe test mode does; a mistyped one is refused', async () => {
      const { gateway } = simulated();
      const a = await gateway.createIntent(intentInput());
      const live = await gatewayError(gateway.confirmAsClient(a.id, '4111111111111111'));
      expect(live).toMatchObject({ kind: 'card_declined', declineCode: 'test_mode_live_card' });

      const b = await gateway.createIntent(intentInput());
      const typo = await gatewayError(gateway.confirmAsClient(b.id, '4242424242424241'));
      expect(typo).toMatchObject({ kind: 'invalid_request', providerCode: 'incorrect_number' });
      const unknown = await gatewayError(gateway.confirmAsClient(b.id, 'pm_card_doesNotExist'));
      expect(unknown).toMatchObject({ kind: 'invalid_request', providerCode: 'resource_missing' });
      expect(await gateway.retrieveIntent(b.id)).toMatchObject({ status: 'requires_payment_method', lastError: null });
    });

    it('a processing error on the card is reported as a processing failure, not a decline', async () => {
      const { gateway } = simulated();
      const created = await gateway.createIntent(intentInput());
      const error = await gatewayError(gateway.confirmAsClient(created.id, 'pm_card_chargeDeclinedProcessingError'));
      expect(error).toMatchObject({ kind: 'processing', providerCode: 'processing_error' });
      expect(error.intent?.status).toBe('requires_payment_method');
    });

    it('createIntent with a PaymentMethod confirms at once (a saved card, server-side), decline included', async () => {
      const { gateway } = simulated();
      expect(await gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_visa' }))).toMatchObject({ status: 'succeeded' });
      const declined = await gatewayError(
        gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds' })),
      );
      expect(declined).toMatchObject({ kind: 'card_declined', declineCode: 'insufficient_funds' });
      expect(declined.intent).toMatchObject({
        status: 'requires_payment_method',
        lastError: { declineCode: 'insufficient_funds' },
      });
      expect(await gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_threeDSecure2Required' }))).toMatchObject({
        status: 'requires_action',
        nextActionType: 'use_stripe_sdk',
      });
    });

    it('refuses amounts Stripe refuses, and intents it never created', async () => {
      const { gateway } = simulated();
      expect(await gatewayError(gateway.createIntent(intentInput({ amount: 20 })))).toMatchObject({
        providerCode: 'amount_too_small',
      });
      expect(await gatewayError(gateway.createIntent(intentInput({ amount: 10.5 })))).toMatchObject({ kind: 'invalid_request' });
      expect(await gatewayError(gateway.retrieveIntent('pi_sim_nope'))).toMatchObject({
        kind: 'invalid_request',
        providerCode: 'resource_missing',
      });
    });
  });

  describe('3-D Secure', () => {
    it('success completes the payment: requires_action, then succeeded', async () => {
      const { gateway, types } = simulated();
      const created = await gateway.createIntent(intentInput());
      await gateway.confirmAsClient(created.id, '4000002500003155');
      const done = await gateway.authenticate(created.id, 'success');
      expect(done).toMatchObject({ status: 'succeeded', nextActionType: null, amountReceived: 5000 });
      expect(done.latestChargeId).toMatch(/^ch_sim_/);
      await gateway.flushEvents();
      expect(types()).toEqual(['payment_intent.requires_action', 'payment_intent.succeeded']);
    });

    it('failure sends the intent back to requires_payment_method (payment_intent_authentication_failure); it can be paid again', async () => {
      const { gateway, types } = simulated();
      const created = await gateway.createIntent(intentInput());
      await gateway.confirmAsClient(created.id, 'pm_card_threeDSecure2Required');
      const error = await gatewayError(gateway.authenticate(created.id, 'failure'));
      expect(error).toMatchObject({ kind: 'card_declined', providerCode: 'payment_intent_authentication_failure' });
      expect(error.intent).toMatchObject({
        status: 'requires_payment_method',
        nextActionType: null,
        lastError: { code: 'payment_intent_authentication_failure', declineCode: null },
      });
      // Nothing to authenticate any more.
      expect(await gatewayError(gateway.authenticate(created.id, 'success'))).toMatchObject({
        providerCode: 'payment_intent_unexpected_state',
      });
      expect(await gateway.confirmAsClient(created.id, 'pm_card_visa')).toMatchObject({ status: 'succeeded', lastError: null });
      await gateway.flushEvents();
      expect(types()).toEqual(['payment_intent.requires_action', 'payment_intent.payment_failed', 'payment_intent.succeeded']);
    });

    it('with manual capture, a successful authentication authorises (requires_capture)', async () => {
      const { gateway } = simulated();
      const created = await gateway.createIntent(intentInput({ captureMethod: 'manual' }));
      await gateway.confirmAsClient(created.id, 'pm_card_threeDSecure2Required');
      expect(await gateway.authenticate(created.id, 'success')).toMatchObject({
        status: 'requires_capture',
        amountCapturable: 5000,
      });
    });
  });

  describe('manual capture (rentals)', () => {
    it('authorises, then captures part of it; the rest is released', async () => {
      const { gateway, types, events } = simulated();
      const created = await gateway.createIntent(intentInput({ captureMethod: 'manual', amount: 8000 }));
      const authorised = await gateway.confirmIntent(created.id, 'pm_card_visa', 'confirm:1');
      expect(authorised).toMatchObject({
        status: 'requires_capture',
        captureMethod: 'manual',
        amountCapturable: 8000,
        amountReceived: 0,
      });
      expect(gateway.chargeObject(authorised.latestChargeId!)).toMatchObject({ captured: false, amount_captured: 0, paid: true });

      await expect(gateway.captureIntent(created.id, 9000, 'capture:too-much')).rejects.toMatchObject({
        providerCode: 'amount_too_large',
      });
      const captured = await gateway.captureIntent(created.id, 6000, 'capture:1');
      expect(captured).toMatchObject({ status: 'succeeded', amountReceived: 6000, amountCapturable: 0 });
      expect(gateway.chargeObject(captured.latestChargeId!)).toMatchObject({ captured: true, amount_captured: 6000 });
      // Captured once is captured for good.
      await expect(gateway.captureIntent(created.id, undefined, 'capture:2')).rejects.toMatchObject({
        providerCode: 'payment_intent_unexpected_state',
      });
      await gateway.flushEvents();
      expect(types()).toEqual(['payment_intent.amount_capturable_updated', 'payment_intent.succeeded']);
      expect(intentFromStripeObject(events[1].object)).toMatchObject({ status: 'succeeded', amountReceived: 6000 });
    });

    it('without an amount, captures everything that was authorised', async () => {
      const { gateway } = simulated();
      const created = await gateway.createIntent(intentInput({ captureMethod: 'manual', paymentMethodId: 'pm_card_mastercard' }));
      expect(await gateway.captureIntent(created.id, undefined, 'capture:all')).toMatchObject({
        status: 'succeeded',
        amountReceived: 5000,
      });
    });

    it('an automatic-capture intent cannot be captured', async () => {
      const { gateway } = simulated();
      const paid = await gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_visa' }));
      await expect(gateway.captureIntent(paid.id, undefined, 'capture:x')).rejects.toMatchObject({
        kind: 'invalid_request',
        providerCode: 'payment_intent_unexpected_state',
      });
    });
  });

  describe('cancel', () => {
    it('cancels an open intent, which then cannot be paid', async () => {
      const { gateway, types } = simulated();
      const created = await gateway.createIntent(intentInput());
      expect(await gateway.cancelIntent(created.id, 'cancel:1')).toMatchObject({ status: 'canceled' });
      const refused = await gatewayError(gateway.confirmAsClient(created.id, 'pm_card_visa'));
      expect(refused).toMatchObject({ kind: 'invalid_request', providerCode: 'payment_intent_unexpected_state' });
      expect(refused.intent?.status).toBe('canceled');
      await gateway.flushEvents();
      expect(types()).toEqual(['payment_intent.canceled']);
    });

    it('cancels an intent waiting for 3-D Secure', async () => {
      const { gateway } = simulated();
      const created = await gateway.createIntent(intentInput({ paymentMethodId: '4000002500003155' }));
      expect(await gateway.cancelIntent(created.id, 'cancel:3ds')).toMatchObject({ status: 'canceled', nextActionType: null });
    });

    it('releases an authorisation: the uncaptured charge shows as refunded', async () => {
      const { gateway } = simulated();
      const authorised = await gateway.createIntent(intentInput({ captureMethod: 'manual', paymentMethodId: 'pm_card_visa' }));
      const canceled = await gateway.cancelIntent(authorised.id, 'cancel:auth');
      expect(canceled).toMatchObject({ status: 'canceled', amountCapturable: 0, amountReceived: 0 });
      expect(gateway.chargeObject(authorised.latestChargeId!)).toMatchObject({
        captured: false,
        refunded: true,
        amount_refunded: 5000,
      });
    });

    it('refuses to cancel a payment that succeeded (refund it instead)', async () => {
      const { gateway } = simulated();
      const paid = await gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_visa' }));
      const error = await gatewayError(gateway.cancelIntent(paid.id, 'cancel:paid'));
      expect(error).toMatchObject({ kind: 'invalid_request', providerCode: 'payment_intent_unexpected_state' });
      expect(error.intent?.status).toBe('succeeded');
    });
  });

  describe('refunds', () => {
    it('partial refunds reduce what is left to refund; more than that is refused', async () => {
      const { gateway, events } = simulated();
      const paid = await gateway.createIntent(intentInput({ amount: 5000, paymentMethodId: 'pm_card_visa' }));

      const first = await gateway.createRefund({ refundId: 'r1', intentId: paid.id, amount: 2000, reason: 'HOLD_EXPIRED' });
      expect(first).toEqual({ id: expect.stringMatching(/^re_sim_/), intentId: paid.id, amount: 2000, status: 'succeeded' });
      const tooMuch = await gatewayError(gateway.createRefund({ refundId: 'r2', intentId: paid.id, amount: 3001 }));
      expect(tooMuch).toMatchObject({ kind: 'invalid_request', providerCode: 'amount_too_large' });
      const rest = await gateway.createRefund({ refundId: 'r3', intentId: paid.id, amount: 3000 });
      expect(rest.amount).toBe(3000);
      const nothingLeft = await gatewayError(gateway.createRefund({ refundId: 'r4', intentId: paid.id, amount: 1 }));
      expect(nothingLeft).toMatchObject({ kind: 'invalid_request', providerCode: 'charge_already_refunded' });

      expect(gateway.chargeObject(paid.latestChargeId!)).toMatchObject({
        amount_captured: 5000,
        amount_refunded: 5000,
        refunded: true,
      });
      await gateway.flushEvents();
      const refunds = events.filter((e) => e.type === 'charge.refunded');
      expect(refunds.map((e) => e.object)).toEqual([
        expect.objectContaining({
          object: 'charge',
          id: paid.latestChargeId,
          payment_intent: paid.id,
          amount_refunded: 2000,
          refunded: false,
          refunds: expect.objectContaining({
            data: [expect.objectContaining({ id: first.id, amount: 2000, status: 'succeeded' })],
          }),
        }),
        expect.objectContaining({
          amount_refunded: 5000,
          refunded: true,
          refunds: expect.objectContaining({
            data: [
              expect.objectContaining({ id: rest.id, amount: 3000, metadata: { refundId: 'r3' } }),
              expect.objectContaining({ id: first.id, amount: 2000, metadata: { refundId: 'r1', reason: 'HOLD_EXPIRED' } }),
            ],
          }),
        }),
      ]);
    });

    it('a partly captured authorisation refunds at most what was captured', async () => {
      const { gateway } = simulated();
      const created = await gateway.createIntent(
        intentInput({ captureMethod: 'manual', amount: 8000, paymentMethodId: 'pm_card_visa' }),
      );
      await gateway.captureIntent(created.id, 3000, 'capture:part');
      await expect(gateway.createRefund({ refundId: 'big', intentId: created.id, amount: 3001 })).rejects.toMatchObject({
        providerCode: 'amount_too_large',
      });
      expect(await gateway.createRefund({ refundId: 'ok', intentId: created.id, amount: 3000 })).toMatchObject({ amount: 3000 });
    });

    it('refuses to refund what was never paid', async () => {
      const { gateway } = simulated();
      const open = await gateway.createIntent(intentInput());
      await expect(gateway.createRefund({ refundId: 'x', intentId: open.id, amount: 100 })).rejects.toMatchObject({
        kind: 'invalid_request',
        providerCode: 'payment_intent_unexpected_state',
      });
      const authorised = await gateway.createIntent(intentInput({ captureMethod: 'manual', paymentMethodId: 'pm_card_visa' }));
      await expect(gateway.createRefund({ refundId: 'y', intentId: authorised.id, amount: 100 })).rejects.toMatchObject({
        kind: 'invalid_request',
      });
    });
  });

  describe('idempotency keys', () => {
    it('the same paymentId (key pi:{paymentId}) gives the same intent; other parameters with it are refused', async () => {
      const { gateway } = simulated();
      const input = intentInput();
      const first = await gateway.createIntent(input);
      const again = await gateway.createIntent({ ...input });
      expect(again).toEqual(first);
      expect(again.clientSecret).toBe(first.clientSecret);
      const other = await gatewayError(gateway.createIntent({ ...input, amount: 6000 }));
      expect(other).toMatchObject({ kind: 'invalid_request', providerCode: 'idempotency_error' });
      expect((await gateway.createIntent(intentInput())).id).not.toBe(first.id);
    });

    it('replays the first answer, as it was, without running again', async () => {
      const { gateway, types } = simulated();
      const input = intentInput();
      const created = await gateway.createIntent(input);
      const paid = await gateway.confirmIntent(created.id, 'pm_card_visa', 'confirm:k');
      expect(await gateway.confirmIntent(created.id, 'pm_card_visa', 'confirm:k')).toEqual(paid);
      // Stripe returns the saved response: the creation's answer still says requires_payment_method.
      expect(await gateway.createIntent(input)).toEqual(created);
      await gateway.flushEvents();
      expect(types()).toEqual(['payment_intent.succeeded']);
      // A new key is a new request, which the state machine refuses.
      await expect(gateway.confirmIntent(created.id, 'pm_card_visa', 'confirm:k2')).rejects.toMatchObject({
        providerCode: 'payment_intent_unexpected_state',
      });
      // The same key for a different PaymentMethod is a different request.
      await expect(gateway.confirmIntent(created.id, 'pm_card_mastercard', 'confirm:k')).rejects.toMatchObject({
        providerCode: 'idempotency_error',
      });
    });

    it('replays a decline for the same key (a retry after a decline needs a new key)', async () => {
      const { gateway, types } = simulated();
      const created = await gateway.createIntent(intentInput());
      const first = await gatewayError(gateway.confirmIntent(created.id, 'pm_card_chargeDeclined', 'confirm:d'));
      const replay = await gatewayError(gateway.confirmIntent(created.id, 'pm_card_chargeDeclined', 'confirm:d'));
      expect(replay).toBe(first);
      expect(await gateway.confirmIntent(created.id, 'pm_card_visa', 'confirm:d2')).toMatchObject({ status: 'succeeded' });
      await gateway.flushEvents();
      expect(types()).toEqual(['payment_intent.payment_failed', 'payment_intent.succeeded']);
    });

    it('a refund retried with its refundId is one refund', async () => {
      const { gateway, types } = simulated();
      const paid = await gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_visa' }));
      const a = await gateway.createRefund({ refundId: 'same', intentId: paid.id, amount: 1000 });
      const b = await gateway.createRefund({ refundId: 'same', intentId: paid.id, amount: 1000 });
      expect(b).toEqual(a);
      expect(gateway.chargeObject(paid.latestChargeId!)).toMatchObject({ amount_refunded: 1000 });
      await expect(gateway.createRefund({ refundId: 'same', intentId: paid.id, amount: 2000 })).rejects.toMatchObject({
        providerCode: 'idempotency_error',
      });
      await gateway.flushEvents();
      expect(types()).toEqual(['payment_intent.succeeded', 'charge.refunded']);
    });

    it('cancel and capture keys replay too', async () => {
      const { gateway } = simulated();
      const created = await gateway.createIntent(intentInput({ captureMethod: 'manual', paymentMethodId: 'pm_card_visa' }));
      const captured = await gateway.captureIntent(created.id, 1000, 'capture:c');
      expect(await gateway.captureIntent(created.id, 1000, 'capture:c')).toEqual(captured);
      const open = await gateway.createIntent(intentInput());
      const canceled = await gateway.cancelIntent(open.id, 'cancel:c');
      expect(await gateway.cancelIntent(open.id, 'cancel:c')).toEqual(canceled);
    });
  });

  describe('customers and saved cards', () => {
    it('attaching a test id or a card number makes a new pm_sim_ card of the customer', async () => {
      const { gateway } = simulated();
      const { id: customer } = await gateway.createCustomer({ userId: 'alice', email: 'alice@example.com' });
      expect(customer).toMatch(/^cus_sim_/);
      const year = new Date().getUTCFullYear();
      const cases: [string, string, string][] = [
        ['pm_card_visa', 'visa', '4242'],
        ['pm_card_mastercard', 'mastercard', '4444'],
        ['pm_card_chargeDeclined', 'visa', '0002'],
        ['pm_card_chargeDeclinedInsufficientFunds', 'visa', '9995'],
        ['pm_card_authenticationRequiredOnSetup', 'visa', '3155'],
        ['4242424242424242', 'visa', '4242'],
        ['4000000000000002', 'visa', '0002'],
        ['4000000000009995', 'visa', '9995'],
        ['4000002500003155', 'visa', '3155'],
      ];
      const ids = new Set<string>();
      for (const [ref, brand, last4] of cases) {
        const card = await gateway.attachPaymentMethod(ref, customer);
        expect({ ref, ...card }).toEqual({
          ref,
          id: expect.stringMatching(/^pm_sim_/),
          brand,
          last4,
          expMonth: 12,
          expYear: year + 4,
        });
        ids.add(card.id);
      }
      expect(ids.size).toBe(cases.length);
      await expect(gateway.attachPaymentMethod('pm_card_nope', customer)).rejects.toMatchObject({
        providerCode: 'resource_missing',
      });
      await expect(gateway.attachPaymentMethod('pm_card_visa', 'cus_sim_nope')).rejects.toMatchObject({
        providerCode: 'resource_missing',
      });
    });

    it('a saved card pays for its customer only, and behaves as its test card does', async () => {
      const { gateway } = simulated();
      const alice = (await gateway.createCustomer({ userId: 'alice' })).id;
      const bob = (await gateway.createCustomer({ userId: 'bob' })).id;
      const visa = await gateway.attachPaymentMethod('pm_card_visa', alice);
      const declining = await gateway.attachPaymentMethod('4000000000000002', alice);
      const threeDs = await gateway.attachPaymentMethod('4000002500003155', alice);

      expect(await gateway.createIntent(intentInput({ customerId: alice, paymentMethodId: visa.id }))).toMatchObject({
        status: 'succeeded',
        paymentMethodId: visa.id,
      });
      // Saved, so it can pay again.
      expect(await gateway.createIntent(intentInput({ customerId: alice, paymentMethodId: visa.id }))).toMatchObject({
        status: 'succeeded',
      });
      await expect(gateway.createIntent(intentInput({ customerId: alice, paymentMethodId: declining.id }))).rejects.toMatchObject(
        {
          kind: 'card_declined',
          declineCode: 'generic_decline',
        },
      );
      expect(await gateway.createIntent(intentInput({ customerId: alice, paymentMethodId: threeDs.id }))).toMatchObject({
        status: 'requires_action',
      });
      await expect(gateway.createIntent(intentInput({ customerId: bob, paymentMethodId: visa.id }))).rejects.toMatchObject({
        kind: 'invalid_request',
      });
      await expect(gateway.createIntent(intentInput({ paymentMethodId: visa.id }))).rejects.toMatchObject({
        kind: 'invalid_request',
      });
      await expect(gateway.attachPaymentMethod(visa.id, bob)).rejects.toMatchObject({ kind: 'invalid_request' });
      // Attaching it again to its own customer changes nothing.
      expect(await gateway.attachPaymentMethod(visa.id, alice)).toEqual(visa);
    });

    it('default card, detach, and no reuse of a detached card', async () => {
      const { gateway } = simulated();
      const alice = (await gateway.createCustomer({ userId: 'alice' })).id;
      const bob = (await gateway.createCustomer({ userId: 'bob' })).id;
      const card = await gateway.attachPaymentMethod('pm_card_visa', alice);
      await gateway.setDefaultPaymentMethod(alice, card.id);
      await gateway.setDefaultPaymentMethod(alice, null);
      await expect(gateway.setDefaultPaymentMethod(bob, card.id)).rejects.toMatchObject({ kind: 'invalid_request' });
      await expect(gateway.setDefaultPaymentMethod(alice, 'pm_sim_nope')).rejects.toMatchObject({
        providerCode: 'resource_missing',
      });

      await gateway.detachPaymentMethod(card.id);
      await expect(gateway.detachPaymentMethod(card.id)).rejects.toMatchObject({ kind: 'invalid_request' });
      await expect(gateway.setDefaultPaymentMethod(alice, card.id)).rejects.toMatchObject({ kind: 'invalid_request' });
      await expect(gateway.attachPaymentMethod(card.id, alice)).rejects.toMatchObject({ kind: 'invalid_request' });
      await expect(gateway.createIntent(intentInput({ customerId: alice, paymentMethodId: card.id }))).rejects.toMatchObject({
        kind: 'invalid_request',
      });
      await expect(gateway.detachPaymentMethod('pm_sim_nope')).rejects.toMatchObject({ providerCode: 'resource_missing' });
    });

    it('setupFutureUsage keeps the card for the customer; without it a customer-less card is spent', async () => {
      const { gateway } = simulated();
      const alice = (await gateway.createCustomer({ userId: 'alice' })).id;
      const kept = await gateway.createIntent(intentInput({ customerId: alice, setupFutureUsage: true }));
      const paid = await gateway.confirmAsClient(kept.id, 'pm_card_visa');
      await gateway.setDefaultPaymentMethod(alice, paid.paymentMethodId); // only an attached card can be the default
      expect(
        await gateway.createIntent(intentInput({ customerId: alice, paymentMethodId: paid.paymentMethodId! })),
      ).toMatchObject({
        status: 'succeeded',
      });

      const once = await gateway.createIntent(intentInput());
      const spent = (await gateway.confirmAsClient(once.id, 'pm_card_visa')).paymentMethodId!;
      await expect(gateway.createIntent(intentInput({ paymentMethodId: spent }))).rejects.toMatchObject({
        kind: 'invalid_request',
      });
    });
  });

  describe('webhook events', () => {
    it('are delivered after the call returns, signed as Stripe signs them, with a Stripe-shaped PaymentIntent', async () => {
      const { gateway, events, deliveries } = simulated();
      const created = await gateway.createIntent(intentInput());
      const paid = await gateway.confirmIntent(created.id, 'pm_card_visa', 'confirm:e');
      expect(events).toEqual([]); // the API answer comes first
      await gateway.flushEvents();

      expect(deliveries).toHaveLength(1);
      const { raw, header } = deliveries[0];
      const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
      expect(match).not.toBeNull();
      const timestamp = Number(match![1]);
      expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
      expect(header).toBe(Stripe.webhooks.generateTestHeaderString({ payload: raw.toString('utf8'), secret: SECRET, timestamp }));

      const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      expect(body).toMatchObject({
        id: expect.stringMatching(/^evt_sim_/),
        object: 'event',
        type: 'payment_intent.succeeded',
        livemode: false,
        api_version: Stripe.API_VERSION,
        created: expect.any(Number),
        data: {
          object: expect.objectContaining({
            object: 'payment_intent',
            id: created.id,
            status: 'succeeded',
            amount_received: 5000,
          }),
        },
      });
      expect(events[0]).toMatchObject({ id: body.id, type: 'payment_intent.succeeded', created: body.created });
      // What the webhook reads of it is what the API answered.
      expect(intentFromStripeObject(events[0].object)).toEqual(paid);
    });

    it('verifyEvent rejects a tampered body, another secret, a stale timestamp and a missing header', async () => {
      const { gateway, deliveries } = simulated();
      await gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_visa' }));
      await gateway.flushEvents();
      const { raw, header } = deliveries[0];
      expect(gateway.verifyEvent(raw, header).type).toBe('payment_intent.succeeded');

      const tampered = Buffer.from(raw.toString('utf8').replace('"amount": 5000', '"amount": 1'));
      expect(tampered.equals(raw)).toBe(false);
      expect(() => gateway.verifyEvent(tampered, header)).toThrow(WebhookSignatureError);
      const otherSecret = Stripe.webhooks.generateTestHeaderString({
        payload: raw.toString('utf8'),
        secret: 'whsec_someone_else',
      });
      expect(() => gateway.verifyEvent(raw, otherSecret)).toThrow(WebhookSignatureError);
      const stale = Stripe.webhooks.generateTestHeaderString({
        payload: raw.toString('utf8'),
        secret: SECRET,
        timestamp: Math.floor(Date.now() / 1000) - 600,
      });
      expect(() => gateway.verifyEvent(raw, stale)).toThrow(WebhookSignatureError);
      expect(() => gateway.verifyEvent(raw, undefined)).toThrow(WebhookSignatureError);
      expect(() => gateway.verifyEvent(raw, 'garbage')).toThrow(WebhookSignatureError);
    });

    it('arrive in the order things happened, each a snapshot of its moment', async () => {
      const { gateway, events, types } = simulated();
      const a = await gateway.createIntent(intentInput({ captureMethod: 'manual' }));
      await expect(gateway.confirmAsClient(a.id, 'pm_card_chargeDeclined')).rejects.toBeInstanceOf(PaymentGatewayError);
      await gateway.confirmAsClient(a.id, '4000002500003155');
      await gateway.authenticate(a.id, 'success');
      await gateway.captureIntent(a.id, 4000, 'capture:o');
      await gateway.createRefund({ refundId: 'o1', intentId: a.id, amount: 1500 });
      const b = await gateway.createIntent(intentInput());
      await gateway.cancelIntent(b.id, 'cancel:o');
      await gateway.flushEvents();

      expect(types()).toEqual([
        'payment_intent.payment_failed',
        'payment_intent.requires_action',
        'payment_intent.amount_capturable_updated',
        'payment_intent.succeeded',
        'charge.refunded',
        'payment_intent.canceled',
      ]);
      const statuses = events.slice(0, 4).map((e) => intentFromStripeObject(e.object).status);
      expect(statuses).toEqual(['requires_payment_method', 'requires_action', 'requires_capture', 'succeeded']);
      expect(intentFromStripeObject(events[0].object).lastError).toEqual({
        code: 'card_declined',
        declineCode: 'generic_decline',
        message: 'Your card was declined.',
      });
      expect(events[4].object).toMatchObject({
        object: 'charge',
        payment_intent: a.id,
        amount_captured: 4000,
        amount_refunded: 1500,
      });
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    });

    it('a failed delivery is retried with a fresh signature, then the queue moves on', async () => {
      const relay = new PaymentEventRelay();
      const gateway = new SimulatedGateway(config, relay, { retryDelaysMs: [5, 10] });
      const attempts: { id: string; header: string }[] = [];
      let failuresLeft = 2;
      relay.register(async (raw, header) => {
        const event = gateway.verifyEvent(raw, header);
        attempts.push({ id: event.id, header });
        if (failuresLeft-- > 0) throw new Error('endpoint answered 500');
      });
      await gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_visa' }));
      await gateway.flushEvents();
      expect(attempts).toHaveLength(3);
      expect(new Set(attempts.map((a) => a.id)).size).toBe(1);

      // Always failing: given up after the retries, and later events still go out.
      failuresLeft = Number.POSITIVE_INFINITY;
      await gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_visa' }));
      await gateway.flushEvents();
      expect(attempts).toHaveLength(6);
      failuresLeft = 0;
      await gateway.createIntent(intentInput());
      const c = await gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_mastercard' }));
      await gateway.flushEvents();
      expect(attempts).toHaveLength(7);
      expect(c.status).toBe('succeeded');
      // Three events, each tried under its own id: 3 attempts, 3 attempts (given up), 1 attempt.
      expect(attempts.map((a) => a.id)).toEqual([
        ...Array(3).fill(attempts[0].id),
        ...Array(3).fill(attempts[3].id),
        attempts[6].id,
      ]);
      expect(new Set([attempts[0].id, attempts[3].id, attempts[6].id]).size).toBe(3);
    });

    it('with no webhook handler registered, deliveries fail quietly and the API still answers', async () => {
      const gateway = new SimulatedGateway(config, new PaymentEventRelay(), { retryDelaysMs: [1] });
      expect(await gateway.createIntent(intentInput({ paymentMethodId: 'pm_card_visa' }))).toMatchObject({ status: 'succeeded' });
      await expect(gateway.flushEvents()).resolves.toBeUndefined();
    });
  });
});
