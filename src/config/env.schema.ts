import { existsSync } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
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
import { DEFAULT_FLAT_RATES, parseCarrierEndpoints, parseCarrierKeys, parseFlatRates } from './shipping-env';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};

/**
 * An integer variable from `min` to `max`, given as a string (blank or unset keeps the
 * default): `@Transform(toInt) @IsInt() @Min(min) @Max(max)`, applied in the order that
 * stack applies (bottom up), so its messages keep their order.
 */
function IntInRange(min: number, max: number): PropertyDecorator {
  const decorators: PropertyDecorator[] = [Max(max), Min(min), IsInt(), Transform(toInt)];
  return (target, key) => {
    for (const decorate of decorators) decorate(target, key);
  };
}

/** A string variable that `parse` accepts; the message names the variable and what `parse` found wrong. */
function Parses(parse: (value: string) => unknown): PropertyDecorator {
  return ValidateBy({
    name: 'parses',
    validator: {
      validate: (value: unknown) => {
        if (value === undefined) return true; // reported as missing by the rule that requires it
        try {
          parse(String(value));
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: (args) => {
        try {
          parse(String(args?.value));
          return `${args?.property} is not valid`;
        } catch (error) {
          return `${args?.property} ${(error as Error).message}`;
        }
      },
    },
  });
}

/**
 * Every environment variable Holdfast reads, with its default. `.env.example`
 * mirrors this class; keep them in step.
 */
export class EnvironmentVariables {
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

  /**
   * Where email goes: an SMTP server (smtp:// or smtps://, credentials in the URL); unset:
   * the dev outbox (a table, readable at GET /v1/dev/emails with AUTH_MODE=dev).
   */
  @IsOptional()
  @IsUrl(
    { protocols: ['smtp', 'smtps'], require_tld: false, require_protocol: true },
    { message: 'SMTP_URL must be an smtp:// or smtps:// URL' },
  )
  SMTP_URL?: string;

  /** The From header of every email. */
  @IsString()
  @MinLength(3)
  @Matches(/^[^\r\n\0]+$/, { message: 'EMAIL_FROM must be one line' })
  EMAIL_FROM: string = 'Holdfast <no-reply@holdfast.test>';

  /** The BCP 47 locale emails format amounts and dates in (e.g. en-GB, de-DE, en-US). */
  @ValidateBy({
    name: 'isLocale',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isSupportedLocale(value),
      defaultMessage: () => 'EMAIL_LOCALE must be a BCP 47 locale this Node.js knows (e.g. en-GB)',
    },
  })
  EMAIL_LOCALE: string = 'en-GB';

  @Transform(toBool)
  @IsOptional()
  @IsBoolean()
  DEMO_CATALOG?: boolean;

  /** Where shipping rates come from: `simulated` (three in-process carriers) or `http` (SHIPPING_CARRIERS). */
  @IsIn(['simulated', 'http'])
  SHIPPING_PROVIDER: string = 'simulated';

  /** `name|baseUrl[|enabled|disabled]`, comma-separated: the carriers asked when SHIPPING_PROVIDER=http. */
  @ValidateIf((env: EnvironmentVariables) => env.SHIPPING_PROVIDER === 'http' || env.SHIPPING_CARRIERS !== undefined)
  @IsString({ message: 'SHIPPING_CARRIERS is required when SHIPPING_PROVIDER=http' })
  @Parses(parseCarrierEndpoints)
  SHIPPING_CARRIERS?: string;

  /** `name=key`, comma-separated: each HTTP carrier's API key (sent as `Authorization: Bearer <key>`). */
  @ValidateIf((env: EnvironmentVariables) => env.SHIPPING_PROVIDER === 'http' || env.SHIPPING_CARRIER_API_KEY !== undefined)
  @IsString({ message: 'SHIPPING_CARRIER_API_KEY is required when SHIPPING_PROVIDER=http' })
  @Parses(parseCarrierKeys)
  @ValidateBy({
    name: 'keysEveryEnabledCarrier',
    validator: {
      validate: (_value: unknown, args) => missingCarrierKeys(args?.object as EnvironmentVariables).length === 0,
      defaultMessage: (args) =>
        `SHIPPING_CARRIER_API_KEY has no key for ${missingCarrierKeys(args?.object as EnvironmentVariables).join(', ')}`,
    },
  })
  SHIPPING_CARRIER_API_KEY?: string;

  /** The flat-rate options offered when no carrier answers in time (JSON; see docs/shipping.md). */
  @IsString()
  @Parses(parseFlatRates)
  SHIPPING_FLAT_RATES: string = DEFAULT_FLAT_RATES;

  /** How long each carrier may take to answer a quote. */
  @IntInRange(100, 30000)
  SHIPPING_QUOTE_TIMEOUT_MS: number = 3000;

  /** The simulated carriers' typical answer time (each answer takes 50 % to 150 % of it). */
  @IntInRange(0, 60000)
  SHIPPING_SIMULATED_LATENCY_MS: number = 50;

  /** The share of simulated carrier calls that fail, from 0 to 1. */
  @Transform(({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  SHIPPING_SIMULATED_FAILURE_RATE: number = 0;

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

  /**
   * The TaxJar-style tax API (docs/integrations.md, "Tax"): its base URL. Unset: the simulated
   * provider is the default (refused with NODE_ENV=production).
   */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'TAX_API_URL must be an http(s) URL' })
  TAX_API_URL?: string;

  /** The tax API's key, sent as `Authorization: Bearer`; required with TAX_API_URL. */
  @ValidateIf((env: EnvironmentVariables) => env.TAX_API_URL !== undefined)
  @IsString({ message: 'TAX_API_KEY is required when TAX_API_URL is set' })
  @MinLength(1, { message: 'TAX_API_KEY is required when TAX_API_URL is set' })
  TAX_API_KEY?: string;

  /** Per attempt to the tax API. */
  @IntInRange(100, 30000)
  TAX_TIMEOUT_MS: number = 2000;

  /** Extra attempts after a failed rate lookup (a read: safe to repeat), with exponential backoff. */
  @IntInRange(0, 5)
  TAX_RETRIES: number = 1;

  /** Consecutive failed lookups that open the tax circuit breaker. */
  @IntInRange(1, 1000)
  TAX_BREAKER_THRESHOLD: number = 5;

  /** How long the open tax breaker fails fast before it lets one trial lookup through. */
  @IntInRange(100, 3_600_000)
  TAX_BREAKER_HALF_OPEN_MS: number = 30000;

  /** Client-side rate limit on the tax API (per replica): requests per second... */
  @IntInRange(1, 10000)
  TAX_RATE_LIMIT_PER_SECOND: number = 10;

  /** ...and how many may go at once. */
  @IntInRange(1, 10000)
  TAX_RATE_LIMIT_BURST: number = 10;

  /** The tax provider's daily request quota (seed 003: 10,000), for integration_quota_used_ratio. */
  @IntInRange(1, 100_000_000)
  TAX_DAILY_QUOTA: number = 10000;

  /**
   * Rates used when the tax provider fails and nothing is cached: `CC=rate` or `CC-REGION=rate`
   * entries, comma-separated, and `*=rate` for every other country (required).
   */
  @ValidateBy({
    name: 'taxRateTable',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isTaxRateTable(value),
      defaultMessage: () =>
        'TAX_FALLBACK_RATES must be comma-separated CC=rate or CC-REGION=rate entries (rates from 0 to 1, at most 10 decimals) with a default *=rate, e.g. US=0.07,DE=0.19,*=0.2',
    },
  })
  TAX_FALLBACK_RATES: string = 'US=0.07,CA=0.13,GB=0.2,DE=0.19,FR=0.2,NL=0.21,*=0.2';

  /** The simulated tax provider's answer time (development, demos, chaos tests). */
  @IntInRange(0, 60000)
  TAX_SIMULATED_LATENCY_MS: number = 0;

  /** Share of the simulated tax provider's lookups that fail, in percent. */
  @IntInRange(0, 100)
  TAX_SIMULATED_FAILURE_PERCENT: number = 0;

  /**
   * Where external inventory comes from (DESIGN.md section 10): `simulated`, an in-process
   * IMS (the embedded default, refused in production), or `http`, a real IMS at IMS_BASE_URL.
   */
  @IsIn(['simulated', 'http'])
  IMS_MODE: string = 'simulated';

  @ValidateIf((env: EnvironmentVariables) => env.IMS_MODE === 'http' || env.IMS_BASE_URL !== undefined)
  @IsUrl(
    { protocols: ['http', 'https'], require_tld: false, require_protocol: true },
    { message: 'IMS_BASE_URL must be an http(s) URL, and is required when IMS_MODE=http' },
  )
  IMS_BASE_URL?: string;

  /** Sent as X-Api-Key; a comma-separated list during a rotation (the first one is sent). */
  @ValidateIf((env: EnvironmentVariables) => env.IMS_MODE === 'http')
  @IsString({ message: 'IMS_API_KEY is required when IMS_MODE=http' })
  @Matches(/^\s*[^\s,]+/, { message: 'IMS_API_KEY is required when IMS_MODE=http' })
  IMS_API_KEY?: string;

  /** The IMS serves DELETE /inventory/reservations/{id}: unrecorded reservations are released, not left to lapse. */
  @Transform(toBool)
  @IsBoolean()
  IMS_RELEASE: boolean = false;

  /** Per HTTP attempt to the IMS (the whole answer, body included). */
  @IntInRange(100, 60000)
  IMS_TIMEOUT_MS: number = 2000;

  /** mTLS: our client certificate (PEM), read at start-up; with IMS_CLIENT_KEY_FILE. */
  @ValidateIf((env: EnvironmentVariables) => env.IMS_CLIENT_CERT_FILE !== undefined || env.IMS_CLIENT_KEY_FILE !== undefined)
  @IsString({ message: 'IMS_CLIENT_CERT_FILE and IMS_CLIENT_KEY_FILE go together (mTLS)' })
  IMS_CLIENT_CERT_FILE?: string;

  /** mTLS: the private key of IMS_CLIENT_CERT_FILE (PEM), read at start-up. */
  @ValidateIf((env: EnvironmentVariables) => env.IMS_CLIENT_CERT_FILE !== undefined || env.IMS_CLIENT_KEY_FILE !== undefined)
  @IsString({ message: 'IMS_CLIENT_KEY_FILE and IMS_CLIENT_CERT_FILE go together (mTLS)' })
  IMS_CLIENT_KEY_FILE?: string;

  /** The CA (PEM) the IMS's server certificate must chain to, instead of the system's; read at start-up. */
  @IsOptional()
  @IsString()
  IMS_CA_FILE?: string;

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
  for (const [key, problem] of productionProblems(env, input)) problems.set(key, [...(problems.get(key) ?? []), problem]);
  if (problems.size > 0) {
    const lines = [...problems].map(([key, messages]) => `  - ${key}=${shown(key, raw[key])}: ${messages.join('; ')}`);
    throw new Error(`Invalid configuration (${problems.size} problem${problems.size > 1 ? 's' : ''}):\n${lines.join('\n')}`);
  }
  return env;
}

function isSupportedLocale(value: string): boolean {
  try {
    return Intl.NumberFormat.supportedLocalesOf([value]).length === 1;
  } catch {
    return false; // not a well-formed language tag
  }
}

/** The built-in development values (the defaults above): public, in this repository and .env.example. */
const DEVELOPMENT = new EnvironmentVariables();

/**
 * What NODE_ENV=production refuses although each value is well-formed: the development
 * conveniences that would let anyone in or take no money. AUTH_MODE=dev serves
 * POST /v1/dev/token, which mints any token, admin included, to anyone; the development
 * JWT_SECRET and STRIPE_WEBHOOK_SECRET are public, so anyone could sign tokens or webhook
 * events with them; the simulated provider charges no card; the simulated tax provider's
 * rates are made up (a flag variant that selects it is ignored in production: TaxService). `input` is what was set
 * (blank counts as unset), to tell a missing webhook secret from the development one.
 * events with them; the simulated provider charges no card; the simulated IMS invents
 * stock. `input` is what was set (blank counts as unset), to tell a missing webhook secret
 * from the development one.
 */
function productionProblems(env: EnvironmentVariables, input: Record<string, unknown>): [string, string][] {
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
  return problems;
}

/** What `fn` returns, or `fallback` if it throws (a value whose format is reported elsewhere). */
function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/**
 * The enabled HTTP carriers that SHIPPING_CARRIER_API_KEY gives no key for (none unless
 * SHIPPING_PROVIDER=http; a list or key value that does not parse is reported by its own rule).
 */
function missingCarrierKeys(env: EnvironmentVariables): string[] {
  if (env.SHIPPING_PROVIDER !== 'http' || env.SHIPPING_CARRIER_API_KEY === undefined) return [];
  const carriers = safely(() => parseCarrierEndpoints(env.SHIPPING_CARRIERS ?? ''), []);
  const keys = safely(() => parseCarrierKeys(env.SHIPPING_CARRIER_API_KEY ?? ''), null);
  if (keys === null) return [];
  return carriers.filter((c) => c.enabled && !keys.has(c.name)).map((c) => c.name);
}

/** The entries of a secret that may be a comma-separated list (old and new during a rotation). */
function secretEntries(value: unknown): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : String(value ?? '').split(',');
  return list.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
}

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
  'METRICS_TOKEN',
  'CORS_ORIGINS',
  'TRUST_PROXY',
  'RATE_LIMIT_PER_MINUTE',
  'RATE_LIMIT_HOLD_PER_MINUTE',
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
] as const;

/**
 * A TAX_FALLBACK_RATES value: `CC=rate` / `CC-REGION=rate` entries and a `*=rate` default,
 * each rate a plain decimal from 0 to 1 (src/tax/tax-rate.ts parses it).
 */
function isTaxRateTable(value: string): boolean {
  const entries = value.split(',').map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    const match = /^(\*|[A-Z]{2}(?:-[A-Z0-9]{1,3})?)=(\d+(?:\.\d{1,10})?)$/.exec(entry);
    return match !== null && Number(match[2]) <= 1;
  });
  return valid && entries.some((entry) => entry.startsWith('*='));
}

/** Loads `.env` from the working directory if there is one; real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
