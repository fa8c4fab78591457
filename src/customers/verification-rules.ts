import type { VerificationReason } from './customers.types';

/** The facts the rules look at: a profile, or what is known of a customer the service does not know. */
export interface VerificationFacts {
  kycStatus: string;
  drivingLicenseValid: boolean;
  /** Absent: no score on file, which does not pass. */
  creditScore?: number | null;
}

/** The KYC status of a customer the service does not know (its 404), as results and the cache record it. */
export const KYC_NOT_FOUND = 'not_found';

/**
 * DESIGN.md section 12's rules: KYC `approved` (exactly), a valid driving licence, and a
 * credit score of at least `minCreditScore`. Returns the checks that fail, in the order of
 * VERIFICATION_REASONS; none means verified. Applied on every read, cached results
 * included, so a change of MIN_CREDIT_SCORE applies at once.
 */
export function failedChecks(facts: VerificationFacts, minCreditScore: number): VerificationReason[] {
  const reasons: VerificationReason[] = [];
  if (facts.kycStatus !== 'approved') reasons.push('kyc');
  if (facts.drivingLicenseValid !== true) reasons.push('licence');
  if (typeof facts.creditScore !== 'number' || !(facts.creditScore >= minCreditScore)) reasons.push('credit');
  return reasons;
}

/** What a 403 CUSTOMER_NOT_VERIFIED says about each failed check (never the score or the threshold). */
export function reasonMessage(reason: VerificationReason, kycStatus: string): string {
  switch (reason) {
    case 'kyc':
      return kycStatus === KYC_NOT_FOUND
        ? 'identity verification (KYC) has not been done: the customer service has no profile for this customer'
        : `identity verification (KYC) is ${kycStatus}, not approved`;
    case 'licence':
      return 'the driving licence is not valid';
    case 'credit':
      return 'the credit check did not pass (score below the required minimum)';
  }
}
