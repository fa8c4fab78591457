import {
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
  type NestInterceptor,
  RequestMethod,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { AppError } from '@holdfast/errors';
import { TransactionHost } from '@holdfast/database';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import {
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_MODULE_OPTIONS,
  IDEMPOTENCY_OPTIONS,
  type IdempotencyModuleOptions,
  type IdempotentOptions,
} from './idempotency.options';
import { advisoryLockId, requestHash } from './request-hash';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs an idempotent route's handler and the storing of its response in ONE
 * transaction. A transaction-scoped advisory lock on (scope, key) makes a second
 * request with the same key fail fast with 409 while the first runs, instead of
 * queueing behind it; once the first commits, the key row is there to replay.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly txHost: TransactionHost,
    @Inject(IDEMPOTENCY_MODULE_OPTIONS) private readonly options: IdempotencyModuleOptions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const routeOptions = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENCY_OPTIONS, context.getHandler());
    const req = context.switchToHttp().getRequest<Request & { user?: { sub?: string } }>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = req.headers[IDEMPOTENCY_HEADER];
    const key = Array.isArray(header) ? header[0] : header;

    if (key === undefined || key === '') {
      if (routeOptions?.required) {
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
    const scope = `${req.user?.sub ?? 'anonymous'}|${req.method} ${routePath}`;
    const hash = requestHash(req.params, req.body);
    const successStatus =
      this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ??
      (req.method === RequestMethod[RequestMethod.POST] ? HttpStatus.CREATED : HttpStatus.OK);

    return from(
      this.txHost.run(async () => {
        const manager = this.txHost.manager;
        const [{ locked }] = (await manager.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [
          advisoryLockId(scope, key),
        ])) as [{ locked: boolean }];
        if (!locked) {
          throw new AppError(
            'IDEMPOTENCY_KEY_IN_PROGRESS',
            'A request with this idempotency key is still being processed; retry shortly',
          );
        }

        const repo = manager.getRepository(IdempotencyKeyEntity);
        const existing = await repo.findOneBy({ scope, key });
        if (existing && existing.expiresAt.getTime() > Date.now()) {
          if (existing.requestHash !== hash) {
            throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with a different request');
          }
          res.setHeader('Idempotent-Replayed', 'true');
          res.status(existing.responseStatus);
          return existing.responseBody;
        }
        if (existing) await repo.delete({ scope, key });

        const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await repo.insert({
          scope,
          key,
          requestHash: hash,
          state: 'completed',
          responseStatus: successStatus,
          responseBody: body === undefined ? null : (JSON.parse(JSON.stringify(body)) as object),
          expiresAt: new Date(Date.now() + this.options.ttlSeconds * 1000),
        });
        return body;
      }),
    );
  }
}
