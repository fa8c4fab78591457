import { existsSync } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { IntInRange, toBool, toInt } from './env.decorators';
import { IntegrationVariables } from './env.integrations';
import { productionProblems } from './production-refusals';

/**
 * Every environment variable Holdfast reads, with its default. `.env.example`
 * mirrors this class; keep them in step.
 */
export class EnvironmentVariables extends IntegrationVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: string = 'development';

  @IntInRange(0, 65535)
  PORT: number = 3000;

  @IsOptional()
  @IsUrl(
    { protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true },
    { message: 'DATABASE_URL must be a postgres:// URL' },
  )
  DATABASE_URL?: string;

  @IsString()
  EMBEDDED_PG_DIR: string = '.data/postgres';

  @IntInRange(1, 200)
  DB_POOL_SIZE: number = 10;

  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN: boolean = true;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @Transform(toBool)
  @IsBoolean()
  LOG_PRETTY: boolean = false;

  @IsIn(['dev', 'jwks'])
  AUTH_MODE: string = 'dev';

  @ValidateIf((env: EnvironmentVariables) => env.AUTH_MODE === 'dev')
  @IsString()
  @MinLength(16, { message: 'JWT_SECRET must be at least 16 characters' })
  JWT_SECRET: string = 'holdfast-dev-secret-change-me';

  @ValidateIf((env: EnvironmentVariables) => env.AUTH_MODE === 'jwks')
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'JWT_JWKS_URL must be an http(s) URL when AUTH_MODE=jwks' })
  JWT_JWKS_URL?: string;

  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  @IntInRange(60, 86400 * 30)
  DEV_TOKEN_TTL_SECONDS: number = 86400;

  @IntInRange(1, 86400 * 7)
  IDEMPOTENCY_TTL_SECONDS: number = 86400;

  @IntInRange(1, 86400)
  IDEMPOTENCY_PURGE_INTERVAL_SECONDS: number = 3600;

  @IntInRange(1, 86400)
  HOLD_TTL_SECONDS: number = 900;

  @IntInRange(1, 3600)
  HOLD_SWEEP_INTERVAL_SECONDS: number = 30;

  /**
   * A vehicle picked up within this many days is authorised at convert; a later pickup
   * saves the card (SetupIntent) and is authorised off-session this many days before
   * pickup (DESIGN.md section 12). At least 2, so a customer asked to act has a day
   * before the deadline 24 h before pickup; at most 4, so an off-session authorisation
   * (a Visa's lasts 4 days 18 hours) still holds at pickup.
   */
  @IntInRange(2, 4)
  RENTAL_AUTH_LEAD_DAYS: number = 2;

  /** The hour (UTC) after which the nightly analytics export writes the last days' files (docs/analytics.md). */
  @IntInRange(0, 23)
  ANALYTICS_EXPORT_HOUR_UTC: number = 2;

  /** How many past UTC days the nightly export writes again (late cancellations reach their day's file). */
  @IntInRange(1, 31)
  ANALYTICS_EXPORT_DAYS: number = 7;

  @IsIn(['simulated', 'stripe'])
  PAYMENT_PROVIDER: string = 'simulated';

  @ValidateIf((env: EnvironmentVariables) => env.PAYMENT_PROVIDER === 'stripe')
  @IsString({ message: 'STRIPE_SECRET_KEY is required when PAYMENT_PROVIDER=stripe' })
  STRIPE_SECRET_KEY?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'STRIPE_API_BASE must be an http(s) URL' })
  STRIPE_API_BASE?: string;

  @IsString()
  @MinLength(8)
  STRIPE_WEBHOOK_SECRET: string = 'whsec_holdfast_dev_secret';

  /** Per HTTP attempt to Stripe (the SDK's `timeout`); the SDK retries a timed-out call twice. */
  @IntInRange(100, 120000)
  STRIPE_TIMEOUT_MS: number = 10000;

  @IntInRange(10, 86400)
  RECONCILE_AFTER_SECONDS: number = 300;

  /** The NATS server the event relay publishes to (JetStream); unset: no relay, the feed route only. */
  @IsOptional()
  @IsUrl(
    { protocols: ['nats', 'tls'], require_tld: false, require_protocol: true },
    { message: 'EVENTS_NATS_URL must be a nats:// (or tls://) URL' },
  )
  EVENTS_NATS_URL?: string;

  /** How often the relay looks for unpublished events (it drains what it finds in one pass). */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60000)
  EVENTS_RELAY_INTERVAL_MS: number = 1000;

  @Transform(toBool)
  @IsOptional()
  @IsBoolean()
  DEMO_CATALOG?: boolean;

  /** Comma-separated exact origins (`https://app.example.com`, no path or trailing slash). */
  @IsString()
  @Matches(/^\s*(https?:\/\/[^\s/,]+(\s*,\s*https?:\/\/[^\s/,]+)*)?\s*$/, {
    message: 'CORS_ORIGINS must be comma-separated origins such as https://app.example.com (no path, no trailing slash)',
  })
  CORS_ORIGINS: string = '';

  /** Which proxies' X-Forwarded-For Express believes (the client IP that per-IP rate limits use). */
  @Matches(/^(true|false|\d+|[A-Za-z0-9.:/]+(\s*,\s*[A-Za-z0-9.:/]+)*)$/, {
    message:
      'TRUST_PROXY must be true, false, a hop count, or comma-separated addresses, subnets or loopback/linklocal/uniquelocal',
  })
  TRUST_PROXY: string = 'loopback';

  @IntInRange(0, 1_000_000)
  RATE_LIMIT_PER_MINUTE: number = 600;

  @IntInRange(0, 1_000_000)
  RATE_LIMIT_HOLD_PER_MINUTE: number = 60;

  /** The admin GraphQL API's query limits (docs/graphql.md): deepest field nesting, and total cost of a query. */
  @IntInRange(2, 50)
  GRAPHQL_MAX_DEPTH: number = 8;

  @IntInRange(10, 1_000_000)
  GRAPHQL_MAX_COST: number = 20000;

  @IntInRange(0, 600000)
  SHUTDOWN_TIMEOUT_MS: number = 10000;

  /** How long a client may take to send a whole request, headers and body (Node's `server.requestTimeout`). */
  @IntInRange(1000, 600000)
  HTTP_REQUEST_TIMEOUT_MS: number = 30000;

  /** How long a client may take to send the request headers (`server.headersTimeout`). */
  @IntInRange(1000, 600000)
  @ValidateBy({
    name: 'notAboveRequestTimeout',
    validator: {
      validate: (value: unknown, args) => (value as number) <= (args?.object as EnvironmentVariables).HTTP_REQUEST_TIMEOUT_MS,
      defaultMessage: () => 'HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS',
    },
  })
  HTTP_HEADERS_TIMEOUT_MS: number = 20000;

  /** How long an idle keep-alive connection stays open (`server.keepAliveTimeout`): above the proxies' 60 s. */
  @IntInRange(1000, 600000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number = 65000;

  /** The hold lane (src/hold-lane.ts): the ordinary hold answered outside Express and Nest, with the same checks. */
  @Transform(toBool)
  @IsBoolean()
  HOLD_LANE: boolean = true;

  /** Bearer token a Prometheus scraper sends to `GET /metrics`; unset, the route answers 404. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters when set' })
  METRICS_TOKEN?: string;
}

/**
 * Validates `process.env`-like input and returns typed config, or throws one Error
 * whose message names every bad variable, so a misconfigured deploy fails at once
 * and says everything that is wrong in one go.
 */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const input: Record<string, unknown> = {};
  for (const key of ENV_KEYS) {
    // An empty value means "not set", so a copied .env.example keeps every default.
    if (raw[key] !== undefined && raw[key] !== '') input[key] = raw[key];
  }
  const env = plainToInstance(EnvironmentVariables, input, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  const problems = new Map<string, string[]>(errors.map((e) => [e.property, Object.values(e.constraints ?? {})]));
  for (const [key, problem] of productionProblems(env, input, DEVELOPMENT))
    problems.set(key, [...(problems.get(key) ?? []), problem]);
  if (problems.size > 0) {
    const lines = [...problems].map(([key, messages]) => `  - ${key}=${shown(key, raw[key])}: ${messages.join('; ')}`);
    throw new Error(`Invalid configuration (${problems.size} problem${problems.size > 1 ? 's' : ''}):\n${lines.join('\n')}`);
  }
  return env;
}

/** The built-in development values (the defaults above): public, in this repository and .env.example. */
const DEVELOPMENT = new EnvironmentVariables();

/** Variables whose values never appear in an error message. */
const SECRETS = new Set([
  'JWT_SECRET',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'DATABASE_URL',
  'METRICS_TOKEN',
  'EVENTS_NATS_URL',
  'SMTP_URL',
  'TAX_API_KEY',
  'SHIPPING_CARRIER_API_KEY',
  'IMS_API_KEY',
  'TELEMATICS_API_KEY',
  'CUSTOMER_SERVICE_API_KEY',
  'S3_SECRET_ACCESS_KEY',
  'FLEET_NATS_URL',
  'FLEET_WEBHOOK_SECRET',
  'FLEET_API_KEY',
]);

function shown(key: string, value: unknown): string {
  if (value === undefined || value === '') return '(unset)'; // blank means unset (validateEnv)
  return SECRETS.has(key) ? '(hidden)' : JSON.stringify(value);
}

/** Every variable name validateEnv reads; `.env.example` lists exactly these (a test checks). */
export const ENV_KEYS = [
  'NODE_ENV',
  'PORT',
  'LOG_LEVEL',
  'LOG_PRETTY',
  'SHUTDOWN_TIMEOUT_MS',
  'HTTP_REQUEST_TIMEOUT_MS',
  'HTTP_HEADERS_TIMEOUT_MS',
  'HTTP_KEEP_ALIVE_TIMEOUT_MS',
  'HOLD_LANE',
  'METRICS_TOKEN',
  'CORS_ORIGINS',
  'TRUST_PROXY',
  'RATE_LIMIT_PER_MINUTE',
  'RATE_LIMIT_HOLD_PER_MINUTE',
  'GRAPHQL_MAX_DEPTH',
  'GRAPHQL_MAX_COST',
  'DATABASE_URL',
  'EMBEDDED_PG_DIR',
  'DB_POOL_SIZE',
  'MIGRATIONS_RUN',
  'AUTH_MODE',
  'JWT_SECRET',
  'JWT_JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'DEV_TOKEN_TTL_SECONDS',
  'IDEMPOTENCY_TTL_SECONDS',
  'IDEMPOTENCY_PURGE_INTERVAL_SECONDS',
  'HOLD_TTL_SECONDS',
  'HOLD_SWEEP_INTERVAL_SECONDS',
  'RENTAL_AUTH_LEAD_DAYS',
  'ANALYTICS_EXPORT_HOUR_UTC',
  'ANALYTICS_EXPORT_DAYS',
  'DEMO_CATALOG',
  'SHIPPING_PROVIDER',
  'SHIPPING_CARRIERS',
  'SHIPPING_CARRIER_API_KEY',
  'SHIPPING_FLAT_RATES',
  'SHIPPING_QUOTE_TIMEOUT_MS',
  'SHIPPING_SIMULATED_LATENCY_MS',
  'SHIPPING_SIMULATED_FAILURE_RATE',
  'PAYMENT_PROVIDER',
  'STRIPE_SECRET_KEY',
  'STRIPE_API_BASE',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_TIMEOUT_MS',
  'RECONCILE_AFTER_SECONDS',
  'EVENTS_NATS_URL',
  'EVENTS_RELAY_INTERVAL_MS',
  'SMTP_URL',
  'EMAIL_FROM',
  'EMAIL_LOCALE',
  'TAX_API_URL',
  'TAX_API_KEY',
  'TAX_TIMEOUT_MS',
  'TAX_RETRIES',
  'TAX_BREAKER_THRESHOLD',
  'TAX_BREAKER_HALF_OPEN_MS',
  'TAX_RATE_LIMIT_PER_SECOND',
  'TAX_RATE_LIMIT_BURST',
  'TAX_DAILY_QUOTA',
  'TAX_FALLBACK_RATES',
  'TAX_SIMULATED_LATENCY_MS',
  'TAX_SIMULATED_FAILURE_PERCENT',
  'IMS_MODE',
  'IMS_BASE_URL',
  'IMS_API_KEY',
  'IMS_RELEASE',
  'IMS_TIMEOUT_MS',
  'IMS_CLIENT_CERT_FILE',
  'IMS_CLIENT_KEY_FILE',
  'IMS_CA_FILE',
  'IMS_SIMULATED_SEED',
  'TELEMATICS_MODE',
  'TELEMATICS_API_URL',
  'TELEMATICS_API_KEY',
  'TELEMATICS_TIMEOUT_MS',
  'RETURN_PHOTO_MAX_BYTES',
  'RETURN_UPLOAD_MAX_BYTES',
  'RETURN_MIN_PHOTOS',
  'RENTAL_UNLOCK_EARLY_MINUTES',
  'CUSTOMERS_MODE',
  'CUSTOMER_SERVICE_URL',
  'CUSTOMER_SERVICE_API_KEY',
  'CUSTOMER_SERVICE_TIMEOUT_MS',
  'CUSTOMER_SERVICE_BREAKER_THRESHOLD',
  'CUSTOMER_SERVICE_BREAKER_HALF_OPEN_MS',
  'MIN_CREDIT_SCORE',
  'OBJECT_STORE',
  'OBJECT_STORE_DIR',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_BUCKET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_SSE',
  'S3_SSE_KMS_KEY_ID',
  'S3_TIMEOUT_MS',
  'FLEET_NATS_URL',
  'FLEET_NATS_STREAM',
  'FLEET_NATS_DURABLE',
  'FLEET_WEBHOOK_SECRET',
  'FLEET_API_MODE',
  'FLEET_API_URL',
  'FLEET_API_KEY',
  'FLEET_RECONCILE_MINUTES',
] as const;

/** Loads `.env` from the working directory if there is one; real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
