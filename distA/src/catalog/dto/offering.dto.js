var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { ApiProperty } from '@nestjs/swagger';
import { OFFERING_KINDS } from '../offering.entity.js';
import { PricingRulesDto } from './pricing-rules.dto.js';
/** An offering as the API shows it (public browse and admin alike). */
export class OfferingDto {
}
__decorate([
    ApiProperty({ format: 'uuid', example: '3f0c6f0e-2a51-4d5e-9a8b-1c2d3e4f5a6b' }),
    __metadata("design:type", String)
], OfferingDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ enum: OFFERING_KINDS, example: 'experience' }),
    __metadata("design:type", String)
], OfferingDto.prototype, "kind", void 0);
__decorate([
    ApiProperty({ example: 'Sunset kayak tour' }),
    __metadata("design:type", String)
], OfferingDto.prototype, "title", void 0);
__decorate([
    ApiProperty({ example: 'Two hours along the coast with a guide; all equipment included.' }),
    __metadata("design:type", String)
], OfferingDto.prototype, "description", void 0);
__decorate([
    ApiProperty({ example: 'EUR', description: 'ISO 4217 code.' }),
    __metadata("design:type", String)
], OfferingDto.prototype, "currency", void 0);
__decorate([
    ApiProperty({ example: 10000, description: 'Minor units: per guest (experience), per unit (product) or per day (rental).' }),
    __metadata("design:type", Number)
], OfferingDto.prototype, "basePrice", void 0);
__decorate([
    ApiProperty({ example: true }),
    __metadata("design:type", Boolean)
], OfferingDto.prototype, "active", void 0);
__decorate([
    ApiProperty({ example: true, description: 'Whether a hold may be placed on it now (currently: it is active).' }),
    __metadata("design:type", Boolean)
], OfferingDto.prototype, "orderable", void 0);
__decorate([
    ApiProperty({
        type: PricingRulesDto,
        example: {
            groupDiscount: { minQuantity: 2, percentOff: 15, type: 'group_5_plus' },
            earlyBird: { minDaysBefore: 7, percentOff: 10, type: 'early_bird' },
        },
    }),
    __metadata("design:type", PricingRulesDto)
], OfferingDto.prototype, "pricingRules", void 0);
__decorate([
    ApiProperty({
        type: Number,
        nullable: true,
        example: 48,
        description: 'Hours before the start with a full refund; null: never.',
    }),
    __metadata("design:type", Object)
], OfferingDto.prototype, "refundableUntilHours", void 0);
__decorate([
    ApiProperty({ type: [String], example: ['https://cdn.example.com/offerings/kayak-1.jpg'] }),
    __metadata("design:type", Array)
], OfferingDto.prototype, "images", void 0);
__decorate([
    ApiProperty({ type: 'object', additionalProperties: true, example: { durationMinutes: 120 } }),
    __metadata("design:type", Object)
], OfferingDto.prototype, "attributes", void 0);
__decorate([
    ApiProperty({ format: 'date-time', example: '2026-03-01T12:00:00.000Z' }),
    __metadata("design:type", String)
], OfferingDto.prototype, "createdAt", void 0);
__decorate([
    ApiProperty({ format: 'date-time', example: '2026-03-01T12:00:00.000Z' }),
    __metadata("design:type", String)
], OfferingDto.prototype, "updatedAt", void 0);
export class CatalogPaginationDto {
}
__decorate([
    ApiProperty({ example: 42, description: 'Matching offerings in all pages.' }),
    __metadata("design:type", Number)
], CatalogPaginationDto.prototype, "total", void 0);
__decorate([
    ApiProperty({ example: 20 }),
    __metadata("design:type", Number)
], CatalogPaginationDto.prototype, "limit", void 0);
__decorate([
    ApiProperty({ example: 0 }),
    __metadata("design:type", Number)
], CatalogPaginationDto.prototype, "offset", void 0);
__decorate([
    ApiProperty({ example: true, description: 'Whether offset + limit < total.' }),
    __metadata("design:type", Boolean)
], CatalogPaginationDto.prototype, "hasMore", void 0);
export class OfferingListDto {
}
__decorate([
    ApiProperty({ type: [OfferingDto] }),
    __metadata("design:type", Array)
], OfferingListDto.prototype, "offerings", void 0);
__decorate([
    ApiProperty({ type: CatalogPaginationDto }),
    __metadata("design:type", CatalogPaginationDto)
], OfferingListDto.prototype, "pagination", void 0);
//# sourceMappingURL=offering.dto.js.map