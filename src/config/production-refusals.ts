import { safely } from './env.decorators';
import type { EnvironmentVariables } from './env.schema';
import { parseCarrierEndpoints } from './shipping-env';

/**
 * What NODE_ENV=production refuses although each value is well-formed: the development
 * conveniences that would let anyone in or take no money. AUTH_MODE=dev serves
 * POST /v1/dev/token, which mints any token, admin included, to anyone; the development
 * JWT_SECRET and STRIPE_WEBHOOK_SECRET are public, so anyone could sign tokens or webhook
 * events with them; the simulated provider charges no card; the simulated tax provider's
 * rates are made up (a flag variant that selects it is ignored in production: TaxService);
 * the simulated IMS invents stock; the simulated telematics opens no real car; simulated
 * customer verification passes everyone; a local object store keeps photos unencrypted on
 * one pod's disk; the simulated fleet invents vehicles, and the development fleet webhook
 * secret is public. `input` is what was set (blank counts as unset), to tell a missing
 * webhook secret from the development one. `DEVELOPMENT` holds the built-in development
 * values (the class defaults).
 */
export function productionProblems(
  env: EnvironmentVariables,
  input: Record<string, unknown>,
  DEVELOPMENT: EnvironmentVariables,
): [string, string][] {
  if (env.NODE_ENV !== 'production') return [];
  const problems: [string, string][] = [];
  if (env.AUTH_MODE === 'dev') {
    problems.push([
      'AUTH_MODE',
      'AUTH_MODE=dev is refused with NODE_ENV=production (anyone could mint an admin token at POST /v1/dev/token): use AUTH_MODE=jwks',
    ]);
    if (env.JWT_SECRET === DEVELOPMENT.JWT_SECRET) {
      problems.push([
        'JWT_SECRET',
        'JWT_SECRET is the built-in development value, which is public: refused with NODE_ENV=production',
      ]);
    }
  }
  if (env.PAYMENT_PROVIDER === 'simulated') {
    problems.push([
      'PAYMENT_PROVIDER',
      'PAYMENT_PROVIDER=simulated is refused with NODE_ENV=production (it charges no card): use PAYMENT_PROVIDER=stripe',
    ]);
  }
  if (input.SMTP_URL === undefined) {
    problems.push([
      'SMTP_URL',
      'SMTP_URL is required with NODE_ENV=production: unset, email would only reach the dev outbox table and no guest would get one',
    ]);
  }
  if (env.TAX_API_URL === undefined || env.TAX_API_KEY === undefined) {
    problems.push([
      'TAX_API_URL',
      'the simulated tax provider is refused with NODE_ENV=production (its rates are made up): set TAX_API_URL and TAX_API_KEY',
    ]);
  }
  if (env.SHIPPING_PROVIDER === 'simulated') {
    problems.push([
      'SHIPPING_PROVIDER',
      'SHIPPING_PROVIDER=simulated is refused with NODE_ENV=production (its rates are invented, no parcel is ever booked with them): use SHIPPING_PROVIDER=http with SHIPPING_CARRIERS',
    ]);
  } else {
    const plain = safely(() => parseCarrierEndpoints(env.SHIPPING_CARRIERS ?? ''), []).filter(
      (c) => !c.baseUrl.startsWith('https:'),
    );
    if (plain.length > 0) {
      problems.push([
        'SHIPPING_CARRIERS',
        `SHIPPING_CARRIERS must use https with NODE_ENV=production (the API key travels in every request): ${plain.map((c) => c.name).join(', ')} does not`,
      ]);
    }
  }
  if (env.IMS_MODE === 'simulated') {
    problems.push([
      'IMS_MODE',
      'IMS_MODE=simulated is refused with NODE_ENV=production (its stock is invented in memory): use IMS_MODE=http with IMS_BASE_URL and IMS_API_KEY',
    ]);
  } else if (env.IMS_BASE_URL?.startsWith('http://')) {
    problems.push([
      'IMS_BASE_URL',
      'IMS_BASE_URL must be https:// with NODE_ENV=production (the API key travels with every call)',
    ]);
  }
  if (env.TELEMATICS_MODE === 'simulated') {
    problems.push([
      'TELEMATICS_MODE',
      'TELEMATICS_MODE=simulated is refused with NODE_ENV=production (no real car would open): use TELEMATICS_MODE=http with TELEMATICS_API_URL and TELEMATICS_API_KEY',
    ]);
  } else if (env.TELEMATICS_API_URL?.startsWith('http://')) {
    problems.push([
      'TELEMATICS_API_URL',
      'TELEMATICS_API_URL must be https:// with NODE_ENV=production (the API key travels with every call)',
    ]);
  }
  if (env.CUSTOMERS_MODE === 'simulated') {
    problems.push([
      'CUSTOMERS_MODE',
      'CUSTOMERS_MODE=simulated is refused with NODE_ENV=production (it verifies every customer without asking anyone): use CUSTOMERS_MODE=http with CUSTOMER_SERVICE_URL and CUSTOMER_SERVICE_API_KEY',
    ]);
  } else if (env.CUSTOMER_SERVICE_URL?.startsWith('http://')) {
    problems.push([
      'CUSTOMER_SERVICE_URL',
      'CUSTOMER_SERVICE_URL must be https:// with NODE_ENV=production (the API key and customer data travel with every call)',
    ]);
  }
  if (env.OBJECT_STORE === 'local') {
    problems.push([
      'OBJECT_STORE',
      "OBJECT_STORE=local is refused with NODE_ENV=production (files on one pod's disk: unencrypted, lost with the pod, unseen by the other replicas): use OBJECT_STORE=s3 with S3_BUCKET",
    ]);
  } else if (env.S3_ENDPOINT?.startsWith('http://')) {
    problems.push(['S3_ENDPOINT', 'S3_ENDPOINT must be https:// with NODE_ENV=production (the files would travel in clear)']);
  }
  // Checked whatever the provider: POST /v1/webhooks/stripe is always served.
  if (input.STRIPE_WEBHOOK_SECRET === undefined) {
    problems.push([
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_WEBHOOK_SECRET is required with NODE_ENV=production (the whsec_... of the Stripe webhook endpoint): unset, the public development value would verify webhook events',
    ]);
  } else if (
    secretEntries(env.STRIPE_WEBHOOK_SECRET).some((entry) => secretEntries(DEVELOPMENT.STRIPE_WEBHOOK_SECRET).includes(entry))
  ) {
    problems.push([
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_WEBHOOK_SECRET is, or lists, the built-in development value, which is public (anyone could sign webhook events): refused with NODE_ENV=production',
    ]);
  }
  if (env.FLEET_API_MODE === 'simulated') {
    problems.push([
      'FLEET_API_MODE',
      'FLEET_API_MODE=simulated is refused with NODE_ENV=production (its vehicles are invented): use FLEET_API_MODE=http with FLEET_API_URL, or off',
    ]);
  } else if (env.FLEET_API_URL?.startsWith('http://')) {
    problems.push([
      'FLEET_API_URL',
      'FLEET_API_URL must be https:// with NODE_ENV=production (the API key travels with every call)',
    ]);
  }
  // Checked whatever else is set: POST /v1/integrations/fleet/events is always served.
  if (input.FLEET_WEBHOOK_SECRET === undefined) {
    problems.push([
      'FLEET_WEBHOOK_SECRET',
      'FLEET_WEBHOOK_SECRET is required with NODE_ENV=production: unset, the public development value would verify fleet events',
    ]);
  } else if (
    secretEntries(env.FLEET_WEBHOOK_SECRET).some((entry) => secretEntries(DEVELOPMENT.FLEET_WEBHOOK_SECRET).includes(entry))
  ) {
    problems.push([
      'FLEET_WEBHOOK_SECRET',
      'FLEET_WEBHOOK_SECRET is, or lists, the built-in development value, which is public (anyone could sign fleet events): refused with NODE_ENV=production',
    ]);
  }
  return problems;
}

/** The entries of a secret that may be a comma-separated list (old and new during a rotation). */
function secretEntries(value: unknown): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : String(value ?? '').split(',');
  return list.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
}
