import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { keyedRequest } from './idempotency-key';
import { IDEMPOTENCY_OPTIONS, type IdempotentOptions } from './idempotency.options';
import { IdempotencyService } from './idempotency.service';

/**
 * Reads and checks `X-Idempotency-Key` on an `@Idempotent()` route in `atomic` or
 * `stepwise` mode (see IdempotencyService) and runs the handler in that mode. A route in
 * `handler` mode has IdempotencyKeyGuard instead: its handler keeps the key itself, so
 * nothing wraps it (no rxjs chain on the hold route).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const routeOptions = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENCY_OPTIONS, context.getHandler());
    const keyed = keyedRequest(context, this.reflector, routeOptions);
    if (!keyed) return next.handle();
    const handler = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    return from(
      routeOptions?.mode === 'stepwise' ? this.idempotency.stepwise(keyed, handler) : this.idempotency.atomic(keyed, handler),
    );
  }
}
