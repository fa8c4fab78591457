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
import { IsOptional } from 'class-validator';
import { SLOT_STATUSES } from '../time-slot.entity.js';
import { IsIsoTimestamp } from './iso-timestamp.js';
export const DEFAULT_AVAILABILITY_DAYS = 30;
export const MAX_AVAILABILITY_DAYS = 366;
/** Query of `GET /v1/catalog/offerings/{id}/availability`. */
export class AvailabilityQueryDto {
}
__decorate([
    ApiPropertyOptional({ example: '2026-07-01', description: 'Start of the window (inclusive); default: now.' }),
    IsOptional(),
    IsIsoTimestamp(),
    __metadata("design:type", String)
], AvailabilityQueryDto.prototype, "from", void 0);
__decorate([
    ApiPropertyOptional({
        example: '2026-07-08',
        description: `End of the window (exclusive); default: \`from\` + ${DEFAULT_AVAILABILITY_DAYS} days; at most ${MAX_AVAILABILITY_DAYS} days after \`from\`.`,
    }),
    IsOptional(),
    IsIsoTimestamp(),
    __metadata("design:type", String)
], AvailabilityQueryDto.prototype, "to", void 0);
export class SlotAvailabilityDto {
}
__decorate([
    ApiProperty({ format: 'uuid', description: 'Pass as `timeSlotId` when holding.' }),
    __metadata("design:type", String)
], SlotAvailabilityDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ example: '2026-07-01T09:00:00.000Z' }),
    __metadata("design:type", Date)
], SlotAvailabilityDto.prototype, "startsAt", void 0);
__decorate([
    ApiProperty({ example: '2026-07-01T11:00:00.000Z' }),
    __metadata("design:type", Date)
], SlotAvailabilityDto.prototype, "endsAt", void 0);
__decorate([
    ApiProperty({ example: 12 }),
    __metadata("design:type", Number)
], SlotAvailabilityDto.prototype, "capacity", void 0);
__decorate([
    ApiProperty({ example: 5, description: 'Places that can be held now.' }),
    __metadata("design:type", Number)
], SlotAvailabilityDto.prototype, "placesLeft", void 0);
__decorate([
    ApiProperty({ enum: SLOT_STATUSES, example: 'open' }),
    __metadata("design:type", String)
], SlotAvailabilityDto.prototype, "status", void 0);
/** An experience: its open, not yet started slots that start in `[from, to)`, earliest first. */
export class ExperienceAvailabilityDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], ExperienceAvailabilityDto.prototype, "offeringId", void 0);
__decorate([
    ApiProperty({ enum: ['experience'] }),
    __metadata("design:type", String)
], ExperienceAvailabilityDto.prototype, "kind", void 0);
__decorate([
    ApiProperty({ type: [SlotAvailabilityDto] }),
    __metadata("design:type", Array)
], ExperienceAvailabilityDto.prototype, "slots", void 0);
export class SkuAvailabilityDto {
}
__decorate([
    ApiProperty({ example: 'CARRIER-M-BLUE', description: 'Pass as `sku` when holding.' }),
    __metadata("design:type", String)
], SkuAvailabilityDto.prototype, "sku", void 0);
__decorate([
    ApiProperty({ example: 18, description: 'Units that can be held now.' }),
    __metadata("design:type", Number)
], SkuAvailabilityDto.prototype, "available", void 0);
/** A product: stock left per SKU (the window does not apply). */
export class ProductAvailabilityDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], ProductAvailabilityDto.prototype, "offeringId", void 0);
__decorate([
    ApiProperty({ enum: ['product'] }),
    __metadata("design:type", String)
], ProductAvailabilityDto.prototype, "kind", void 0);
__decorate([
    ApiProperty({ type: [SkuAvailabilityDto] }),
    __metadata("design:type", Array)
], ProductAvailabilityDto.prototype, "stock", void 0);
export class UnitAvailabilityDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], UnitAvailabilityDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ example: 'Van 3' }),
    __metadata("design:type", String)
], UnitAvailabilityDto.prototype, "label", void 0);
__decorate([
    ApiProperty({ description: 'In service and not rented or held for any part of `[from, to)`.' }),
    __metadata("design:type", Boolean)
], UnitAvailabilityDto.prototype, "available", void 0);
/** A rental: which units (retired ones left out) are free for the whole of `[from, to)`. */
export class RentalAvailabilityDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], RentalAvailabilityDto.prototype, "offeringId", void 0);
__decorate([
    ApiProperty({ enum: ['rental'] }),
    __metadata("design:type", String)
], RentalAvailabilityDto.prototype, "kind", void 0);
__decorate([
    ApiProperty({ example: '2026-07-01T00:00:00.000Z' }),
    __metadata("design:type", Date)
], RentalAvailabilityDto.prototype, "from", void 0);
__decorate([
    ApiProperty({ example: '2026-07-08T00:00:00.000Z' }),
    __metadata("design:type", Date)
], RentalAvailabilityDto.prototype, "to", void 0);
__decorate([
    ApiProperty({ type: [UnitAvailabilityDto] }),
    __metadata("design:type", Array)
], RentalAvailabilityDto.prototype, "units", void 0);
__decorate([
    ApiProperty({ example: 2, description: 'How many units are available for the whole window.' }),
    __metadata("design:type", Number)
], RentalAvailabilityDto.prototype, "availableUnits", void 0);
//# sourceMappingURL=availability.dto.js.map