import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { AdminGraphqlConfig } from '../admin-graphql/admin-graphql.config';
import { AnalyticsConfig } from '../analytics/analytics.config';
import { AuthConfig } from '../auth/auth.config';
import { CustomersConfig } from '../customers/customers.config';
import { DatabaseConfig } from '../database/database.config';
import { DemoConfig } from '../demo/demo.config';
import { EventsConfig } from '../events/events.config';
import { FlagsConfig } from '../flags/flags.config';
import { FleetConfig } from '../fleet/fleet.config';
import { InventoryConfig } from '../inventory/inventory.config';
import { JobsConfig } from '../jobs/jobs.config';
import { LoggingConfig } from '../logging.config';
import { MetricsConfig } from '../metrics/metrics.config';
import { NotificationsConfig } from '../notifications/notifications.config';
import { ObjectStoreConfig } from '../object-store/object-store.config';
import { PaymentsConfig } from '../payments/payments.config';
import { ProtectionConfig } from '../protection/protection.config';
import { RentalsConfig } from '../rentals/rentals.config';
import { ReservationsConfig } from '../reservations/reservations.config';
import { TaxConfig } from '../tax/tax.config';
import { ShippingConfig } from '../shipping/shipping.config';
import { createAppConfig } from './app-config';
import { configSlices } from './config-slices';
import { validateEnv } from './env.schema';

/** The slices of `raw` as the app builds them at boot, on a non-embedded database unless said. */
function slicesOf(raw: Record<string, string>, databaseUrl = 'postgres://db/holdfast', embedded = false) {
  return configSlices(createAppConfig(validateEnv(raw), databaseUrl, embedded));
}

/** A plain copy, so toEqual compares the fields only (and fails on a field too many). */
const fields = (slice: object) => ({ ...slice });

