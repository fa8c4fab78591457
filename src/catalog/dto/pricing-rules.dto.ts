import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { MAX_AMOUNT_MINOR } from '@holdfast/money';

/** The largest price (or fixed discount): what one payment can take (see MAX_AMOUNT_MINOR). */
export const MAX_PRICE_MINOR = MAX_AMOUNT_MINOR;

/**
 * Like `@IsOptional()`, but only for an absent property: an explicit `null` is still
 * validated (and so refused), since null means nothing for these fields and would
 * otherwise reach a NOT NULL column.
 */
export const OptionalNotNull = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

/**
 * Property decorator for a nested discount rule: the rule must carry exactly one of
 * `percentOff` and `amountOff`. It sits on the parent property (`groupDiscount`,
 * `earlyBird`) because class-validator skips an absent optional property's own
 * validators, so "neither given" could not be caught there. Breaking it fails the
 * request with VALIDATION_FAILED, detail field `pricingRules.groupDiscount`.
 */
function HasExactlyOneDiscountValue(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'hasExactlyOneDiscountValue',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate(value: unknown): boolean {
          if (value === null || typeof value !== 'object') return true; // IsObject reports it
          const rule = value as { percentOff?: unknown; amountOff?: unknown };
          return (rule.percentOff !== undefined) !== (rule.amountOff !== undefined);
        },
        defaultMessage(args: ValidationArguments): string {
          return `${args.property} must have exactly one of percentOff or amountOff`;
        },
      },
    });
  };
}

const TYPE_PATTERN = /^[a-z][a-z0-9_]*$/;

/** A percentage or a fixed amount off the item's original price: exactly one of the two. */
abstract class DiscountValueDto {
  @ApiPropertyOptional({
    example: 15,
    minimum: 0.01,
    maximum: 100,
    description: 'Percent off the original price (0 < x <= 100, two decimals at most). Exclusive with `amountOff`.',
  })
  @OptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @IsPositive()
  @Max(100)
  percentOff?: number;

  @ApiPropertyOptional({
    example: 500,
    minimum: 1,
    maximum: MAX_PRICE_MINOR,
    description: 'Fixed amount off the item, in minor units of the offering currency. Exclusive with `percentOff`.',
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_PRICE_MINOR)
  amountOff?: number;

  @ApiProperty({
    example: 'group_5_plus',
    maxLength: 64,
    pattern: TYPE_PATTERN.source,
    description: 'The name the app sees in `appliedDiscounts` (lower-case letters, digits, underscores).',
  })
  @IsString()
  @MaxLength(64)
  @Matches(TYPE_PATTERN, { message: 'type must be lower-case letters, digits and underscores, starting with a letter' })
  type!: string;
}

export class GroupDiscountRuleDto extends DiscountValueDto {
  @ApiProperty({ example: 5, minimum: 2, maximum: 10_000, description: 'Applies from this many guests or units on one item.' })
  @IsInt()
  @Min(2)
  @Max(10_000)
  minQuantity!: number;
}

export class EarlyBirdRuleDto extends DiscountValueDto {
  @ApiProperty({
    example: 7,
    minimum: 1,
    maximum: 3650,
    description: 'Applies when the item starts at least this many days (x 24 h) after the booking.',
  })
  @IsInt()
  @Min(1)
  @Max(3650)
  minDaysBefore!: number;
}

/**
 * Discounts of an offering. Each is computed on the original price and they are summed
 * (never compounded); the total never goes below zero.
 */
export class PricingRulesDto {
  @ApiPropertyOptional({ type: GroupDiscountRuleDto })
  @IsOptional()
  @IsObject()
  @HasExactlyOneDiscountValue()
  @ValidateNested()
  @Type(() => GroupDiscountRuleDto)
  groupDiscount?: GroupDiscountRuleDto;

  @ApiPropertyOptional({ type: EarlyBirdRuleDto })
  @IsOptional()
  @IsObject()
  @HasExactlyOneDiscountValue()
  @ValidateNested()
  @Type(() => EarlyBirdRuleDto)
  earlyBird?: EarlyBirdRuleDto;
}
