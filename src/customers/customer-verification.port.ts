/**
 * What seed 002's Customer Management Service says about a customer (its response, checked):
 * `{ kycStatus, drivingLicenseValid, creditScore }`.
 */
export interface CustomerProfile {
  /** `approved`, `pending`, `rejected`, or another status of the service's; only `approved` passes. */
  kycStatus: 'approved' | 'pending' | 'rejected' | (string & {});
  drivingLicenseValid: boolean;
  /** An integer from 0 to 1000 (the service's scale); compared with MIN_CREDIT_SCORE. */
  creditScore: number;
}

/**
 * The Customer Management Service (DESIGN.md section 12; contract in docs/customers.md).
 * Adapters: HTTP (http-customer-verification.adapter.ts) and simulated. An adapter answers
 * a profile it checked, or throws: CustomerNotFoundError when the service answered that it
 * does not know the customer, CustomerServiceError (or the network's, or the timeout's
 * error) when it could not give a usable answer. It never answers a profile it did not check.
 *
 * An abstract class so that it is also the injection token (`CustomersModule` picks the
 * adapter from CUSTOMERS_MODE).
 */
export abstract class CustomerVerificationPort {
  /** `http` or `simulated`: which source a cached result came from. */
  abstract readonly name: 'http' | 'simulated';

  /**
   * The customer's profile. `signal` is aborted when the caller stops waiting (the
   * integration policy's timeout): the adapter must give up at once.
   */
  abstract verify(customerId: string, signal?: AbortSignal): Promise<CustomerProfile>;
}

/** Why the service gave no usable answer (an error's `reason`, for logs and the admin view). */
export type CustomerServiceFailure =
  | 'unreachable' // connection refused or reset, DNS, TLS
  | 'server_error' // 5xx
  | 'rate_limited' // 429
  | 'unauthorized' // 401/403: our API key is refused
  | 'bad_request' // another 4xx: the service refused our request as invalid
  | 'malformed_response' // a 200 we cannot trust: not JSON, missing fields, wrong types, another customer
  | 'timeout' // no whole answer within the budget
  | 'misconfigured'; // no URL or key to call it with

/**
 * The Customer Management Service gave no usable answer. Its message never holds the API
 * key or the response body (it reaches logs and GET /v1/admin/integrations).
 */
export class CustomerServiceError extends Error {
  constructor(
    readonly reason: CustomerServiceFailure,
    message: string,
    /** Worth another attempt within the time left (network, 5xx): the call is a GET, safe to repeat. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'CustomerServiceError';
  }

  /** The same failure, not to be retried (no time left for another attempt within the SLA). */
  final(): CustomerServiceError {
    return this.retryable ? new CustomerServiceError(this.reason, this.message, false) : this;
  }
}

/**
 * The service answered that it does not know this customer (HTTP 404): an answer, not an
 * outage. Verification treats the customer as having passed no check.
 */
export class CustomerNotFoundError extends Error {
  constructor() {
    super('The Customer Management Service does not know this customer');
    this.name = 'CustomerNotFoundError';
  }
}
