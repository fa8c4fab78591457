var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../libs/errors/src/index.js';
import { AppConfig } from '../config/app-config.js';
import { Public } from './auth.decorators.js';
import { mintDevToken } from './dev-token.service.js';
import { DevTokenRequestDto, DevTokenResponseDto } from './dto/dev-token.dto.js';
/** Mints tokens for local development. Registered only when AUTH_MODE=dev. */
let DevTokenController = class DevTokenController {
    constructor(config) {
        this.config = config;
    }
    token(body) {
        const ttl = this.config.DEV_TOKEN_TTL_SECONDS;
        return {
            accessToken: mintDevToken(this.config.JWT_SECRET, body, ttl, this.config.JWT_AUDIENCE, this.config.JWT_ISSUER),
            tokenType: 'Bearer',
            expiresIn: ttl,
        };
    }
};
__decorate([
    Post('token'),
    Public(),
    HttpCode(200),
    ApiOperation({
        summary: 'Mint a development token (AUTH_MODE=dev only)',
        description: 'Returns an HS256 bearer token for any user id and roles. Not registered when AUTH_MODE=jwks.',
    }),
    ApiOkResponse({ type: DevTokenResponseDto }),
    ApiErrors('VALIDATION_FAILED'),
    __param(0, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [DevTokenRequestDto]),
    __metadata("design:returntype", DevTokenResponseDto)
], DevTokenController.prototype, "token", null);
DevTokenController = __decorate([
    ApiTags('dev'),
    Controller('dev'),
    __metadata("design:paramtypes", [AppConfig])
], DevTokenController);
export { DevTokenController };
//# sourceMappingURL=dev-token.controller.js.map