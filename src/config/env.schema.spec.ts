import { describe, expect, it } from '@jest/globals';
import { validateEnv } from './env.schema';

/** The message validateEnv throws for `raw`, or a failure if it does not throw. */
function problems(raw: Record<string, unknown>): string {
  try {
    validateEnv(raw);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe('validateEnv', () => {
  it('gives every variable its documented default when nothing is set', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      EMBEDDED_PG_DIR: '.data/postgres',
      DB_POOL_SIZE: 10,
      MIGRATIONS_RUN: true,
      LOG_LEVEL: 'info',
      LOG_PRETTY: false,
      AUTH_MODE: 'dev',
      DEV_TOKEN_TTL_SECONDS: 86400,
      IDEMPOTENCY_TTL_SECONDS: 86400,
      HOLD_TTL_SECONDS: 900,
      HOLD_SWEEP_INTERVAL_SECONDS: 30,
      RENTAL_AUTH_LEAD_DAYS: 2,
      PAYMENT_PROVIDER: 'simulated',
      RECONCILE_AFTER_SECONDS: 300,
      SHUTDOWN_TIMEOUT_MS: 10000,
      EVENTS_RELAY_INTERVAL_MS: 1000,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.EVENTS_NATS_URL).toBeUndefined();
    expect(env.STRIPE_SECRET_KEY).toBeUndefined();
    expect(env.JWT_SECRET.length).toBeGreaterThanOrEqual(16);
  });

  it('treats a blank variable as unset', () => {
    const env = validateEnv({ PORT: '', DATABASE_URL: '', MIGRATIONS_RUN: '', JWT_ISSUER: '' });
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.MIGRATIONS_RUN).toBe(true);
    expect(env.JWT_ISSUER).toBeUndefined();
  });

  it('parses numbers and booleans from their string form', () => {
    const env = validateEnv({
      PORT: '8080',
      HOLD_TTL_SECONDS: '60',
      DB_POOL_SIZE: '4',
      MIGRATIONS_RUN: 'false',
      LOG_PRETTY: '1',
      DEMO_CATALOG: '0',
    });
    expect(env.PORT).toBe(8080);
    expect(env.HOLD_TTL_SECONDS).toBe(60);
    expect(env.DB_POOL_SIZE).toBe(4);
    expect(env.MIGRATIONS_RUN).toBe(false);
    expect(env.LOG_PRETTY).toBe(true);
    expect(env.DEMO_CATALOG).toBe(false);
  });

  it('accepts a postgres URL and ignores variables it does not know', () => {
    const env = validateEnv({ DATABASE_URL: 'postgresql://u:p@db:5432/holdfast', HOME: '/root', PATH: '/bin' });
    expect(env.DATABASE_URL).toBe('postgresql://u:p@db:5432/holdfast');
    expect(env).not.toHaveProperty('HOME');
  });

  it('names every bad variable in one thrown Error', () => {
    let thrown: unknown;
    try {
      validateEnv({ PORT: 'abc', AUTH_MODE: 'magic', HOLD_TTL_SECONDS: '0', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    const message = (thrown as Error).message;
    expect(message).toMatch(/^Invalid configuration \(5 problems\)/);
    for (const name of ['PORT', 'AUTH_MODE', 'HOLD_TTL_SECONDS', 'DATABASE_URL', 'LOG_LEVEL']) {
      expect(message).toMatch(new RegExp(`^  - ${name}=`, 'm'));
    }
    expect(message).toContain('DATABASE_URL must be a postgres:// URL');
    expect(message).toContain('AUTH_MODE must be one of the following values: dev, jwks');
    expect(message).toContain('HOLD_TTL_SECONDS must not be less than 1');
  });

  it('rejects numbers that are not integers or out of range, and booleans that are not booleans', () => {
    const message = problems({ PORT: '3.5', DB_POOL_SIZE: '500', SHUTDOWN_TIMEOUT_MS: '-1', MIGRATIONS_RUN: 'yes' });
    expect(message).toContain('PORT must be an integer number');
    expect(message).toContain('DB_POOL_SIZE must not be greater than 200');
    expect(message).toContain('SHUTDOWN_TIMEOUT_MS must not be less than 0');
    expect(message).toContain('MIGRATIONS_RUN must be a boolean value');
  });

  it('keeps RENTAL_AUTH_LEAD_DAYS between 2 (a day to act before the deadline) and 4 (an off-session authorisation still holds at pickup)', () => {
    expect(problems({ RENTAL_AUTH_LEAD_DAYS: '1' })).toContain('RENTAL_AUTH_LEAD_DAYS must not be less than 2');
    expect(problems({ RENTAL_AUTH_LEAD_DAYS: '5' })).toContain('RENTAL_AUTH_LEAD_DAYS must not be greater than 4');
    expect(validateEnv({ RENTAL_AUTH_LEAD_DAYS: '3' }).RENTAL_AUTH_LEAD_DAYS).toBe(3);
  });

  it('requires JWT_JWKS_URL when AUTH_MODE=jwks, and only then', () => {
    expect(problems({ AUTH_MODE: 'jwks' })).toContain('JWT_JWKS_URL must be an http(s) URL when AUTH_MODE=jwks');
    expect(problems({ AUTH_MODE: 'jwks', JWT_JWKS_URL: 'not a url' })).toContain('JWT_JWKS_URL');
    const env = validateEnv({
      AUTH_MODE: 'jwks',
      JWT_JWKS_URL: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json',
    });
    expect(env.AUTH_MODE).toBe('jwks');
    expect(() => validateEnv({ AUTH_MODE: 'dev' })).not.toThrow();
  });

  it('requires STRIPE_SECRET_KEY when PAYMENT_PROVIDER=stripe, blank counting as missing', () => {
    expect(problems({ PAYMENT_PROVIDER: 'stripe' })).toContain('STRIPE_SECRET_KEY is required when PAYMENT_PROVIDER=stripe');
    expect(problems({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: '' })).toContain('STRIPE_SECRET_KEY');
    expect(validateEnv({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_123' }).STRIPE_SECRET_KEY).toBe('sk_test_123');
    expect(() => validateEnv({ PAYMENT_PROVIDER: 'simulated' })).not.toThrow();
    expect(problems({ PAYMENT_PROVIDER: 'paypal' })).toContain('PAYMENT_PROVIDER');
  });

  it('requires IMS_BASE_URL and IMS_API_KEY when IMS_MODE=http, the mTLS certificate and key together', () => {
    expect(validateEnv({})).toMatchObject({ IMS_MODE: 'simulated', IMS_RELEASE: false, IMS_TIMEOUT_MS: 2000 });
    const message = problems({ IMS_MODE: 'http' });
    expect(message).toMatch(/^Invalid configuration \(2 problems\)/);
    expect(message).toContain('IMS_BASE_URL must be an http(s) URL, and is required when IMS_MODE=http');
    expect(message).toContain('IMS_API_KEY is required when IMS_MODE=http');
    expect(problems({ IMS_MODE: 'http', IMS_BASE_URL: 'ftp://ims', IMS_API_KEY: 'k' })).toContain('IMS_BASE_URL');
    expect(problems({ IMS_MODE: 'grpc' })).toContain('IMS_MODE');
    expect(problems({ IMS_TIMEOUT_MS: '50' })).toContain('IMS_TIMEOUT_MS');
    expect(problems({ IMS_RELEASE: 'maybe' })).toContain('IMS_RELEASE');
    const http = validateEnv({ IMS_MODE: 'http', IMS_BASE_URL: 'http://127.0.0.1:9999', IMS_API_KEY: 'k', IMS_RELEASE: 'true' });
    expect(http).toMatchObject({ IMS_MODE: 'http', IMS_RELEASE: true });
    expect(problems({ IMS_CLIENT_CERT_FILE: '/x/client.crt' })).toContain('IMS_CLIENT_KEY_FILE');
    expect(problems({ IMS_CLIENT_KEY_FILE: '/x/client.key' })).toContain('IMS_CLIENT_CERT_FILE');
    expect(() =>
      validateEnv({ IMS_CLIENT_CERT_FILE: '/x/c.crt', IMS_CLIENT_KEY_FILE: '/x/c.key', IMS_CA_FILE: '/x/ca' }),
    ).not.toThrow();
  });

  it('requires TELEMATICS_API_URL and _KEY when TELEMATICS_MODE=http; bounds the return upload limits (defaults: config-slices.spec)', () => {
    const limits = { RETURN_MIN_PHOTOS: '0', RETURN_PHOTO_MAX_BYTES: '5000', RETURN_UPLOAD_MAX_BYTES: '4000' };
    const message = problems({ TELEMATICS_MODE: 'http', TELEMATICS_TIMEOUT_MS: '99', ...limits });
    expect(message).toMatch(/^Invalid configuration \(5 problems\):(\n {2}- (TELEMATICS|RETURN)_[A-Z_]+=.*){5}$/);
    expect(message).toMatch(/RETURN_UPLOAD_MAX_BYTES="4000": RETURN_UPLOAD_MAX_BYTES must not be below RETURN_PHOTO_MAX_BYTES/);
    expect(problems({ TELEMATICS_MODE: 'http', TELEMATICS_API_URL: 'http://t', TELEMATICS_API_KEY: 'tm key' })).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- TELEMATICS_API_KEY=\(hidden\)/,
    );
  });

  it('rejects a dev JWT_SECRET shorter than 16 characters', () => {
    expect(problems({ JWT_SECRET: 'short' })).toContain('JWT_SECRET must be at least 16 characters');
    expect(() => validateEnv({ JWT_SECRET: '0123456789abcdef' })).not.toThrow();
  });

  it('counts problems from different rules together', () => {
    const message = problems({ AUTH_MODE: 'jwks', PAYMENT_PROVIDER: 'stripe', PORT: '70000' });
    expect(message).toMatch(/^Invalid configuration \(3 problems\)/);
    expect(message).toContain('JWT_JWKS_URL');
    expect(message).toContain('STRIPE_SECRET_KEY');
    expect(message).toContain('PORT must not be greater than 65535');
  });

  it('gives the tax variables their defaults, needs TAX_API_KEY with TAX_API_URL, and checks the fallback table', () => {
    expect(validateEnv({})).toMatchObject({
      TAX_TIMEOUT_MS: 2000,
      TAX_RETRIES: 1,
      TAX_BREAKER_THRESHOLD: 5,
      TAX_BREAKER_HALF_OPEN_MS: 30000,
      TAX_RATE_LIMIT_PER_SECOND: 10,
      TAX_RATE_LIMIT_BURST: 10,
      TAX_DAILY_QUOTA: 10000,
      TAX_SIMULATED_LATENCY_MS: 0,
      TAX_SIMULATED_FAILURE_PERCENT: 0,
    });
    expect(validateEnv({}).TAX_FALLBACK_RATES).toContain('*=');
    expect(problems({ TAX_API_URL: 'https://tax.example.com' })).toContain('TAX_API_KEY is required when TAX_API_URL is set');
    expect(problems({ TAX_API_URL: 'not a url', TAX_API_KEY: 'k' })).toContain('TAX_API_URL must be an http(s) URL');
    const message = problems({ TAX_API_URL: 'https://tax.example.com', TAX_API_KEY: 'tax_secret_value', TAX_RETRIES: '9' });
    expect(message).toContain('TAX_RETRIES must not be greater than 5');
    expect(message).not.toContain('tax_secret_value');
    for (const table of ['US=0.07', 'US=0.07,*=1.5', 'US=-0.1,*=0.2', 'usa=0.1,*=0.2', 'US=0.07;*=0.2', 'US=abc,*=0.2']) {
      expect(problems({ TAX_FALLBACK_RATES: table })).toContain('TAX_FALLBACK_RATES must be comma-separated');
    }
    for (const table of ['*=0', 'US=0.07, US-CA=0.0725 ,DE=0.19,*=0.2', '*=1']) {
      expect(validateEnv({ TAX_FALLBACK_RATES: table }).TAX_FALLBACK_RATES).toBe(table);
    }
  });

  it('gives customer verification its defaults, needs CUSTOMER_SERVICE_URL and one key with CUSTOMERS_MODE=http', () => {
    expect(validateEnv({})).toMatchObject({
      CUSTOMERS_MODE: 'simulated',
      CUSTOMER_SERVICE_TIMEOUT_MS: 500,
      CUSTOMER_SERVICE_BREAKER_THRESHOLD: 5,
      CUSTOMER_SERVICE_BREAKER_HALF_OPEN_MS: 30000,
      MIN_CREDIT_SCORE: 600,
    });
    expect(validateEnv({}).CUSTOMER_SERVICE_URL).toBeUndefined();
    const missing = problems({ CUSTOMERS_MODE: 'http' });
    expect(missing).toMatch(/^Invalid configuration \(2 problems\)/);
    expect(missing).toContain('CUSTOMER_SERVICE_URL must be an http(s) URL, and is required when CUSTOMERS_MODE=http');
    expect(missing).toMatch(/CUSTOMER_SERVICE_API_KEY=\(unset\): CUSTOMER_SERVICE_API_KEY is required when CUSTOMERS_MODE=http/);
    expect(problems({ CUSTOMERS_MODE: 'grpc' })).toContain('CUSTOMERS_MODE');
    const http = {
      CUSTOMERS_MODE: 'http',
      CUSTOMER_SERVICE_URL: 'http://127.0.0.1:9/cms',
      CUSTOMER_SERVICE_API_KEY: 'cms_key_1',
    };
    expect(validateEnv(http)).toMatchObject(http);
    // The key travels in a header: one printable token, never a rotation list (that is for secrets others send us).
    for (const key of ['new_key,old_key', 'two words', 'tab\tkey', 'é']) {
      const message = problems({ ...http, CUSTOMER_SERVICE_API_KEY: key });
      expect(message).toMatch(/^Invalid configuration \(1 problem\):\n {2}- CUSTOMER_SERVICE_API_KEY=\(hidden\): .*one key/);
      expect(message).not.toContain(key);
    }
    for (const url of ['ftp://cms.example.com', 'not a url']) {
      expect(problems({ ...http, CUSTOMER_SERVICE_URL: url })).toContain('CUSTOMER_SERVICE_URL must be an http(s) URL');
    }
    for (const url of ['https://user:pw@cms.example.com', 'https://cms.example.com/api?key=1', 'https://cms.example.com/#x']) {
      expect(problems({ ...http, CUSTOMER_SERVICE_URL: url })).toContain(
        'CUSTOMER_SERVICE_URL must hold no credentials, query or fragment',
      );
    }
    expect(problems({ CUSTOMER_SERVICE_TIMEOUT_MS: '10' })).toContain('CUSTOMER_SERVICE_TIMEOUT_MS must not be less than 50');
    expect(problems({ MIN_CREDIT_SCORE: '1001' })).toContain('MIN_CREDIT_SCORE must not be greater than 1000');
    expect(problems({ MIN_CREDIT_SCORE: 'high' })).toContain('MIN_CREDIT_SCORE');
    expect(validateEnv({ MIN_CREDIT_SCORE: '0' }).MIN_CREDIT_SCORE).toBe(0);
  });

  it('leaves METRICS_TOKEN unset by default and, when set, wants 16 characters and never prints it', () => {
    expect(validateEnv({}).METRICS_TOKEN).toBeUndefined();
    expect(validateEnv({ METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
    const message = problems({ METRICS_TOKEN: 'short-secret' });
    expect(message).toContain('METRICS_TOKEN must be at least 16 characters when set');
    expect(message).toContain('METRICS_TOKEN=(hidden)');
    expect(message).not.toContain('short-secret');
    expect(validateEnv({ METRICS_TOKEN: '0123456789abcdef' }).METRICS_TOKEN).toBe('0123456789abcdef');
  });
});

/** A production configuration that is right: tokens from a JWKS, real Stripe with its webhook secret. */
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://holdfast:pw@db:5432/holdfast',
  AUTH_MODE: 'jwks',
  JWT_JWKS_URL: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json',
  PAYMENT_PROVIDER: 'stripe',
  STRIPE_SECRET_KEY: 'sk_live_0123456789',
  STRIPE_WEBHOOK_SECRET: 'whsec_live_0123456789abcdef',
  SMTP_URL: 'smtps://holdfast:smtp_password_0123@smtp.example.com:465',
  TAX_API_URL: 'https://api.taxjar.example.com',
  TAX_API_KEY: 'tax_live_0123456789',
  SHIPPING_PROVIDER: 'http',
  SHIPPING_CARRIERS: 'fedex|https://fedex.example.com/v1,ups|https://ups.example.com/v1',
  SHIPPING_CARRIER_API_KEY: 'fedex=fx_live_0123456789,ups=ups_live_0123456789',
  IMS_MODE: 'http',
  IMS_BASE_URL: 'https://ims.example.com/api',
  IMS_API_KEY: 'ims_live_key_0123456789',
  TELEMATICS_MODE: 'http',
  TELEMATICS_API_URL: 'https://telematics.example.com/api',
  TELEMATICS_API_KEY: 'tm_live_key_0123456789',
  CUSTOMERS_MODE: 'http',
  CUSTOMER_SERVICE_URL: 'https://customers.example.com/api',
  CUSTOMER_SERVICE_API_KEY: 'cms_live_key_0123456789',
  OBJECT_STORE: 's3',
  S3_BUCKET: 'holdfast-photos',
  S3_REGION: 'eu-west-1',
  FLEET_API_MODE: 'http',
  FLEET_API_URL: 'https://fleet.example.com/api',
  FLEET_WEBHOOK_SECRET: 'fleet_live_secret_0123456789',
};

/** The values anyone can read in this repository (.env.example, the class defaults). */
const DEV_JWT_SECRET = 'holdfast-dev-secret-change-me';
const DEV_WEBHOOK_SECRET = 'whsec_holdfast_dev_secret';

describe('validateEnv with NODE_ENV=production', () => {
  it('accepts a correct production configuration (AUTH_MODE=jwks with a JWKS URL, stripe with key and webhook secret)', () => {
    const env = validateEnv(PRODUCTION);
    expect(env).toMatchObject({ NODE_ENV: 'production', AUTH_MODE: 'jwks', PAYMENT_PROVIDER: 'stripe' });
  });

  it('refuses AUTH_MODE=dev, which serves POST /v1/dev/token to anyone', () => {
    const message = problems({ ...PRODUCTION, AUTH_MODE: 'dev', JWT_SECRET: 'a-real-long-random-secret-0123456789' });
    expect(message).toMatch(/^Invalid configuration \(1 problem\):\n {2}- AUTH_MODE="dev": .*production/);
    expect(message).not.toContain('a-real-long-random-secret');
  });

  it('refuses the built-in development JWT_SECRET, set or defaulted, naming it without printing it', () => {
    for (const jwtSecret of [undefined, DEV_JWT_SECRET]) {
      const message = problems({ ...PRODUCTION, AUTH_MODE: 'dev', JWT_SECRET: jwtSecret });
      expect(message).toMatch(/^Invalid configuration \(2 problems\)/);
      expect(message).toMatch(/^ {2}- AUTH_MODE="dev": /m);
      expect(message).toMatch(/^ {2}- JWT_SECRET=\((hidden|unset)\): .*development/m);
      expect(message).not.toContain(DEV_JWT_SECRET);
    }
  });

  it('refuses the built-in development STRIPE_WEBHOOK_SECRET, alone or as any entry of a comma-separated list', () => {
    for (const secret of [
      DEV_WEBHOOK_SECRET,
      `whsec_live_new_0123456789,${DEV_WEBHOOK_SECRET}`,
      ` ${DEV_WEBHOOK_SECRET} , whsec_live_x1234567`,
    ]) {
      const message = problems({ ...PRODUCTION, STRIPE_WEBHOOK_SECRET: secret });
      expect(message).toMatch(/^Invalid configuration \(1 problem\):\n {2}- STRIPE_WEBHOOK_SECRET=\(hidden\): .*development/);
      expect(message).not.toContain(DEV_WEBHOOK_SECRET);
      expect(message).not.toContain('whsec_live');
    }
  });

  it('refuses PAYMENT_PROVIDER=stripe without a webhook secret of its own', () => {
    for (const secret of [undefined, '']) {
      const message = problems({ ...PRODUCTION, STRIPE_WEBHOOK_SECRET: secret });
      expect(message).toMatch(/^Invalid configuration \(1 problem\):\n {2}- STRIPE_WEBHOOK_SECRET=\(unset\): .*required/);
    }
  });

  it('refuses PAYMENT_PROVIDER=simulated, which takes no money', () => {
    const message = problems({ ...PRODUCTION, PAYMENT_PROVIDER: 'simulated', STRIPE_SECRET_KEY: undefined });
    expect(message).toMatch(/^Invalid configuration \(1 problem\):\n {2}- PAYMENT_PROVIDER="simulated": .*production/);
  });

  it('refuses to run without SMTP_URL (email would only reach the dev outbox), and never prints the URL', () => {
    expect(problems({ ...PRODUCTION, SMTP_URL: undefined })).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- SMTP_URL=\(unset\): SMTP_URL is required with NODE_ENV=production/,
    );
    const message = problems({ ...PRODUCTION, SMTP_URL: 'http://holdfast:smtp_password_0123@smtp.example.com' });
    expect(message).toMatch(/^ {2}- SMTP_URL=\(hidden\): SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/m);
    expect(message).not.toContain('smtp_password');
  });

  it('refuses the simulated tax provider: TAX_API_URL and TAX_API_KEY are required', () => {
    for (const missing of [
      { TAX_API_URL: undefined, TAX_API_KEY: undefined },
      { TAX_API_URL: '', TAX_API_KEY: '' },
    ]) {
      const message = problems({ ...PRODUCTION, ...missing });
      expect(message).toMatch(
        /^Invalid configuration \(1 problem\):\n {2}- TAX_API_URL=\(unset\): .*simulated tax provider .*production/,
      );
    }
    // A key without a URL is still the simulated provider.
    expect(problems({ ...PRODUCTION, TAX_API_URL: undefined })).toMatch(/TAX_API_URL=\(unset\): .*simulated tax provider/);
  });

  it('refuses IMS_MODE=simulated (invented stock) and a plain http:// IMS, and never prints the IMS key', () => {
    const simulated = problems({ ...PRODUCTION, IMS_MODE: 'simulated', IMS_BASE_URL: undefined, IMS_API_KEY: undefined });
    expect(simulated).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- IMS_MODE="simulated": IMS_MODE=simulated is refused with NODE_ENV=production/,
    );
    const plain = problems({ ...PRODUCTION, IMS_BASE_URL: 'http://ims.example.com' });
    expect(plain).toMatch(/^Invalid configuration \(1 problem\):\n {2}- IMS_BASE_URL="http:\/\/ims.example.com": .*https/);
    const keyless = problems({ ...PRODUCTION, IMS_API_KEY: '' });
    expect(keyless).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- IMS_API_KEY=\(unset\): IMS_API_KEY is required when IMS_MODE=http/,
    );
    expect(problems({ ...PRODUCTION, IMS_API_KEY: ' , ' })).toMatch(/IMS_API_KEY=\(hidden\)/);
  });

  it('refuses TELEMATICS_MODE=simulated (no real car opens) and a plain http:// telematics API', () => {
    expect(problems({ ...PRODUCTION, TELEMATICS_MODE: 'simulated' })).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- TELEMATICS_MODE="simulated": TELEMATICS_MODE=simulated is refused with NODE_ENV=production/,
    );
    expect(problems({ ...PRODUCTION, TELEMATICS_API_URL: 'http://t.example.com' })).toMatch(/- TELEMATICS_API_URL=.*https/);
  });

  it('refuses CUSTOMERS_MODE=simulated (it verifies everyone) and a plain http:// service, and never prints the key', () => {
    for (const unset of [undefined, '']) {
      const simulated = problems({
        ...PRODUCTION,
        CUSTOMERS_MODE: unset,
        CUSTOMER_SERVICE_URL: undefined,
        CUSTOMER_SERVICE_API_KEY: undefined,
      });
      expect(simulated).toMatch(
        /^Invalid configuration \(1 problem\):\n {2}- CUSTOMERS_MODE=\(unset\): CUSTOMERS_MODE=simulated is refused with NODE_ENV=production/,
      );
    }
    expect(problems({ ...PRODUCTION, CUSTOMERS_MODE: 'simulated' })).toMatch(/- CUSTOMERS_MODE="simulated": .*refused/);
    const plain = problems({ ...PRODUCTION, CUSTOMER_SERVICE_URL: 'http://customers.example.com' });
    expect(plain).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- CUSTOMER_SERVICE_URL="http:\/\/customers.example.com": .*https/,
    );
    const keyless = problems({ ...PRODUCTION, CUSTOMER_SERVICE_API_KEY: '' });
    expect(keyless).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- CUSTOMER_SERVICE_API_KEY=\(unset\): CUSTOMER_SERVICE_API_KEY is required when CUSTOMERS_MODE=http/,
    );
    const urlless = problems({ ...PRODUCTION, CUSTOMER_SERVICE_URL: '' });
    expect(urlless).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- CUSTOMER_SERVICE_URL=\(unset\): .*required when CUSTOMERS_MODE=http/,
    );
    const list = problems({ ...PRODUCTION, CUSTOMER_SERVICE_API_KEY: 'cms_new_0123456789,cms_old_0123456789' });
    expect(list).toMatch(/^Invalid configuration \(1 problem\):\n {2}- CUSTOMER_SERVICE_API_KEY=\(hidden\): .*one key/);
    expect(list).not.toContain('cms_new_0123456789');
  });

  it('refuses OBJECT_STORE=local (unencrypted files on one pod) and a plain http:// S3 endpoint', () => {
    for (const local of [{ OBJECT_STORE: 'local' }, { OBJECT_STORE: undefined, S3_BUCKET: undefined }]) {
      expect(problems({ ...PRODUCTION, ...local })).toMatch(
        /^Invalid configuration \(1 problem\):\n {2}- OBJECT_STORE=.*: OBJECT_STORE=local is refused with NODE_ENV=production/,
      );
    }
    const plain = problems({ ...PRODUCTION, S3_ENDPOINT: 'http://minio.internal:9000' });
    expect(plain).toMatch(/^Invalid configuration \(1 problem\):\n {2}- S3_ENDPOINT="http:\/\/minio.internal:9000": .*https/);
    expect(validateEnv({ ...PRODUCTION, S3_ENDPOINT: 'https://minio.internal:9000' }).S3_ENDPOINT).toBe(
      'https://minio.internal:9000',
    );
  });

  it('names every refused variable in one error, together with the ordinary problems', () => {
    const message = problems({ NODE_ENV: 'production', PORT: 'abc' }); // everything else at its development default
    expect(message).toMatch(/^Invalid configuration \(14 problems\)/);
    const names = ['PORT', 'AUTH_MODE', 'JWT_SECRET', 'PAYMENT_PROVIDER', 'STRIPE_WEBHOOK_SECRET', 'SMTP_URL', 'TAX_API_URL'];
    const integrations = ['SHIPPING_PROVIDER', 'IMS_MODE', 'TELEMATICS_MODE', 'CUSTOMERS_MODE', 'OBJECT_STORE'];
    for (const name of [...names, ...integrations, 'FLEET_API_MODE', 'FLEET_WEBHOOK_SECRET']) {
      expect(message).toMatch(new RegExp(`^  - ${name}=`, 'm'));
    }
    expect(message).not.toContain(DEV_JWT_SECRET);
    expect(message).not.toContain(DEV_WEBHOOK_SECRET);
  });

  it('refuses the simulated fleet, a plain http:// fleet API, and a missing or development FLEET_WEBHOOK_SECRET', () => {
    expect(problems({ ...PRODUCTION, FLEET_API_MODE: 'simulated' })).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- FLEET_API_MODE="simulated": FLEET_API_MODE=simulated is refused with NODE_ENV=production/,
    );
    expect(problems({ ...PRODUCTION, FLEET_API_URL: 'http://fleet.example.com' })).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- FLEET_API_URL=.*https/,
    );
    expect(validateEnv({ ...PRODUCTION, FLEET_API_MODE: 'off', FLEET_API_URL: undefined }).FLEET_API_MODE).toBe('off');
    expect(problems({ ...PRODUCTION, FLEET_WEBHOOK_SECRET: undefined })).toMatch(
      /^Invalid configuration \(1 problem\):\n {2}- FLEET_WEBHOOK_SECRET=\(unset\): .*required/,
    );
    for (const secret of ['fleet_holdfast_dev_secret', 'fleet_new_secret_0123456789, fleet_holdfast_dev_secret']) {
      const message = problems({ ...PRODUCTION, FLEET_WEBHOOK_SECRET: secret });
      expect(message).toMatch(/^Invalid configuration \(1 problem\):\n {2}- FLEET_WEBHOOK_SECRET=\(hidden\): .*development/);
      expect(message).not.toContain('fleet_holdfast_dev_secret');
    }
  });

  it('refuses SHIPPING_PROVIDER=simulated, whose rates are invented', () => {
    const message = problems({
      ...PRODUCTION,
      SHIPPING_PROVIDER: 'simulated',
      SHIPPING_CARRIERS: undefined,
      SHIPPING_CARRIER_API_KEY: undefined,
    });
    expect(message).toMatch(/^Invalid configuration \(1 problem\):\n {2}- SHIPPING_PROVIDER="simulated": .*production/);
    expect(problems({ ...PRODUCTION, SHIPPING_PROVIDER: undefined })).toMatch(
      /- SHIPPING_PROVIDER=\(unset\): SHIPPING_PROVIDER=simulated is refused/,
    );
  });

  it('refuses an HTTP carrier without https, naming it and never printing a key', () => {
    const message = problems({
      ...PRODUCTION,
      SHIPPING_CARRIERS: 'fedex|https://fedex.example.com/v1,ups|http://ups.example.com/v1',
    });
    expect(message).toMatch(/^Invalid configuration \(1 problem\):\n {2}- SHIPPING_CARRIERS=.*https.*: ups does not/);
    expect(message).not.toContain('live_0123456789');
  });

  it('keeps the development values outside production (npm start, the tests)', () => {
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      expect(validateEnv({ NODE_ENV })).toMatchObject({
        AUTH_MODE: 'dev',
        PAYMENT_PROVIDER: 'simulated',
        SHIPPING_PROVIDER: 'simulated',
        IMS_MODE: 'simulated',
        TELEMATICS_MODE: 'simulated',
        CUSTOMERS_MODE: 'simulated',
        OBJECT_STORE: 'local',
      });
    }
    expect(
      validateEnv({
        SHIPPING_PROVIDER: 'http',
        SHIPPING_CARRIERS: 'fedex|http://127.0.0.1:9/v1',
        SHIPPING_CARRIER_API_KEY: 'fedex=k',
      }),
    ).toMatchObject({ SHIPPING_PROVIDER: 'http' });
  });
});
