import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * Offset pagination, the one way list routes page: `?limit=&offset=` in, and
 * `pagination: {total, limit, offset, hasMore}` out. Knows no domain (DESIGN.md section 2).
 */

/** The largest `offset` any list accepts (a bound, so a huge number is a 400, not a slow scan). */
export const MAX_OFFSET = 1_000_000;

/** A list route's page size: what it uses when `limit` is left out, and the most it accepts. */
export interface PaginationLimits {
  defaultLimit: number;
  maxLimit: number;
}

/** What a list query DTO built by {@link paginationQuery} carries. */
export interface PaginationQuery {
  limit: number;
  offset: number;
}

/**
 * A base class for a list route's query DTO: `limit` (1..maxLimit, defaultLimit when left
 * out) and `offset` (0..MAX_OFFSET, 0 when left out), validated and documented once.
 * A route's query DTO extends it: `class ListThingsQueryDto extends paginationQuery({...})`.
 */
export function paginationQuery({ defaultLimit, maxLimit }: PaginationLimits): new () => PaginationQuery {
  class PaginationQueryDto implements PaginationQuery {
    @ApiPropertyOptional({ example: defaultLimit, default: defaultLimit, minimum: 1, maximum: maxLimit })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(maxLimit)
    limit: number = defaultLimit;

    @ApiPropertyOptional({ example: 0, default: 0, minimum: 0 })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(0)
    @Max(MAX_OFFSET)
    offset: number = 0;
  }
  return PaginationQueryDto;
}

/** The admin lists' page size: 50 by default, at most 200. */
export const PaginationQueryDto = paginationQuery({ defaultLimit: 50, maxLimit: 200 });

/** The `pagination` object of a list response. */
export class PaginationDto {
  @ApiProperty({ example: 42, description: 'Matching items in all pages.' })
  total!: number;

  @ApiProperty({ example: 20 })
  limit!: number;

  @ApiProperty({ example: 0 })
  offset!: number;

  @ApiProperty({ example: true, description: 'Whether offset + limit < total.' })
  hasMore!: boolean;
}

/** The `pagination` object for a page at `offset` of `limit` items out of `total`. */
export function pageOf(total: number, limit: number, offset: number): PaginationDto {
  return { total, limit, offset, hasMore: offset + limit < total };
}
