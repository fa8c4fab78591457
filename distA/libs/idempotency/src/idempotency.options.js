export const IDEMPOTENCY_OPTIONS = 'holdfast:idempotency';
export const IDEMPOTENCY_HEADER = 'x-idempotency-key';
export const IDEMPOTENCY_MODULE_OPTIONS = Symbol('IDEMPOTENCY_MODULE_OPTIONS');
//# sourceMappingURL=idempotency.options.js.map