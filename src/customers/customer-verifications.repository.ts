import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { CustomerVerificationPort } from './customer-verification.port';

/** A cached answer of the Customer Management Service. */
export interface CachedVerification {
  kycStatus: string;
  drivingLicenseValid: boolean;
  /** Null for a customer the service does not know. */
  creditScore: number | null;
  checkedAt: Date;
}

/**
 * The `customer_verifications` cache (DESIGN.md section 12): the service's last answer per
 * source (`http` | `simulated`) and customer id, replaced on every fresh answer. The
 * verdict is not stored: the rules run on every read. The source is part of the key, so
 * an answer the simulated service made up is never served as the real service's.
 * Read and written outside the caller's transaction: an answer learnt is worth keeping
 * whatever becomes of the caller's work (a hold that then fails).
 */
@Injectable()
export class CustomerVerificationsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async find(source: CustomerVerificationPort['name'], customerId: string): Promise<CachedVerification | null> {
    const [row] = await this.txHost.outside(() =>
      this.txHost.rows<CachedVerification>(
        `SELECT kyc_status AS "kycStatus", driving_license_valid AS "drivingLicenseValid", credit_score AS "creditScore",
                checked_at AS "checkedAt"
           FROM customer_verifications WHERE source = $1 AND customer_id = $2`,
        [source, customerId],
      ),
    );
    return row ?? null;
  }

  /** Stores an answer unless a newer one (another replica's) is already there. */
  async save(source: CustomerVerificationPort['name'], customerId: string, answer: CachedVerification): Promise<void> {
    await this.txHost.outside(() =>
      this.txHost.rows(
        `INSERT INTO customer_verifications (source, customer_id, kyc_status, driving_license_valid, credit_score, checked_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (source, customer_id) DO UPDATE
             SET kyc_status = EXCLUDED.kyc_status, driving_license_valid = EXCLUDED.driving_license_valid,
                 credit_score = EXCLUDED.credit_score, checked_at = EXCLUDED.checked_at
             WHERE customer_verifications.checked_at <= EXCLUDED.checked_at`,
        [source, customerId, answer.kycStatus, answer.drivingLicenseValid, answer.creditScore, answer.checkedAt],
      ),
    );
  }

  /** Deletes the rows checked at or before `cutoff` (in batches, skipping rows others hold); returns how many. */
  purgeCheckedUpTo(cutoff: Date): Promise<number> {
    return this.txHost.deleteInBatches('customer_verifications', 'checked_at <= $1', [cutoff]);
  }
}
