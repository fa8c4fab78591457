var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { existsSync } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateBy, ValidateIf, validateSync, } from 'class-validator';
const toInt = ({ value }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }) => {
    if (value === undefined || value === '')
        return undefined;
    if (value === 'true' || value === '1')
        return true;
    if (value === 'false' || value === '0')
        return false;
    return value;
};
/**
 * Every environment variable Holdfast reads, with its default. `.env.example`
 * mirrors this class; keep them in step.
 */
export class EnvironmentVariables {
    constructor() {
        this.NODE_ENV = 'development';
        this.PORT = 3000;
        this.EMBEDDED_PG_DIR = '.data/postgres';
        this.DB_POOL_SIZE = 10;
        this.MIGRATIONS_RUN = true;
        this.LOG_LEVEL = 'info';
        this.LOG_PRETTY = false;
        this.AUTH_MODE = 'dev';
        this.JWT_SECRET = 'holdfast-dev-secret-change-me';
        this.DEV_TOKEN_TTL_SECONDS = 86400;
        this.IDEMPOTENCY_TTL_SECONDS = 86400;
        this.IDEMPOTENCY_PURGE_INTERVAL_SECONDS = 3600;
        this.HOLD_TTL_SECONDS = 900;
        this.HOLD_SWEEP_INTERVAL_SECONDS = 30;
        this.PAYMENT_PROVIDER = 'simulated';
        this.STRIPE_WEBHOOK_SECRET = 'whsec_holdfast_dev_secret';
        /** Per HTTP attempt to Stripe (the SDK's `timeout`); the SDK retries a timed-out call twice. */
        this.STRIPE_TIMEOUT_MS = 10000;
        this.RECONCILE_AFTER_SECONDS = 300;
        /** Comma-separated exact origins (`https://app.example.com`, no path or trailing slash). */
        this.CORS_ORIGINS = '';
        /** Which proxies' X-Forwarded-For Express believes (the client IP that per-IP rate limits use). */
        this.TRUST_PROXY = 'loopback';
        this.RATE_LIMIT_PER_MINUTE = 600;
        this.RATE_LIMIT_HOLD_PER_MINUTE = 60;
        this.SHUTDOWN_TIMEOUT_MS = 10000;
        /** How long a client may take to send a whole request, headers and body (Node's `server.requestTimeout`). */
        this.HTTP_REQUEST_TIMEOUT_MS = 30000;
        /** How long a client may take to send the request headers (`server.headersTimeout`). */
        this.HTTP_HEADERS_TIMEOUT_MS = 20000;
        /** How long an idle keep-alive connection stays open (`server.keepAliveTimeout`): above the proxies' 60 s. */
        this.HTTP_KEEP_ALIVE_TIMEOUT_MS = 65000;
    }
}
__decorate([
    IsIn(['development', 'production', 'test']),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "NODE_ENV", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(0),
    Max(65535),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "PORT", void 0);
__decorate([
    IsOptional(),
    IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true }, { message: 'DATABASE_URL must be a postgres:// URL' }),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "DATABASE_URL", void 0);
