import { beforeAll, describe, expect, it } from '@jest/globals';
import { TestClock } from '@holdfast/clock';
import { Logger } from '@nestjs/common';
import { createAppConfig } from '../config/app-config';
import { validateEnv } from '../config/env.schema';
import { PaymentEventRelay } from './payment-event-relay';
import { PaymentGatewayError, type IntentSnapshot, type OffSessionPaymentInput, type ProviderEvent } from './payment-gateway';
import { PaymentsConfig } from './payments.config';
import { SimulatedGateway, type SimulatedGatewayOptions } from './simulated.gateway';

/*
 * The simulated provider's side of a vehicle rental's money schedule (DESIGN.md section
 * 12): SetupIntents, off-session authorisations and charges, capture_before from the app's
 * clock, extended and incremental authorisation, partial capture, lapses. The rest of the
 * simulated provider: simulated.gateway.spec.ts.
 */

const SECRET = 'whsec_simulated_authorizations_secret';
const config = new PaymentsConfig(
  createAppConfig(validateEnv({ NODE_ENV: 'test', STRIPE_WEBHOOK_SECRET: SECRET }), 'postgres://unused', false),
);
const DAY_MS = 86_400_000;
const VISA_MIT_MS = 4 * DAY_MS + 18 * 3_600_000;

/** A gateway on a test clock whose events are verified, on that clock, as the webhook endpoint does. */
function simulated(options: Omit<SimulatedGatewayOptions, 'clock'> = {}) {
  const clock = new TestClock();
  const relay = new PaymentEventRelay();
  const gateway = new SimulatedGateway(config, relay, { retryDelaysMs: [5], ...options, clock });
  const events: ProviderEvent[] = [];
  relay.register(async (raw, header) => {
    events.push(gateway.verifyEvent(raw, header, clock.nowMs()));
  });
  let n = 0;
  /** A customer with `card` saved to it. */
  const saved = async (card = 'pm_card_visa') => {
    const { id: customerId } = await gateway.createCustomer({ userId: `user-${++n}` });
    const { id: paymentMethodId } = await gateway.attachPaymentMethod(card, customerId);
    return { customerId, paymentMethodId };
  };
  const offSession = (
    card: { customerId: string; paymentMethodId: string },
    overrides: Partial<OffSessionPaymentInput> = {},
  ): OffSessionPaymentInput => ({
    paymentId: `pay-${++n}`,
    amount: 48000,
    currency: 'EUR',
    ...card,
    metadata: { purpose: 'booking' },
    ...overrides,
  });
  return { gateway, clock, events, saved, offSession, types: () => events.map((e) => e.type) };
}

async function gatewayError(promise: Promise<unknown>): Promise<PaymentGatewayError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PaymentGatewayError);
  return error as PaymentGatewayError;
}

/** captureBefore minus the clock's now, in ms (within the second the simulated provider counts in). */
const expectCaptureBefore = (intent: IntentSnapshot, clock: TestClock, windowMs: number) => {
  expect(Math.abs(intent.captureBefore!.getTime() - (clock.nowMs() + windowMs))).toBeLessThanOrEqual(1000);
};

