import type { AppConfig } from '../config/app-config';

/** What the payments module reads from the validated environment (src/config/config-slices.ts provides it). */
export class PaymentsConfig {
  /** PAYMENT_PROVIDER: `stripe` (the real API) or `simulated` (in-process, takes no money). */
  readonly provider: 'simulated' | 'stripe';
  /** STRIPE_SECRET_KEY (validated present when the provider is `stripe`). */
  readonly stripeSecretKey?: string;
  /** STRIPE_API_BASE: another Stripe API origin (the fake Stripe server in tests). */
  readonly stripeApiBase?: string;
  /** STRIPE_WEBHOOK_SECRET: the endpoint's signing secret, or a comma-separated list during a rotation. */
  readonly webhookSecret: string;
  /** STRIPE_TIMEOUT_MS: per HTTP attempt to Stripe. */
  readonly stripeTimeoutMs: number;
  /** RECONCILE_AFTER_SECONDS: how long an attempt may sit unmoved before reconciliation re-reads it. */
  readonly reconcileAfterSeconds: number;

  constructor(env: AppConfig) {
    this.provider = env.PAYMENT_PROVIDER as PaymentsConfig['provider'];
    this.stripeSecretKey = env.STRIPE_SECRET_KEY;
    this.stripeApiBase = env.STRIPE_API_BASE;
    this.webhookSecret = env.STRIPE_WEBHOOK_SECRET;
    this.stripeTimeoutMs = env.STRIPE_TIMEOUT_MS;
    this.reconcileAfterSeconds = env.RECONCILE_AFTER_SECONDS;
  }
}
