import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { IDEMPOTENT_REQUEST, IdempotencyKeyGuard } from './idempotency-key';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IDEMPOTENCY_OPTIONS, type IdempotentOptions } from './idempotency.options';
import type { IdempotentRequest } from './idempotency.service';

/**
 * Makes a POST route idempotent under `X-Idempotency-Key` (DESIGN.md section 6): the
 * handler runs in a transaction together with the storing of its response; the same
 * key and body replays that response with `Idempotent-Replayed: true`; another body is
 * 422 IDEMPOTENCY_KEY_REUSED; a request while the first is running is 409
 * IDEMPOTENCY_KEY_IN_PROGRESS. Failed requests store nothing and may be retried.
 */
export function Idempotent(options: IdempotentOptions = { required: false }): MethodDecorator {
  return applyDecorators(
    SetMetadata(IDEMPOTENCY_OPTIONS, options),
    options.mode === 'handler' ? UseGuards(IdempotencyKeyGuard) : UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'X-Idempotency-Key',
      required: options.required || options.mode === 'handler',
      description:
        'Unique per user action (a UUID v4); resend it on retry. Same key + same body replays the first response ' +
        '(header Idempotent-Replayed: true); same key + other body is 422; while the first is in flight, 409. Kept 24 h.',
      schema: { type: 'string', maxLength: 255 },
    }),
  ) as MethodDecorator;
}

/**
 * The request's idempotency key, on a route declared `@Idempotent({ mode: 'handler' })`
 * (IdempotencyKeyGuard has checked it; the handler keeps it through IdempotencyService).
 */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): IdempotentRequest => {
  const keyed = context.switchToHttp().getRequest<{ [IDEMPOTENT_REQUEST]?: IdempotentRequest }>()[IDEMPOTENT_REQUEST];
  if (!keyed) throw new Error("@IdempotencyKey() needs the route to be @Idempotent({ mode: 'handler' })");
  return keyed;
});
