import type { INestApplication } from '@nestjs/common';
import type { ProtectionConfig } from './protection.config';
import { type HeaderPair, securityHeaders, setHeaders } from './security-headers';

/** Request headers a browser client may send cross-origin. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Idempotency-Key', 'X-Request-Id'];
/** Response headers a browser client may read cross-origin. */
export const CORS_EXPOSED_HEADERS = ['Idempotent-Replayed', 'X-Request-Id', 'Retry-After'];

/** `CORS_ORIGINS` as a list of exact origins (`https://app.example.com`); empty when unset. */
export function corsOrigins(value: string): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** The security headers every response carries (see `applyHttpProtection`); the hold lane sets the same. */
export function apiSecurityHeaders(): HeaderPair[] {
  return securityHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
}

/**
 * Security headers (helmet's, computed once: see `securityHeaders`) and CORS, as Express middleware ahead of every route, Swagger
 * UI included: call it before `setupSwagger`.
 *
 * The Content-Security-Policy is helmet's default (scripts only from this origin, no
 * plugins, no framing by other sites) minus `upgrade-insecure-requests`, which would make
 * a browser fetch Swagger UI's files over https from a plain-http dev server. Swagger UI
 * at /docs loads its scripts from files (swagger-ui-init.js included), so `script-src
 * 'self'` is enough; it styles with inline `<style>` blocks, which helmet's default
 * `style-src 'self' https: 'unsafe-inline'` allows, and its icons are `data:` images.
 *
 * CORS is off (no CORS headers at all) unless `CORS_ORIGINS` lists origins. Tokens travel
 * in the Authorization header, never in cookies, so credentials stay off.
 */
export function applyHttpProtection(app: INestApplication, config: ProtectionConfig): void {
  app.use(setHeaders(apiSecurityHeaders()));
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: [...config.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      credentials: false,
      maxAge: 600,
    });
  }
}

/**
 * `TRUST_PROXY` as Express's `trust proxy` setting: a boolean, a hop count, or a list of
 * addresses, subnets and names (`loopback`, `linklocal`, `uniquelocal`). It decides
 * `req.ip`, the key of anonymous callers' rate limits.
 */
export function trustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