describe('SimulatedGateway: the rental money schedule', () => {
  beforeAll(() => Logger.overrideLogger(false));

  describe('capture_before, from the app clock', () => {
    it('an online authorisation lasts 7 days from now, wherever the clock has been moved', async () => {
      const { gateway, clock, saved } = simulated();
      const card = await saved();
      clock.advance(40 * DAY_MS);
      const intent = await gateway.createIntent({
        paymentId: 'online-1',
        amount: 30000,
        currency: 'eur',
        captureMethod: 'manual',
        ...card,
        setupFutureUsage: true,
        metadata: {},
      });
      expect(intent).toMatchObject({
        status: 'requires_capture',
        extendedAuthorization: 'disabled',
        incrementalAuthorization: 'unavailable',
      });
      expectCaptureBefore(intent, clock, 7 * DAY_MS);
    });

    it('off-session: a Visa 4 days 18 hours, a Mastercard 7 days; extended: 30 days', async () => {
      const { gateway, clock, saved, offSession } = simulated();
      clock.advance(3 * DAY_MS);
      const visa = await gateway.authorizeOffSession(offSession(await saved()));
      expectCaptureBefore(visa, clock, VISA_MIT_MS);
      const mastercard = await gateway.authorizeOffSession(offSession(await saved('pm_card_mastercard')));
      expectCaptureBefore(mastercard, clock, 7 * DAY_MS);
      const extended = await gateway.authorizeOffSession({
        ...offSession(await saved()),
        requestExtended: true,
        requestIncremental: true,
      });
      expect(extended).toMatchObject({ extendedAuthorization: 'enabled', incrementalAuthorization: 'available' });
      expectCaptureBefore(extended, clock, 30 * DAY_MS);
      // The same facts on a later read, and the requests on the intent as Stripe shows them.
      expect(await gateway.retrieveIntent(extended.id)).toEqual(extended);
      expect(gateway.paymentIntentObject(extended.id)).toMatchObject({
        payment_method_options: {
          card: { request_extended_authorization: 'if_available', request_incremental_authorization: 'if_available' },
        },
      });
    });

    it('an account without extended or incremental authorisation (options, or changed at run time) says so', async () => {
      const { gateway, clock, saved, offSession } = simulated({ extendedAuthorization: false });
      const asked = { requestExtended: true, requestIncremental: true };
      const noExtended = await gateway.authorizeOffSession({ ...offSession(await saved()), ...asked });
      expect(noExtended).toMatchObject({ extendedAuthorization: 'disabled', incrementalAuthorization: 'available' });
      expectCaptureBefore(noExtended, clock, VISA_MIT_MS);

      gateway.setAuthorizationSupport({ extended: true, incremental: false });
      const noIncremental = await gateway.authorizeOffSession({ ...offSession(await saved()), ...asked });
      expect(noIncremental).toMatchObject({ extendedAuthorization: 'enabled', incrementalAuthorization: 'unavailable' });
    });

    it('past capture_before the authorisation lapses: canceled (automatic), its event delivered and verified on the moved clock', async () => {
      const { gateway, clock, saved, offSession, types } = simulated();
      const a = await gateway.authorizeOffSession(offSession(await saved()));
      const b = await gateway.authorizeOffSession({ ...offSession(await saved()), requestExtended: true });
      clock.advance(VISA_MIT_MS + 60_000);
      expect(await gateway.retrieveIntent(a.id)).toMatchObject({ status: 'canceled', amountCapturable: 0 });
      expect(gateway.paymentIntentObject(a.id)).toMatchObject({ cancellation_reason: 'automatic' });
      expect(gateway.expireLapsedAuthorizations()).toBe(0); // the extended one still runs
      expect(await gateway.retrieveIntent(b.id)).toMatchObject({ status: 'requires_capture' });
      const late = await gatewayError(gateway.captureIntent(a.id, undefined, 'capture:a'));
      expect(late).toMatchObject({ kind: 'invalid_request', providerCode: 'payment_intent_unexpected_state' });

      clock.advance(30 * DAY_MS);
      expect(gateway.expireLapsedAuthorizations()).toBe(1);
      await gateway.flushEvents();
      // Every event verified against the app's clock, 30+ days on: signed on that clock too.
      expect(types().filter((t) => t === 'payment_intent.canceled')).toHaveLength(2);
    });
  });

  describe('off-session failures', () => {
    it.each(['pm_card_authenticationRequired', '4000002760003184'])(
      '%s: authentication_required with the intent and its client secret; the app completes it on-session',
      async (card) => {
        const { gateway, clock, saved, offSession, types } = simulated();
        const customerCard = await saved(card);
        const error = await gatewayError(gateway.authorizeOffSession(offSession(customerCard)));
        expect(error).toMatchObject({
          kind: 'card_declined',
          providerCode: 'authentication_required',
          declineCode: 'authentication_required',
          authenticationRequired: true,
        });
        const intent = error.intent!;
        expect(intent).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'authentication_required' } });
        expect(intent.clientSecret).toMatch(new RegExp(`^${intent.id}_secret_`));
        expect(await gateway.retrieveIntent(intent.id)).toEqual(intent);

        // The customer is back in the app: confirm (Stripe.js), 3-D Secure, authorised.
        const action = await gateway.confirmAsClient(intent.id, customerCard.paymentMethodId);
        expect(action).toMatchObject({ status: 'requires_action', nextActionType: 'use_stripe_sdk' });
        const done = await gateway.authenticate(intent.id, 'success');
        expect(done).toMatchObject({ status: 'requires_capture', amountCapturable: 48000 });
        expectCaptureBefore(done, clock, 7 * DAY_MS);
        await gateway.flushEvents();
        expect(types()).toEqual([
          'payment_intent.payment_failed',
          'payment_intent.requires_action',
          'payment_intent.amount_capturable_updated',
        ]);
      },
    );

    it('declines as on-session; a retry with the same key replays the decline', async () => {
      const { gateway, saved, offSession } = simulated();
      const input = offSession(await saved('pm_card_chargeDeclinedInsufficientFunds'));
      const first = await gatewayError(gateway.authorizeOffSession(input));
      expect(first).toMatchObject({ kind: 'card_declined', declineCode: 'insufficient_funds', authenticationRequired: false });
      const replay = await gatewayError(gateway.authorizeOffSession(input));
      expect(replay.intent?.id).toBe(first.intent?.id);
    });

    it('the card must be the customer’s', async () => {
      const { gateway, saved, offSession } = simulated();
      const mine = await saved();
      const theirs = await saved();
      const error = await gatewayError(
        gateway.authorizeOffSession(offSession({ customerId: mine.customerId, paymentMethodId: theirs.paymentMethodId })),
      );
      expect(error.kind).toBe('invalid_request');
    });

    it('chargeOffSession: automatic capture, succeeded at once; the same failures', async () => {
      const { gateway, saved, offSession } = simulated();
      const fine = await gateway.chargeOffSession(offSession(await saved(), { amount: 3500 }));
      expect(fine).toMatchObject({ status: 'succeeded', amountReceived: 3500, captureMethod: 'automatic', captureBefore: null });
      const error = await gatewayError(gateway.chargeOffSession(offSession(await saved('pm_card_authenticationRequired'))));
      expect(error.authenticationRequired).toBe(true);
    });

    it('declineOffSession: the next n off-session charges of that card decline for want of funds, then it pays', async () => {
      const { gateway, saved, offSession } = simulated();
      const card = await saved();
      const other = await saved();
      gateway.declineOffSession(card.paymentMethodId, 2);
      for (let n = 0; n < 2; n++) {
        const error = await gatewayError(gateway.chargeOffSession(offSession(card, { amount: 1500 })));
        expect(error).toMatchObject({ kind: 'card_declined', declineCode: 'insufficient_funds' });
        expect(error.intent).toMatchObject({ status: 'requires_payment_method' });
      }
      // Another card is not affected; the first pays once its declines are used up.
      expect(await gateway.chargeOffSession(offSession(other, { amount: 1500 }))).toMatchObject({ status: 'succeeded' });
      expect(await gateway.chargeOffSession(offSession(card, { amount: 1500 }))).toMatchObject({ status: 'succeeded' });
    });
  });

  describe('SetupIntents', () => {
    it('without a card: requires_payment_method for the app; confirmSetupAsClient sets the card up for the customer', async () => {
      const { gateway, offSession, types } = simulated();
      const { id: customerId } = await gateway.createCustomer({ userId: 'u-setup' });
      const input = { setupId: 'setup-1', customerId, metadata: { reservationId: 'r1' } };
      const setup = await gateway.createSetupIntent(input);
      expect(setup).toMatchObject({
        status: 'requires_payment_method',
        customerId,
        usage: 'off_session',
        metadata: input.metadata,
      });
      expect(setup.clientSecret).toMatch(new RegExp(`^${setup.id}_secret_`));
      expect((await gateway.createSetupIntent(input)).id).toBe(setup.id); // key seti:{setupId}

      const done = await gateway.confirmSetupAsClient(setup.id, '4242424242424242');
      expect(done).toMatchObject({ status: 'succeeded' });
      expect(await gateway.retrieveSetupIntent(setup.id)).toEqual(done);
      const authorised = await gateway.authorizeOffSession(offSession({ customerId, paymentMethodId: done.paymentMethodId! }));
      expect(authorised.status).toBe('requires_capture');
      await gateway.flushEvents();
      expect(types()).toContain('setup_intent.succeeded');
    });

    it('a card asking for 3-D Secure on setup only: requires_action, authenticated, then pays off-session', async () => {
      const { gateway, offSession } = simulated();
      const { id: customerId } = await gateway.createCustomer({ userId: 'u-3155' });
      const setup = await gateway.createSetupIntent({
        setupId: 'setup-3155',
        customerId,
        paymentMethodId: 'pm_card_authenticationRequiredOnSetup',
        metadata: {},
      });
      expect(setup).toMatchObject({ status: 'requires_action', nextActionType: 'use_stripe_sdk' });
      const done = await gateway.authenticateSetup(setup.id, 'success');
      expect(done.status).toBe('succeeded');
      const authorised = await gateway.authorizeOffSession(offSession({ customerId, paymentMethodId: done.paymentMethodId! }));
      expect(authorised.status).toBe('requires_capture');
    });

    it('declines and failed challenges carry the SetupIntent; unknown ids and customers are invalid_request', async () => {
      const { gateway } = simulated();
      const { id: customerId } = await gateway.createCustomer({ userId: 'u-decline' });
      const declined = await gatewayError(
        gateway.createSetupIntent({ setupId: 's-d', customerId, paymentMethodId: 'pm_card_chargeDeclined', metadata: {} }),
      );
      expect(declined).toMatchObject({ kind: 'card_declined', declineCode: 'generic_decline', intent: null });
      expect(declined.setupIntent).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'card_declined' } });

      const challenged = await gateway.createSetupIntent({
        setupId: 's-f',
        customerId,
        paymentMethodId: 'pm_card_threeDSecure2Required',
        metadata: {},
      });
      const failed = await gatewayError(gateway.authenticateSetup(challenged.id, 'failure'));
      expect(failed).toMatchObject({ providerCode: 'setup_intent_authentication_failure' });
      expect(failed.setupIntent?.status).toBe('requires_payment_method');
      const notWaiting = await gatewayError(gateway.authenticateSetup(challenged.id, 'success'));
      expect(notWaiting).toMatchObject({ kind: 'invalid_request', providerCode: 'setup_intent_unexpected_state' });

      expect(await gatewayError(gateway.retrieveSetupIntent('seti_sim_nothing'))).toMatchObject({
        providerCode: 'resource_missing',
      });
      expect(await gatewayError(gateway.createSetupIntent({ setupId: 's-x', customerId: 'cus_x', metadata: {} }))).toMatchObject({
        providerCode: 'resource_missing',
      });
    });
  });

  describe('incremental authorisation and capture', () => {
    it('raises amount and amount_capturable; capture up to it, the rest released', async () => {
      const { gateway, saved, offSession, types } = simulated();
      const a = await gateway.authorizeOffSession({ ...offSession(await saved()), requestIncremental: true });
      const raised = await gateway.incrementAuthorization(a.id, 55000, 'inc:1');
      expect(raised).toMatchObject({ amount: 55000, amountCapturable: 55000, status: 'requires_capture' });
      expect(raised.captureBefore).toEqual(a.captureBefore);
      expect(await gateway.incrementAuthorization(a.id, 55000, 'inc:1')).toEqual(raised); // replayed, not raised twice

      const tooMuch = await gatewayError(gateway.captureIntent(a.id, 55001, 'cap:x'));
      expect(tooMuch).toMatchObject({ kind: 'invalid_request', providerCode: 'amount_too_large' });
      const captured = await gateway.captureIntent(a.id, 50000, 'cap:1');
      expect(captured).toMatchObject({ status: 'succeeded', amountReceived: 50000, amountCapturable: 0 });
      await gateway.flushEvents();
      expect(types()).toEqual([
        'payment_intent.amount_capturable_updated',
        'payment_intent.amount_capturable_updated',
        'payment_intent.succeeded',
      ]);
    });

    it('refusals: not asked for, not higher, declined (nothing changes), no longer authorised', async () => {
      const { gateway, saved, offSession } = simulated();
      const plain = await gateway.authorizeOffSession(offSession(await saved()));
      expect(await gatewayError(gateway.incrementAuthorization(plain.id, 60000, 'inc:p'))).toMatchObject({
        kind: 'invalid_request',
      });
      const a = await gateway.authorizeOffSession({ ...offSession(await saved()), requestIncremental: true });
      expect(await gatewayError(gateway.incrementAuthorization(a.id, 48000, 'inc:same'))).toMatchObject({
        kind: 'invalid_request',
      });
      gateway.declineIncrements(a.id);
      expect(await gatewayError(gateway.incrementAuthorization(a.id, 60000, 'inc:d'))).toMatchObject({
        kind: 'card_declined',
        declineCode: 'insufficient_funds',
      });
      expect(await gateway.retrieveIntent(a.id)).toMatchObject({ amount: 48000, amountCapturable: 48000 });
      await gateway.cancelIntent(a.id, 'cancel:a');
      expect(await gatewayError(gateway.incrementAuthorization(a.id, 60000, 'inc:c'))).toMatchObject({
        providerCode: 'payment_intent_unexpected_state',
      });
    });
  });
});
