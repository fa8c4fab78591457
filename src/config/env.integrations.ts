import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
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
} from 'class-validator';
import { IntInRange, Parses, safely, toBool } from './env.decorators';
import { FleetVariables } from './env.fleet';
import { DEFAULT_FLAT_RATES, parseCarrierEndpoints, parseCarrierKeys, parseFlatRates } from './shipping-env';

const S3_KEYS_TOGETHER =
  'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together (unset both to use the AWS default credentials, e.g. an IAM role)';

/**
 * The environment variables of the integrations: email (SMTP), shipping carriers, tax, the
 * inventory system (IMS), the rentals' telematics and return upload limits.
 * EnvironmentVariables (env.schema.ts) extends this class, so they are validated with every
 * other variable, in one pass.
 */
export class IntegrationVariables extends FleetVariables {
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

  /** Where shipping rates come from: `simulated` (three in-process carriers) or `http` (SHIPPING_CARRIERS). */
  @IsIn(['simulated', 'http'])
  SHIPPING_PROVIDER: string = 'simulated';

  /** `name|baseUrl[|enabled|disabled]`, comma-separated: the carriers asked when SHIPPING_PROVIDER=http. */
  @ValidateIf((env: IntegrationVariables) => env.SHIPPING_PROVIDER === 'http' || env.SHIPPING_CARRIERS !== undefined)
  @IsString({ message: 'SHIPPING_CARRIERS is required when SHIPPING_PROVIDER=http' })
  @Parses(parseCarrierEndpoints)
  SHIPPING_CARRIERS?: string;

