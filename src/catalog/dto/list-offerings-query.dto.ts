import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { paginationQuery } from '@holdfast/pagination';
import { OFFERING_KINDS, type OfferingKind } from '../offering.entity';

export const DEFAULT_LIST_LIMIT = 20;

/** Query of `GET /v1/catalog/offerings`. */
export class ListOfferingsQueryDto extends paginationQuery({ defaultLimit: DEFAULT_LIST_LIMIT, maxLimit: 100 }) {
  @ApiPropertyOptional({ enum: OFFERING_KINDS, example: 'experience' })
  @IsOptional()
  @IsIn(OFFERING_KINDS)
  kind?: OfferingKind;

  @ApiPropertyOptional({ example: 'kayak', maxLength: 100, description: 'Case-insensitive search in the title.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}
