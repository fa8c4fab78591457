export { CircuitBreaker, CircuitOpenError } from './circuit-breaker.js';
export { backoffDelay, retry } from './retry.js';
//# sourceMappingURL=index.js.map