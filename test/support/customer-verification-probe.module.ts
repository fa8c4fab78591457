import { Controller, Get, Module } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import type { AuthUser } from '../../src/auth/auth-user';
import { CurrentUser } from '../../src/auth/auth.decorators';
import { CustomerVerificationService } from '../../src/customers/customer-verification.service';
import { CustomersModule } from '../../src/customers/customers.module';

export class ProbeVerifiedDto {
  @ApiProperty({ example: 'CUST-0042' })
  customerId!: string;

  @ApiProperty({ enum: ['service', 'cache'] })
  source!: string;
}

/**
 * What a vehicle hold will do first (the reservations module wires it): `requireVerified`
 * behind a route, so a test sees its 403 and 503 as a client would. TEST ONLY: mount it
 * with `createTestApp({ imports: [CustomerVerificationProbeModule] })`.
 */
@ApiTags('test-customers')
@Controller('test-customers')
export class CustomerVerificationProbeController {
  constructor(private readonly verifications: CustomerVerificationService) {}

  @Get('require-verified')
  @ApiOperation({ summary: 'Passes only a verified customer, as a vehicle hold will (test only)' })
  @ApiOkResponse({ type: ProbeVerifiedDto })
  @ApiErrors('CUSTOMER_NOT_VERIFIED', 'CUSTOMER_VERIFICATION_UNAVAILABLE')
  async requireVerified(@CurrentUser() user: AuthUser): Promise<ProbeVerifiedDto> {
    const verification = await this.verifications.requireVerified(user);
    return { customerId: verification.customerId, source: verification.source };
  }
}

@Module({ imports: [CustomersModule], controllers: [CustomerVerificationProbeController] })
export class CustomerVerificationProbeModule {}
