var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var IdempotencyModule_1;
import { Module } from '@nestjs/common';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyPurgeJob } from './idempotency-purge.job.js';
import { IdempotencyService } from './idempotency.service.js';
import { IDEMPOTENCY_MODULE_OPTIONS } from './idempotency.options.js';
/** Provides the interceptor behind `@Idempotent()`, the service behind it, and the expired-key purge job. */
let IdempotencyModule = IdempotencyModule_1 = class IdempotencyModule {
    static forRoot(options) {
        return {
            module: IdempotencyModule_1,
            global: true,
            providers: [
                { provide: IDEMPOTENCY_MODULE_OPTIONS, useValue: options },
                IdempotencyInterceptor,
                IdempotencyService,
                IdempotencyPurgeJob,
            ],
            exports: [IDEMPOTENCY_MODULE_OPTIONS, IdempotencyInterceptor, IdempotencyService, IdempotencyPurgeJob],
        };
    }
};
IdempotencyModule = IdempotencyModule_1 = __decorate([
    Module({})
], IdempotencyModule);
export { IdempotencyModule };
//# sourceMappingURL=idempotency.module.js.map