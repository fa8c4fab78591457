import { setTimeout as sleep } from 'node:timers/promises';
import {
  CustomerNotFoundError,
  CustomerServiceError,
  CustomerVerificationPort,
  type CustomerProfile,
} from './customer-verification.port';

/** The score every simulated customer has, and the test customers named `credit-low` (below the default 600). */
export const SIMULATED_CREDIT_SCORE = 720;
export const SIMULATED_LOW_CREDIT_SCORE = 450;

/**
 * The words in a customer id (case-insensitive, anywhere in it, combinable:
 * `kyc-pending-credit-low-bob`) that make the simulated service answer otherwise
 * (docs/customers.md, "Test customers").
 */
export const SIMULATED_TEST_CUSTOMERS = {
  /** kycStatus `pending`. */
  kycPending: 'kyc-pending',
  /** kycStatus `rejected`. */
  kycRejected: 'kyc-rejected',
  /** drivingLicenseValid false (`license-invalid` works too). */
  licenceInvalid: 'licence-invalid',
  /** creditScore SIMULATED_LOW_CREDIT_SCORE. */
  creditLow: 'credit-low',
  /** The service does not know the customer (the HTTP service's 404). */
  unknown: 'unknown-customer',
  /** The service is down: every call fails (an HTTP 503). */
  unavailable: 'unavailable',
  /** The service never answers: every call times out after CUSTOMER_SERVICE_TIMEOUT_MS. */
  slow: 'slow-service',
} as const;

/**
 * An in-process Customer Management Service for development, demos and tests (the default
 * of `npm start`; refused with NODE_ENV=production): every customer is KYC-approved, holds
 * a valid licence and scores SIMULATED_CREDIT_SCORE, except the test customers whose id
 * holds one of SIMULATED_TEST_CUSTOMERS' words. With dev tokens the customer id is the
 * token's `sub`, so `POST /v1/dev/token {"sub": "kyc-pending-alice"}` makes one.
 */
export class SimulatedCustomerVerificationAdapter extends CustomerVerificationPort {
  readonly name = 'simulated' as const;

  async verify(customerId: string, signal?: AbortSignal): Promise<CustomerProfile> {
    const id = customerId.toLowerCase();
    const has = (word: string) => id.includes(word);
    if (has(SIMULATED_TEST_CUSTOMERS.slow)) {
      // Until the caller's timeout aborts it (an hour if nobody does).
      await sleep(3_600_000, undefined, { signal, ref: false });
    }
    if (has(SIMULATED_TEST_CUSTOMERS.unavailable)) {
      throw new CustomerServiceError('server_error', 'the simulated Customer Management Service is down (test customer)', true);
    }
    if (has(SIMULATED_TEST_CUSTOMERS.unknown)) throw new CustomerNotFoundError();
    return {
      kycStatus: has(SIMULATED_TEST_CUSTOMERS.kycRejected)
        ? 'rejected'
        : has(SIMULATED_TEST_CUSTOMERS.kycPending)
          ? 'pending'
          : 'approved',
      drivingLicenseValid: !has(SIMULATED_TEST_CUSTOMERS.licenceInvalid) && !has('license-invalid'),
      creditScore: has(SIMULATED_TEST_CUSTOMERS.creditLow) ? SIMULATED_LOW_CREDIT_SCORE : SIMULATED_CREDIT_SCORE,
    };
  }
}
