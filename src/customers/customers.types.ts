/** The integration's name: the `integration` label of its metrics and its row in GET /v1/admin/integrations. */
export const CUSTOMER_VERIFICATION_INTEGRATION = 'customer_verification';

/** The checks a customer must pass to rent a vehicle (DESIGN.md section 12), in the order they are reported. */
export const VERIFICATION_REASONS = ['kyc', 'licence', 'credit'] as const;
/** A failed check: `kyc` (KYC not approved), `licence` (driving licence not valid), `credit` (score below MIN_CREDIT_SCORE). */
export type VerificationReason = (typeof VERIFICATION_REASONS)[number];

/** Where a result came from: the service just now, or the `customer_verifications` cache. */
export type VerificationSource = 'service' | 'cache';

/** A customer's verification (`CustomerVerificationService.check`). */
export interface CustomerVerification {
  /** The id the service was asked about: the token's `custom:customerId`, else its `sub`. */
  customerId: string;
  /** Every check passed: the customer may hold a vehicle. */
  verified: boolean;
  /** The checks that failed, in the order of VERIFICATION_REASONS; empty when verified. */
  reasons: VerificationReason[];
  /** The service's KYC status (`approved`, `pending`, `rejected`, ...; `not_found` when it does not know the customer). */
  kycStatus: string;
  drivingLicenseValid: boolean;
  /** The service's score; absent when it does not know the customer. Not for the app: it shows `creditSufficient`. */
  creditScore?: number;
  /** When the service gave this answer (the app's clock). */
  checkedAt: Date;
  source: VerificationSource;
}
