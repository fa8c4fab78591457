import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { OFFERING_KINDS, type OfferingKind } from '../offering.entity';

export const DEFAULT_LIST_LIMIT = 20;

/** Query of `GET /v1/catalog/offerings`. */
export class ListOfferingsQueryDto {
  @ApiPropertyOptional({ enum: OFFERING_KINDS, example: 'experience' })
  @IsOptional()
  @IsIn(OFFERING_KINDS)
  kind?: OfferingKind;

  @ApiPropertyOptional({ example: 'kayak', maxLength: 100, description: 'Case-insensitive search in the title.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ example: 20, default: DEFAULT_LIST_LIMIT, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = DEFAULT_LIST_LIMIT;

  @ApiPropertyOptional({ example: 0, default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset: number = 0;
}
