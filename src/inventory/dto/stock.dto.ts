import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';

export const SKU_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_STOCK_LINES = 500;

/** One SKU's stock level. */
export class StockLineDto {
  @ApiProperty({ example: 'CARRIER-M-BLUE', pattern: SKU_PATTERN.source, description: 'Unique across all offerings.' })
  @IsString()
  @Matches(SKU_PATTERN, { message: 'sku must be 1 to 64 characters among A-Z, a-z, 0-9, dot, underscore and hyphen' })
  sku!: string;

  @ApiProperty({
    example: 25,
    minimum: 0,
    description: 'Units physically in stock, sold ones included; never below the units held or sold.',
  })
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  onHand!: number;
}

/** Body of `PUT /v1/admin/offerings/{id}/stock`: creates or updates each SKU; SKUs not listed are left alone. */
export class PutStockDto {
  @ApiProperty({ type: [StockLineDto], minItems: 1, maxItems: MAX_STOCK_LINES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_STOCK_LINES)
  @ValidateNested({ each: true })
  @Type(() => StockLineDto)
  items!: StockLineDto[];
}

/** One SKU's stock as admins see it. */
export class StockItemDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'CARRIER-M-BLUE' })
  sku!: string;

  @ApiProperty({ example: 25 })
  onHand!: number;

  @ApiProperty({ example: 2, description: 'Units in unpaid holds.' })
  held!: number;

  @ApiProperty({ example: 5, description: 'Units in confirmed reservations.' })
  sold!: number;

  @ApiProperty({ example: 18, description: '`onHand - held - sold`.' })
  available!: number;
}
