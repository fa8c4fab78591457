import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Public } from '../auth/auth.decorators';
import { AvailabilityService } from './availability.service';
import {
  type AvailabilityDto,
  AvailabilityQueryDto,
  ExperienceAvailabilityDto,
  ProductAvailabilityDto,
  RentalAvailabilityDto,
} from './dto/availability.dto';

/** What is left to book, for the public catalog. */
@ApiTags('catalog')
@Public()
@Controller('catalog/offerings')
@ApiExtraModels(ExperienceAvailabilityDto, ProductAvailabilityDto, RentalAvailabilityDto)
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  @Get(':id/availability')
  @ApiOperation({
    summary: "An offering's availability: slots with places left, stock left, or free rental units",
    description:
      'By kind: `experience` lists open slots starting in `[from, to)` (not yet started), earliest first, with places ' +
      'left; `product` lists stock left per SKU (the window does not apply); `rental` says which units are free for the ' +
      'whole of `[from, to)`. Default window: now to 30 days later; at most 366 days. An external offering (kept by ' +
      'the inventory system) is asked there: its SKU is its `externalItemId`, a rental shows `availableUnits` only, and ' +
      '`external {cached, asOf}` says how fresh the figure is: when the inventory system cannot answer, its last answer ' +
      'of at most 60 s ago is served with `cached: true`, else 503 INVENTORY_UNAVAILABLE.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(ExperienceAvailabilityDto) },
        { $ref: getSchemaPath(ProductAvailabilityDto) },
        { $ref: getSchemaPath(RentalAvailabilityDto) },
      ],
      discriminator: { propertyName: 'kind' },
    },
  })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'INVENTORY_UNAVAILABLE')
  get(@Param('id') offeringId: string, @Query() query: AvailabilityQueryDto): Promise<AvailabilityDto> {
    return this.availability.forOffering(offeringId, query);
  }
}
