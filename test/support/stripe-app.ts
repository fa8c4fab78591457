import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startFakeStripe, type FakeStripe } from './fake-stripe/index';
import { createTestApp, type TestApp } from './test-app';

export interface StripeTestApp {
  fake: FakeStripe;
  t: TestApp;
  /** Stripe.js on the phone: confirms intents with test cards (and stands in for the dashboard). */
  client: Stripe;
  /** Where the fake delivers events: the app's webhook route on its real port. */
  webhookUrl: string;
}

export interface StripeTestAppOptions {
  /** The app's STRIPE_SECRET_KEY. */
  secretKey: string;
  /** The phone's key; the fake accepts any. */
  clientKey: string;
  webhookSecret: string;
  /** More environment, on top of the provider's. */
  env?: Record<string, string>;
  /**
   * The fake's clock is the app's (`t.clock`): `created`, `capture_before`, lapses and the
   * webhook signatures' timestamps move when a test moves the app's clock. Default false.
   */
  followAppClock?: boolean;
}

/**
 * The app with PAYMENT_PROVIDER=stripe, talking to a fake Stripe server through the real
 * SDK; the app listens on a real port, where the fake POSTs its signed events. The hold
 * sweep runs only when the test calls it, never on its own in the middle of one.
 */
export async function createStripeTestApp(options: StripeTestAppOptions): Promise<StripeTestApp> {
  // The app (and its clock) exists only after the fake it must be pointed at: the fake reads it late.
  const started: { app?: TestApp } = {};
  const fake = await startFakeStripe(options.followAppClock ? { now: () => started.app?.clock.nowMs() ?? Date.now() } : {});
  const client = new Stripe(options.clientKey, { ...fake.sdkConfig, maxNetworkRetries: 0 });
  const t = await createTestApp({
    env: {
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: options.secretKey,
      STRIPE_API_BASE: fake.url,
      STRIPE_WEBHOOK_SECRET: options.webhookSecret,
      HOLD_SWEEP_INTERVAL_SECONDS: '3600',
      ...options.env,
    },
  });
  started.app = t;
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const webhookUrl = `http://127.0.0.1:${port}/v1/webhooks/stripe`;
  fake.setWebhookTarget(webhookUrl, options.webhookSecret);
  return { fake, t, client, webhookUrl };
}

export interface HoldRequest {
  experienceId: string;
  timeSlotId: string;
  numberOfGuests?: number;
}

/** hold -> convert as `headers`' user, one guest by default: the pending reservation and its intent. */
export async function holdAndConvert(
  t: TestApp,
  headers: Record<string, string>,
  hold: HoldRequest,
): Promise<{ reservationId: string; intentId: string }> {
  const held = await t.http
    .post('/v1/reservations/hold')
    .set(headers)
    .set('X-Idempotency-Key', randomUUID())
    .send({ numberOfGuests: 1, ...hold, guestName: 'Ann Lee', guestEmail: 'ann@example.com' })
    .expect(200);
  const reservationId = held.body.reservation.id as string;
  const converted = await t.http
    .post('/v1/reservations/hold/convert')
    .set(headers)
    .set('X-Idempotency-Key', randomUUID())
    .send({ holdId: reservationId })
    .expect(200);
  return { reservationId, intentId: converted.body.reservation.paymentIntentId as string };
}
