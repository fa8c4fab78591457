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
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, ValidateNested, } from 'class-validator';
import { OFFERING_KINDS } from '../offering.entity.js';
import { MAX_PRICE_MINOR, OptionalNotNull, PricingRulesDto } from './pricing-rules.dto.js';
/**
 * Body of `POST /v1/admin/offerings`. No property has an initializer on purpose:
 * UpdateOfferingDto derives from this class and would inherit it as a default, so a
 * PATCH would reset the field. Defaults are applied by CatalogService.create.
 */
export class CreateOfferingDto {
}
__decorate([
    ApiProperty({
        enum: OFFERING_KINDS,
        example: 'experience',
        description: 'experience: places in time slots, per guest; product: stock by SKU, per unit; rental: units by date range, per day. Cannot change later.',
    }),
    IsIn(OFFERING_KINDS),
    __metadata("design:type", String)
], CreateOfferingDto.prototype, "kind", void 0);
__decorate([
    ApiProperty({ example: 'Sunset kayak tour', minLength: 1, maxLength: 200 }),
    IsString(),
    MinLength(1),
    MaxLength(200),
    __metadata("design:type", String)
], CreateOfferingDto.prototype, "title", void 0);
__decorate([
    ApiProperty({ example: 'Two hours along the coast with a guide; all equipment included.', maxLength: 5000 }),
    IsString(),
    MaxLength(5000),
    __metadata("design:type", String)
], CreateOfferingDto.prototype, "description", void 0);
__decorate([
    ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, upper case.' }),
    IsString(),
    Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code of three upper-case letters' }),
    __metadata("design:type", String)
], CreateOfferingDto.prototype, "currency", void 0);
__decorate([
    ApiProperty({
        example: 10000,
        minimum: 0,
        maximum: MAX_PRICE_MINOR,
        description: 'Price in minor units (cents): per guest (experience), per unit (product) or per day (rental).',
    }),
    IsInt(),
    Min(0),
    Max(MAX_PRICE_MINOR),
    __metadata("design:type", Number)
], CreateOfferingDto.prototype, "basePrice", void 0);
__decorate([
    ApiPropertyOptional({
        example: true,
        default: true,
        description: 'Inactive offerings are hidden from the public list and cannot be ordered.',
    }),
    OptionalNotNull(),
    IsBoolean(),
    __metadata("design:type", Boolean)
], CreateOfferingDto.prototype, "active", void 0);
__decorate([
    ApiPropertyOptional({ type: PricingRulesDto, description: 'Group and early-bird discounts. Default: none.' }),
    OptionalNotNull(),
    IsObject(),
    ValidateNested(),
    Type(() => PricingRulesDto),
    __metadata("design:type", PricingRulesDto)
], CreateOfferingDto.prototype, "pricingRules", void 0);
__decorate([
    ApiPropertyOptional({
        type: Number,
        nullable: true,
        example: 48,
        minimum: 0,
        maximum: 8760,
        description: 'Hours before the start until which a confirmed booking is refunded in full; null (default): never.',
    }),
    IsOptional(),
    IsInt(),
    Min(0),
    Max(8760),
    __metadata("design:type", Object)
], CreateOfferingDto.prototype, "refundableUntilHours", void 0);
__decorate([
    ApiPropertyOptional({
        type: [String],
        maxItems: 20,
        example: ['https://cdn.example.com/offerings/kayak-1.jpg'],
        description: 'Image URLs (http or https), at most 20.',
    }),
    OptionalNotNull(),
    IsArray(),
    ArrayMaxSize(20),
    IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { each: true, message: 'each image must be an http(s) URL' }),
    MaxLength(2048, { each: true }),
    __metadata("design:type", Array)
], CreateOfferingDto.prototype, "images", void 0);
__decorate([
    ApiPropertyOptional({
        type: 'object',
        additionalProperties: true,
        example: { durationMinutes: 120, meetingPoint: 'Harbour gate 3' },
        description: 'Free-form attributes shown by the app (duration, size, location...).',
    }),
    OptionalNotNull(),
    IsObject(),
    __metadata("design:type", Object)
], CreateOfferingDto.prototype, "attributes", void 0);
//# sourceMappingURL=create-offering.dto.js.map