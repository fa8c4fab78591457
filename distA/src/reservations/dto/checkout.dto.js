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
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
export class ConvertHoldDto {
}
__decorate([
    ApiProperty({ format: 'uuid', description: 'The hold from POST /v1/reservations/hold.' }),
    IsUUID('all'),
    __metadata("design:type", String)
], ConvertHoldDto.prototype, "holdId", void 0);
__decorate([
    ApiPropertyOptional({ format: 'uuid', description: 'A saved card (GET /v1/payments/methods): charged server-side.' }),
    IsOptional(),
    IsUUID('all'),
    __metadata("design:type", String)
], ConvertHoldDto.prototype, "paymentMethodId", void 0);
__decorate([
    ApiPropertyOptional({ description: 'Keep the card the user enters for next time.' }),
    IsOptional(),
    IsBoolean(),
    __metadata("design:type", Boolean)
], ConvertHoldDto.prototype, "savePaymentMethod", void 0);
export class ConvertReservationDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], ConvertReservationDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ example: 'pending', description: '`confirmed` at once when a saved card needed no authentication.' }),
    __metadata("design:type", String)
], ConvertReservationDto.prototype, "status", void 0);
__decorate([
    ApiProperty({ example: 'pi_3Nx...' }),
    __metadata("design:type", String)
], ConvertReservationDto.prototype, "paymentIntentId", void 0);
export class ConvertResponseDto {
}
__decorate([
    ApiProperty({ type: ConvertReservationDto }),
    __metadata("design:type", ConvertReservationDto)
], ConvertResponseDto.prototype, "reservation", void 0);
__decorate([
    ApiProperty({
        example: 'pi_3Nx..._secret_...',
        description: 'Use with Stripe.js (or the dev routes with the simulated provider).',
    }),
    __metadata("design:type", String)
], ConvertResponseDto.prototype, "paymentClientSecret", void 0);
__decorate([
    ApiProperty({ example: false, description: 'True when the card needs 3-D Secure: complete it with Stripe.js.' }),
    __metadata("design:type", Boolean)
], ConvertResponseDto.prototype, "requiresAction", void 0);
export class ConfirmReservationDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    IsUUID('all'),
    __metadata("design:type", String)
], ConfirmReservationDto.prototype, "reservationId", void 0);
__decorate([
    ApiProperty({ example: 'pi_3Nx...' }),
    IsString(),
    MinLength(3),
    MaxLength(255),
    __metadata("design:type", String)
], ConfirmReservationDto.prototype, "paymentIntentId", void 0);
export class ConfirmedReservationDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], ConfirmedReservationDto.prototype, "id", void 0);
__decorate([
    ApiProperty({ example: 'confirmed' }),
    __metadata("design:type", String)
], ConfirmedReservationDto.prototype, "status", void 0);
__decorate([
    ApiProperty({ example: 'paid', description: '`paid`, or `authorized` for rentals (captured on return).' }),
    __metadata("design:type", String)
], ConfirmedReservationDto.prototype, "paymentStatus", void 0);
__decorate([
    ApiProperty({ example: 'ABC123DEF456' }),
    __metadata("design:type", String)
], ConfirmedReservationDto.prototype, "reservationReference", void 0);
export class ConfirmedPaymentDto {
}
__decorate([
    ApiProperty({ format: 'uuid' }),
    __metadata("design:type", String)
], ConfirmedPaymentDto.prototype, "paymentId", void 0);
__decorate([
    ApiProperty({ example: 'captured', description: '`captured`, or `authorized` for rentals.' }),
    __metadata("design:type", String)
], ConfirmedPaymentDto.prototype, "status", void 0);
__decorate([
    ApiProperty({ example: 'ch_3Nx...', nullable: true }),
    __metadata("design:type", Object)
], ConfirmedPaymentDto.prototype, "chargeId", void 0);
export class ConfirmResponseDto {
}
__decorate([
    ApiProperty({ type: ConfirmedReservationDto }),
    __metadata("design:type", ConfirmedReservationDto)
], ConfirmResponseDto.prototype, "reservation", void 0);
__decorate([
    ApiProperty({ type: ConfirmedPaymentDto }),
    __metadata("design:type", ConfirmedPaymentDto)
], ConfirmResponseDto.prototype, "payment", void 0);
export class PaymentStatusDataDto {
}
__decorate([
    ApiProperty({ example: 'pending' }),
    __metadata("design:type", String)
], PaymentStatusDataDto.prototype, "reservationStatus", void 0);
__decorate([
    ApiProperty({ example: 'pi_3Nx...', nullable: true }),
    __metadata("design:type", Object)
], PaymentStatusDataDto.prototype, "paymentIntentId", void 0);
__decorate([
    ApiProperty({ example: 'succeeded', nullable: true, description: "The PaymentIntent's status at the provider." }),
    __metadata("design:type", Object)
], PaymentStatusDataDto.prototype, "stripeStatus", void 0);
__decorate([
    ApiProperty({ example: false }),
    __metadata("design:type", Boolean)
], PaymentStatusDataDto.prototype, "requiresAction", void 0);
__decorate([
    ApiProperty({ example: null, nullable: true, type: String }),
    __metadata("design:type", Object)
], PaymentStatusDataDto.prototype, "actionType", void 0);
export class PaymentStatusResponseDto {
}
__decorate([
    ApiProperty({ example: true }),
    __metadata("design:type", Boolean)
], PaymentStatusResponseDto.prototype, "success", void 0);
__decorate([
    ApiProperty({ type: PaymentStatusDataDto }),
    __metadata("design:type", PaymentStatusDataDto)
], PaymentStatusResponseDto.prototype, "data", void 0);
//# sourceMappingURL=checkout.dto.js.map