  /** `name=key`, comma-separated: each HTTP carrier's API key (sent as `Authorization: Bearer <key>`). */
  @ValidateIf((env: IntegrationVariables) => env.SHIPPING_PROVIDER === 'http' || env.SHIPPING_CARRIER_API_KEY !== undefined)
  @IsString({ message: 'SHIPPING_CARRIER_API_KEY is required when SHIPPING_PROVIDER=http' })
  @Parses(parseCarrierKeys)
  @ValidateBy({
    name: 'keysEveryEnabledCarrier',
    validator: {
      validate: (_value: unknown, args) => missingCarrierKeys(args?.object as IntegrationVariables).length === 0,
      defaultMessage: (args) =>
        `SHIPPING_CARRIER_API_KEY has no key for ${missingCarrierKeys(args?.object as IntegrationVariables).join(', ')}`,
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

  /**
   * The TaxJar-style tax API (docs/integrations.md, "Tax"): its base URL. Unset: the simulated
   * provider is the default (refused with NODE_ENV=production).
   */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'TAX_API_URL must be an http(s) URL' })
  TAX_API_URL?: string;

  /** The tax API's key, sent as `Authorization: Bearer`; required with TAX_API_URL. */
  @ValidateIf((env: IntegrationVariables) => env.TAX_API_URL !== undefined)
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

  @ValidateIf((env: IntegrationVariables) => env.IMS_MODE === 'http' || env.IMS_BASE_URL !== undefined)
  @IsUrl(
    { protocols: ['http', 'https'], require_tld: false, require_protocol: true },
    { message: 'IMS_BASE_URL must be an http(s) URL, and is required when IMS_MODE=http' },
  )
  IMS_BASE_URL?: string;

  /** Sent as X-Api-Key; a comma-separated list during a rotation (the first one is sent). */
  @ValidateIf((env: IntegrationVariables) => env.IMS_MODE === 'http')
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
  @ValidateIf((env: IntegrationVariables) => env.IMS_CLIENT_CERT_FILE !== undefined || env.IMS_CLIENT_KEY_FILE !== undefined)
  @IsString({ message: 'IMS_CLIENT_CERT_FILE and IMS_CLIENT_KEY_FILE go together (mTLS)' })
  IMS_CLIENT_CERT_FILE?: string;

  /** mTLS: the private key of IMS_CLIENT_CERT_FILE (PEM), read at start-up. */
  @ValidateIf((env: IntegrationVariables) => env.IMS_CLIENT_CERT_FILE !== undefined || env.IMS_CLIENT_KEY_FILE !== undefined)
  @IsString({ message: 'IMS_CLIENT_KEY_FILE and IMS_CLIENT_CERT_FILE go together (mTLS)' })
  IMS_CLIENT_KEY_FILE?: string;

  /** The CA (PEM) the IMS's server certificate must chain to, instead of the system's; read at start-up. */
  @IsOptional()
  @IsString()
  IMS_CA_FILE?: string;

  /**
   * Items the simulated IMS starts with (IMS_MODE=simulated only): `id=stock:N` (a product)
   * or `id=units:N` (a rental item), comma-separated. For demos and benchmarks; the demo
   * catalog seeds its own items.
   */
  @IsOptional()
  @Matches(
    /^\s*[A-Za-z0-9][A-Za-z0-9._:-]{0,127}=(stock|units):\d{1,12}\s*(,\s*[A-Za-z0-9][A-Za-z0-9._:-]{0,127}=(stock|units):\d{1,12}\s*)*$/,
    {
      message: 'IMS_SIMULATED_SEED must be comma-separated id=stock:N or id=units:N entries',
    },
  )
  IMS_SIMULATED_SEED?: string;

  /**
   * Who opens the rental vehicles (DESIGN.md section 12, docs/telematics.md): `simulated`, an
   * in-process fleet (the development default, refused in production), or `http`, the
   * telematics API at TELEMATICS_API_URL.
   */
  @IsIn(['simulated', 'http'])
  TELEMATICS_MODE: string = 'simulated';

  @ValidateIf((env: IntegrationVariables) => env.TELEMATICS_MODE === 'http' || env.TELEMATICS_API_URL !== undefined)
  @IsUrl(
    { protocols: ['http', 'https'], require_tld: false, require_protocol: true },
    { message: 'TELEMATICS_API_URL must be an http(s) URL, and is required when TELEMATICS_MODE=http' },
  )
  TELEMATICS_API_URL?: string;

  /** Sent as X-Api-Key on every telematics call; required when TELEMATICS_MODE=http. */
  @ValidateIf((env: IntegrationVariables) => env.TELEMATICS_MODE === 'http')
  @Matches(/^[\x21-\x7e]+$/, {
    message: 'TELEMATICS_API_KEY is required when TELEMATICS_MODE=http (printable ASCII, no spaces)',
  })
  TELEMATICS_API_KEY?: string;

  /** The whole budget of one unlock (or last-lock read), its retries included: a car on cellular is slow. */
  @IntInRange(100, 60000)
  TELEMATICS_TIMEOUT_MS: number = 10000;

  /** The largest return photo accepted, in bytes (10 MiB). */
  @IntInRange(1024, 100 * 1024 * 1024)
  RETURN_PHOTO_MAX_BYTES: number = 10 * 1024 * 1024;

  /** The largest return upload, every photo and field together, in bytes (40 MiB); at least RETURN_PHOTO_MAX_BYTES. */
  @IntInRange(1024, 1024 * 1024 * 1024)
  @ValidateBy({
    name: 'notBelowPhotoMax',
    validator: {
      validate: (value: unknown, args) => (value as number) >= (args?.object as IntegrationVariables).RETURN_PHOTO_MAX_BYTES,
      defaultMessage: () => 'RETURN_UPLOAD_MAX_BYTES must not be below RETURN_PHOTO_MAX_BYTES',
    },
  })
  RETURN_UPLOAD_MAX_BYTES: number = 40 * 1024 * 1024;

  /** Photos a return needs at least (the car's four sides). */
  @IntInRange(1, 20)
  RETURN_MIN_PHOTOS: number = 4;

  /** How long before pickup a renter may first unlock the vehicle (30 minutes; up to a day, e.g. to try the flow now). */
  @IntInRange(0, 1440)
  RENTAL_UNLOCK_EARLY_MINUTES: number = 30;

  /**
   * Where customer verification (DESIGN.md section 12, docs/customers.md) asks seed 002's
   * Customer Management Service: `simulated`, in process (the embedded default: everyone
   * passes except the documented test customers; refused in production), or `http`, the
   * real service at CUSTOMER_SERVICE_URL.
   */
  @IsIn(['simulated', 'http'])
  CUSTOMERS_MODE: string = 'simulated';

  /** The Customer Management Service's base URL (GET {url}/customers/{customerId}); required when CUSTOMERS_MODE=http. */
  @ValidateIf((env: IntegrationVariables) => env.CUSTOMERS_MODE === 'http' || env.CUSTOMER_SERVICE_URL !== undefined)
  @IsUrl(
    { protocols: ['http', 'https'], require_tld: false, require_protocol: true },
    { message: 'CUSTOMER_SERVICE_URL must be an http(s) URL, and is required when CUSTOMERS_MODE=http' },
  )
  @ValidateBy({
    name: 'plainBaseUrl',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || isPlainBaseUrl(value),
      defaultMessage: () =>
        'CUSTOMER_SERVICE_URL must hold no credentials, query or fragment (the key goes in CUSTOMER_SERVICE_API_KEY)',
    },
  })
  CUSTOMER_SERVICE_URL?: string;

