import { Body, Controller, HttpCode, Param, ParseEnumPipe, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { RentalDto, RentalVerificationDto, SetRentalFineDto } from './dto/rental.dto';
import { RentalReturnService } from './rental-return.service';
import { RentalsService } from './rentals.service';
import { FINE_KINDS, type FineKind } from './settlement';

/** Disputed returns and fines (DESIGN.md section 12; the admin GraphQL API will call the same service). Admins only. */
@ApiTags('admin')
@Roles('admin')
@Controller('admin/rentals')
export class AdminRentalsController {
  constructor(
    private readonly rentals: RentalsService,
    private readonly returns: RentalReturnService,
  ) {}

  @Post(':id/verification')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: "Override a return's verification",
    description:
      '`approve`: the fines as they stand are owed and the rental settles (capture, any charge above the ' +
      'authorisation, completion); `reject`: it stays disputed with the note. Audited.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The reservation id' })
  @ApiOkResponse({ type: RentalDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'RESERVATION_NOT_FOUND',
    'INVALID_RENTAL_STATUS',
    'IDEMPOTENCY_KEY_REUSED',
    'IDEMPOTENCY_KEY_IN_PROGRESS',
  )
  async verify(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Body() body: RentalVerificationDto): Promise<RentalDto> {
    return this.rentals.view(await this.returns.verify(admin, id, body.decision, body.note ?? null));
  }

  @Put(':id/fines/:kind')
  @ApiOperation({
    summary: 'Set a fine of a returned rental',
    description:
      'Sets what a fine is now (0 waives it; the amount first assessed is kept). Raised after capture: a new ' +
      'off-session charge; lowered after capture: a partial refund. Audited.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The reservation id' })
  @ApiParam({ name: 'kind', enum: FINE_KINDS })
  @ApiOkResponse({ type: RentalDto })
  @ApiErrors('VALIDATION_FAILED', 'RESERVATION_NOT_FOUND', 'INVALID_RENTAL_STATUS')
  async setFine(
    @CurrentUser() admin: AuthUser,
    @Param('id') id: string,
    @Param('kind', new ParseEnumPipe(Object.fromEntries(FINE_KINDS.map((k) => [k, k])))) kind: FineKind,
    @Body() body: SetRentalFineDto,
  ): Promise<RentalDto> {
    return this.rentals.view(await this.returns.setFine(admin, id, kind, body.amount, body.reason));
  }
}
