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
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
export const SKU_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_STOCK_LINES = 500;
/** One SKU's stock level. */
export class StockLineDto {
}
__decorate([
    ApiProperty({ example: 'CARRIER-M-BLUE', pattern: SKU_PATTERN.source, description: 'Unique across all offerings.' }),
    IsString(),
    Matches(SKU_PATTERN, { message: 'sku must be 1 to 64 characters among A-Z, a-z, 0-9, dot, underscore and hyphen' }),
    __metadata("design:type", String)
], StockLineDto.prototype, "sku", void 0);
__decorate([
    ApiProperty({
        example: 25,
        minimum: 0,
        description: 'Units physically in stock, sold ones included; never below the units held or sold.',
    }),
    IsInt(),
    Min(0),
    Max(1_000_000_000),
    __metadata("design:type", Number)
], StockLineDto.prototype, "onHand", void 0);
/** Body of `PUT /v1/admin/offerings/{id}/stock`: creates or updates each SKU; SKUs not listed are left alone. */
export class PutStockDto {
}
__decorate([
    ApiProperty({ type: [StockLineDto], minItems: 1, maxItems: MAX_STOCK_LINES }),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_STOCK_LINES),
    ValidateNested({ each: true }),
    Type(() => StockLineDto),
    __metadata("design:type", Array)
], PutStockDto.prototype, "items", void 0);
/** One SKU's stock as admins see it. */
export class StockItemDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], StockItemDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ example: 'CARRIER-M-BLUE' }),
    __metadata("design:type", String)
], StockItemDto.prototype, "sku", void 0);
__decorate([
    ApiProperty({ example: 25 }),
    __metadata("design:type", Number)
], StockItemDto.prototype, "onHand", void 0);
__decorate([
    ApiProperty({ example: 2, description: 'Units in unpaid holds.' }),
    __metadata("design:type", Number)
], StockItemDto.prototype, "held", void 0);
__decorate([
    ApiProperty({ example: 5, description: 'Units in confirmed reservations.' }),
    __metadata("design:type", Number)
], StockItemDto.prototype, "sold", void 0);
__decorate([
    ApiProperty({ example: 18, description: '`onHand - held - sold`.' }),
    __metadata("design:type", Number)
], StockItemDto.prototype, "available", void 0);
//# sourceMappingURL=stock.dto.js.map