  /**
   * Sent as X-Api-Key to the Customer Management Service; required when CUSTOMERS_MODE=http.
   * One key: we send it, so there is nothing to rotate on our side (comma-separated lists are
   * for the secrets others send us).
   */
  @ValidateIf((env: IntegrationVariables) => env.CUSTOMERS_MODE === 'http' || env.CUSTOMER_SERVICE_API_KEY !== undefined)
  @ValidateBy({
    name: 'oneApiKey',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^[\x21-\x2b\x2d-\x7e]+$/.test(value),
      defaultMessage: (args) =>
        args?.value === undefined
          ? 'CUSTOMER_SERVICE_API_KEY is required when CUSTOMERS_MODE=http'
          : 'CUSTOMER_SERVICE_API_KEY must be one key of printable ASCII characters, without spaces or commas',
    },
  })
  CUSTOMER_SERVICE_API_KEY?: string;

  /** Seed 002's SLA: the whole verification call, a retry included, answers within this or counts as down. */
  @IntInRange(50, 10000)
  CUSTOMER_SERVICE_TIMEOUT_MS: number = 500;

  /** Consecutive failed verification calls that open the Customer Management Service's circuit breaker. */
  @IntInRange(1, 1000)
  CUSTOMER_SERVICE_BREAKER_THRESHOLD: number = 5;

  /** How long that open breaker fails fast before it lets one trial call through. */
  @IntInRange(100, 3_600_000)
  CUSTOMER_SERVICE_BREAKER_HALF_OPEN_MS: number = 30000;

  /** The lowest credit score a customer may rent a vehicle with (the service's scale, 0 to 1000). */
  @IntInRange(0, 1000)
  MIN_CREDIT_SCORE: number = 600;

  /**
   * Where files are kept (return photos, exports; docs/object-store.md): `local`, files under
   * OBJECT_STORE_DIR (development; refused with NODE_ENV=production), or `s3`, an S3-compatible
   * bucket, every object written with server-side encryption.
   */
  @IsIn(['local', 's3'])
  OBJECT_STORE: string = 'local';

  /** OBJECT_STORE=local: the directory objects live under (created on the first write). */
  @IsString()
  @Matches(/^[^\0]+$/, { message: 'OBJECT_STORE_DIR must be a path' })
  OBJECT_STORE_DIR: string = '.data/objects';

  /** An S3-compatible endpoint (MinIO, Ceph, R2...), addressed path-style; unset: AWS S3 in S3_REGION. */
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_tld: false, require_protocol: true },
    { message: 'S3_ENDPOINT must be an http(s) URL' },
  )
  @Matches(/^[^@]*$/, { message: 'S3_ENDPOINT must not carry credentials: use S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY' })
  S3_ENDPOINT?: string;

  @Matches(/^[a-z0-9-]{1,40}$/, { message: 'S3_REGION must be a region name such as eu-west-1' })
  S3_REGION: string = 'us-east-1';

  @ValidateIf((env: IntegrationVariables) => env.OBJECT_STORE === 's3' || env.S3_BUCKET !== undefined)
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    message: 'S3_BUCKET is required when OBJECT_STORE=s3: a bucket name (3 to 63 of a-z 0-9 . -)',
  })
  S3_BUCKET?: string;

  /** With S3_SECRET_ACCESS_KEY, or neither: the AWS SDK's default credentials (an IAM role). */
  @ValidateIf((env: IntegrationVariables) => env.S3_ACCESS_KEY_ID !== undefined || env.S3_SECRET_ACCESS_KEY !== undefined)
  @IsString({ message: S3_KEYS_TOGETHER })
  S3_ACCESS_KEY_ID?: string;

  @ValidateIf((env: IntegrationVariables) => env.S3_ACCESS_KEY_ID !== undefined || env.S3_SECRET_ACCESS_KEY !== undefined)
  @IsString({ message: S3_KEYS_TOGETHER })
  S3_SECRET_ACCESS_KEY?: string;

  /** Server-side encryption asked for on every write: AES256 (S3-managed keys) or aws:kms. */
  @IsIn(['AES256', 'aws:kms'], { message: 'S3_SSE must be AES256 (S3-managed keys) or aws:kms' })
  S3_SSE: string = 'AES256';

  /** S3_SSE=aws:kms: the KMS key (id, alias/name or ARN); unset: the bucket's default key. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9:/_-]{1,2048}$/, { message: 'S3_SSE_KMS_KEY_ID must be a KMS key id, alias or ARN' })
  @ValidateBy({
    name: 'kmsOnly',
    validator: {
      validate: (_value: unknown, args) => (args?.object as IntegrationVariables).S3_SSE === 'aws:kms',
      defaultMessage: () => 'S3_SSE_KMS_KEY_ID is only used with S3_SSE=aws:kms',
    },
  })
  S3_SSE_KMS_KEY_ID?: string;

  /** Per HTTP request to the bucket (connect, answer, any silence of the socket). */
  @IntInRange(100, 120000)
  S3_TIMEOUT_MS: number = 10000;
}

/** A base URL with nothing but scheme, host, port and path (a value that is no URL at all is reported by IsUrl). */
function isPlainBaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return true;
  }
  return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
}

function isSupportedLocale(value: string): boolean {
  try {
    return Intl.NumberFormat.supportedLocalesOf([value]).length === 1;
  } catch {
    return false; // not a well-formed language tag
  }
}

/**
 * The enabled HTTP carriers that SHIPPING_CARRIER_API_KEY gives no key for (none unless
 * SHIPPING_PROVIDER=http; a list or key value that does not parse is reported by its own rule).
 */
function missingCarrierKeys(env: IntegrationVariables): string[] {
  if (env.SHIPPING_PROVIDER !== 'http' || env.SHIPPING_CARRIER_API_KEY === undefined) return [];
  const carriers = safely(() => parseCarrierEndpoints(env.SHIPPING_CARRIERS ?? ''), []);
  const keys = safely(() => parseCarrierKeys(env.SHIPPING_CARRIER_API_KEY ?? ''), null);
  if (keys === null) return [];
  return carriers.filter((c) => c.enabled && !keys.has(c.name)).map((c) => c.name);
}

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
