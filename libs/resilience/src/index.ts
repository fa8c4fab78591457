export { CircuitBreaker, CircuitOpenError, type BreakerState, type CircuitBreakerOptions } from './circuit-breaker';
export { backoffDelay, retry, type RetryOptions } from './retry';
