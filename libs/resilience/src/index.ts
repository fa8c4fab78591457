export {
  createIntegrationPolicy,
  type BreakerStateEvent,
  type CallOptions,
  type IntegrationObserver,
  type IntegrationOutcomeEvent,
  type IntegrationPolicy,
  type IntegrationPolicyOptions,
} from './integration-policy';
export {
  BreakerOpenError,
  INTEGRATION_OUTCOMES,
  IntegrationError,
  IntegrationTimeoutError,
  RateLimitedError,
  type BreakerState,
  type IntegrationOutcome,
} from './errors';
export { TokenBucket } from './token-bucket';