describe('config slices', () => {
  it('gives each module exactly its fields, at their defaults, when nothing is set', () => {
    const slices = slicesOf({}, 'postgres://embedded:5432/holdfast', true);
    expect(fields(slices.auth)).toEqual({
      mode: 'dev',
      jwtSecret: 'holdfast-dev-secret-change-me',
      jwksUrl: undefined,
      issuer: undefined,
      audience: undefined,
      devTokenTtlSeconds: 86400,
    });
    expect(fields(slices.database)).toEqual({ url: 'postgres://embedded:5432/holdfast', poolSize: 10, migrationsRun: true });
    expect(fields(slices.demo)).toEqual({ loadCatalog: true }); // the embedded database loads it by default
    expect(fields(slices.logging)).toEqual({ level: 'info', pretty: false });
    expect(fields(slices.metrics)).toEqual({ scrapeToken: undefined, processMetrics: true });
    expect(fields(slices.payments)).toEqual({
      provider: 'simulated',
      stripeSecretKey: undefined,
      stripeApiBase: undefined,
      webhookSecret: 'whsec_holdfast_dev_secret',
      stripeTimeoutMs: 10000,
      reconcileAfterSeconds: 300,
    });
    expect(fields(slices.protection)).toEqual({
      corsOrigins: [],
      trustProxy: 'loopback',
      rateLimitPerMinute: 600,
      holdRateLimitPerMinute: 60,
    });
    expect(fields(slices.adminGraphql)).toEqual({
      maxDepth: 8,
      maxCost: 20000,
      introspection: true,
      schemaFile: join(process.cwd(), 'schema.gql'), // development: the checked-in file
    });
    expect(fields(slices.reservations)).toEqual({ holdTtlSeconds: 900, holdSweepIntervalSeconds: 30, rentalAuthLeadDays: 2 });
    expect(fields(slices.analytics)).toEqual({ exportHourUtc: 2, exportDays: 7 });
    expect(fields(slices.rentals)).toEqual({
      telematicsMode: 'simulated',
      telematicsApiUrl: null,
      telematicsApiKey: null,
      telematicsTimeoutMs: 10000,
      returnPhotoMaxBytes: 10 * 1024 * 1024,
      returnUploadMaxBytes: 40 * 1024 * 1024,
      returnMinPhotos: 4,
      unlockEarlyMinutes: 30,
      rentalAuthLeadDays: 2,
    });
    expect(fields(slices.events)).toEqual({ natsUrl: null, relayIntervalMs: 1000 });
    expect(fields(slices.tax)).toEqual({
      apiUrl: null,
      apiKey: null,
      defaultProvider: 'simulated',
      production: false,
      timeoutMs: 2000,
      retries: 1,
      breakerThreshold: 5,
      breakerHalfOpenMs: 30000,
      rateLimitPerSecond: 10,
      rateLimitBurst: 10,
      dailyQuota: 10000,
      fallbackRates: 'US=0.07,CA=0.13,GB=0.2,DE=0.19,FR=0.2,NL=0.21,*=0.2',
      simulatedLatencyMs: 0,
      simulatedFailurePercent: 0,
    });
    expect(fields(slices.shipping)).toEqual({
      provider: 'simulated',
      carriers: [],
      flatRates: [
        { service: 'standard', estimatedDays: 5, amounts: { EUR: 690, USD: 790, GBP: 590 } },
        { service: 'express', estimatedDays: 2, amounts: { EUR: 1490, USD: 1690, GBP: 1290 } },
      ],
      quoteTimeoutMs: 3000,
      simulatedLatencyMs: 50,
      simulatedFailureRate: 0,
    });
    expect(fields(slices.inventory)).toEqual({
      imsMode: 'simulated',
      imsBaseUrl: null,
      imsApiKey: null,
      imsRelease: false,
      imsTimeoutMs: 2000,
      imsTls: { certFile: null, keyFile: null, caFile: null },
      imsSimulatedSeed: [],
    });
    expect(fields(slices.customers)).toEqual({
      mode: 'simulated',
      serviceUrl: null,
      apiKey: null,
      timeoutMs: 500,
      breakerThreshold: 5,
      breakerHalfOpenMs: 30000,
      minCreditScore: 600,
    });
    expect(fields(slices.objectStore)).toEqual({ kind: 'local', localDir: '.data/objects', s3: null });
    expect(fields(slices.fleet)).toEqual({
      natsUrl: null,
      stream: 'FLEET_EVENTS',
      durable: 'holdfast-fleet',
      webhookSecrets: ['fleet_holdfast_dev_secret'],
      apiMode: 'simulated',
      apiUrl: null,
      apiKey: null,
      reconcileMinutes: 15,
    });
  });

  it('gives the fleet module its variables, the webhook secrets as a list', () => {
    const slices = slicesOf({
      FLEET_NATS_URL: 'nats://nats.example.com:4222',
      FLEET_NATS_STREAM: 'FLEET',
      FLEET_NATS_DURABLE: 'hf',
      FLEET_WEBHOOK_SECRET: 'fleet_new_0123456789abcdef, fleet_old_0123456789abcdef',
      FLEET_API_MODE: 'http',
      FLEET_API_URL: 'https://fleet.example.com/api/',
      FLEET_API_KEY: 'fleet_key',
      FLEET_RECONCILE_MINUTES: '5',
    });
    expect(fields(slices.fleet)).toEqual({
      natsUrl: 'nats://nats.example.com:4222',
      stream: 'FLEET',
      durable: 'hf',
      webhookSecrets: ['fleet_new_0123456789abcdef', 'fleet_old_0123456789abcdef'],
      apiMode: 'http',
      apiUrl: 'https://fleet.example.com/api',
      apiKey: 'fleet_key',
      reconcileMinutes: 5,
    });
  });

  it('carries every set variable into its slice, under the slice name', () => {
    const slices = slicesOf({
      NODE_ENV: 'test',
      AUTH_MODE: 'jwks',
      JWT_JWKS_URL: 'https://issuer.example.com/.well-known/jwks.json',
      JWT_ISSUER: 'https://issuer.example.com',
      JWT_AUDIENCE: 'app-client',
      DEV_TOKEN_TTL_SECONDS: '120',
      DATABASE_URL: 'postgres://u:p@db:5432/holdfast',
      DB_POOL_SIZE: '4',
      MIGRATIONS_RUN: 'false',
      DEMO_CATALOG: 'false',
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'true',
      METRICS_TOKEN: 'metrics-token-0123456789',
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
      STRIPE_WEBHOOK_SECRET: 'whsec_new_0123456789,whsec_old_0123456789',
      STRIPE_TIMEOUT_MS: '2500',
      RECONCILE_AFTER_SECONDS: '60',
      CORS_ORIGINS: 'https://app.example.com, https://admin.example.com',
      TRUST_PROXY: '2',
      RATE_LIMIT_PER_MINUTE: '100',
      RATE_LIMIT_HOLD_PER_MINUTE: '0',
      GRAPHQL_MAX_DEPTH: '5',
      GRAPHQL_MAX_COST: '300',
      HOLD_TTL_SECONDS: '60',
      HOLD_SWEEP_INTERVAL_SECONDS: '5',
      RENTAL_AUTH_LEAD_DAYS: '3',
      ANALYTICS_EXPORT_HOUR_UTC: '5',
      ANALYTICS_EXPORT_DAYS: '3',
      EVENTS_NATS_URL: 'nats://relay:secret@nats:4222',
      EVENTS_RELAY_INTERVAL_MS: '250',
      TAX_API_URL: 'https://tax.example.com',
      TAX_API_KEY: 'tax_test_123',
      TAX_TIMEOUT_MS: '1500',
      TAX_RETRIES: '0',
      TAX_BREAKER_THRESHOLD: '3',
      TAX_BREAKER_HALF_OPEN_MS: '10000',
      TAX_RATE_LIMIT_PER_SECOND: '20',
      TAX_RATE_LIMIT_BURST: '5',
      TAX_DAILY_QUOTA: '50000',
      TAX_FALLBACK_RATES: 'US=0.06,*=0.1',
      TAX_SIMULATED_LATENCY_MS: '40',
      TAX_SIMULATED_FAILURE_PERCENT: '10',
      SHIPPING_PROVIDER: 'http',
      SHIPPING_CARRIERS: 'fedex|https://fedex.example.com/v1/,ups|http://127.0.0.1:4010|disabled',
      SHIPPING_CARRIER_API_KEY: 'fedex=fx-key',
      SHIPPING_FLAT_RATES: '[{"service":"standard","estimatedDays":4,"amounts":{"JPY":900}}]',
      SHIPPING_QUOTE_TIMEOUT_MS: '1500',
      SHIPPING_SIMULATED_LATENCY_MS: '0',
      SHIPPING_SIMULATED_FAILURE_RATE: '0.5',
      IMS_MODE: 'http',
      IMS_BASE_URL: 'https://ims.example.com/api',
      IMS_API_KEY: ' ims_new_key , ims_old_key',
      IMS_RELEASE: 'true',
      IMS_TIMEOUT_MS: '1500',
      IMS_CLIENT_CERT_FILE: '/etc/holdfast/ims/client.crt',
      IMS_CLIENT_KEY_FILE: '/etc/holdfast/ims/client.key',
      IMS_CA_FILE: '/etc/holdfast/ims/ca.crt',
      IMS_SIMULATED_SEED: 'CARRIER-X=stock:100, VAN.Y=units:3',
      TELEMATICS_MODE: 'http',
      TELEMATICS_API_URL: 'https://telematics.example.com/api',
      TELEMATICS_API_KEY: 'tm_test_key',
      TELEMATICS_TIMEOUT_MS: '7000',
      RETURN_PHOTO_MAX_BYTES: '2048',
      RETURN_UPLOAD_MAX_BYTES: '8192',
      RETURN_MIN_PHOTOS: '2',
      RENTAL_UNLOCK_EARLY_MINUTES: '45',
      CUSTOMERS_MODE: 'http',
      CUSTOMER_SERVICE_URL: 'https://customers.example.com/api',
      CUSTOMER_SERVICE_API_KEY: 'cms_test_key',
      CUSTOMER_SERVICE_TIMEOUT_MS: '400',
      CUSTOMER_SERVICE_BREAKER_THRESHOLD: '3',
      CUSTOMER_SERVICE_BREAKER_HALF_OPEN_MS: '10000',
      MIN_CREDIT_SCORE: '650',
      OBJECT_STORE: 's3',
      OBJECT_STORE_DIR: '/var/holdfast/objects',
      S3_ENDPOINT: 'https://minio.example.com:9000',
      S3_REGION: 'eu-west-1',
      S3_BUCKET: 'holdfast-photos',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      S3_SECRET_ACCESS_KEY: 's3-secret',
      S3_SSE: 'aws:kms',
      S3_SSE_KMS_KEY_ID: 'alias/holdfast',
      S3_TIMEOUT_MS: '4000',
    });
    expect(slices.auth).toMatchObject({
      mode: 'jwks',
      jwksUrl: 'https://issuer.example.com/.well-known/jwks.json',
      issuer: 'https://issuer.example.com',
      audience: 'app-client',
      devTokenTtlSeconds: 120,
    });
    expect(fields(slices.database)).toEqual({ url: 'postgres://db/holdfast', poolSize: 4, migrationsRun: false });
    expect(fields(slices.demo)).toEqual({ loadCatalog: false });
    expect(fields(slices.logging)).toEqual({ level: 'warn', pretty: true });
    expect(fields(slices.metrics)).toEqual({ scrapeToken: 'metrics-token-0123456789', processMetrics: false });
    expect(fields(slices.payments)).toEqual({
      provider: 'stripe',
      stripeSecretKey: 'sk_test_123',
      stripeApiBase: 'http://127.0.0.1:12111',
      webhookSecret: 'whsec_new_0123456789,whsec_old_0123456789',
      stripeTimeoutMs: 2500,
      reconcileAfterSeconds: 60,
    });
    expect(fields(slices.protection)).toEqual({
      corsOrigins: ['https://app.example.com', 'https://admin.example.com'],
      trustProxy: 2,
      rateLimitPerMinute: 100,
      holdRateLimitPerMinute: 0,
    });
    expect(fields(slices.adminGraphql)).toEqual({
      maxDepth: 5,
      maxCost: 300,
      introspection: true,
      schemaFile: join(tmpdir(), `holdfast-schema-${process.pid}.gql`), // tests never rewrite the checked-in file
    });
    expect(fields(slices.reservations)).toEqual({ holdTtlSeconds: 60, holdSweepIntervalSeconds: 5, rentalAuthLeadDays: 3 });
    expect(fields(slices.analytics)).toEqual({ exportHourUtc: 5, exportDays: 3 });
    expect(fields(slices.rentals)).toEqual({
      telematicsMode: 'http',
      telematicsApiUrl: 'https://telematics.example.com/api',
      telematicsApiKey: 'tm_test_key',
      telematicsTimeoutMs: 7000,
      returnPhotoMaxBytes: 2048,
      returnUploadMaxBytes: 8192,
      returnMinPhotos: 2,
      unlockEarlyMinutes: 45,
      rentalAuthLeadDays: 3,
    });
    expect(fields(slices.events)).toEqual({ natsUrl: 'nats://relay:secret@nats:4222', relayIntervalMs: 250 });
    expect(fields(slices.tax)).toEqual({
      apiUrl: 'https://tax.example.com',
      apiKey: 'tax_test_123',
      defaultProvider: 'http',
      production: false,
      timeoutMs: 1500,
      retries: 0,
      breakerThreshold: 3,
      breakerHalfOpenMs: 10000,
      rateLimitPerSecond: 20,
      rateLimitBurst: 5,
      dailyQuota: 50000,
      fallbackRates: 'US=0.06,*=0.1',
      simulatedLatencyMs: 40,
      simulatedFailurePercent: 10,
    });
    expect(fields(slices.shipping)).toEqual({
      provider: 'http',
      carriers: [
        { name: 'fedex', baseUrl: 'https://fedex.example.com/v1', enabled: true, apiKey: 'fx-key' },
        { name: 'ups', baseUrl: 'http://127.0.0.1:4010', enabled: false, apiKey: null },
      ],
      flatRates: [{ service: 'standard', estimatedDays: 4, amounts: { JPY: 900 } }],
      quoteTimeoutMs: 1500,
      simulatedLatencyMs: 0,
      simulatedFailureRate: 0.5,
    });
    // The first key of a rotation list is the one sent.
    expect(fields(slices.inventory)).toEqual({
      imsMode: 'http',
      imsBaseUrl: 'https://ims.example.com/api',
      imsApiKey: 'ims_new_key',
      imsRelease: true,
      imsTimeoutMs: 1500,
      imsTls: {
        certFile: '/etc/holdfast/ims/client.crt',
        keyFile: '/etc/holdfast/ims/client.key',
        caFile: '/etc/holdfast/ims/ca.crt',
      },
      imsSimulatedSeed: [
        { itemId: 'CARRIER-X', stock: 100 },
        { itemId: 'VAN.Y', units: 3 },
      ],
    });
    expect(fields(slices.customers)).toEqual({
      mode: 'http',
      serviceUrl: 'https://customers.example.com/api',
      apiKey: 'cms_test_key',
      timeoutMs: 400,
      breakerThreshold: 3,
      breakerHalfOpenMs: 10000,
      minCreditScore: 650,
    });
    expect(fields(slices.objectStore)).toEqual({
      kind: 's3',
      localDir: '/var/holdfast/objects',
      s3: {
        endpoint: 'https://minio.example.com:9000',
        region: 'eu-west-1',
        bucket: 'holdfast-photos',
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's3-secret' },
        encryption: 'aws:kms',
        kmsKeyId: 'alias/holdfast',
        timeoutMs: 4000,
      },
    });
  });

  it('leaves the bucket credentials to the AWS SDK (an IAM role) when no keys are set', () => {
    const { objectStore } = slicesOf({ OBJECT_STORE: 's3', S3_BUCKET: 'holdfast-photos' });
    expect(objectStore.s3).toMatchObject({
      endpoint: null,
      region: 'us-east-1',
      credentials: null,
      encryption: 'AES256',
      kmsKeyId: null,
    });
  });

  it('loads the demo catalog on an external database only when DEMO_CATALOG says so', () => {
    expect(slicesOf({}).demo.loadCatalog).toBe(false);
    expect(slicesOf({ DEMO_CATALOG: 'true' }).demo.loadCatalog).toBe(true);
    expect(slicesOf({ DEMO_CATALOG: 'false' }, 'postgres://embedded/holdfast', true).demo.loadCatalog).toBe(false);
  });

  it('sends email over SMTP only when SMTP_URL is set, and serves the dev outbox only with dev auth', () => {
    expect(slicesOf({}).notifications).toMatchObject({ smtpUrl: null, locale: 'en-GB', devRoutes: true });
    const smtp = slicesOf({ SMTP_URL: 'smtp://u:p@mail.test:587', AUTH_MODE: 'jwks', JWT_JWKS_URL: 'https://idp.test/jwks' });
    expect(smtp.notifications).toMatchObject({ smtpUrl: 'smtp://u:p@mail.test:587', devRoutes: false });
  });

  it('turns GraphQL introspection off and writes no schema file in production', () => {
    const env = createAppConfig(validateEnv({}), 'postgres://db/holdfast', false);
    const production = new AdminGraphqlConfig({ ...env, NODE_ENV: 'production' } as typeof env);
    expect({ ...production }).toEqual({ maxDepth: 8, maxCost: 20000, introspection: false, schemaFile: null });
  });

  it('builds each slice as an instance of its class (the injection token), frozen', () => {
    const slices = slicesOf({});
    const classes = [
      AdminGraphqlConfig,
      AuthConfig,
      DatabaseConfig,
      DemoConfig,
      EventsConfig,
      FlagsConfig,
      InventoryConfig,
      JobsConfig,
      LoggingConfig,
      MetricsConfig,
      NotificationsConfig,
      ObjectStoreConfig,
      PaymentsConfig,
      ProtectionConfig,
      ReservationsConfig,
      RentalsConfig,
      TaxConfig,
      ShippingConfig,
      CustomersConfig,
      FleetConfig,
      AnalyticsConfig,
    ];
    expect(Object.values(slices).map((slice) => slice.constructor)).toEqual(classes);
    for (const slice of Object.values(slices)) expect(Object.isFrozen(slice)).toBe(true);
  });
});
