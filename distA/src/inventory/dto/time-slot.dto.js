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
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { SLOT_STATUSES } from '../time-slot.entity.js';
import { IsIsoTimestamp } from './iso-timestamp.js';
export const MAX_SLOT_CAPACITY = 100_000;
/** Body of `POST /v1/admin/offerings/{id}/time-slots`. */
export class CreateTimeSlotDto {
}
__decorate([
    ApiProperty({ example: '2026-07-01T09:00:00Z', description: 'Start, ISO 8601 with a zone (stored in UTC).' }),
    IsIsoTimestamp(),
    __metadata("design:type", String)
], CreateTimeSlotDto.prototype, "startsAt", void 0);
__decorate([
    ApiProperty({ example: '2026-07-01T11:00:00Z', description: 'End; must be after `startsAt`.' }),
    IsIsoTimestamp(),
    __metadata("design:type", String)
], CreateTimeSlotDto.prototype, "endsAt", void 0);
__decorate([
    ApiProperty({ example: 12, minimum: 1, maximum: MAX_SLOT_CAPACITY, description: 'Places (guests) in the slot.' }),
    IsInt(),
    Min(1),
    Max(MAX_SLOT_CAPACITY),
    __metadata("design:type", Number)
], CreateTimeSlotDto.prototype, "capacity", void 0);
/** Body of `PATCH /v1/admin/time-slots/{id}`: send only what changes. */
export class UpdateTimeSlotDto {
}
__decorate([
    ApiPropertyOptional({
        example: 20,
        minimum: 1,
        maximum: MAX_SLOT_CAPACITY,
        description: 'New capacity; never below the places already held or booked.',
    }),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(MAX_SLOT_CAPACITY),
    __metadata("design:type", Number)
], UpdateTimeSlotDto.prototype, "capacity", void 0);
__decorate([
    ApiPropertyOptional({
        enum: SLOT_STATUSES,
        example: 'closed',
        description: 'Only `open` slots can be held; closing or cancelling one leaves existing reservations as they are.',
    }),
    IsOptional(),
    IsIn(SLOT_STATUSES),
    __metadata("design:type", String)
], UpdateTimeSlotDto.prototype, "status", void 0);
__decorate([
    ApiPropertyOptional({ example: '2026-07-01T09:30:00Z' }),
    IsOptional(),
    IsIsoTimestamp(),
    __metadata("design:type", String)
], UpdateTimeSlotDto.prototype, "startsAt", void 0);
__decorate([
    ApiPropertyOptional({ example: '2026-07-01T11:30:00Z', description: 'Must stay after the (new or current) start.' }),
    IsOptional(),
    IsIsoTimestamp(),
    __metadata("design:type", String)
], UpdateTimeSlotDto.prototype, "endsAt", void 0);
/** A time slot as admins see it. */
export class TimeSlotDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], TimeSlotDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], TimeSlotDto.prototype, "offeringId", void 0);
__decorate([
    ApiProperty({ example: '2026-07-01T09:00:00.000Z' }),
    __metadata("design:type", Date)
], TimeSlotDto.prototype, "startsAt", void 0);
__decorate([
    ApiProperty({ example: '2026-07-01T11:00:00.000Z' }),
    __metadata("design:type", Date)
], TimeSlotDto.prototype, "endsAt", void 0);
__decorate([
    ApiProperty({ example: 12 }),
    __metadata("design:type", Number)
], TimeSlotDto.prototype, "capacity", void 0);
__decorate([
    ApiProperty({ example: 2, description: 'Places in unpaid holds.' }),
    __metadata("design:type", Number)
], TimeSlotDto.prototype, "held", void 0);
__decorate([
    ApiProperty({ example: 4, description: 'Places in confirmed reservations.' }),
    __metadata("design:type", Number)
], TimeSlotDto.prototype, "booked", void 0);
__decorate([
    ApiProperty({ example: 6, description: '`capacity - held - booked`.' }),
    __metadata("design:type", Number)
], TimeSlotDto.prototype, "placesLeft", void 0);
__decorate([
    ApiProperty({ enum: SLOT_STATUSES, example: 'open' }),
    __metadata("design:type", String)
], TimeSlotDto.prototype, "status", void 0);
//# sourceMappingURL=time-slot.dto.js.map