import {
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  Injectable,
  type NestInterceptor,
  RequestMethod,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { AppError } from '@holdfast/errors';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_OPTIONS, type IdempotentOptions } from './idempotency.options';
import { IdempotencyService, type IdempotentRequest } from './idempotency.service';
import { requestHash } from './request-hash';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Where `handler` mode leaves the request's key for `@IdempotencyKey()`. */
export const IDEMPOTENT_REQUEST = Symbol('holdfast:idempotent-request');

type KeyedRequest = Request & { user?: { sub?: string }; [IDEMPOTENT_REQUEST]?: IdempotentRequest };

/**
 * Reads and checks `X-Idempotency-Key` on an `@Idempotent()` route and runs the handler
 * in the route's mode (see IdempotencyService): `atomic`, `stepwise`, or `handler`, where
 * the handler gets the key through `@IdempotencyKey()` and keeps it itself.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const routeOptions = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENCY_OPTIONS, context.getHandler());
    const req = context.switchToHttp().getRequest<KeyedRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = req.headers[IDEMPOTENCY_HEADER];
    const key = Array.isArray(header) ? header[0] : header;

    if (key === undefined || key === '') {
      if (routeOptions?.required || routeOptions?.mode === 'handler') {
        throw new AppError('IDEMPOTENCY_KEY_REQUIRED', 'The X-Idempotency-Key header is required on this route');
      }
      return next.handle();
    }
    if (!KEY_PATTERN.test(key)) {
      throw new AppError('VALIDATION_FAILED', 'X-Idempotency-Key must be 1 to 255 printable characters', [
        { field: 'X-Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters without spaces' },
      ]);
    }

    const routePath = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const keyed: IdempotentRequest = {
      scope: `${req.user?.sub ?? 'anonymous'}|${req.method} ${routePath}`,
      key,
      hash: requestHash(req.params, req.body),
      successStatus:
        this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ??
        (req.method === RequestMethod[RequestMethod.POST] ? HttpStatus.CREATED : HttpStatus.OK),
      res,
    };
    const handler = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    switch (routeOptions?.mode ?? 'atomic') {
      case 'handler':
        req[IDEMPOTENT_REQUEST] = keyed;
        return next.handle();
      case 'stepwise':
        return from(this.idempotency.stepwise(keyed, handler));
      case 'atomic':
        return from(this.idempotency.atomic(keyed, handler));
    }
  }
}
