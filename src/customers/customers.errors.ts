import { AppError } from '@holdfast/errors';
import type { CustomerVerification } from './customers.types';
import { reasonMessage } from './verification-rules';

/**
 * 403 CUSTOMER_NOT_VERIFIED: the customer failed a check. The message names every failed
 * check (never the credit score or the threshold); `details` lists them, one per reason
 * (`field` is the reason: `kyc`, `licence`, `credit`). `verification` is the result behind it.
 */
export class CustomerNotVerifiedError extends AppError {
  constructor(readonly verification: CustomerVerification) {
    const problems = verification.reasons.map((reason) => ({
      field: reason,
      message: reasonMessage(reason, verification.kycStatus),
    }));
    super('CUSTOMER_NOT_VERIFIED', `The customer cannot rent a vehicle: ${problems.map((p) => p.message).join('; ')}`, problems);
    this.name = 'CustomerNotVerifiedError';
  }
}

/**
 * 503 CUSTOMER_VERIFICATION_UNAVAILABLE with `Retry-After`: the Customer Management Service
 * gave no usable answer (down, slow, a malformed answer, its breaker open) and nothing
 * usable is cached. Seed 002: the booking is rejected, not let through unverified.
 */
export class CustomerVerificationUnavailableError extends AppError {
  constructor(
    message: string,
    override readonly retryAfterSeconds: number,
  ) {
    super('CUSTOMER_VERIFICATION_UNAVAILABLE', message);
    this.name = 'CustomerVerificationUnavailableError';
  }
}
