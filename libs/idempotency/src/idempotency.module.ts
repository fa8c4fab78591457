import { type DynamicModule, Module } from '@nestjs/common';
import { IdempotencyKeyGuard } from './idempotency-key';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyPurgeJob } from './idempotency-purge.job';
import { IdempotencyService } from './idempotency.service';
import { IDEMPOTENCY_MODULE_OPTIONS, type IdempotencyModuleOptions } from './idempotency.options';

/** Provides the interceptor and the guard behind `@Idempotent()`, the service behind it, and the expired-key purge job. */
@Module({})
export class IdempotencyModule {
  static forRoot(options: IdempotencyModuleOptions): DynamicModule {
    return {
      module: IdempotencyModule,
      global: true,
      providers: [
        { provide: IDEMPOTENCY_MODULE_OPTIONS, useValue: options },
        IdempotencyInterceptor,
        IdempotencyKeyGuard,
        IdempotencyService,
        IdempotencyPurgeJob,
      ],
      exports: [IDEMPOTENCY_MODULE_OPTIONS, IdempotencyInterceptor, IdempotencyKeyGuard, IdempotencyService, IdempotencyPurgeJob],
    };
  }
}
