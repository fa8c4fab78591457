export const IDEMPOTENCY_OPTIONS = 'holdfast:idempotency';
export const IDEMPOTENCY_HEADER = 'x-idempotency-key';

export interface IdempotentOptions {
  /** When true, a request without the header is refused with IDEMPOTENCY_KEY_REQUIRED. */
  required: boolean;
  /**
   * `atomic` (default): the handler and the stored response share one transaction.
   * `stepwise`: for handlers that commit their own steps around a third-party call;
   * the key is claimed by a committed in-progress row (see IdempotencyService).
   * `handler`: the handler gets the key through `@IdempotencyKey()` and must keep it
   * itself, through `keyInStatement` on a fast path and IdempotencyService's `atomic` otherwise;
   * the header is then always required.
   */
  mode?: 'atomic' | 'stepwise' | 'handler';
}

export const IDEMPOTENCY_MODULE_OPTIONS = Symbol('IDEMPOTENCY_MODULE_OPTIONS');

export interface IdempotencyModuleOptions {
  /** How long a stored response can be replayed. */
  ttlSeconds: number;
  /** How often expired keys are purged. */
  purgeIntervalSeconds: number;
}
