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
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { UNIT_STATUSES } from '../rental-unit.entity.js';
/** Body of `POST /v1/admin/offerings/{id}/units`. */
export class CreateRentalUnitDto {
}
__decorate([
    ApiProperty({ example: 'Van 3 (AB-123-CD)', minLength: 1, maxLength: 120 }),
    IsString(),
    MaxLength(120),
    Matches(/\S/, { message: 'label must not be blank' }),
    __metadata("design:type", String)
], CreateRentalUnitDto.prototype, "label", void 0);
__decorate([
    ApiPropertyOptional({
        enum: UNIT_STATUSES,
        default: 'available',
        description: 'Only `available` units can be rented.',
    }),
    IsOptional(),
    IsIn(UNIT_STATUSES),
    __metadata("design:type", String)
], CreateRentalUnitDto.prototype, "status", void 0);
/** A rental unit as admins see it. */
export class RentalUnitDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], RentalUnitDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], RentalUnitDto.prototype, "offeringId", void 0);
__decorate([
    ApiProperty({ example: 'Van 3 (AB-123-CD)' }),
    __metadata("design:type", String)
], RentalUnitDto.prototype, "label", void 0);
__decorate([
    ApiProperty({ enum: UNIT_STATUSES, example: 'available' }),
    __metadata("design:type", String)
], RentalUnitDto.prototype, "status", void 0);
//# sourceMappingURL=rental-unit.dto.js.map