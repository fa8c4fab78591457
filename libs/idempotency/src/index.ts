export { Idempotent } from './idempotent.decorator';
export { IDEMPOTENCY_HEADER, type IdempotentOptions } from './idempotency.options';
export { IdempotencyModule } from './idempotency.module';
export { IdempotencyKeyEntity } from './idempotency-key.entity';
export { IdempotencyPurgeJob } from './idempotency-purge.job';
export { canonicalJson, requestHash } from './request-hash';
export type { IdempotencyModuleOptions } from './idempotency.options';
