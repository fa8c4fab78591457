import { describe, expect, it } from '@jest/globals';
import { CustomerNotFoundError, CustomerServiceError } from './customer-verification.port';
import { HttpCustomerVerificationAdapter, profileOf } from './http-customer-verification.adapter';
import {
  SIMULATED_CREDIT_SCORE,
  SIMULATED_LOW_CREDIT_SCORE,
  SimulatedCustomerVerificationAdapter,
} from './simulated-customer-verification.adapter';

const malformed = (body: unknown, customerId = 'c-1') => {
  try {
    profileOf(body, customerId);
  } catch (error) {
    return error instanceof CustomerServiceError ? `${error.reason}: ${error.message}` : `other: ${String(error)}`;
  }
  return 'accepted';
};

describe('profileOf: the HTTP answer, checked strictly', () => {
  it('takes a well-formed profile, extra fields ignored, and the customerId when it is ours', () => {
    expect(profileOf({ kycStatus: 'approved', drivingLicenseValid: true, creditScore: 712, name: 'x' }, 'c-1')).toEqual({
      kycStatus: 'approved',
      drivingLicenseValid: true,
      creditScore: 712,
    });
    expect(
      profileOf({ customerId: 'c-1', kycStatus: 'manual_review', drivingLicenseValid: false, creditScore: 0 }, 'c-1'),
    ).toEqual({ kycStatus: 'manual_review', drivingLicenseValid: false, creditScore: 0 });
    expect(profileOf({ kycStatus: 'pending', drivingLicenseValid: true, creditScore: 1000 }, 'c-1').creditScore).toBe(1000);
  });

  it.each([
    ['not an object', ['approved', true, 700]],
    ['null', null],
    ['a string', 'approved'],
    [
      'the profile of another customer',
      { customerId: 'c-2', kycStatus: 'approved', drivingLicenseValid: true, creditScore: 700 },
    ],
    ['no kycStatus', { drivingLicenseValid: true, creditScore: 700 }],
    ['an empty kycStatus', { kycStatus: '', drivingLicenseValid: true, creditScore: 700 }],
    ['a kycStatus that is not a word', { kycStatus: 'approved; DROP', drivingLicenseValid: true, creditScore: 700 }],
    ['a kycStatus of another type', { kycStatus: true, drivingLicenseValid: true, creditScore: 700 }],
    ['a licence flag as a string', { kycStatus: 'approved', drivingLicenseValid: 'true', creditScore: 700 }],
    ['a licence flag as a number', { kycStatus: 'approved', drivingLicenseValid: 1, creditScore: 700 }],
    ['no licence flag', { kycStatus: 'approved', creditScore: 700 }],
    ['a score as a string', { kycStatus: 'approved', drivingLicenseValid: true, creditScore: '700' }],
    ['a fractional score', { kycStatus: 'approved', drivingLicenseValid: true, creditScore: 700.5 }],
    ['a negative score', { kycStatus: 'approved', drivingLicenseValid: true, creditScore: -1 }],
    ['a score above 1000', { kycStatus: 'approved', drivingLicenseValid: true, creditScore: 1001 }],
    ['no score', { kycStatus: 'approved', drivingLicenseValid: true }],
    ['a null score', { kycStatus: 'approved', drivingLicenseValid: true, creditScore: null }],
  ])('refuses %s as a malformed answer (the service failing, not the customer)', (_label, body) => {
    expect(malformed(body)).toMatch(/^malformed_response: /);
  });
});

describe('HttpCustomerVerificationAdapter without configuration or with an unusable id', () => {
  it('fails without calling anyone', async () => {
    await expect(new HttpCustomerVerificationAdapter(null, null).verify('c-1')).rejects.toMatchObject({
      reason: 'misconfigured',
      retryable: false,
    });
    const adapter = new HttpCustomerVerificationAdapter('http://127.0.0.1:1', 'k');
    for (const id of ['', '.', '..']) await expect(adapter.verify(id)).rejects.toMatchObject({ reason: 'bad_request' });
  });
});

describe('SimulatedCustomerVerificationAdapter', () => {
  const simulated = new SimulatedCustomerVerificationAdapter();

  it('verifies everyone but the test customers', async () => {
    for (const id of ['alice', 'CUST-0042', 'bob@example.com']) {
      await expect(simulated.verify(id)).resolves.toEqual({
        kycStatus: 'approved',
        drivingLicenseValid: true,
        creditScore: SIMULATED_CREDIT_SCORE,
      });
    }
  });

  it('fails each check for the customers named after it, case-insensitively and combined', async () => {
    await expect(simulated.verify('kyc-pending-ann')).resolves.toMatchObject({ kycStatus: 'pending' });
    await expect(simulated.verify('KYC-Rejected-ann')).resolves.toMatchObject({ kycStatus: 'rejected' });
    await expect(simulated.verify('ann-licence-invalid')).resolves.toMatchObject({ drivingLicenseValid: false });
    await expect(simulated.verify('ann-license-invalid')).resolves.toMatchObject({ drivingLicenseValid: false });
    await expect(simulated.verify('credit-low-ann')).resolves.toMatchObject({ creditScore: SIMULATED_LOW_CREDIT_SCORE });
    await expect(simulated.verify('kyc-pending-licence-invalid-credit-low')).resolves.toEqual({
      kycStatus: 'pending',
      drivingLicenseValid: false,
      creditScore: SIMULATED_LOW_CREDIT_SCORE,
    });
  });

  it('can be unknown, down or slow for a test customer', async () => {
    await expect(simulated.verify('unknown-customer-ann')).rejects.toBeInstanceOf(CustomerNotFoundError);
    await expect(simulated.verify('unavailable-ann')).rejects.toMatchObject({ reason: 'server_error' });
    const controller = new AbortController();
    const slow = simulated.verify('slow-service-ann', controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(slow).rejects.toMatchObject({ name: 'AbortError' });
  });
});
