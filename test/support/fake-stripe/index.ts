/**
 * A fake Stripe HTTP server for tests: the real `stripe` SDK talks to it over HTTP.
 *
 *   const fake = await startFakeStripe();
 *   const stripe = new Stripe('sk_test_fake', { ...fake.sdkConfig, maxNetworkRetries: 0 });
 *
 * See server.ts for the options, faults and helpers, src/payments/stripe-model.ts for the test
 * cards (shared with the simulated provider).
 */
export { startFakeStripe } from './server';
export { DEFAULT_API_VERSION } from './types';
export type {
  DeliverOptions,
  FakeStripe,
  FakeStripeCounters,
  FakeStripeOptions,
  FakeStripeState,
  Fault,
  FaultMatch,
  Injection,
  RequestRecord,
  ResetFault,
  ResponseFault,
  StatusFault,
  TimeoutFault,
} from './types';
export { TEST_CARDS, type CardOutcome, type TestCard } from '../../../src/payments/stripe-model';
export { signPayload, type WebhookDelivery } from './webhooks';
export type {
  ChargeObject,
  CustomerObject,
  EventObject,
  PaymentIntentObject,
  PaymentIntentStatus,
  PaymentMethodObject,
  RefundObject,
  SetupIntentObject,
} from './objects';
export type { AuthorizationSupport, CreatedCounters } from './store';
