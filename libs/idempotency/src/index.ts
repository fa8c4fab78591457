export { Idempotent, IdempotencyKey } from './idempotent.decorator';
export { IdempotencyService, IN_PROGRESS_STALE_SECONDS, type IdempotentRequest } from './idempotency.service';
export { keyInStatement, type KeyInStatement, type StatementKey } from './key-in-statement';
export { IDEMPOTENCY_HEADER, type IdempotentOptions } from './idempotency.options';
export { IdempotencyModule } from './idempotency.module';
export { IdempotencyKeyEntity } from './idempotency-key.entity';
export { IdempotencyPurgeJob } from './idempotency-purge.job';
export { canonicalJson, requestHash } from './request-hash';
export type { IdempotencyModuleOptions } from './idempotency.options';
