export { Idempotent, IdempotencyKey } from './idempotent.decorator.js';
export { IdempotencyService, IN_PROGRESS_STALE_SECONDS, } from './idempotency.service.js';
export { IDEMPOTENCY_HEADER } from './idempotency.options.js';
export { IdempotencyModule } from './idempotency.module.js';
export { IdempotencyKeyEntity } from './idempotency-key.entity.js';
export { IdempotencyPurgeJob } from './idempotency-purge.job.js';
export { canonicalJson, requestHash } from './request-hash.js';
//# sourceMappingURL=index.js.map