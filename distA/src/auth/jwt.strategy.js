var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config.js';
import { userFromClaims } from './auth-user.js';
function strategyOptions(config) {
    const jwtFromRequest = ExtractJwt.fromAuthHeaderAsBearerToken();
    if (config.AUTH_MODE === 'jwks') {
        return {
            jwtFromRequest,
            algorithms: ['RS256'],
            issuer: config.JWT_ISSUER,
            ignoreExpiration: false,
            secretOrKeyProvider: passportJwtSecret({
                jwksUri: config.JWT_JWKS_URL,
                cache: true,
                cacheMaxAge: 10 * 60 * 1000,
                rateLimit: true,
                jwksRequestsPerMinute: 10,
                timeout: 5000,
            }),
        };
    }
    return {
        jwtFromRequest,
        algorithms: ['HS256'],
        // A KeyObject, built once: given a string, jsonwebtoken first tries (and fails) to
        // parse it as a public key on every request, which cost 13 % of a hold's CPU.
        secretOrKey: createSecretKey(Buffer.from(config.JWT_SECRET)),
        issuer: config.JWT_ISSUER,
        ignoreExpiration: false,
    };
}
/**
 * Verifies bearer tokens: HS256 with JWT_SECRET (AUTH_MODE=dev) or RS256 against a
 * JWKS such as a Cognito user pool's (AUTH_MODE=jwks). Only the configured algorithm
 * is accepted, so `alg: none` and algorithm-confusion tokens fail.
 */
let JwtStrategy = class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
    constructor(config) {
        super(strategyOptions(config));
        this.config = config;
    }
    /** Cognito puts the app client id in `aud` (id tokens) or `client_id` (access tokens). */
    validate(claims) {
        const audience = this.config.JWT_AUDIENCE;
        if (audience) {
            const tokenAudience = claims.token_use === 'access' ? claims.client_id : claims.aud;
            const audiences = Array.isArray(tokenAudience) ? tokenAudience : [tokenAudience];
            if (!audiences.includes(audience))
                return false;
        }
        if (claims.token_use !== undefined && claims.token_use !== 'access' && claims.token_use !== 'id')
            return false;
        return userFromClaims(claims) ?? false;
    }
};
JwtStrategy = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [AppConfig])
], JwtStrategy);
export { JwtStrategy };
//# sourceMappingURL=jwt.strategy.js.map