import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/auth.decorators';
import { CustomerVerificationService } from './customer-verification.service';
import { CustomerVerificationDto } from './dto/customer-verification.dto';

/** The signed-in customer's own verification (DESIGN.md section 12): never anyone else's. */
@ApiTags('customers')
@Controller('customers')
export class CustomersController {
  constructor(private readonly verifications: CustomerVerificationService) {}

  @Get('me/verification')
  @ApiOperation({
    summary: "Show the signed-in customer's verification for vehicle rentals",
    description:
      'Whether the user passes the checks a vehicle hold makes (KYC approved, driving licence valid, credit score at least ' +
      "the minimum), and which fail, as seed 002's Customer Management Service says for the token's `custom:customerId` " +
      '(else its `sub`). Answers from a cache under 24 h old when it has one (a failing answer is asked again after a minute), ' +
      'else asks the service; the credit score itself is never shown. 200 whether or not the user passes; 503 ' +
      'CUSTOMER_VERIFICATION_UNAVAILABLE with `Retry-After` when the service cannot answer and nothing usable is cached.',
  })
  @ApiOkResponse({ type: CustomerVerificationDto })
  @ApiErrors('CUSTOMER_VERIFICATION_UNAVAILABLE')
  async mine(@CurrentUser() user: AuthUser): Promise<CustomerVerificationDto> {
    const v = await this.verifications.check(user);
    return {
      customerId: v.customerId,
      verified: v.verified,
      reasons: v.reasons,
      kycStatus: v.kycStatus,
      drivingLicenseValid: v.drivingLicenseValid,
      creditSufficient: !v.reasons.includes('credit'),
      checkedAt: v.checkedAt.toISOString(),
      source: v.source,
    };
  }
}
