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
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { RESERVATION_STATUSES } from '../reservation.entity.js';
import { AppliedDiscountsDto } from './hold.dto.js';
export class ReservationOfferingDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], ReservationOfferingDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ enum: ['experience', 'product', 'rental'] }),
    __metadata("design:type", String)
], ReservationOfferingDto.prototype, "kind", void 0);
__decorate([
    ApiProperty({ example: 'Sunset kayak tour' }),
    __metadata("design:type", String)
], ReservationOfferingDto.prototype, "title", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", String)
], ReservationOfferingDto.prototype, "description", void 0);
__decorate([
    ApiProperty({ type: [String] }),
    __metadata("design:type", Array)
], ReservationOfferingDto.prototype, "images", void 0);
export class ReservationTimeSlotDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], ReservationTimeSlotDto.prototype, "id", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", String)
], ReservationTimeSlotDto.prototype, "startsAt", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", String)
], ReservationTimeSlotDto.prototype, "endsAt", void 0);
export class ReservationItemDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], ReservationItemDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], ReservationItemDto.prototype, "offeringId", void 0);
__decorate([
    ApiProperty({ enum: ['experience', 'product', 'rental'] }),
    __metadata("design:type", String)
], ReservationItemDto.prototype, "kind", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", String)
], ReservationItemDto.prototype, "title", void 0);
__decorate([
    ApiProperty({ format: 'uuid', nullable: true }),
    __metadata("design:type", Object)
], ReservationItemDto.prototype, "timeSlotId", void 0);
__decorate([
    ApiProperty({ nullable: true }),
    __metadata("design:type", Object)
], ReservationItemDto.prototype, "sku", void 0);
__decorate([
    ApiProperty({ nullable: true, example: '2026-12-01' }),
    __metadata("design:type", Object)
], ReservationItemDto.prototype, "startDate", void 0);
__decorate([
    ApiProperty({ nullable: true, example: '2026-12-04' }),
    __metadata("design:type", Object)
], ReservationItemDto.prototype, "endDate", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", Number)
], ReservationItemDto.prototype, "quantity", void 0);
__decorate([
    ApiProperty({ description: 'Minor units per guest, unit or day.' }),
    __metadata("design:type", Number)
], ReservationItemDto.prototype, "unitPrice", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", Number)
], ReservationItemDto.prototype, "totalPrice", void 0);
/** A reservation as the app sees it. `status` is the effective one: a hold past its time reads as expired. */
export class ReservationDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], ReservationDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ enum: RESERVATION_STATUSES }),
    __metadata("design:type", String)
], ReservationDto.prototype, "status", void 0);
__decorate([
    ApiProperty({ format: 'uuid', nullable: true, description: 'The (first) booked offering, as in seed 004.' }),
    __metadata("design:type", Object)
], ReservationDto.prototype, "experienceId", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", String)
], ReservationDto.prototype, "holdExpiresAt", void 0);
__decorate([
    ApiProperty({ example: 15000 }),
    __metadata("design:type", Number)
], ReservationDto.prototype, "totalPrice", void 0);
__decorate([
    ApiProperty({ example: 20000 }),
    __metadata("design:type", Number)
], ReservationDto.prototype, "originalPrice", void 0);
__decorate([
    ApiProperty({ example: 5000 }),
    __metadata("design:type", Number)
], ReservationDto.prototype, "discountApplied", void 0);
__decorate([
    ApiProperty({ example: 'EUR' }),
    __metadata("design:type", String)
], ReservationDto.prototype, "currency", void 0);
__decorate([
    ApiProperty({ type: AppliedDiscountsDto }),
    __metadata("design:type", AppliedDiscountsDto)
], ReservationDto.prototype, "appliedDiscounts", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", String)
], ReservationDto.prototype, "guestName", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", String)
], ReservationDto.prototype, "guestEmail", void 0);
__decorate([
    ApiProperty({ nullable: true }),
    __metadata("design:type", Object)
], ReservationDto.prototype, "guestPhone", void 0);
__decorate([
    ApiProperty({ nullable: true }),
    __metadata("design:type", Object)
], ReservationDto.prototype, "specialRequests", void 0);
__decorate([
    ApiProperty({ nullable: true, example: 'ABC123DEF456', description: 'Set when confirmed.' }),
    __metadata("design:type", Object)
], ReservationDto.prototype, "reservationReference", void 0);
__decorate([
    ApiProperty({ nullable: true, example: 'USER_CANCELLED' }),
    __metadata("design:type", Object)
], ReservationDto.prototype, "statusReason", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", String)
], ReservationDto.prototype, "createdAt", void 0);
__decorate([
    ApiProperty({ type: ReservationOfferingDto, nullable: true }),
    __metadata("design:type", Object)
], ReservationDto.prototype, "experience", void 0);
__decorate([
    ApiProperty({ type: ReservationTimeSlotDto, nullable: true }),
    __metadata("design:type", Object)
], ReservationDto.prototype, "timeSlot", void 0);
__decorate([
    ApiProperty({ type: [ReservationItemDto] }),
    __metadata("design:type", Array)
], ReservationDto.prototype, "items", void 0);
export class PaginationDto {
}
__decorate([
    ApiProperty({ example: 25 }),
    __metadata("design:type", Number)
], PaginationDto.prototype, "total", void 0);
__decorate([
    ApiProperty({ example: 10 }),
    __metadata("design:type", Number)
], PaginationDto.prototype, "limit", void 0);
__decorate([
    ApiProperty({ example: 0 }),
    __metadata("design:type", Number)
], PaginationDto.prototype, "offset", void 0);
__decorate([
    ApiProperty({ example: true }),
    __metadata("design:type", Boolean)
], PaginationDto.prototype, "hasMore", void 0);
export class ReservationListDto {
}
__decorate([
    ApiProperty({ type: [ReservationDto] }),
    __metadata("design:type", Array)
], ReservationListDto.prototype, "reservations", void 0);
__decorate([
    ApiProperty({ type: PaginationDto }),
    __metadata("design:type", PaginationDto)
], ReservationListDto.prototype, "pagination", void 0);
export class ListReservationsQueryDto {
    constructor() {
        this.limit = 10;
        this.offset = 0;
    }
}
__decorate([
    ApiPropertyOptional({ enum: RESERVATION_STATUSES }),
    IsOptional(),
    IsIn(RESERVATION_STATUSES),
    __metadata("design:type", String)
], ListReservationsQueryDto.prototype, "status", void 0);
__decorate([
    ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(100),
    __metadata("design:type", Number)
], ListReservationsQueryDto.prototype, "limit", void 0);
__decorate([
    ApiPropertyOptional({ minimum: 0, default: 0 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(0),
    Max(1_000_000),
    __metadata("design:type", Number)
], ListReservationsQueryDto.prototype, "offset", void 0);
//# sourceMappingURL=reservation.dto.js.map