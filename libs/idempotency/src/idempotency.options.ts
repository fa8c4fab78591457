export const IDEMPOTENCY_OPTIONS = 'holdfast:idempotency';
export const IDEMPOTENCY_HEADER = 'x-idempotency-key';

export interface IdempotentOptions {
  /** When true, a request without the header is refused with IDEMPOTENCY_KEY_REQUIRED. */
  required: boolean;
}

export const IDEMPOTENCY_MODULE_OPTIONS = Symbol('IDEMPOTENCY_MODULE_OPTIONS');

export interface IdempotencyModuleOptions {
  /** How long a stored response can be replayed. */
  ttlSeconds: number;
  /** How often expired keys are purged. */
  purgeIntervalSeconds: number;
}
