var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../../libs/errors/src/index.js';
import { AppConfig } from '../config/app-config.js';
import { RATE_LIMIT_BUCKET, SKIP_RATE_LIMIT } from './rate-limit.decorators.js';
import { FixedWindowRateLimiter } from './rate-limiter.js';
/**
 * Global guard: at most `RATE_LIMIT_PER_MINUTE` requests per caller per minute on the
 * API (`/v1/...`), and `RATE_LIMIT_HOLD_PER_MINUTE` on routes marked `@RateLimit('hold')`
 * (hold and convert, which take inventory and call the payment provider). Over the
 * limit: 429 RATE_LIMITED with `Retry-After`. A limit of 0 turns that check off.
 *
 * The caller is the token's `sub` when the request is signed in, else the client IP
 * (`req.ip`, which honours X-Forwarded-For only from proxies `TRUST_PROXY` trusts). For
 * `req.user` to be there this guard must run after JwtAuthGuard: ProtectionModule is
 * imported after AuthModule, and Nest runs global guards in module order. So a request
 * refused with 401 is never counted: it costs a signature check and no database work
 * (test/protection fails if the order breaks: it would key users by IP).
 * Operational endpoints outside `/v1` (health probes, metrics) are never limited, so a
 * busy load balancer cannot fail its own probes.
 */
let RateLimitGuard = class RateLimitGuard {
    constructor(reflector, config) {
        this.reflector = reflector;
        this.config = config;
        this.limiter = new FixedWindowRateLimiter();
    }
    canActivate(context) {
        if (context.getType() !== 'http')
            return true;
        const targets = [context.getHandler(), context.getClass()];
        if (this.reflector.getAllAndOverride(SKIP_RATE_LIMIT, targets))
            return true;
        const req = context.switchToHttp().getRequest();
        if (!req.originalUrl.startsWith('/v1/'))
            return true;
        const caller = req.user?.sub ? `user:${req.user.sub}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
        const bucket = this.reflector.getAllAndOverride(RATE_LIMIT_BUCKET, targets);
        this.check(context, `default|${caller}`, this.config.RATE_LIMIT_PER_MINUTE);
        if (bucket === 'hold')
            this.check(context, `hold|${caller}`, this.config.RATE_LIMIT_HOLD_PER_MINUTE);
        return true;
    }
    check(context, key, limit) {
        if (limit <= 0)
            return;
        const hit = this.limiter.hit(key, limit);
        if (hit.allowed)
            return;
        context.switchToHttp().getResponse().setHeader('Retry-After', String(hit.retryAfterSeconds));
        throw new AppError('RATE_LIMITED', `Too many requests: try again in ${hit.retryAfterSeconds} s`);
    }
};
RateLimitGuard = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [Reflector,
        AppConfig])
], RateLimitGuard);
export { RateLimitGuard };
//# sourceMappingURL=rate-limit.guard.js.map