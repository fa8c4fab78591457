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
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '../../libs/errors/src/index.js';
import { IS_PUBLIC, ROLES } from './auth.decorators.js';
import { VerifiedTokens } from './verified-tokens.js';
/** The token of an `Authorization: Bearer <token>` header, as passport-jwt reads it; null otherwise. */
function bearerToken(header) {
    if (typeof header !== 'string')
        return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? match[1] : null;
}
/**
 * Global guard: every route needs a valid bearer token unless marked `@Public()`. A
 * token verified in the last minute (and not expired) is not verified again (see
 * VerifiedTokens): the signature check and passport's machinery were a tenth of a
 * hold's CPU.
 */
let JwtAuthGuard = class JwtAuthGuard extends AuthGuard('jwt') {
    constructor(reflector) {
        super();
        this.reflector = reflector;
        this.verified = new VerifiedTokens();
    }
    async canActivate(context) {
        const isPublic = this.reflector.getAllAndOverride(IS_PUBLIC, [context.getHandler(), context.getClass()]);
        if (isPublic)
            return true;
        const req = context.switchToHttp().getRequest();
        const token = bearerToken(req.headers.authorization);
        const known = token === null ? undefined : this.verified.get(token);
        if (known) {
            req.user = known;
            return true;
        }
        const allowed = (await super.canActivate(context));
        if (allowed && token !== null && req.user)
            this.verified.remember(token, req.user);
        return allowed;
    }
    handleRequest(error, user) {
        if (error || !user)
            throw new AppError('UNAUTHORIZED', 'A valid bearer token is required');
        return user;
    }
};
JwtAuthGuard = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [Reflector])
], JwtAuthGuard);
export { JwtAuthGuard };
/** Global guard: enforces `@Roles(...)`. Runs after JwtAuthGuard. */
let RolesGuard = class RolesGuard {
    constructor(reflector) {
        this.reflector = reflector;
    }
    canActivate(context) {
        const roles = this.reflector.getAllAndOverride(ROLES, [context.getHandler(), context.getClass()]);
        if (!roles?.length)
            return true;
        const user = context.switchToHttp().getRequest().user;
        if (!user)
            throw new AppError('UNAUTHORIZED', 'A valid bearer token is required');
        if (!roles.every((role) => user.roles.includes(role))) {
            throw new AppError('FORBIDDEN', `This needs the ${roles.join(', ')} role`);
        }
        return true;
    }
};
RolesGuard = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [Reflector])
], RolesGuard);
export { RolesGuard };
//# sourceMappingURL=auth.guards.js.map