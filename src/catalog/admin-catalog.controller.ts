import { Body, Controller, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { CatalogService } from './catalog.service';
import { CreateOfferingDto } from './dto/create-offering.dto';
import { OfferingDto } from './dto/offering.dto';
import { UpdateOfferingDto } from './dto/update-offering.dto';

/** Catalog administration: admins only. */
@ApiTags('admin')
@Roles('admin')
@Controller('admin/offerings')
export class AdminCatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Create an offering',
    description:
      'Prices in minor units. `pricingRules` discounts take exactly one of `percentOff` or `amountOff`. A vehicle ' +
      '(`vehicle: true`) is a rental of our own inventory with a `rentalPolicy` (pickup and return times, zone, fees).',
  })
  @ApiCreatedResponse({ type: OfferingDto })
  @ApiErrors('VALIDATION_FAILED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS')
  create(@Body() body: CreateOfferingDto, @CurrentUser() admin: AuthUser): Promise<OfferingDto> {
    return this.catalog.create(body, admin.sub);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change an offering',
    description:
      'Send only the fields to change; `kind` cannot change. `pricingRules` and `rentalPolicy` replace the old ones whole ' +
      '(`{}` removes the rules, `rentalPolicy: null` the policy of an offering that is not a vehicle). ' +
      'Holds placed after the change use the new price; other replicas see it within 5 s.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OfferingDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  update(@Param('id') id: string, @Body() body: UpdateOfferingDto, @CurrentUser() admin: AuthUser): Promise<OfferingDto> {
    return this.catalog.update(id, body, admin.sub);
  }
}
