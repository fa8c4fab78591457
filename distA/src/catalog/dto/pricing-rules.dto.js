var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsObject, IsOptional, IsPositive, IsString, Matches, Max, MaxLength, Min, registerDecorator, ValidateIf, ValidateNested, } from 'class-validator';
export const MAX_PRICE_MINOR = 100_000_000;
/**
 * Like `@IsOptional()`, but only for an absent property: an explicit `null` is still
 * validated (and so refused), since null means nothing for these fields and would
 * otherwise reach a NOT NULL column.
 */
export const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);
/**
 * Property decorator for a nested discount rule: the rule must carry exactly one of
 * `percentOff` and `amountOff`. It sits on the parent property (`groupDiscount`,
 * `earlyBird`) because class-validator skips an absent optional property's own
 * validators, so "neither given" could not be caught there. Breaking it fails the
 * request with VALIDATION_FAILED, detail field `pricingRules.groupDiscount`.
 */
function HasExactlyOneDiscountValue() {
    return (target, propertyName) => {
        registerDecorator({
            name: 'hasExactlyOneDiscountValue',
            target: target.constructor,
            propertyName: String(propertyName),
            validator: {
                validate(value) {
                    if (value === null || typeof value !== 'object')
                        return true; // IsObject reports it
                    const rule = value;
                    return (rule.percentOff !== undefined) !== (rule.amountOff !== undefined);
                },
                defaultMessage(args) {
                    return `${args.property} must have exactly one of percentOff or amountOff`;
                },
            },
        });
    };
}
const TYPE_PATTERN = /^[a-z][a-z0-9_]*$/;
/** A percentage or a fixed amount off the item's original price: exactly one of the two. */
class DiscountValueDto {
}
__decorate([
    ApiPropertyOptional({
        example: 15,
        minimum: 0.01,
        maximum: 100,
        description: 'Percent off the original price (0 < x <= 100, two decimals at most). Exclusive with `amountOff`.',
    }),
    OptionalNotNull(),
    IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 }),
    IsPositive(),
    Max(100),
    __metadata("design:type", Number)
], DiscountValueDto.prototype, "percentOff", void 0);
__decorate([
    ApiPropertyOptional({
        example: 500,
        minimum: 1,
        maximum: MAX_PRICE_MINOR,
        description: 'Fixed amount off the item, in minor units of the offering currency. Exclusive with `percentOff`.',
    }),
    OptionalNotNull(),
    IsInt(),
    Min(1),
    Max(MAX_PRICE_MINOR),
    __metadata("design:type", Number)
], DiscountValueDto.prototype, "amountOff", void 0);
__decorate([
    ApiProperty({
        example: 'group_5_plus',
        maxLength: 64,
        pattern: TYPE_PATTERN.source,
        description: 'The name the app sees in `appliedDiscounts` (lower-case letters, digits, underscores).',
    }),
    IsString(),
    MaxLength(64),
    Matches(TYPE_PATTERN, { message: 'type must be lower-case letters, digits and underscores, starting with a letter' }),
    __metadata("design:type", String)
], DiscountValueDto.prototype, "type", void 0);
export class GroupDiscountRuleDto extends DiscountValueDto {
}
__decorate([
    ApiProperty({ example: 5, minimum: 2, maximum: 10_000, description: 'Applies from this many guests or units on one item.' }),
    IsInt(),
    Min(2),
    Max(10_000),
    __metadata("design:type", Number)
], GroupDiscountRuleDto.prototype, "minQuantity", void 0);
export class EarlyBirdRuleDto extends DiscountValueDto {
}
__decorate([
    ApiProperty({
        example: 7,
        minimum: 1,
        maximum: 3650,
        description: 'Applies when the item starts at least this many days (x 24 h) after the booking.',
    }),
    IsInt(),
    Min(1),
    Max(3650),
    __metadata("design:type", Number)
], EarlyBirdRuleDto.prototype, "minDaysBefore", void 0);
/**
 * Discounts of an offering. Each is computed on the original price and they are summed
 * (never compounded); the total never goes below zero.
 */
export class PricingRulesDto {
}
__decorate([
    ApiPropertyOptional({ type: GroupDiscountRuleDto }),
    IsOptional(),
    IsObject(),
    HasExactlyOneDiscountValue(),
    ValidateNested(),
    Type(() => GroupDiscountRuleDto),
    __metadata("design:type", GroupDiscountRuleDto)
], PricingRulesDto.prototype, "groupDiscount", void 0);
__decorate([
    ApiPropertyOptional({ type: EarlyBirdRuleDto }),
    IsOptional(),
    IsObject(),
    HasExactlyOneDiscountValue(),
    ValidateNested(),
    Type(() => EarlyBirdRuleDto),
    __metadata("design:type", EarlyBirdRuleDto)
], PricingRulesDto.prototype, "earlyBird", void 0);
//# sourceMappingURL=pricing-rules.dto.js.map