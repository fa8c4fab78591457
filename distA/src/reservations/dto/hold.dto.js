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
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateNested, } from 'class-validator';
/** The most guests or units one line may ask for. */
export const MAX_QUANTITY = 50;
/** One line of the general (cart) form. Give exactly one of timeSlotId, sku or startDate + endDate. */
export class HoldItemDto {
}
__decorate([
    ApiProperty({ format: 'uuid', description: 'The offering to book.' }),
    IsUUID('all'),
    __metadata("design:type", String)
], HoldItemDto.prototype, "offeringId", void 0);
__decorate([
    ApiPropertyOptional({ format: 'uuid', description: 'Experiences: the time slot.' }),
    IsOptional(),
    IsUUID('all'),
    __metadata("design:type", String)
], HoldItemDto.prototype, "timeSlotId", void 0);
__decorate([
    ApiPropertyOptional({ example: 'CARRIER-M-BLUE', description: 'Products: the SKU.' }),
    IsOptional(),
    IsString(),
    MaxLength(64),
    __metadata("design:type", String)
], HoldItemDto.prototype, "sku", void 0);
__decorate([
    ApiPropertyOptional({ example: '2026-12-01', description: 'Rentals: first day (UTC date).' }),
    IsOptional(),
    IsISO8601({ strict: true }),
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'startDate must be a date like 2026-12-01' }),
    __metadata("design:type", String)
], HoldItemDto.prototype, "startDate", void 0);
__decorate([
    ApiPropertyOptional({ example: '2026-12-04', description: 'Rentals: the day the unit comes back (exclusive).' }),
    IsOptional(),
    IsISO8601({ strict: true }),
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'endDate must be a date like 2026-12-04' }),
    __metadata("design:type", String)
], HoldItemDto.prototype, "endDate", void 0);
__decorate([
    ApiPropertyOptional({
        minimum: 1,
        maximum: MAX_QUANTITY,
        default: 1,
        description: 'Guests (experience) or units (product); rentals are always 1.',
    }),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(MAX_QUANTITY),
    __metadata("design:type", Number)
], HoldItemDto.prototype, "quantity", void 0);
/**
 * A hold: the mobile app's form (experienceId, timeSlotId, numberOfGuests) or the
 * general form (items). Exactly one of the two.
 */
export class HoldRequestDto {
}
__decorate([
    ApiPropertyOptional({ format: 'uuid', description: 'Seed form: the experience.' }),
    IsOptional(),
    IsUUID('all'),
    __metadata("design:type", String)
], HoldRequestDto.prototype, "experienceId", void 0);
__decorate([
    ApiPropertyOptional({ format: 'uuid', description: 'Seed form: the time slot.' }),
    IsOptional(),
    IsUUID('all'),
    __metadata("design:type", String)
], HoldRequestDto.prototype, "timeSlotId", void 0);
__decorate([
    ApiPropertyOptional({ minimum: 1, maximum: MAX_QUANTITY, example: 2, description: 'Seed form: how many guests.' }),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(MAX_QUANTITY),
    __metadata("design:type", Number)
], HoldRequestDto.prototype, "numberOfGuests", void 0);
__decorate([
    ApiPropertyOptional({ type: [HoldItemDto], description: 'General form: the cart, held all or nothing.' }),
    IsOptional(),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(20),
    ValidateNested({ each: true }),
    Type(() => HoldItemDto),
    __metadata("design:type", Array)
], HoldRequestDto.prototype, "items", void 0);
__decorate([
    ApiProperty({ example: 'John Doe' }),
    IsString(),
    MinLength(1),
    MaxLength(200),
    __metadata("design:type", String)
], HoldRequestDto.prototype, "guestName", void 0);
__decorate([
    ApiProperty({ example: 'john@example.com' }),
    IsEmail(),
    MaxLength(254),
    __metadata("design:type", String)
], HoldRequestDto.prototype, "guestEmail", void 0);
__decorate([
    ApiPropertyOptional({ example: '+1234567890' }),
    IsOptional(),
    Matches(/^\+?[0-9 ()-]{5,32}$/, { message: 'guestPhone must be a phone number such as +1234567890' }),
    __metadata("design:type", String)
], HoldRequestDto.prototype, "guestPhone", void 0);
__decorate([
    ApiPropertyOptional({ example: 'Window seat, please', maxLength: 1000 }),
    IsOptional(),
    IsString(),
    MaxLength(1000),
    __metadata("design:type", String)
], HoldRequestDto.prototype, "specialRequests", void 0);
export class HoldReservationDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], HoldReservationDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ example: 'held' }),
    __metadata("design:type", String)
], HoldReservationDto.prototype, "status", void 0);
__decorate([
    ApiProperty({ example: '2026-12-01T12:15:00.000Z' }),
    __metadata("design:type", String)
], HoldReservationDto.prototype, "holdExpiresAt", void 0);
__decorate([
    ApiProperty({ example: 15000, description: 'Minor units (cents).' }),
    __metadata("design:type", Number)
], HoldReservationDto.prototype, "totalPrice", void 0);
__decorate([
    ApiProperty({ example: 20000 }),
    __metadata("design:type", Number)
], HoldReservationDto.prototype, "originalPrice", void 0);
__decorate([
    ApiProperty({ example: 5000 }),
    __metadata("design:type", Number)
], HoldReservationDto.prototype, "discountApplied", void 0);
__decorate([
    ApiProperty({ example: 'EUR' }),
    __metadata("design:type", String)
], HoldReservationDto.prototype, "currency", void 0);
export class AppliedDiscountDto {
}
__decorate([
    ApiProperty({ example: 3000 }),
    __metadata("design:type", Number)
], AppliedDiscountDto.prototype, "amount", void 0);
__decorate([
    ApiProperty({ example: 'group_5_plus' }),
    __metadata("design:type", String)
], AppliedDiscountDto.prototype, "type", void 0);
export class AppliedDiscountsDto {
}
__decorate([
    ApiProperty({ type: AppliedDiscountDto, nullable: true }),
    __metadata("design:type", Object)
], AppliedDiscountsDto.prototype, "groupDiscount", void 0);
__decorate([
    ApiProperty({ type: AppliedDiscountDto, nullable: true }),
    __metadata("design:type", Object)
], AppliedDiscountsDto.prototype, "earlyBirdDiscount", void 0);
__decorate([
    ApiProperty({ example: 5000 }),
    __metadata("design:type", Number)
], AppliedDiscountsDto.prototype, "totalDiscount", void 0);
export class HoldResponseDto {
}
__decorate([
    ApiProperty({ type: HoldReservationDto }),
    __metadata("design:type", HoldReservationDto)
], HoldResponseDto.prototype, "reservation", void 0);
__decorate([
    ApiProperty({ type: AppliedDiscountsDto }),
    __metadata("design:type", AppliedDiscountsDto)
], HoldResponseDto.prototype, "appliedDiscounts", void 0);
__decorate([
    ApiProperty({ example: 15 }),
    __metadata("design:type", Number)
], HoldResponseDto.prototype, "holdDurationMinutes", void 0);
//# sourceMappingURL=hold.dto.js.map