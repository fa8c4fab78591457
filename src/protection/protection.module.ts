import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimits } from './rate-limits';

/**
 * Rate limiting for the whole API. Import it after AuthModule: global guards run in the
 * order their modules are imported, and the limiter keys signed-in callers by `req.user`.
 * Security headers and CORS are Express middleware, applied in app.setup.ts
 * (`applyHttpProtection`).
 */
@Module({
  providers: [RateLimits, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [RateLimits],
})
export class ProtectionModule {}
