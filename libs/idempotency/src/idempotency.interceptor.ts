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

/** A stepwise claim older than this belongs to a request that died; the next one takes over. */
export const IN_PROGRESS_STALE_SECONDS = 60;

interface KeyContext {
  scope: string;
  key: string;
  hash: string;
  successStatus: number;
  res: Response;
}

const inProgress = (): AppError =>
  new AppError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this idempotency key is still being processed; retry shortly');

const toJson = (body: unknown): object | null => (body === undefined ? null : (JSON.parse(JSON.stringify(body)) as object));

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

    const ctx: KeyContext = { scope, key, hash, successStatus, res };
    if (routeOptions?.mode === 'stepwise') return from(this.stepwise(ctx, next));
    return from(this.txHost.run(() => this.atomic(ctx, next)));
  }

  /**
   * The default: handler and key row in ONE transaction, under a transaction-scoped
   * advisory lock. The key exists exactly when the effect does.
   */
  private async atomic(ctx: KeyContext, next: CallHandler): Promise<unknown> {
    // The common case, a new key, costs one statement: lock and claim together. The
    // claim row is uncommitted, so nobody else ever sees it in progress; the response
    // fills it in below, and a failure rolls it back with the effect.
    const [{ locked, claimed }] = await this.txHost.rows<{ locked: boolean; claimed: boolean }>(
      `WITH lock AS (SELECT pg_try_advisory_xact_lock($1::bigint) AS locked),
            claim AS (
              INSERT INTO idempotency_keys (scope, key, request_hash, state, expires_at)
              SELECT $2, $3, $4, 'in_progress', $5 FROM lock WHERE lock.locked
              ON CONFLICT (scope, key) DO NOTHING
              RETURNING 1)
       SELECT (SELECT locked FROM lock) AS locked, EXISTS (SELECT 1 FROM claim) AS claimed`,
      [advisoryLockId(ctx.scope, ctx.key), ctx.scope, ctx.key, ctx.hash, this.expiry()],
    );
    if (!locked) throw inProgress();
    if (!claimed) {
      // The key was used before: replay it, refuse it, or (expired) start afresh.
      const replay = await this.claim(ctx, false);
      if (replay.done) return replay.body;
      await this.txHost.rows(
        `INSERT INTO idempotency_keys (scope, key, request_hash, state, expires_at) VALUES ($1, $2, $3, 'in_progress', $4)`,
        [ctx.scope, ctx.key, ctx.hash, this.expiry()],
      );
    }
    const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    await this.txHost.rows(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_body = $4, expires_at = $5
        WHERE scope = $1 AND key = $2`,
      [ctx.scope, ctx.key, ctx.successStatus, JSON.stringify(toJson(body)), this.expiry()],
    );
    return body;
  }

  /**
   * For handlers that call a third party between their own transactions (convert: our
   * payment row commits before the provider is called). The key is claimed by a
   * committed `in_progress` row instead of a held transaction, so no connection is held
   * while the handler runs; the handler must be safe to run again (it resumes from its
   * own committed state). A failure drops the claim, so the client may retry; a claim
   * left by a crashed process is taken over after IN_PROGRESS_STALE_SECONDS.
   */
  private async stepwise(ctx: KeyContext, next: CallHandler): Promise<unknown> {
    const replay = await this.txHost.run(() => this.claim(ctx, true));
    if (replay.done) return replay.body;
    if (!replay.claimedAt) throw new Error('stepwise claim returned without its locked_at');
    // Finish only the claim this request made: once it went stale and another request
    // took the key over, that request's claim and response are not ours to drop or replace.
    const ours = { scope: ctx.scope, key: ctx.key, state: 'in_progress' as const, lockedAt: replay.claimedAt };
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      // If this fails, the claim goes stale and is taken over later anyway.
      await this.txHost.run(() => this.txHost.manager.getRepository(IdempotencyKeyEntity).delete(ours)).catch(() => undefined);
      throw error;
    }
    await this.txHost.run(() =>
      this.txHost.manager.getRepository(IdempotencyKeyEntity).update(ours, {
        state: 'completed',
        responseStatus: ctx.successStatus,
        responseBody: toJson(body),
        lockedAt: null,
        expiresAt: this.expiry(),
      }),
    );
    return body;
  }

  /**
   * Inside a transaction: takes the advisory lock, then replays a completed key, refuses
   * a reused or in-flight one, or (stepwise) inserts the in-progress claim.
   */
  private async claim(ctx: KeyContext, stepwise: boolean): Promise<{ done: boolean; body?: unknown; claimedAt?: Date }> {
    const manager = this.txHost.manager;
    const [{ locked }] = (await manager.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [
      advisoryLockId(ctx.scope, ctx.key),
    ])) as [{ locked: boolean }];
    if (!locked) throw inProgress();

    const repo = manager.getRepository(IdempotencyKeyEntity);
    const existing = await repo.findOneBy({ scope: ctx.scope, key: ctx.key });
    const live = existing && existing.expiresAt.getTime() > Date.now();
    if (existing && live) {
      if (existing.requestHash !== ctx.hash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with a different request');
      }
      if (existing.state === 'completed') {
        ctx.res.setHeader('Idempotent-Replayed', 'true');
        ctx.res.status(existing.responseStatus ?? ctx.successStatus);
        return { done: true, body: existing.responseBody };
      }
      const stale = !existing.lockedAt || existing.lockedAt.getTime() < Date.now() - IN_PROGRESS_STALE_SECONDS * 1000;
      if (!stale) throw inProgress();
    }
    if (existing) await repo.delete({ scope: ctx.scope, key: ctx.key });
    if (stepwise) {
      const claimedAt = new Date();
      await repo.insert({
        scope: ctx.scope,
        key: ctx.key,
        requestHash: ctx.hash,
        state: 'in_progress',
        responseStatus: null,
        responseBody: null,
        lockedAt: claimedAt,
        expiresAt: this.expiry(),
      });
      return { done: false, claimedAt };
    }
    return { done: false };
  }

  private expiry(): Date {
    return new Date(Date.now() + this.options.ttlSeconds * 1000);
  }
}
