import { Injectable } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { ProtectionConfig } from './protection.config';
import type { RateLimitBucket } from './rate-limit.decorators';
import { FixedWindowRateLimiter, type RateLimitHit } from './rate-limiter';

/**
 * On a request the hold lane (src/hold-lane.ts) counted before handing it to the Nest
 * pipeline: RateLimitGuard lets it through without counting it a second time.
 */
export const RATE_LIMIT_COUNTED = Symbol('holdfast:rate-limit-counted');

/**
 * The API's per-caller limits (`RATE_LIMIT_PER_MINUTE`, and `RATE_LIMIT_HOLD_PER_MINUTE`
 * on `@RateLimit('hold')` routes), one counter per process shared by RateLimitGuard and
 * the hold lane. A limit of 0 turns that check off.
 */
@Injectable()
export class RateLimits {
  private readonly limiter: FixedWindowRateLimiter;

  constructor(
    private readonly config: ProtectionConfig,
    clock: Clock,
  ) {
    this.limiter = new FixedWindowRateLimiter(60_000, () => clock.nowMs());
  }

  /**
   * Counts one request of `caller` (`user:<sub>` or `ip:<address>`) in the default bucket
   * and then in `bucket`; returns the first refusal, or null when both allow it. A request
   * the default bucket refuses is not counted in `bucket`.
   */
  count(caller: string, bucket: RateLimitBucket | undefined): RateLimitHit | null {
    const refused = this.hit(`default|${caller}`, this.config.rateLimitPerMinute);
    if (refused || bucket !== 'hold') return refused;
    return this.hit(`hold|${caller}`, this.config.holdRateLimitPerMinute);
  }

  /** Whether `count(caller, bucket)` would allow one more request now; counts nothing. */
  hasRoom(caller: string, bucket: RateLimitBucket | undefined): boolean {
    const { rateLimitPerMinute: all, holdRateLimitPerMinute: hold } = this.config;
    if (all > 0 && !this.limiter.hasRoom(`default|${caller}`, all)) return false;
    return bucket !== 'hold' || hold <= 0 || this.limiter.hasRoom(`hold|${caller}`, hold);
  }

  private hit(key: string, limit: number): RateLimitHit | null {
    if (limit <= 0) return null;
    const hit = this.limiter.hit(key, limit);
    return hit.allowed ? null : hit;
  }
}
