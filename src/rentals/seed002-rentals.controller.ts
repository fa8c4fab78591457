import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';
import { SEED_002_PREFIX, SEED_002_TAG } from '../config/api-paths';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/auth.decorators';
import { RentalDto } from './dto/rental.dto';
import { RentalReturnService } from './rental-return.service';
import { RentalsService } from './rentals.service';
import { RETURN_DOC, RETURN_ERRORS, RETURN_FORM, UNLOCK_DOC, UNLOCK_ERRORS } from './rentals.controller';

/**
 * Seed 002's mobile app paths for a rental (DESIGN.md section 12), served at exactly
 * `/api/rentals/{id}/unlock` and `/api/rentals/{id}/return` (no /v1 prefix: see
 * config/api-paths.ts): the same services, documentation and errors as `/v1/rentals/...`.
 */
@ApiTags(SEED_002_TAG)
@Controller(`${SEED_002_PREFIX}/rentals`)
export class Seed002RentalsController {
  constructor(
    private readonly rentals: RentalsService,
    private readonly returns: RentalReturnService,
  ) {}

  @Post(':id/unlock')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ ...UNLOCK_DOC, description: `${UNLOCK_DOC.description} As \`POST /v1/rentals/{id}/unlock\`.` })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The reservation id' })
  @ApiOkResponse({ type: RentalDto })
  @ApiErrors(...UNLOCK_ERRORS)
  async unlock(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<RentalDto> {
    return this.rentals.view(await this.rentals.unlock(user, id), user);
  }

  @Post(':id/return')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ ...RETURN_DOC, description: `${RETURN_DOC.description} As \`POST /v1/rentals/{id}/return\`.` })
  @ApiConsumes('multipart/form-data')
  @ApiBody(RETURN_FORM)
  @ApiParam({ name: 'id', format: 'uuid', description: 'The reservation id' })
  @ApiOkResponse({ type: RentalDto })
  @ApiErrors(...RETURN_ERRORS)
  async return(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() request: Request): Promise<RentalDto> {
    return this.rentals.view(await this.returns.submit(user, id, request), user);
  }
}
