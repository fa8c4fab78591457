var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { OFFERING_KINDS } from '../offering.entity.js';
export const DEFAULT_LIST_LIMIT = 20;
/** Query of `GET /v1/catalog/offerings`. */
export class ListOfferingsQueryDto {
    constructor() {
        this.limit = DEFAULT_LIST_LIMIT;
        this.offset = 0;
    }
}
__decorate([
    ApiPropertyOptional({ enum: OFFERING_KINDS, example: 'experience' }),
    IsOptional(),
    IsIn(OFFERING_KINDS),
    __metadata("design:type", String)
], ListOfferingsQueryDto.prototype, "kind", void 0);
__decorate([
    ApiPropertyOptional({ example: 'kayak', maxLength: 100, description: 'Case-insensitive search in the title.' }),
    IsOptional(),
    IsString(),
    MaxLength(100),
    __metadata("design:type", String)
], ListOfferingsQueryDto.prototype, "q", void 0);
__decorate([
    ApiPropertyOptional({ example: 20, default: DEFAULT_LIST_LIMIT, minimum: 1, maximum: 100 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(100),
    __metadata("design:type", Number)
], ListOfferingsQueryDto.prototype, "limit", void 0);
__decorate([
    ApiPropertyOptional({ example: 0, default: 0, minimum: 0 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(0),
    Max(1_000_000),
    __metadata("design:type", Number)
], ListOfferingsQueryDto.prototype, "offset", void 0);
//# sourceMappingURL=list-offerings-query.dto.js.map