__decorate([
    IsString(),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "EMBEDDED_PG_DIR", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(1),
    Max(200),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "DB_POOL_SIZE", void 0);
__decorate([
    Transform(toBool),
    IsBoolean(),
    __metadata("design:type", Boolean)
], EnvironmentVariables.prototype, "MIGRATIONS_RUN", void 0);
__decorate([
    IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "LOG_LEVEL", void 0);
__decorate([
    Transform(toBool),
    IsBoolean(),
    __metadata("design:type", Boolean)
], EnvironmentVariables.prototype, "LOG_PRETTY", void 0);
__decorate([
    IsIn(['dev', 'jwks']),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "AUTH_MODE", void 0);
__decorate([
    ValidateIf((env) => env.AUTH_MODE === 'dev'),
    IsString(),
    MinLength(16, { message: 'JWT_SECRET must be at least 16 characters' }),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "JWT_SECRET", void 0);
__decorate([
    ValidateIf((env) => env.AUTH_MODE === 'jwks'),
    IsUrl({ require_tld: false, require_protocol: true }, { message: 'JWT_JWKS_URL must be an http(s) URL when AUTH_MODE=jwks' }),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "JWT_JWKS_URL", void 0);
__decorate([
    IsOptional(),
    IsString(),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "JWT_ISSUER", void 0);
__decorate([
    IsOptional(),
    IsString(),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "JWT_AUDIENCE", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(60),
    Max(86400 * 30),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "DEV_TOKEN_TTL_SECONDS", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(1),
    Max(86400 * 7),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "IDEMPOTENCY_TTL_SECONDS", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(1),
    Max(86400),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "IDEMPOTENCY_PURGE_INTERVAL_SECONDS", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(1),
    Max(86400),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "HOLD_TTL_SECONDS", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(1),
    Max(3600),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "HOLD_SWEEP_INTERVAL_SECONDS", void 0);
__decorate([
    IsIn(['simulated', 'stripe']),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "PAYMENT_PROVIDER", void 0);
__decorate([
    ValidateIf((env) => env.PAYMENT_PROVIDER === 'stripe'),
    IsString({ message: 'STRIPE_SECRET_KEY is required when PAYMENT_PROVIDER=stripe' }),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "STRIPE_SECRET_KEY", void 0);
__decorate([
    IsOptional(),
    IsUrl({ require_tld: false, require_protocol: true }, { message: 'STRIPE_API_BASE must be an http(s) URL' }),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "STRIPE_API_BASE", void 0);
__decorate([
    IsString(),
    MinLength(8),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "STRIPE_WEBHOOK_SECRET", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(100),
    Max(120000),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "STRIPE_TIMEOUT_MS", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(10),
    Max(86400),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "RECONCILE_AFTER_SECONDS", void 0);
__decorate([
    Transform(toBool),
    IsOptional(),
    IsBoolean(),
    __metadata("design:type", Boolean)
], EnvironmentVariables.prototype, "DEMO_CATALOG", void 0);
__decorate([
    IsString(),
    Matches(/^\s*(https?:\/\/[^\s/,]+(\s*,\s*https?:\/\/[^\s/,]+)*)?\s*$/, {
        message: 'CORS_ORIGINS must be comma-separated origins such as https://app.example.com (no path, no trailing slash)',
    }),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "CORS_ORIGINS", void 0);
__decorate([
    Matches(/^(true|false|\d+|[A-Za-z0-9.:/]+(\s*,\s*[A-Za-z0-9.:/]+)*)$/, {
        message: 'TRUST_PROXY must be true, false, a hop count, or comma-separated addresses, subnets or loopback/linklocal/uniquelocal',
    }),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "TRUST_PROXY", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(0),
    Max(1_000_000),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "RATE_LIMIT_PER_MINUTE", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(0),
    Max(1_000_000),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "RATE_LIMIT_HOLD_PER_MINUTE", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(0),
    Max(600000),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "SHUTDOWN_TIMEOUT_MS", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(1000),
    Max(600000),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "HTTP_REQUEST_TIMEOUT_MS", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(1000),
    Max(600000),
    ValidateBy({
        name: 'notAboveRequestTimeout',
        validator: {
            validate: (value, args) => value <= (args?.object).HTTP_REQUEST_TIMEOUT_MS,
            defaultMessage: () => 'HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS',
        },
    }),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "HTTP_HEADERS_TIMEOUT_MS", void 0);
__decorate([
    Transform(toInt),
    IsInt(),
    Min(1000),
    Max(600000),
    __metadata("design:type", Number)
], EnvironmentVariables.prototype, "HTTP_KEEP_ALIVE_TIMEOUT_MS", void 0);
__decorate([
    IsOptional(),
    IsString(),
    MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters when set' }),
    __metadata("design:type", String)
], EnvironmentVariables.prototype, "METRICS_TOKEN", void 0);
/**
 * Validates `process.env`-like input and returns typed config, or throws one Error
 * whose message names every bad variable, so a misconfigured deploy fails at once
 * and says everything that is wrong in one go.
 */
export function validateEnv(raw) {
    const input = {};
    for (const key of ENV_KEYS) {
        // An empty value means "not set", so a copied .env.example keeps every default.
        if (raw[key] !== undefined && raw[key] !== '')
            input[key] = raw[key];
    }
    const env = plainToInstance(EnvironmentVariables, input, { exposeDefaultValues: true });
    const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
    if (errors.length > 0) {
        const lines = errors.map((e) => `  - ${e.property}=${shown(e.property, raw[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`);
        throw new Error(`Invalid configuration (${errors.length} problem${errors.length > 1 ? 's' : ''}):\n${lines.join('\n')}`);
    }
    return env;
}
/** Variables whose values never appear in an error message. */
const SECRETS = new Set(['JWT_SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'DATABASE_URL', 'METRICS_TOKEN']);
function shown(key, value) {
    if (value === undefined)
        return '(unset)';
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
    'PAYMENT_PROVIDER',
    'STRIPE_SECRET_KEY',
    'STRIPE_API_BASE',
    'STRIPE_WEBHOOK_SECRET',
    'STRIPE_TIMEOUT_MS',
    'RECONCILE_AFTER_SECONDS',
];
/** Loads `.env` from the working directory if there is one; real environment variables win. */
export function loadDotEnv(path = '.env') {
    if (existsSync(path))
        process.loadEnvFile(path);
}
//# sourceMappingURL=env.schema.js.map