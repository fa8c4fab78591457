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
import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators.js';
import { DatabaseHealthIndicator } from './database.health.js';
/**
 * Probes for load balancers and Kubernetes. They answer Terminus's own body (not the
 * error envelope), with 503 when a check fails or the app is shutting down.
 */
let HealthController = class HealthController {
    constructor(health, db) {
        this.health = health;
        this.db = db;
    }
    live(res) {
        return this.answer(res, () => this.health.check([]));
    }
    ready(res) {
        return this.answer(res, () => this.health.check([() => this.db.check(1500)]));
    }
    async answer(res, check) {
        try {
            return await check();
        }
        catch (error) {
            if (!(error instanceof ServiceUnavailableException))
                throw error;
            res.status(503);
            return error.getResponse();
        }
    }
};
__decorate([
    Get('live'),
    ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' }),
    ApiOkResponse({ description: '`{ "status": "ok", ... }`' }),
    __param(0, Res({ passthrough: true })),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", Promise)
], HealthController.prototype, "live", null);
__decorate([
    Get('ready'),
    ApiOperation({ summary: 'Readiness: the database answers (503 when it does not, or while shutting down)' }),
    ApiOkResponse({ description: '`{ "status": "ok", "info": { "database": { "status": "up" } } }`' }),
    ApiServiceUnavailableResponse({ description: '`{ "status": "error", "error": { "database": { "status": "down" } } }`' }),
    __param(0, Res({ passthrough: true })),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", Promise)
], HealthController.prototype, "ready", null);
HealthController = __decorate([
    ApiTags('health'),
    Public(),
    Controller('health'),
    __metadata("design:paramtypes", [HealthCheckService,
        DatabaseHealthIndicator])
], HealthController);
export { HealthController };
//# sourceMappingURL=health.controller.js.map