var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var AuthModule_1;
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { JwtAuthGuard, RolesGuard } from './auth.guards.js';
import { DevTokenController } from './dev-token.controller.js';
import { JwtStrategy } from './jwt.strategy.js';
/** Bearer-token auth on every route by default (`@Public()` opts out), plus `@Roles()`. */
let AuthModule = AuthModule_1 = class AuthModule {
    static forRoot(config) {
        return {
            module: AuthModule_1,
            imports: [PassportModule.register({ session: false })],
            controllers: config.AUTH_MODE === 'dev' ? [DevTokenController] : [],
            providers: [JwtStrategy, { provide: APP_GUARD, useClass: JwtAuthGuard }, { provide: APP_GUARD, useClass: RolesGuard }],
        };
    }
};
AuthModule = AuthModule_1 = __decorate([
    Module({})
], AuthModule);
export { AuthModule };
//# sourceMappingURL=auth.module.js.map