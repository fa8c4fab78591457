import { Inject, Injectable } from '@nestjs/common';
import { Clock, SystemClock } from '@holdfast/clock';
import { AppError } from '@holdfast/errors';
import { TransactionHost } from '@holdfast/database';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { IDEMPOTENCY_MODULE_OPTIONS, type IdempotencyModuleOptions } from './idempotency.options';
import { advisoryLockId } from './request-hash';

/** A stepwise claim older than this belongs to a request that died; the next one takes over. */
export const IN_PROGRESS_STALE_SECONDS = 60;

/** Where a replay sets its status and `Idempotent-Replayed` header: the HTTP response, or a sink (see `stepRequest`). */
export interface ReplayTarget {
  setHeader(name: string, value: string): unknown;
  status(code: number): unknown;
}

/** One request under an idempotency key, as the interceptor read it. */
export interface IdempotentRequest {
  /** Whose key and for which route: `{user}|{METHOD} {route path}`. */
  scope: string;
  key: string;
  /** Hash of the route params and body: the same key with another request is refused. */
  hash: string;
  /** The status a first success answers with, stored for replays. */
  successStatus: number;
  /** Where a replay sets its status and `Idempotent-Replayed` header. */
  res: ReplayTarget;
}

const inProgress = (): AppError =>
  new AppError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this idempotency key is still being processed; retry shortly');

const toJson = (body: unknown): object | null => (body === undefined ? null : (JSON.parse(JSON.stringify(body)) as object));

/**
 * The three ways a handler's effect and its stored response are kept together
 * (DESIGN.md section 6): `atomic` (one transaction), `stepwise` (a committed claim around
 * a third-party call) and `keyInStatement` (key-in-statement.ts: the key written by the
 * handler's own single statement, with `atomic` as its fallback).
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly txHost: TransactionHost,
    @Inject(IDEMPOTENCY_MODULE_OPTIONS) private readonly options: IdempotencyModuleOptions,
    // The app's Clock (ClockModule); the default serves code that builds the service by hand (bench/holds.ts).
    private readonly clock: Clock = new SystemClock(),
  ) {}

  /**
   * Runs `handler` and stores its response in ONE transaction, under a transaction-scoped
   * advisory lock on the key: a second request with the key fails fast with 409 while the
   * first runs, instead of queueing behind it; once the first commits, the key row is
   * there to replay. The key exists exactly when the effect does.
   */
  atomic(req: IdempotentRequest, handler: () => Promise<unknown>): Promise<unknown> {
    return this.txHost.run(async () => {
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
        [advisoryLockId(req.scope, req.key), req.scope, req.key, req.hash, this.expiry()],
      );
      if (!locked || !claimed) {
        // The key was used before: replay it, refuse it, or (expired) start afresh. Or its
        // lock is taken: by a request still running (409), or by one that has just
        // finished, e.g. a one-statement hold that hit this completed key and is still
        // releasing the lock as its error reaches us; a completed key replays anyway.
        const replay = await this.claim(req, false);
        if (replay.done) return replay.body;
        await this.txHost.rows(
          `INSERT INTO idempotency_keys (scope, key, request_hash, state, expires_at) VALUES ($1, $2, $3, 'in_progress', $4)`,
          [req.scope, req.key, req.hash, this.expiry()],
        );
      }
      const body = await handler();
      await this.txHost.rows(
        `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_body = $4, expires_at = $5
          WHERE scope = $1 AND key = $2`,
        [req.scope, req.key, req.successStatus, JSON.stringify(toJson(body)), this.expiry()],
      );
      return body;
    });
  }

  /**
   * For handlers that call a third party between their own transactions (convert: our
   * payment row commits before the provider is called). The key is claimed by a
   * committed `in_progress` row instead of a held transaction, so no connection is held
   * while the handler runs; the handler must be safe to run again (it resumes from its
   * own committed state). A failure drops the claim, so the client may retry; a claim
   * left by a crashed process is taken over after IN_PROGRESS_STALE_SECONDS.
   */
  async stepwise(req: IdempotentRequest, handler: () => Promise<unknown>): Promise<unknown> {
    const replay = await this.txHost.run(() => this.claim(req, true));
    if (replay.done) return replay.body;
    if (!replay.claimedAt) throw new Error('stepwise claim returned without its locked_at');
    // Finish only the claim this request made: once it went stale and another request
    // took the key over, that request's claim and response are not ours to drop or replace.
    const ours = { scope: req.scope, key: req.key, state: 'in_progress' as const, lockedAt: replay.claimedAt };
    let body: unknown;
    try {
      body = await handler();
    } catch (error) {
      await this.dropClaim(ours);
      throw error;
    }
    await this.txHost.run(() =>
      this.txHost.manager.getRepository(IdempotencyKeyEntity).update(ours, {
        state: 'completed',
        responseStatus: req.successStatus,
        responseBody: toJson(body),
        lockedAt: null,
        expiresAt: this.expiry(),
      }),
    );
    return body;
  }

  /**
   * Drops a failed request's claim so the client may retry at once. The failure may be
   * the database itself (a connection killed mid-request): the pool reconnects, so the
   * drop is tried a few times; if it still fails, the claim goes stale and is taken over
   * after IN_PROGRESS_STALE_SECONDS anyway.
   */
  private async dropClaim(ours: { scope: string; key: string; state: 'in_progress'; lockedAt: Date }): Promise<void> {
    for (const delayMs of [0, 100, 400, 1000]) {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      try {
        await this.txHost.run(() => this.txHost.manager.getRepository(IdempotencyKeyEntity).delete(ours));
        return;
      } catch {
        // try again: the next attempt gets a fresh connection
      }
    }
  }

  /**
   * Inside a transaction: tries the advisory lock, then replays a completed key, refuses
   * a reused or in-flight one, or (stepwise) inserts the in-progress claim. A completed
   * key is committed and never changes until it expires, so it replays (or is refused as
   * reused) without the lock; everything else needs it.
   */
  private async claim(req: IdempotentRequest, stepwise: boolean): Promise<{ done: boolean; body?: unknown; claimedAt?: Date }> {
    const manager = this.txHost.manager;
    const [{ locked }] = await this.txHost.rows<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [
      advisoryLockId(req.scope, req.key),
    ]);

    const repo = manager.getRepository(IdempotencyKeyEntity);
    const existing = await repo.findOneBy({ scope: req.scope, key: req.key });
    const now = this.clock.nowMs();
    const live = existing && existing.expiresAt.getTime() > now;
    const reused = () => new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with a different request');
    if (existing && live && existing.state === 'completed') {
      if (existing.requestHash !== req.hash) throw reused();
      req.res.setHeader('Idempotent-Replayed', 'true');
      req.res.status(existing.responseStatus ?? req.successStatus);
      return { done: true, body: existing.responseBody };
    }
    if (!locked) throw inProgress();
    if (existing && live) {
      if (existing.requestHash !== req.hash) throw reused();
      const stale = !existing.lockedAt || existing.lockedAt.getTime() < now - IN_PROGRESS_STALE_SECONDS * 1000;
      if (!stale) throw inProgress();
    }
    if (existing) await repo.delete({ scope: req.scope, key: req.key });
    if (stepwise) {
      const claimedAt = this.clock.now();
      await repo.insert({
        scope: req.scope,
        key: req.key,
        requestHash: req.hash,
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

  /** When a key stored now expires, by the app's clock (the purge job deletes it after that); for `keyInStatement`. */
  expiry(): Date {
    return new Date(this.clock.nowMs() + this.options.ttlSeconds * 1000);
  }
}
