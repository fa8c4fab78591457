var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var AppModule_1;
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { AllExceptionsFilter } from '../libs/errors/src/index.js';
import { IdempotencyModule } from '../libs/idempotency/src/index.js';
import { AuthModule } from './auth/auth.module.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DemoModule } from './demo/demo.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { DevPaymentsModule } from './payments/dev-payments.module.js';
import { PaymentsModule } from './payments/payments.module.js';
import { ProtectionModule } from './protection/protection.module.js';
import { ReservationsModule } from './reservations/reservations.module.js';
import { loggerParams } from './logging.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
/**
 * The whole app, built from validated config. `extraImports` lets tests mount
 * test-only modules (never used by main.ts).
 */
let AppModule = AppModule_1 = class AppModule {
    static forRoot(config, extraImports = []) {
        return {
            module: AppModule_1,
            imports: [
                ConfigModule.forRoot(config),
                LoggerModule.forRoot(loggerParams(config)),
                DatabaseModule.forRoot(config),
                ScheduleModule.forRoot(),
                IdempotencyModule.forRoot({
                    ttlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
                    purgeIntervalSeconds: config.IDEMPOTENCY_PURGE_INTERVAL_SECONDS,
                }),
                AuthModule.forRoot(config),
                ProtectionModule, // after AuthModule: its rate-limit guard keys signed-in callers by req.user
                MetricsModule,
                HealthModule,
                PaymentsModule,
                DevPaymentsModule.forRoot(config),
                ReservationsModule,
                DemoModule,
                CatalogModule,
                WebhooksModule,
                ...extraImports,
            ],
            providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
        };
    }
};
AppModule = AppModule_1 = __decorate([
    Module({})
], AppModule);
export { AppModule };
//# sourceMappingURL=app.module.js.map