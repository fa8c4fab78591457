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
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
export class CreateRefundDto {
}
__decorate([
    ApiPropertyOptional({ example: 2500, description: 'Minor units; omit for everything not yet refunded.' }),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(100_000_000),
    __metadata("design:type", Number)
], CreateRefundDto.prototype, "amount", void 0);
__decorate([
    ApiPropertyOptional({ example: 'Guide fell ill' }),
    IsOptional(),
    IsString(),
    MaxLength(500),
    __metadata("design:type", String)
], CreateRefundDto.prototype, "reason", void 0);
export class RefundDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], RefundDto.prototype, "refundId", void 0);
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], RefundDto.prototype, "paymentId", void 0);
__decorate([
    ApiProperty({ example: 2500 }),
    __metadata("design:type", Number)
], RefundDto.prototype, "amount", void 0);
__decorate([
    ApiProperty({
        enum: ['pending', 'succeeded', 'failed'],
        description: 'pending: written, the provider not yet reached (retried).',
    }),
    __metadata("design:type", String)
], RefundDto.prototype, "status", void 0);
__decorate([
    ApiProperty({ nullable: true }),
    __metadata("design:type", Object)
], RefundDto.prototype, "reason", void 0);
__decorate([
    ApiProperty({ example: 'admin' }),
    __metadata("design:type", String)
], RefundDto.prototype, "source", void 0);
__decorate([
    ApiProperty({ nullable: true, example: 're_3Nx...' }),
    __metadata("design:type", Object)
], RefundDto.prototype, "providerRefundId", void 0);
__decorate([
    ApiProperty(),
    __metadata("design:type", String)
], RefundDto.prototype, "createdAt", void 0);
export class StuckPaymentDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], StuckPaymentDto.prototype, "paymentId", void 0);
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], StuckPaymentDto.prototype, "reservationId", void 0);
__decorate([
    ApiProperty({ nullable: true, example: 'pi_3Nx...' }),
    __metadata("design:type", Object)
], StuckPaymentDto.prototype, "intentId", void 0);
__decorate([
    ApiProperty({ example: 'creating' }),
    __metadata("design:type", String)
], StuckPaymentDto.prototype, "status", void 0);
__decorate([
    ApiProperty({ example: 15000 }),
    __metadata("design:type", Number)
], StuckPaymentDto.prototype, "amount", void 0);
__decorate([
    ApiProperty({ example: 'EUR' }),
    __metadata("design:type", String)
], StuckPaymentDto.prototype, "currency", void 0);
__decorate([
    ApiProperty({ nullable: true }),
    __metadata("design:type", Object)
], StuckPaymentDto.prototype, "failureCode", void 0);
export class StuckPaymentListDto {
}
__decorate([
    ApiProperty({ type: [StuckPaymentDto] }),
    __metadata("design:type", Array)
], StuckPaymentListDto.prototype, "payments", void 0);
//# sourceMappingURL=refund.dto.js.map