import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Public } from '../auth/auth.decorators';
import { CatalogService } from './catalog.service';
import { ListOfferingsQueryDto } from './dto/list-offerings-query.dto';
import { OfferingDto, OfferingListDto } from './dto/offering.dto';

/** Public browsing of the catalog: no token needed. */
@ApiTags('catalog')
@Public()
@Controller('catalog/offerings')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @ApiOperation({
    summary: 'Browse active offerings',
    description:
      'Active offerings only, newest first, with their price (minor units) and pricing rules. Filter by `kind`, search titles with `q`.',
  })
  @ApiOkResponse({ type: OfferingListDto })
  @ApiErrors('VALIDATION_FAILED')
  list(@Query() query: ListOfferingsQueryDto): Promise<OfferingListDto> {
    return this.catalog.list(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get one offering with its pricing rules',
    description: 'Inactive offerings are returned too, with `orderable: false`.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OfferingDto })
  @ApiErrors('NOT_FOUND')
  get(@Param('id') id: string): Promise<OfferingDto> {
    return this.catalog.get(id);
  }
}
