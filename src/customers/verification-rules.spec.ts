import { describe, expect, it } from '@jest/globals';
import { failedChecks, KYC_NOT_FOUND, reasonMessage } from './verification-rules';

const passing = { kycStatus: 'approved', drivingLicenseValid: true, creditScore: 720 };

describe('failedChecks (DESIGN.md section 12)', () => {
  it('passes a customer with KYC approved, a valid licence and a score at the minimum or above', () => {
    expect(failedChecks(passing, 600)).toEqual([]);
    expect(failedChecks({ ...passing, creditScore: 600 }, 600)).toEqual([]);
    expect(failedChecks({ ...passing, creditScore: 0 }, 0)).toEqual([]);
  });

  it('fails KYC unless the status is exactly approved', () => {
    for (const kycStatus of ['pending', 'rejected', 'Approved', 'APPROVED', ' approved', 'manual_review', KYC_NOT_FOUND, '']) {
      expect({ kycStatus, reasons: failedChecks({ ...passing, kycStatus }, 600) }).toEqual({ kycStatus, reasons: ['kyc'] });
    }
  });

  it('fails the licence unless it is valid', () => {
    expect(failedChecks({ ...passing, drivingLicenseValid: false }, 600)).toEqual(['licence']);
  });

  it('fails credit one point below the minimum, and without a score', () => {
    expect(failedChecks({ ...passing, creditScore: 599 }, 600)).toEqual(['credit']);
    expect(failedChecks({ ...passing, creditScore: null }, 600)).toEqual(['credit']);
    expect(failedChecks({ kycStatus: 'approved', drivingLicenseValid: true }, 0)).toEqual(['credit']);
    expect(failedChecks({ ...passing, creditScore: Number.NaN }, 0)).toEqual(['credit']);
  });

  it('lists every failed check, in the order kyc, licence, credit', () => {
    expect(failedChecks({ kycStatus: 'rejected', drivingLicenseValid: false, creditScore: 100 }, 600)).toEqual([
      'kyc',
      'licence',
      'credit',
    ]);
    expect(failedChecks({ kycStatus: KYC_NOT_FOUND, drivingLicenseValid: false, creditScore: null }, 600)).toEqual([
      'kyc',
      'licence',
      'credit',
    ]);
  });
});

describe('reasonMessage', () => {
  it('names the check, and the KYC status, never a score or the threshold', () => {
    expect(reasonMessage('kyc', 'pending')).toBe('identity verification (KYC) is pending, not approved');
    expect(reasonMessage('kyc', KYC_NOT_FOUND)).toMatch(/no profile/);
    expect(reasonMessage('licence', 'approved')).toBe('the driving licence is not valid');
    expect(reasonMessage('credit', 'approved')).toMatch(/credit check did not pass/);
    expect(reasonMessage('credit', 'approved')).not.toMatch(/\d/);
  });
});
