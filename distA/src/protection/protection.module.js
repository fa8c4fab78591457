var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitGuard } from './rate-limit.guard.js';
/**
 * Rate limiting for the whole API. Import it after AuthModule: global guards run in the
 * order their modules are imported, and the limiter keys signed-in callers by `req.user`.
 * Security headers and CORS are Express middleware, applied in app.setup.ts
 * (`applyHttpProtection`).
 */
let ProtectionModule = class ProtectionModule {
};
ProtectionModule = __decorate([
    Module({
        providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
    })
], ProtectionModule);
export { ProtectionModule };
//# sourceMappingURL=protection.module.js.map