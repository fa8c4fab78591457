import { type CanActivate, type ExecutionContext, HttpStatus, Injectable, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AppError } from '@holdfast/errors';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_OPTIONS, type IdempotentOptions } from './idempotency.options';
import type { IdempotentRequest, ReplayTarget } from './idempotency.service';
import { requestHash } from './request-hash';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Where `handler` mode leaves the request's key for `@IdempotencyKey()`. */
export const IDEMPOTENT_REQUEST = Symbol('holdfast:idempotent-request');

type KeyedRequest = Request & { user?: { sub?: string }; [IDEMPOTENT_REQUEST]?: IdempotentRequest };

/**
 * The request's `X-Idempotency-Key`, checked, with what identifies the request under it
 * (scope: user, method and route; hash: params and body as sent); null when the route
 * does not require a key and none was sent.
 * @throws AppError IDEMPOTENCY_KEY_REQUIRED (required and missing), VALIDATION_FAILED (malformed)
 */
export function keyedRequest(
  context: ExecutionContext,
  reflector: Reflector,
  routeOptions: IdempotentOptions | undefined,
): IdempotentRequest | null {
  const req = context.switchToHttp().getRequest<KeyedRequest>();
  const header = req.headers[IDEMPOTENCY_HEADER];
  const key = Array.isArray(header) ? header[0] : header;

  if (key === undefined || key === '') {
    if (routeOptions?.required || routeOptions?.mode === 'handler') {
      throw new AppError('IDEMPOTENCY_KEY_REQUIRED', 'The X-Idempotency-Key header is required on this route');
    }
    return null;
  }
  if (!isIdempotencyKey(key)) {
    throw new AppError('VALIDATION_FAILED', 'X-Idempotency-Key must be 1 to 255 printable characters', [
      { field: 'X-Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters without spaces' },
    ]);
  }
  const routePath = (req.route as { path?: string } | undefined)?.path ?? req.path;
  return idempotentRequest({
    user: req.user?.sub,
    method: req.method,
    routePath,
    key,
    params: req.params,
    body: req.body,
    successStatus:
      reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ??
      (req.method === RequestMethod[RequestMethod.POST] ? HttpStatus.CREATED : HttpStatus.OK),
    res: context.switchToHttp().getResponse<Response>(),
  });
}

/** Whether `key` is a well-formed X-Idempotency-Key: 1 to 255 printable ASCII characters without spaces. */
export function isIdempotencyKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/**
 * What identifies a request under its key: the scope (user, method and route template)
 * and the hash of its params and body. The guard and the hold lane (src/hold-lane.ts)
 * both build it here, so a key first used on one is replayed or refused on the other.
 */
export function idempotentRequest(parts: {
  user: string | undefined;
  method: string;
  routePath: string;
  key: string;
  params: unknown;
  body: unknown;
  successStatus: number;
  res: ReplayTarget;
}): IdempotentRequest {
  return {
    scope: `${parts.user ?? 'anonymous'}|${parts.method} ${parts.routePath}`,
    key: parts.key,
    hash: requestHash(parts.params, parts.body),
    successStatus: parts.successStatus,
    res: parts.res,
  };
}

/**
 * `@Idempotent({ mode: 'handler' })`: checks the key after the app's own guards
 * (authentication, roles, rate limits), before the body is validated, exactly where the
 * interceptor used to, and leaves it on the request for `@IdempotencyKey()`.
 */
@Injectable()
export class IdempotencyKeyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const routeOptions = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENCY_OPTIONS, context.getHandler());
    const req = context.switchToHttp().getRequest<KeyedRequest>();
    req[IDEMPOTENT_REQUEST] = keyedRequest(context, this.reflector, { required: true, ...routeOptions, mode: 'handler' })!;
    return true;
  }
}
