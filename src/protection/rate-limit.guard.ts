import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AppError } from '@holdfast/errors';
import { isApiPath } from '../config/api-paths';
import type { AuthUser } from '../auth/auth-user';
import { RATE_LIMIT_BUCKET, type RateLimitBucket, SKIP_RATE_LIMIT } from './rate-limit.decorators';
import { RATE_LIMIT_COUNTED, RateLimits } from './rate-limits';

/**
 * Global guard: at most `RATE_LIMIT_PER_MINUTE` requests per caller per minute on the
 * API (`/v1/...` and seed 002's `/api/...`), and `RATE_LIMIT_HOLD_PER_MINUTE` on routes marked `@RateLimit('hold')`
 * (hold and convert, which take inventory and call the payment provider). Over the
 * limit: 429 RATE_LIMITED with `Retry-After`. A limit of 0 turns that check off.
 *
 * The caller is the token's `sub` when the request is signed in, else the client IP
 * (`req.ip`, which honours X-Forwarded-For only from proxies `TRUST_PROXY` trusts). For
 * `req.user` to be there this guard must run after JwtAuthGuard: ProtectionModule is
 * imported after AuthModule, and Nest runs global guards in module order. So a request
 * refused with 401 is never counted: it costs a signature check and no database work
 * (test/protection fails if the order breaks: it would key users by IP).
 * Operational endpoints outside the API (health probes, metrics) are never limited, so a
 * busy load balancer cannot fail its own probes.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser; [RATE_LIMIT_COUNTED]?: true }>();
    if (!isApiPath(req.originalUrl) || req[RATE_LIMIT_COUNTED]) return true;

    const caller = req.user?.sub ? `user:${req.user.sub}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
    const bucket = this.reflector.getAllAndOverride<RateLimitBucket | undefined>(RATE_LIMIT_BUCKET, targets);
    const refused = this.limits.count(caller, bucket);
    if (!refused) return true;
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(refused.retryAfterSeconds));
    throw new AppError('RATE_LIMITED', `Too many requests: try again in ${refused.retryAfterSeconds} s`);
  }
}
