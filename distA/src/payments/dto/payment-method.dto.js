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
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
/** The longest nickname a saved card may carry. */
export const MAX_NICKNAME_LENGTH = 50;
/** Seed 004 "Add Payment Method": a PaymentMethod created on the device by Stripe.js. */
export class AddPaymentMethodDto {
}
__decorate([
    ApiProperty({
        example: 'pm_card_visa',
        maxLength: 255,
        description: "The provider's PaymentMethod id from Stripe.js (`pm_...`), or one of Stripe's test ids such as `pm_card_visa` " +
            'with the simulated provider or a Stripe test key. An id the provider does not know is 400 VALIDATION_FAILED.',
    }),
    IsString(),
    MaxLength(255),
    Matches(/^[A-Za-z0-9_]+$/, { message: 'paymentMethodId must be a provider PaymentMethod id such as pm_1Abc...' }),
    __metadata("design:type", String)
], AddPaymentMethodDto.prototype, "paymentMethodId", void 0);
__decorate([
    ApiPropertyOptional({ example: 'Work Card', maxLength: MAX_NICKNAME_LENGTH }),
    IsOptional(),
    IsString(),
    MaxLength(MAX_NICKNAME_LENGTH),
    __metadata("design:type", String)
], AddPaymentMethodDto.prototype, "nickname", void 0);
/** A saved card as the app shows it (seed 004). Never the provider's ids. */
export class PaymentMethodDto {
}
__decorate([
    ApiProperty({ format: 'uuid', description: 'Our id: pass it as `paymentMethodId` to convert a hold.' }),
    __metadata("design:type", String)
], PaymentMethodDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ enum: ['card'], example: 'card' }),
    __metadata("design:type", String)
], PaymentMethodDto.prototype, "type", void 0);
__decorate([
    ApiProperty({ example: '4242' }),
    __metadata("design:type", String)
], PaymentMethodDto.prototype, "last4", void 0);
__decorate([
    ApiProperty({ example: 'Visa', description: 'Display name: Visa, Mastercard, American Express, Discover, ...' }),
    __metadata("design:type", String)
], PaymentMethodDto.prototype, "brand", void 0);
__decorate([
    ApiProperty({ example: '12', description: 'Two digits, as printed on the card.' }),
    __metadata("design:type", String)
], PaymentMethodDto.prototype, "expMonth", void 0);
__decorate([
    ApiProperty({ example: '2025' }),
    __metadata("design:type", String)
], PaymentMethodDto.prototype, "expYear", void 0);
__decorate([
    ApiProperty({ description: 'The card used when none is named; exactly one of the user\u2019s cards, if any.' }),
    __metadata("design:type", Boolean)
], PaymentMethodDto.prototype, "isDefault", void 0);
__decorate([
    ApiProperty({ type: String, nullable: true, example: 'Personal Card' }),
    __metadata("design:type", Object)
], PaymentMethodDto.prototype, "nickname", void 0);
__decorate([
    ApiProperty({ example: '2024-01-01T00:00:00.000Z' }),
    __metadata("design:type", String)
], PaymentMethodDto.prototype, "createdAt", void 0);
export class PaymentMethodListResponseDto {
}
__decorate([
    ApiProperty({ enum: [true] }),
    __metadata("design:type", Boolean)
], PaymentMethodListResponseDto.prototype, "success", void 0);
__decorate([
    ApiProperty({ type: [PaymentMethodDto], description: 'The default card first, then newest first.' }),
    __metadata("design:type", Array)
], PaymentMethodListResponseDto.prototype, "data", void 0);
export class PaymentMethodResponseDto {
}
__decorate([
    ApiProperty({ enum: [true] }),
    __metadata("design:type", Boolean)
], PaymentMethodResponseDto.prototype, "success", void 0);
__decorate([
    ApiProperty({ type: PaymentMethodDto }),
    __metadata("design:type", PaymentMethodDto)
], PaymentMethodResponseDto.prototype, "data", void 0);
export class PaymentMethodMessageDto {
}
__decorate([
    ApiProperty({ enum: [true] }),
    __metadata("design:type", Boolean)
], PaymentMethodMessageDto.prototype, "success", void 0);
__decorate([
    ApiProperty({ example: 'Payment method removed successfully' }),
    __metadata("design:type", String)
], PaymentMethodMessageDto.prototype, "message", void 0);
//# sourceMappingURL=payment-method.dto.js.map