import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Trim } from '@holdfast/errors';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** The most guests or units one line may ask for. */
export const MAX_QUANTITY = 50;

/** What `guestPhone` must look like (shared with the hold's fast acceptor, hold-request.fast.ts). */
export const GUEST_PHONE_PATTERN = /^\+?[0-9 ()-]{5,32}$/;

/** One line of the general (cart) form. Give exactly one of timeSlotId, sku or startDate + endDate. */
export class HoldItemDto {
  @ApiProperty({ format: 'uuid', description: 'The offering to book.' })
  @IsUUID('all')
  offeringId!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Experiences: the time slot.' })
  @IsOptional()
  @IsUUID('all')
  timeSlotId?: string;

  @ApiPropertyOptional({ example: 'CARRIER-M-BLUE', description: 'Products: the SKU.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  sku?: string;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'Rentals: first day (UTC date).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'startDate must be a date like 2026-12-01' })
  startDate?: string;

  @ApiPropertyOptional({ example: '2026-12-04', description: 'Rentals: the day the unit comes back (exclusive).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'endDate must be a date like 2026-12-04' })
  endDate?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_QUANTITY,
    default: 1,
    description: 'Guests (experience) or units (product); rentals are always 1.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity?: number;
}

/**
 * A hold: the mobile app's form (experienceId, timeSlotId, numberOfGuests) or the
 * general form (items). Exactly one of the two.
 */
export class HoldRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Seed form: the experience.' })
  @IsOptional()
  @IsUUID('all')
  experienceId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Seed form: the time slot.' })
  @IsOptional()
  @IsUUID('all')
  timeSlotId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_QUANTITY, example: 2, description: 'Seed form: how many guests.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  numberOfGuests?: number;

  @ApiPropertyOptional({ type: [HoldItemDto], description: 'General form: the cart, held all or nothing.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => HoldItemDto)
  items?: HoldItemDto[];

  @ApiProperty({ example: 'John Doe', minLength: 1, maxLength: 200, description: 'Trimmed; blank is refused.' })
  @IsString()
  @Trim()
  @MinLength(1, { message: 'guestName must not be blank' })
  @MaxLength(200)
  guestName!: string;

  @ApiProperty({ example: 'john@example.com' })
  @IsEmail()
  @MaxLength(254)
  guestEmail!: string;

  @ApiPropertyOptional({ example: '+1234567890' })
  @IsOptional()
  @Matches(GUEST_PHONE_PATTERN, { message: 'guestPhone must be a phone number such as +1234567890' })
  guestPhone?: string;

  @ApiPropertyOptional({ example: 'Window seat, please', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  specialRequests?: string;
}

export class HoldReservationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'held' })
  status!: string;

  @ApiProperty({ example: '2026-12-01T12:15:00.000Z' })
  holdExpiresAt!: string;

  @ApiProperty({ example: 15000, description: 'Minor units of `currency` (cents for EUR, whole yen for JPY).' })
  totalPrice!: number;

  @ApiProperty({ example: 20000 })
  originalPrice!: number;

  @ApiProperty({ example: 5000 })
  discountApplied!: number;

  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({ example: 'none', enum: ['none'], description: 'A new hold has no payment yet.' })
  paymentStatus!: 'none';
}

export class AppliedDiscountDto {
  @ApiProperty({ example: 3000 })
  amount!: number;

  @ApiProperty({ example: 'group_5_plus' })
  type!: string;
}

export class AppliedDiscountsDto {
  @ApiProperty({ type: AppliedDiscountDto, nullable: true })
  groupDiscount!: AppliedDiscountDto | null;

  @ApiProperty({ type: AppliedDiscountDto, nullable: true })
  earlyBirdDiscount!: AppliedDiscountDto | null;

  @ApiProperty({ example: 5000 })
  totalDiscount!: number;
}

export class HoldResponseDto {
  @ApiProperty({ type: HoldReservationDto })
  reservation!: HoldReservationDto;

  @ApiProperty({ type: AppliedDiscountsDto })
  appliedDiscounts!: AppliedDiscountsDto;

  @ApiProperty({ example: 15 })
  holdDurationMinutes!: number;
}
