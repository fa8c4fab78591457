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
import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, NotFoundException, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppError } from '../../libs/errors/src/index.js';
import { Public } from '../auth/auth.decorators.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsRegistry } from './metrics.registry.js';
/**
 * `GET /metrics` (no `/v1`): every metric in Prometheus text format, for a scraper that
 * sends `Authorization: Bearer <METRICS_TOKEN>`. Not behind the user JWT guard (a
 * scraper has no user), and not in the OpenAPI document (it is an operations endpoint,
 * described in docs/operations.md). With METRICS_TOKEN unset the route answers 404 as if
 * it did not exist, so metrics are never exposed by accident.
 */
let MetricsController = class MetricsController {
    constructor(registry, config) {
        this.registry = registry;
        this.tokenDigest = config.METRICS_TOKEN ? digest(config.METRICS_TOKEN) : null;
    }
    async scrape(authorization, res) {
        if (!this.tokenDigest)
            throw new NotFoundException();
        const [scheme, token] = (authorization ?? '').split(' ');
        // Compared as digests: equal lengths for timingSafeEqual, and no timing leak of the length.
        if (scheme?.toLowerCase() !== 'bearer' || !token || !timingSafeEqual(digest(token), this.tokenDigest)) {
            res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
            throw new AppError('UNAUTHORIZED', 'A valid metrics token is required');
        }
        res.setHeader('Content-Type', this.registry.contentType);
        res.setHeader('Cache-Control', 'no-store');
        return this.registry.metrics();
    }
};
__decorate([
    Get(),
    __param(0, Headers('authorization')),
    __param(1, Res({ passthrough: true })),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, Object]),
    __metadata("design:returntype", Promise)
], MetricsController.prototype, "scrape", null);
MetricsController = __decorate([
    ApiExcludeController(),
    Public(),
    Controller('metrics'),
    __metadata("design:paramtypes", [MetricsRegistry,
        AppConfig])
], MetricsController);
export { MetricsController };
function digest(value) {
    return createHash('sha256').update(value).digest();
}
//# sourceMappingURL=metrics.controller.js.map