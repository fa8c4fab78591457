import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  Matches,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Trim } from '@holdfast/errors';
import { IsCurrencyCode } from '@holdfast/money';
import { INVENTORY_SOURCES, type InventorySource, OFFERING_KINDS, type OfferingKind } from '../offering.entity';
import { MAX_PRICE_MINOR, OptionalNotNull, PricingRulesDto } from './pricing-rules.dto';
import { RentalPolicyDto } from './rental-policy.dto';

/**
 * Body of `POST /v1/admin/offerings`. No property has an initializer on purpose:
 * UpdateOfferingDto derives from this class and would inherit it as a default, so a
 * PATCH would reset the field. Defaults are applied by CatalogService.create.
 */
export class CreateOfferingDto {
  @ApiProperty({
    enum: OFFERING_KINDS,
    example: 'experience',
    description:
      'experience: places in time slots, per guest; product: stock by SKU, per unit; rental: units by date range, per day. Cannot change later.',
  })
  @IsIn(OFFERING_KINDS)
  kind!: OfferingKind;

  @ApiProperty({ example: 'Sunset kayak tour', minLength: 1, maxLength: 200, description: 'Trimmed; blank is refused.' })
  @IsString()
  @Trim()
  @MinLength(1, { message: 'title must not be blank' })
  @MaxLength(200)
  title!: string;

  @ApiProperty({ example: 'Two hours along the coast with a guide; all equipment included.', maxLength: 5000 })
  @IsString()
  @MaxLength(5000)
  description!: string;

  @ApiProperty({
    example: 'EUR',
    pattern: '^[A-Z]{3}$',
    description:
      "ISO 4217 code in circulation, upper case (the list is ICU's, built into Node). Every amount of the offering is " +
      'in its minor unit: cents for EUR, whole yen for JPY, fils (3 digits) for KWD.',
  })
  @IsCurrencyCode()
  currency!: string;

  @ApiProperty({
    example: 10000,
    minimum: 0,
    maximum: MAX_PRICE_MINOR,
    description:
      'Price in minor units of the currency (cents for EUR, whole yen for JPY): per guest (experience), per unit (product) or per day (rental).',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_MINOR)
  basePrice!: number;

  @ApiPropertyOptional({
    example: true,
    default: true,
    description: 'Inactive offerings are hidden from the public list and cannot be ordered.',
  })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: PricingRulesDto, description: 'Group and early-bird discounts. Default: none.' })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => PricingRulesDto)
  pricingRules?: PricingRulesDto;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 48,
    minimum: 0,
    maximum: 8760,
    description: 'Hours before the start until which a confirmed booking is refunded in full; null (default): never.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(8760)
  refundableUntilHours?: number | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 20,
    example: ['https://cdn.example.com/offerings/kayak-1.jpg'],
    description: 'Image URLs (http or https), at most 20.',
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { each: true, message: 'each image must be an http(s) URL' })
  @MaxLength(2048, { each: true })
  images?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { durationMinutes: 120, meetingPoint: 'Harbour gate 3' },
    description: 'Free-form attributes shown by the app (duration, size, location...).',
  })
  @OptionalNotNull()
  @IsObject()
  attributes?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 1200,
    minimum: 1,
    maximum: 1000000,
    description: 'Shipping weight of one unit, in grams: products need it to be shipped (shipping rates are by weight).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  weightGrams?: number | null;

  @ApiPropertyOptional({
    enum: INVENTORY_SOURCES,
    example: 'internal',
    description:
      'Whose stock it is: `internal` (default, our ledger) or `external` (the Inventory Management System; needs `externalItemId`).',
  })
  @OptionalNotNull()
  @IsIn(INVENTORY_SOURCES)
  inventorySource?: InventorySource;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'CARRIER-M-42',
    maxLength: 128,
    description: "The IMS's item id (required with `inventorySource: external`).",
  })
  @ValidateIf((dto: CreateOfferingDto) => dto.externalItemId !== undefined && dto.externalItemId !== null)
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, {
    message: 'externalItemId must be 1 to 128 letters, digits, dots, colons, underscores or hyphens',
  })
  externalItemId?: string | null;

  @ApiPropertyOptional({
    example: false,
    default: false,
    description:
      'A vehicle rental (cars, vans): only for `kind: rental` of our own inventory, and it needs a `rentalPolicy`. ' +
      'Its units carry a plate, model, seats and energy.',
  })
  @OptionalNotNull()
  @IsBoolean()
  vehicle?: boolean;

  @ApiPropertyOptional({
    type: RentalPolicyDto,
    nullable: true,
    description:
      'Pickup and return times with their time zone, deposit and fees: required for vehicles, allowed on rentals only, ' +
      'replaced whole when sent; null removes it (not from a vehicle).',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RentalPolicyDto)
  rentalPolicy?: RentalPolicyDto | null;
}
