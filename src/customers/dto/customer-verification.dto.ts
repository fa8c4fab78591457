import { ApiProperty } from '@nestjs/swagger';
import { VERIFICATION_REASONS, type VerificationReason, type VerificationSource } from '../customers.types';

/**
 * The signed-in customer's verification, as the app shows it. The credit score itself is
 * not sent (the app needs only whether it is enough, and a score is sensitive data):
 * `creditSufficient` says it.
 */
export class CustomerVerificationDto {
  @ApiProperty({
    example: 'CUST-0042',
    description: "The id the Customer Management Service knows the user by: the token's `custom:customerId`, else its `sub`.",
  })
  customerId!: string;

  @ApiProperty({ example: false, description: 'Every check passed: the user may hold a vehicle.' })
  verified!: boolean;

  @ApiProperty({
    enum: VERIFICATION_REASONS,
    isArray: true,
    example: ['kyc'],
    description:
      'The checks that failed (empty when verified): `kyc` (identity verification not approved), `licence` (driving licence ' +
      'not valid), `credit` (credit score below the required minimum). A vehicle hold answers 403 CUSTOMER_NOT_VERIFIED with the same reasons.',
  })
  reasons!: VerificationReason[];

  @ApiProperty({
    example: 'pending',
    description:
      "The service's KYC status: `approved`, `pending`, `rejected`, or another of its statuses; `not_found` when the service has no profile for the user.",
  })
  kycStatus!: string;

  @ApiProperty({ example: true })
  drivingLicenseValid!: boolean;

  @ApiProperty({
    example: true,
    description: 'The credit score is at least the required minimum (the score itself is not shown).',
  })
  creditSufficient!: boolean;

  @ApiProperty({ example: '2026-12-04T10:15:00.000Z', description: 'When the Customer Management Service gave this answer.' })
  checkedAt!: string;

  @ApiProperty({
    enum: ['service', 'cache'],
    example: 'cache',
    description: 'Asked just now (`service`), or a cached answer under 24 h old (`cache`).',
  })
  source!: VerificationSource;
}
