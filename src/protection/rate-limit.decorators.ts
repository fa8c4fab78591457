import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, type OpenAPIObject } from '@nestjs/swagger';
import { isApiPath } from '../config/api-paths';

export const RATE_LIMIT_BUCKET = 'holdfast:rate-limit-bucket';
export const SKIP_RATE_LIMIT = 'holdfast:skip-rate-limit';

/** The stricter buckets a route can join; every rate-limited request also counts in the default one. */
export type RateLimitBucket = 'hold';

/**
 * Counts the route in a stricter bucket on top of the default one:
 * `@RateLimit('hold')` shares `RATE_LIMIT_HOLD_PER_MINUTE` between hold and convert.
 */
export const RateLimit = (bucket: RateLimitBucket): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(RATE_LIMIT_BUCKET, bucket), ApiExtension('x-rate-limit', bucket)) as MethodDecorator &
    ClassDecorator;

/**
 * Exempts a route from rate limiting (it is documented without 429). Only for callers
 * that authenticate otherwise and must never be turned away, such as Stripe's webhooks.
 */
export const SkipRateLimit = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(SKIP_RATE_LIMIT, true), ApiExtension('x-rate-limit', 'none')) as MethodDecorator & ClassDecorator;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Every rate-limited operation (all of `/v1` and `/api` but those marked `@SkipRateLimit()`) can
 * answer 429 RATE_LIMITED: say so once, here, as swagger.ts does for 401.
 */
export function documentRateLimits(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isApiPath(path)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation || operation.responses['429']) continue;
      const bucket = (operation as { 'x-rate-limit'?: string })['x-rate-limit'];
      if (bucket === 'none') continue;
      const hold = bucket === 'hold';
      operation.responses['429'] = {
        description:
          `RATE_LIMITED: more than RATE_LIMIT_PER_MINUTE requests${hold ? ' (or RATE_LIMIT_HOLD_PER_MINUTE holds and converts)' : ''} ` +
          'this minute from this user (or, without a token, this IP); retry after the `Retry-After` header’s seconds',
        headers: { 'Retry-After': { description: 'Seconds until the limit resets.', schema: { type: 'integer' } } },
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
      };
    }
  }
}
